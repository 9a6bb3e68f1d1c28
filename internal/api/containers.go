package api

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/mockcommand/mockcommand/internal/model"
)

func (s *Server) handleContainerList(w http.ResponseWriter, r *http.Request) {
	opts, err := listOptions(r)
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	s.cachedList(w, r, listRequest{route: "containers", opts: opts, version: s.store.ContainersVersion,
		write: func(w io.Writer) error {
			list, err := s.store.ListContainers(r.Context(), opts)
			if err != nil {
				return err
			}
			b, err := json.Marshal(list)
			if err != nil {
				return fmt.Errorf("encode containers: %w", err)
			}
			_, err = w.Write(b)
			return err
		}})
}

func (s *Server) handleContainerGet(w http.ResponseWriter, r *http.Request) {
	id, err := pathInt("Certificate store container", chi.URLParam(r, "id"))
	var c model.StoreContainer
	if err == nil {
		c, err = s.store.GetContainer(r.Context(), id)
	}
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	encode(w, http.StatusOK, c)
}

// handleContainerSave answers POST (create: any Id is ignored) and PUT
// (update: Id required) /CertificateStoreContainers.
func (s *Server) handleContainerSave(create bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		in, err := decode[model.ContainerInput](w, r, s.cfg.MaxBodyBytes)
		if err == nil {
			if create {
				in.Id = 0
			} else if in.Id <= 0 {
				err = model.Errorf(model.Invalid, "Id is required: PUT /CertificateStoreContainers takes the container's id in the body.")
			}
		}
		var c model.StoreContainer
		if err == nil {
			c, err = s.store.SaveContainer(r.Context(), in)
		}
		if err != nil {
			writeError(w, r, s.logger, bodyNotFound(err))
			return
		}
		encode(w, http.StatusOK, c)
	}
}

func (s *Server) handleContainerDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathInt("Certificate store container", chi.URLParam(r, "id"))
	if err == nil {
		err = s.store.DeleteContainer(r.Context(), id)
	}
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	noContent(w)
}
