package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/mockcommand/mockcommand/internal/model"
	"github.com/mockcommand/mockcommand/internal/store"
)

// scheduleJobRequest is Command's ScheduleJobRequest. JobFields values are
// kept raw so that a value of the wrong JSON kind is reported by name.
type scheduleJobRequest struct {
	AgentId     string
	JobTypeName string
	Schedule    *model.Schedule
	JobFields   map[string]json.RawMessage
}

// jobFieldValues converts raw JobFields values to scalars: any JSON scalar
// is accepted (real clients post numbers and booleans), null counts as
// omitted, objects and arrays are errors naming the field.
func jobFieldValues(raw map[string]json.RawMessage) (map[string]model.Scalar, error) {
	out := make(map[string]model.Scalar, len(raw))
	names := make([]string, 0, len(raw))
	for k := range raw {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		var v model.Scalar
		if err := json.Unmarshal(raw[k], &v); err != nil {
			return nil, model.Errorf(model.Invalid, "JobFields.%s: expected a string, number or boolean, found %s.", k, jsonKindOf(raw[k]))
		}
		out[k] = v
	}
	return out, nil
}

// jsonKindOf names the kind of a raw JSON value.
func jsonKindOf(b json.RawMessage) string {
	if len(b) > 0 {
		switch b[0] {
		case '{':
			return "an object"
		case '[':
			return "an array"
		}
	}
	return fmt.Sprintf("%.40s", b)
}

func (s *Server) handleJobSchedule(w http.ResponseWriter, r *http.Request) {
	req, err := decode[scheduleJobRequest](w, r, s.cfg.MaxBodyBytes)
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	fields, err := jobFieldValues(req.JobFields)
	var agentID string
	if err == nil && strings.TrimSpace(req.JobTypeName) == "" {
		err = model.Errorf(model.Invalid, "JobTypeName is required.")
	}
	if err == nil {
		agentID, err = model.BodyGUID("AgentId", req.AgentId)
	}
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	resp, err := s.store.ScheduleJob(r.Context(), store.ScheduleJobInput{
		AgentId: agentID, JobTypeName: req.JobTypeName, Schedule: req.Schedule, JobFields: fields,
	})
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	encode(w, http.StatusOK, resp)
}

func (s *Server) handleScheduledJobList(w http.ResponseWriter, r *http.Request) {
	opts, err := listOptions(r)
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	jobs, err := s.store.ListScheduledJobs(r.Context(), opts)
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	encode(w, http.StatusOK, jobs)
}

// bulkJobRequest is Command's ScheduleBulkJobRequest.
type bulkJobRequest struct {
	OrchestratorIds []string
	JobTypeName     string
	Schedule        *model.Schedule
	JobFields       map[string]json.RawMessage
}

func (s *Server) handleJobBulk(w http.ResponseWriter, r *http.Request) {
	req, err := decode[bulkJobRequest](w, r, s.cfg.MaxBodyBytes)
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	fields, err := jobFieldValues(req.JobFields)
	if err == nil {
		req.OrchestratorIds, err = bodyGUIDs("OrchestratorIds", req.OrchestratorIds)
	}
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	resp, err := s.store.ScheduleBulk(r.Context(), store.BulkJobInput{
		OrchestratorIds: req.OrchestratorIds, JobTypeName: req.JobTypeName, Schedule: req.Schedule, JobFields: fields,
	})
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	encode(w, http.StatusOK, resp)
}
