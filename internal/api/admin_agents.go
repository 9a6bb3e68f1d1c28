package api

import (
	"encoding/json"
	"fmt"
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
	s.updateAgent(w, r, func(cur *model.Agent) error {
		if a.AgentId == "" {
			a.AgentId = cur.AgentId
		}
		*cur = a
		return nil
	})
}

// updateAgent applies change to the agent the path names, in one store
// transaction, and answers 200 with the result.
func (s *Server) updateAgent(w http.ResponseWriter, r *http.Request, change func(*model.Agent) error) {
	id, err := model.PathGUID("Agent", chi.URLParam(r, "id"))
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	a, err := s.store.UpdateAgent(r.Context(), id, change)
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
	s.updateAgent(w, r, func(cur *model.Agent) error {
		return mergeAgent(cur, patch)
	})
}

// mergeAgent sets the members patch names (matched without regard to case)
// on a, keeping the others.
func mergeAgent(a *model.Agent, patch map[string]json.RawMessage) error {
	a.JobTypes = nil
	b, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("encode agent: %w", err)
	}
	var merged map[string]json.RawMessage
	if err := json.Unmarshal(b, &merged); err != nil {
		return fmt.Errorf("decode agent: %w", err)
	}
	for k, v := range patch {
		name := ""
		for canonical := range merged {
			if strings.EqualFold(canonical, k) {
				name = canonical
			}
		}
		if name == "" || name == "JobTypes" {
			return model.Errorf(model.Malformed, "Unknown member %q: an agent has no such member that can be set.", k)
		}
		merged[name] = v
	}
	if b, err = json.Marshal(merged); err != nil {
		return fmt.Errorf("encode patched agent: %w", err)
	}
	var patched model.Agent
	if err := model.DecodeJSON(b, &patched); err != nil {
		return err
	}
	*a = patched
	return nil
}

// handleAdminAgentDelete removes an orchestrator with its jobs and history.
func (s *Server) handleAdminAgentDelete(w http.ResponseWriter, r *http.Request) {
	id, err := model.PathGUID("Agent", chi.URLParam(r, "id"))
	if err == nil {
		err = s.store.DeleteAgent(r.Context(), id, true)
	}
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	noContent(w)
}
