package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/mockcommand/mockcommand/internal/model"
	"github.com/mockcommand/mockcommand/internal/store"
)

// handleAgentsAction serves POST /Agents/Approve, /Disapprove and /Reset:
// a JSON array of agent ids, all or nothing, answered with 204. action is
// a store method expression such as (*store.Store).ApproveAgents.
func (s *Server) handleAgentsAction(action func(*store.Store, context.Context, []string) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ids, err := decode[[]string](w, r, s.cfg.MaxBodyBytes)
		if err == nil {
			ids, err = bodyGUIDs("Item", ids)
		}
		if err == nil {
			err = action(s.store, r.Context(), ids)
		}
		if err != nil {
			writeError(w, r, s.logger, err)
			return
		}
		noContent(w)
	}
}

// bodyGUIDs reads the GUIDs of a list in a request body ("Item 2" or
// "OrchestratorIds[2]" name an item in errors); nil stays nil.
func bodyGUIDs(what string, raw []string) ([]string, error) {
	if raw == nil {
		return nil, nil
	}
	out := make([]string, len(raw))
	for i, v := range raw {
		name := fmt.Sprintf("%s[%d]", what, i)
		if what == "Item" {
			name = fmt.Sprintf("Item %d", i)
		}
		id, err := model.BodyGUID(name, v)
		if err != nil {
			return nil, err
		}
		out[i] = id
	}
	return out, nil
}

// pathAgent reads the agent id of the path.
func pathAgent(r *http.Request) (string, error) {
	return model.PathGUID("Agent", chi.URLParam(r, "id"))
}

func (s *Server) handleAgentReset(w http.ResponseWriter, r *http.Request) {
	id, err := pathAgent(r)
	if err == nil {
		err = s.store.ResetAgent(r.Context(), id)
	}
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	noContent(w)
}

func (s *Server) handleAgentFetchLogs(w http.ResponseWriter, r *http.Request) {
	id, err := pathAgent(r)
	if err == nil {
		_, err = s.store.FetchLogs(r.Context(), id)
	}
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	noContent(w)
}

// reenrollmentRequest is UpdateOrchestratorAuthCertificateReenrollmentRequest.
// Status is a string in Command's schema; numbers are accepted too.
type reenrollmentRequest struct {
	OrchestratorIds []string
	Status          model.Scalar
}

// reenrollmentResponse is UpdateOrchestratorAuthCertificateReenrollmentResponse.
type reenrollmentResponse struct {
	FailedOrchestratorIds []string
	Status                int
}

func (s *Server) handleSetReenrollment(w http.ResponseWriter, r *http.Request) {
	req, err := decode[reenrollmentRequest](w, r, s.cfg.MaxBodyBytes)
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	if !req.Status.Set || strings.TrimSpace(req.Status.Value) == "" {
		writeError(w, r, s.logger, model.Errorf(model.Invalid, "Status is required: 0 (None), 1 (Requested) or 2 (Required)."))
		return
	}
	status, ok := store.ParseReenrollment(req.Status.Value)
	if !ok {
		writeError(w, r, s.logger, model.Errorf(model.Invalid, "Status %q is not 0 (None), 1 (Requested) or 2 (Required).", req.Status.Value))
		return
	}
	failed, err := s.store.SetAuthCertificateReenrollment(r.Context(), req.OrchestratorIds, status)
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	encode(w, http.StatusOK, reenrollmentResponse{FailedOrchestratorIds: failed, Status: status})
}

func (s *Server) handleAgentDelete(w http.ResponseWriter, r *http.Request) {
	force := false
	if v, ok := queryValue(r, "force"); ok && v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			writeError(w, r, s.logger, model.Errorf(model.Invalid, "force %q is not true or false.", v))
			return
		}
		force = b
	}
	id, err := pathAgent(r)
	if err == nil {
		err = s.store.DeleteAgent(r.Context(), id, force)
	}
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	noContent(w)
}

// queryValue reads a query parameter by name, case-insensitively (as
// ASP.NET binds them).
func queryValue(r *http.Request, name string) (string, bool) {
	for k, vs := range r.URL.Query() {
		if strings.EqualFold(k, name) && len(vs) > 0 {
			return strings.TrimSpace(vs[0]), true
		}
	}
	return "", false
}
