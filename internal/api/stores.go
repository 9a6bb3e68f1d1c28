package api

import (
	"io"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/mockcommand/mockcommand/internal/model"
	"github.com/mockcommand/mockcommand/internal/store"
)

// scheduleRequest is a POST /CertificateStores/Schedule body.
type scheduleRequest struct {
	StoreIds []string
	Schedule *model.Schedule
}

// passwordRequest is a PUT /CertificateStores/Password body.
type passwordRequest struct {
	CertStoreId string
	NewPassword model.Secret
}

// discoveryJobRequest is a PUT /CertificateStores/DiscoveryJob body. The
// members that steer a real orchestrator's search (Extensions,
// NamePatterns, SymLinks, Compatibility, the server credentials) are
// accepted; Dirs and IgnoredDirs narrow what the mock's discovery finds.
type discoveryJobRequest struct {
	ClientMachine         *string
	AgentId               *string
	Type                  *int
	JobExecutionTimestamp *model.Time
	Dirs                  *string
	IgnoredDirs           *string
	Extensions            *string
	NamePatterns          *string
	SymLinks              *bool
	Compatibility         *bool
	ServerUsername        model.Secret
	ServerPassword        model.Secret
	ServerUseSsl          *bool
}

func (s *Server) handleStoreList(w http.ResponseWriter, r *http.Request) {
	opts, err := listOptions(r)
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	s.cachedList(w, r, listRequest{route: "stores", opts: opts, version: s.store.StoresVersion,
		write: func(w io.Writer) error { return s.store.StoresPage(r.Context(), opts, w) }})
}

func (s *Server) handleStoreGet(w http.ResponseWriter, r *http.Request) {
	id, err := model.PathGUID("Certificate store", chi.URLParam(r, "id"))
	var doc []byte
	if err == nil {
		doc, err = s.store.GetStore(r.Context(), id)
	}
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	writeJSON(w, http.StatusOK, doc)
}

func (s *Server) handleStoreCreate(w http.ResponseWriter, r *http.Request) {
	in, err := decode[model.StoreInput](w, r, s.cfg.MaxBodyBytes)
	var doc []byte
	if err == nil {
		in.Id = "" // assigned by the mock
		doc, err = s.store.CreateStore(r.Context(), in)
	}
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	writeJSON(w, http.StatusOK, doc)
}

func (s *Server) handleStoreUpdate(w http.ResponseWriter, r *http.Request) {
	in, err := decode[model.StoreInput](w, r, s.cfg.MaxBodyBytes)
	if err == nil && strings.TrimSpace(in.Id) == "" {
		err = model.Errorf(model.Invalid, "Id is required: PUT /CertificateStores takes the store's id in the body.")
	}
	var doc []byte
	if err == nil {
		doc, err = s.store.UpdateStore(r.Context(), in)
	}
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	writeJSON(w, http.StatusOK, doc)
}

func (s *Server) handleStoreDelete(w http.ResponseWriter, r *http.Request) {
	id, err := model.PathGUID("Certificate store", chi.URLParam(r, "id"))
	if err == nil {
		err = s.store.DeleteStore(r.Context(), id)
	}
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	noContent(w)
}

func (s *Server) handleStoreApprove(w http.ResponseWriter, r *http.Request) {
	list, err := decode[[]store.ApproveInput](w, r, s.cfg.MaxBodyBytes)
	if err == nil {
		err = s.store.ApproveStores(r.Context(), list)
	}
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	noContent(w)
}

func (s *Server) handleStoreSchedule(w http.ResponseWriter, r *http.Request) {
	req, err := decode[scheduleRequest](w, r, s.cfg.MaxBodyBytes)
	if err == nil {
		err = s.store.ScheduleInventory(r.Context(), req.StoreIds, req.Schedule)
	}
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	noContent(w)
}

