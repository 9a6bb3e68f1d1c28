package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/mockcommand/mockcommand/internal/model"
	"github.com/mockcommand/mockcommand/internal/store"
)

// storeTypeRequest is a POST or PUT /CertificateStoreTypes body: the
// answer's members, plus the spellings requests use for the job types
// (InventoryJobTypeId…) and CertificateFormat (v25.1), accepted and
// ignored. StoreType identifies the type on PUT and is ignored on POST
// (kfutil sends 0).
type storeTypeRequest struct {
	storeTypeBody
	StoreType           *int
	InventoryJobTypeId  *string
	ManagementJobTypeId *string
	DiscoveryJobTypeId  *string
	EnrollmentJobTypeId *string
	CertificateFormat   json.RawMessage
}

// storeTypeBody is embedded in storeTypeRequest under a name of its own,
// so that the request's StoreType member can shadow the type's.
type storeTypeBody = model.StoreType

// storeType is the request as a store type, its job type ids checked.
func (req *storeTypeRequest) storeType() (model.StoreType, error) {
	t := req.storeTypeBody
	if req.StoreType != nil {
		t.StoreType = *req.StoreType
	}
	for _, jt := range []struct {
		member string
		id     *string
		into   **string
	}{
		{"InventoryJobTypeId", req.InventoryJobTypeId, &t.InventoryJobType},
		{"ManagementJobTypeId", req.ManagementJobTypeId, &t.ManagementJobType},
		{"DiscoveryJobTypeId", req.DiscoveryJobTypeId, &t.DiscoveryJobType},
		{"EnrollmentJobTypeId", req.EnrollmentJobTypeId, &t.EnrollmentJobType},
	} {
		if jt.id != nil {
			*jt.into = jt.id
		}
		if *jt.into == nil || strings.TrimSpace(**jt.into) == "" {
			*jt.into = nil
			continue
		}
		id, err := model.BodyGUID(jt.member, **jt.into)
		if err != nil {
			return t, err
		}
		*jt.into = &id
	}
	return t, nil
}

func (s *Server) handleStoreTypeList(w http.ResponseWriter, r *http.Request) {
	opts, err := listOptions(r)
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	s.cachedList(w, r, listRequest{route: "storetypes", opts: opts, version: s.store.StoreTypesVersion,
		write: func(w io.Writer) error { return s.store.StoreTypesPage(r.Context(), opts, w) }})
}

// pathInt reads an integer id from the path; anything else is the
// NotFound an unknown id gets.
func pathInt(what, raw string) (int, error) {
	id, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 32)
	if err != nil {
		return 0, model.Errorf(model.NotFound, "%s %q was not found: its id is a whole number.", what, raw)
	}
	return int(id), nil
}

func (s *Server) handleStoreTypeGet(w http.ResponseWriter, r *http.Request) {
	id, err := pathInt("Certificate store type", chi.URLParam(r, "id"))
	var t model.StoreType
	if err == nil {
		t, err = s.store.GetStoreType(r.Context(), id)
	}
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	encode(w, http.StatusOK, t)
}

// handleStoreTypeByName answers GET /CertificateStoreTypes/Name/{name}: an
// array, [] when no type has that ShortName (kfutil and the Go client
// take element 0 and report their own not-found on []).
func (s *Server) handleStoreTypeByName(w http.ResponseWriter, r *http.Request) {
	types, err := s.store.StoreTypesNamed(r.Context(), chi.URLParam(r, "name"))
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	encode(w, http.StatusOK, types)
}

func (s *Server) handleStoreTypeCreate(w http.ResponseWriter, r *http.Request) {
	req, err := decode[storeTypeRequest](w, r, s.cfg.MaxBodyBytes)
	var t model.StoreType
	if err == nil {
		t, err = req.storeType()
	}
	if err == nil {
		t, err = s.store.CreateStoreType(r.Context(), t)
	}
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	encode(w, http.StatusOK, t)
}

func (s *Server) handleStoreTypeUpdate(w http.ResponseWriter, r *http.Request) {
	req, err := decode[storeTypeRequest](w, r, s.cfg.MaxBodyBytes)
	var t model.StoreType
	if err == nil && req.StoreType == nil {
		err = model.Errorf(model.Invalid, "StoreType is required: PUT /CertificateStoreTypes takes the id of the type in the body.")
	}
	if err == nil {
		t, err = req.storeType()
	}
	if err == nil {
		t, err = s.store.UpdateStoreType(r.Context(), t)
	}
	if err != nil {
		writeError(w, r, s.logger, bodyNotFound(err))
		return
	}
	encode(w, http.StatusOK, t)
}

func (s *Server) handleStoreTypeDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathInt("Certificate store type", chi.URLParam(r, "id"))
	if err == nil {
		err = s.store.DeleteStoreType(r.Context(), id)
	}
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	noContent(w)
}

// bulkDelete answers a bulk DELETE whose body lists the ids of what to
// delete (what names them in messages): del deletes what it can and
// returns the others with their reasons (see writeBulkResult).
func bulkDelete[ID comparable](s *Server, what string, del func(context.Context, []ID) (map[ID]string, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ids, err := decode[[]ID](w, r, s.cfg.MaxBodyBytes)
		if err == nil && len(ids) == 0 {
			err = model.Errorf(model.Invalid, "The body must list the ids of the %s to delete.", what)
		}
		var failed map[ID]string
		if err == nil {
			failed, err = del(r.Context(), ids)
		}
		if err != nil {
			writeError(w, r, s.logger, err)
			return
		}
		ops := make([]failedOperation, 0, len(failed))
		for id, reason := range failed {
			ops = append(ops, failedOperation{Id: id, Reason: reason})
		}
		writeBulkResult(w, len(ids), what, ops)
	}
}

// plainList answers a listing that is small enough to read whole
// (CAs, templates, metadata fields): its parameters, then list's answer.
func plainList(s *Server, list func(context.Context, store.ListOptions) ([]json.RawMessage, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		opts, err := listOptions(r)
		var out []json.RawMessage
		if err == nil {
			out, err = list(r.Context(), opts)
		}
		if err != nil {
			writeError(w, r, s.logger, err)
			return
		}
		encode(w, http.StatusOK, out)
	}
}

// failedOperation is one item a bulk request could not carry out.
type failedOperation struct {
	Id     any
	Reason string
}

// bulkFailure is Command's answer to a bulk request that failed in part:
// its error body with the items that failed, each with its reason (the Go
// client appends the reasons to Message).
type bulkFailure struct {
	ErrorCode        string
	Message          string
	FailedOperations []failedOperation
}

// writeBulkResult answers a bulk delete: 204 when every item was done,
// else 400 naming the items that were not (the rest were done).
func writeBulkResult(w http.ResponseWriter, total int, what string, failed []failedOperation) {
	if len(failed) == 0 {
		noContent(w)
		return
	}
	sort.Slice(failed, func(i, j int) bool { return fmt.Sprint(failed[i].Id) < fmt.Sprint(failed[j].Id) })
	encode(w, http.StatusBadRequest, bulkFailure{
		ErrorCode:        codeValidation,
		Message:          fmt.Sprintf("%d of %d %s could not be deleted; the others were deleted.", len(failed), total, what),
		FailedOperations: failed,
	})
}

// bodyNotFound turns a NotFound about an id a request body gives into the
// 400 Command answers for it.
func bodyNotFound(err error) error {
	if model.KindOf(err) == model.NotFound {
		return model.Errorf(model.Invalid, "%s", err.Error())
	}
	return err
}
