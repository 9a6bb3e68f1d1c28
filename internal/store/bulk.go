package store

import (
	"context"
	"strings"
	"time"

	"github.com/mockcommand/mockcommand/internal/model"
)

// BulkJobInput is a POST /OrchestratorJobs/Custom/Bulk request.
type BulkJobInput struct {
	OrchestratorIds []string // canonical GUIDs
	JobTypeName     string
	Schedule        *model.Schedule
	JobFields       map[string]model.Scalar
}

// ScheduleBulk schedules one job per orchestrator in one transaction.
// Orchestrators that do not exist, are not approved or lack the job type's
// capability are listed in FailedOrchestratorIds instead. A malformed id,
// an unknown job type or bad job fields fail the whole request.
func (s *Store) ScheduleBulk(ctx context.Context, in BulkJobInput) (model.BulkJobResponse, error) {
	if strings.TrimSpace(in.JobTypeName) == "" {
		return model.BulkJobResponse{}, model.Errorf(model.Invalid, "JobTypeName is required.")
	}
	if in.OrchestratorIds == nil {
		return model.BulkJobResponse{}, model.Errorf(model.Invalid, "OrchestratorIds is required.")
	}
	ids := in.OrchestratorIds
	sched, err := model.NormalizeSchedule(in.Schedule)
	if err != nil {
		return model.BulkJobResponse{}, err
	}
	var resp model.BulkJobResponse
	err = s.writeTx(ctx, func(tx *Tx, now time.Time) error {
		if err := checkFirstRun(sched, now, "jobs"); err != nil {
			return err
		}
		jt, ok, err := s.jobTypeByName(ctx, tx, in.JobTypeName)
		if err != nil {
			return err
		}
		if !ok {
			return model.Errorf(model.Invalid, "JobTypeName %q does not match any custom job type.", strings.TrimSpace(in.JobTypeName))
		}
		fields, err := model.ResolveJobFields(&jt.JobType, in.JobFields)
		if err != nil {
			return err
		}
		if fields == nil {
			fields = []model.JobField{}
		}
		resp = model.BulkJobResponse{
			OrchestratorJobPairs: []model.BulkJobPair{}, FailedOrchestratorIds: []string{},
			JobTypeName: jt.JobTypeName, Schedule: sched, JobFields: fields, RequestTimestamp: model.NewTime(now),
		}
		seen := map[string]bool{}
		for _, id := range ids {
			if seen[id] {
				continue
			}
			seen[id] = true
			agent, _, err := s.checkJobTarget(ctx, tx, id, jt.JobTypeName)
			if err != nil {
				if model.KindOf(err) == model.Invalid {
					resp.FailedOrchestratorIds = append(resp.FailedOrchestratorIds, id)
					continue
				}
				return err
			}
			job := model.JobResponse{JobId: newJobID(), OrchestratorId: id, JobTypeName: jt.JobTypeName,
				Schedule: sched, JobFields: fields, RequestTimestamp: resp.RequestTimestamp}
			if err := s.storeJob(ctx, tx, &job, agent.clientMachine, nil, now); err != nil {
				return err
			}
			resp.OrchestratorJobPairs = append(resp.OrchestratorJobPairs, model.BulkJobPair{JobId: job.JobId, OrchestratorId: id})
		}
		return nil
	})
	return resp, err
}