func (s *Server) handleStoreInventory(w http.ResponseWriter, r *http.Request) {
	id, err := model.PathGUID("Certificate store", chi.URLParam(r, "id"))
	var opts store.ListOptions
	if err == nil {
		opts, err = listOptions(r)
	}
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	s.cachedList(w, r, listRequest{route: "inventory/" + id, opts: opts, version: s.store.InventoryVersion,
		write: func(w io.Writer) error { return s.store.InventoryPage(r.Context(), id, opts, w) }})
}

func (s *Server) handleStorePassword(w http.ResponseWriter, r *http.Request) {
	req, err := decode[passwordRequest](w, r, s.cfg.MaxBodyBytes)
	var id string
	if err == nil {
		id, err = model.BodyGUID("CertStoreId", req.CertStoreId)
	}
	if err == nil {
		err = s.store.SetStorePassword(r.Context(), id, req.NewPassword)
	}
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	noContent(w)
}

func (s *Server) handleStoreDiscovery(w http.ResponseWriter, r *http.Request) {
	req, err := decode[discoveryJobRequest](w, r, s.cfg.MaxBodyBytes)
	in := store.DiscoveryInput{At: req.JobExecutionTimestamp,
		ClientMachine: model.Deref(req.ClientMachine),
		Filter:        model.DiscoveryFilter{Dirs: model.Deref(req.Dirs), IgnoredDirs: model.Deref(req.IgnoredDirs)}}
	if err == nil && req.Type == nil {
		err = model.Errorf(model.Invalid, "Type is required: the id of the store type to discover.")
	}
	if err == nil && (req.AgentId == nil || strings.TrimSpace(*req.AgentId) == "") {
		err = model.Errorf(model.Invalid, "AgentId is required: the orchestrator that runs the discovery.")
	}
	if err == nil {
		in.Type = *req.Type
		in.AgentId, err = model.BodyGUID("AgentId", *req.AgentId)
	}
	if err == nil {
		_, err = s.store.ScheduleDiscovery(r.Context(), in)
	}
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	noContent(w)
}

// storeEntryRequest is a store of an Add or Remove request
// (CertificateStoreEntry; Remove's CertificateLocationSpecifier is a
// subset).
type storeEntryRequest struct {
	CertificateStoreId string
	Alias              *string
	JobFields          map[string]model.Scalar
	Overwrite          bool
	EntryPassword      model.Secret
	PfxPassword        *string
	IncludePrivateKey  bool
}

// certificateStoresRequest is a POST /CertificateStores/Certificates/Add
// or /Remove body. The Go client also sends a top-level Alias on Remove.
type certificateStoresRequest struct {
	CertificateId     *int
	CertificateStores []storeEntryRequest
	Schedule          *model.Schedule
	CollectionId      *int
	Alias             *string
}

func (s *Server) handleStoreCertificates(remove bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		req, err := decode[certificateStoresRequest](w, r, s.cfg.MaxBodyBytes)
		if err == nil && !remove && req.CertificateId == nil {
			err = model.Errorf(model.Invalid, "CertificateId is required: the certificate to add.")
		}
		var ids []string
		if err == nil {
			entries := make([]store.StoreEntry, len(req.CertificateStores))
			for i, e := range req.CertificateStores {
				alias := e.Alias
				if alias == nil && remove {
					alias = req.Alias
				}
				entries[i] = store.StoreEntry{CertificateStoreId: e.CertificateStoreId, Alias: alias, JobFields: e.JobFields,
					Overwrite: e.Overwrite, IncludePrivateKey: e.IncludePrivateKey, PfxPassword: e.PfxPassword, EntryPassword: e.EntryPassword}
			}
			certID := 0
			if req.CertificateId != nil {
				certID = *req.CertificateId
			}
			if remove {
				ids, err = s.store.RemoveCertificate(r.Context(), certID, entries, req.Schedule)
			} else {
				ids, err = s.store.AddCertificate(r.Context(), certID, entries, req.Schedule)
			}
		}
		if err != nil {
			writeError(w, r, s.logger, err)
			return
		}
		encode(w, http.StatusOK, ids)
	}
}
