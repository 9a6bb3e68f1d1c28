package api

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/mockcommand/mockcommand/internal/model"
)

// jobTypeCreateRequest is Command's JobTypeCreateRequest.
type jobTypeCreateRequest struct {
	JobTypeName   string
	Description   *string
	JobTypeFields []model.JobTypeField
}

// jobTypeUpdateRequest is Command's JobTypeUpdateRequest: the id travels in
// the body.
type jobTypeUpdateRequest struct {
	Id            string
	JobTypeName   string
	Description   *string
	JobTypeFields []model.JobTypeField
}

func (s *Server) handleJobTypeList(w http.ResponseWriter, r *http.Request) {
	opts, err := listOptions(r)
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	s.cachedList(w, r, listRequest{route: "jobtypes", opts: opts, version: s.store.JobTypesVersion,
		write: func(w io.Writer) error {
			types, err := s.store.ListJobTypes(r.Context(), opts)
			if err != nil {
				return err
			}
			b, err := json.Marshal(types)
			if err != nil {
				return fmt.Errorf("encode job types: %w", err)
			}
			_, err = w.Write(b)
			return err
		}})
}

func (s *Server) handleJobTypeGet(w http.ResponseWriter, r *http.Request) {
	id, err := model.PathGUID("Job type", chi.URLParam(r, "id"))
	var jt model.JobType
	if err == nil {
		jt, err = s.store.GetJobType(r.Context(), id)
	}
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	encode(w, http.StatusOK, jt)
}

func (s *Server) handleJobTypeCreate(w http.ResponseWriter, r *http.Request) {
	req, err := decode[jobTypeCreateRequest](w, r, s.cfg.MaxBodyBytes)
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	jt, err := s.store.CreateJobType(r.Context(), model.JobType{
		JobTypeName: req.JobTypeName, Description: req.Description, JobTypeFields: req.JobTypeFields,
	})
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	encode(w, http.StatusOK, jt)
}

func (s *Server) handleJobTypeUpdate(w http.ResponseWriter, r *http.Request) {
	req, err := decode[jobTypeUpdateRequest](w, r, s.cfg.MaxBodyBytes)
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	if strings.TrimSpace(req.Id) == "" {
		writeError(w, r, s.logger, model.Errorf(model.Invalid, "Id is required: PUT /JobTypes/Custom takes the job type's id in the body."))
		return
	}
	id, err := model.BodyGUID("Id", req.Id)
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	jt, err := s.store.UpdateJobType(r.Context(), model.JobType{
		Id: id, JobTypeName: req.JobTypeName, Description: req.Description, JobTypeFields: req.JobTypeFields,
	})
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	encode(w, http.StatusOK, jt)
}

func (s *Server) handleJobTypeDelete(w http.ResponseWriter, r *http.Request) {
	id, err := model.PathGUID("Job type", chi.URLParam(r, "id"))
	if err == nil {
		err = s.store.DeleteJobType(r.Context(), id)
	}
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	noContent(w)
}
