package api

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/mockcommand/mockcommand/internal/model"
)

// handleStoreContentsGet answers GET /_mock/stores/{id}/contents: what the
// store's orchestrator sees in it, which its next inventory job reports.
func (s *Server) handleStoreContentsGet(w http.ResponseWriter, r *http.Request) {
	entries, err := s.mock.StoreContents(r.Context(), chi.URLParam(r, "id"))
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	encode(w, http.StatusOK, entries)
}

// handleStoreContentsSet answers PUT /_mock/stores/{id}/contents: the
// entries (alias, certificates as PEM or members, parameters) replace what
// the orchestrator sees. Command's inventory changes only when an
// inventory job completes.
func (s *Server) handleStoreContentsSet(w http.ResponseWriter, r *http.Request) {
	entries, err := decode[[]model.ObservedEntry](w, r, s.cfg.MaxBodyBytes)
	if err == nil && entries == nil {
		err = model.Errorf(model.Invalid, "The body must be an array of entries ([] for an empty store).")
	}
	if err == nil {
		entries, err = s.mock.SetStoreContents(r.Context(), chi.URLParam(r, "id"), entries)
	}
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	encode(w, http.StatusOK, entries)
}

// handleDiscoverableGet answers GET /_mock/discovery: the store paths each
// orchestrator would find.
func (s *Server) handleDiscoverableGet(w http.ResponseWriter, r *http.Request) {
	list, err := s.mock.Discoverable(r.Context())
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	encode(w, http.StatusOK, list)
}

// handleDiscoverableSet answers PUT /_mock/discovery: the store paths of
// a type that an orchestrator finds on a machine when it runs a
// discovery job.
func (s *Server) handleDiscoverableSet(w http.ResponseWriter, r *http.Request) {
	d, err := decode[model.DiscoverySpec](w, r, s.cfg.MaxBodyBytes)
	if err == nil {
		d, err = s.mock.SetDiscoverable(r.Context(), d)
	}
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	encode(w, http.StatusOK, d)
}
