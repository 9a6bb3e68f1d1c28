package api

import (
	"context"
	"net/http"
	"strconv"

	"github.com/mockcommand/mockcommand/internal/model"
	"github.com/mockcommand/mockcommand/internal/store"
)

func (s *Server) handleJobHistory(w http.ResponseWriter, r *http.Request) {
	opts, err := listOptions(r)
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	runs, err := s.store.ListJobHistory(r.Context(), opts)
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	encode(w, http.StatusOK, runs)
}

func (s *Server) handleJobData(w http.ResponseWriter, r *http.Request) {
	v, ok := queryValue(r, "jobHistoryId")
	if !ok || v == "" {
		writeError(w, r, s.logger, model.Errorf(model.Invalid, "The jobHistoryId query parameter is required."))
		return
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		writeError(w, r, s.logger, model.Errorf(model.Invalid, "jobHistoryId %q is not a whole number.", v))
		return
	}
	data, err := s.store.JobResultData(r.Context(), id)
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	encode(w, http.StatusOK, data)
}

// runsRequest is Command's AcknowledgeJobRequest and RescheduleJobRequest.
type runsRequest struct {
	JobAuditIds []int64
	Query       *string
}

// handleRuns serves Acknowledge and Reschedule: runs named by id and/or a
// JobHistory query, answered with 204. action is a store method
// expression such as (*store.Store).AcknowledgeRuns.
func (s *Server) handleRuns(action func(*store.Store, context.Context, []int64, string) (int, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		req, err := decode[runsRequest](w, r, s.cfg.MaxBodyBytes)
		if err == nil {
			_, err = action(s.store, r.Context(), req.JobAuditIds, model.Deref(req.Query))
		}
		if err != nil {
			writeError(w, r, s.logger, err)
			return
		}
		noContent(w)
	}
}

// unscheduleRequest is Command's UnscheduleJobRequest.
type unscheduleRequest struct {
	JobIds []string
	Query  *string
}

func (s *Server) handleUnschedule(w http.ResponseWriter, r *http.Request) {
	req, err := decode[unscheduleRequest](w, r, s.cfg.MaxBodyBytes)
	if err == nil {
		req.JobIds, err = bodyGUIDs("JobIds", req.JobIds)
	}
	if err == nil {
		_, err = s.store.UnscheduleJobs(r.Context(), req.JobIds, model.Deref(req.Query))
	}
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	noContent(w)
}
