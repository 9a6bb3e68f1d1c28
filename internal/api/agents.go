package api

import (
	"io"
	"net/http"

	"github.com/go-chi/chi/v5"
)

func (s *Server) handleAgentList(w http.ResponseWriter, r *http.Request) {
	opts, err := listOptions(r)
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	s.cachedList(w, r, listRequest{route: "agents", opts: opts, version: s.store.AgentsVersion,
		write: func(w io.Writer) error { return s.store.AgentsPage(r.Context(), opts, w) }})
}

func (s *Server) handleAgentGet(w http.ResponseWriter, r *http.Request) {
	agent, err := s.mock.Agent(r.Context(), chi.URLParam(r, "id"))
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	encode(w, http.StatusOK, agent)
}
