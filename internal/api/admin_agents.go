package api

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/mockcommand/mockcommand/internal/model"
)

// handleAdminAgentCreate registers an orchestrator (Command's API has no
// call for it: real orchestrators register themselves). 201 with the agent.
func (s *Server) handleAdminAgentCreate(w http.ResponseWriter, r *http.Request) {
	a, err := decode[model.Agent](w, r, s.cfg.MaxBodyBytes)
	if err == nil {
		a, err = s.store.CreateAgent(r.Context(), a)
	}
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	encode(w, http.StatusCreated, a)
}

// handleAdminAgentReplace overwrites an orchestrator with the body; the id
// comes from the path (a different AgentId in the body is an error).
func (s *Server) handleAdminAgentReplace(w http.ResponseWriter, r *http.Request) {
	a, err := decode[model.Agent](w, r, s.cfg.MaxBodyBytes)
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	s.replaceAgent(w, r, a)
}

func (s *Server) replaceAgent(w http.ResponseWriter, r *http.Request, a model.Agent) {
	id := chi.URLParam(r, "id")
	if a.AgentId != "" && !strings.EqualFold(a.AgentId, id) {
		writeError(w, r, s.logger, model.Errorf(model.Invalid, "AgentId %s in the body differs from the id %s in the path; an agent's id cannot change.", a.AgentId, id))
		return
	}
	if _, err := s.store.GetAgent(r.Context(), id); err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	a.AgentId = id
	a, err := s.store.ReplaceAgent(r.Context(), a)
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	encode(w, http.StatusOK, a)
}

// handleAdminAgentPatch changes the members the body names and keeps the
// rest, e.g. {"Status": 1} or {"Capabilities": ["CertStores.PEM.Inventory"]}.
func (s *Server) handleAdminAgentPatch(w http.ResponseWriter, r *http.Request) {
	patch, err := decode[map[string]json.RawMessage](w, r, s.cfg.MaxBodyBytes)
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	current, err := s.store.GetAgent(r.Context(), chi.URLParam(r, "id"))
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	current.JobTypes = nil
	b, err := json.Marshal(current)
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	var merged map[string]json.RawMessage
	if err := json.Unmarshal(b, &merged); err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	for k, v := range patch {
		name := ""
		for canonical := range merged {
			if strings.EqualFold(canonical, k) {
				name = canonical
			}
		}
		if name == "" || name == "JobTypes" {
			writeError(w, r, s.logger, model.Errorf(model.Malformed, "Unknown member %q: an agent has no such member that can be set.", k))
			return
		}
		merged[name] = v
	}
	b, err = json.Marshal(merged)
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	var a model.Agent
	if err := model.DecodeJSON(b, &a); err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	s.replaceAgent(w, r, a)
}

// handleAdminAgentDelete removes an orchestrator with its jobs and history.
func (s *Server) handleAdminAgentDelete(w http.ResponseWriter, r *http.Request) {
	if err := s.store.DeleteAgent(r.Context(), chi.URLParam(r, "id"), true); err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	noContent(w)
}
