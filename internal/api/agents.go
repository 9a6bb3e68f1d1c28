package api

import (
	"net/http"

	"github.com/go-chi/chi/v5"
)

func (s *Server) handleAgentList(w http.ResponseWriter, r *http.Request) {
	opts, err := listOptions(r)
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	s.cachedList(w, r, "agents", opts, func() (any, error) { return s.store.ListAgents(r.Context(), opts) })
}

func (s *Server) handleAgentGet(w http.ResponseWriter, r *http.Request) {
	agent, err := s.mock.Agent(r.Context(), chi.URLParam(r, "id"))
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	encode(w, http.StatusOK, agent)
}
