package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/mockcommand/mockcommand/internal/model"
)

// ScheduleJobInput is a POST /OrchestratorJobs/Custom request.
type ScheduleJobInput struct {
	AgentId     string
	JobTypeName string
	Schedule    *model.Schedule // nil means Immediate
	JobFields   map[string]model.Scalar
}

// ScheduleJob validates a custom job request against the stored
// orchestrator and job type, applies job-field defaults and stores the job,
// all in one transaction: nothing is stored when it fails.
func (s *Store) ScheduleJob(ctx context.Context, in ScheduleJobInput) (model.JobResponse, error) {
	if strings.TrimSpace(in.JobTypeName) == "" {
		return model.JobResponse{}, model.Errorf(model.Invalid, "JobTypeName is required.")
	}
	if strings.TrimSpace(in.AgentId) == "" {
		return model.JobResponse{}, model.Errorf(model.Invalid, "AgentId is required.")
	}
	agentID, err := model.NormalizeGUID(in.AgentId)
	if err != nil {
		return model.JobResponse{}, model.Errorf(model.Invalid, "AgentId %s.", err)
	}
	sched, err := model.NormalizeSchedule(in.Schedule)
	if err != nil {
		return model.JobResponse{}, err
	}
	var resp model.JobResponse
	err = s.writeTx(ctx, func(tx *sql.Tx, now time.Time) error {
		agent, jt, err := checkJobTarget(ctx, tx, agentID, in.JobTypeName)
		if err != nil {
			return err
		}
		fields, err := model.ResolveJobFields(&jt.JobType, in.JobFields)
		if err != nil {
			return err
		}
		resp = model.JobResponse{
			JobId:            uuid.NewString(),
			OrchestratorId:   agent.AgentId,
			JobTypeName:      jt.JobTypeName,
			Schedule:         sched,
			JobFields:        fields,
			RequestTimestamp: model.NewTime(now),
		}
		if resp.JobFields == nil {
			resp.JobFields = []model.JobField{}
		}
		return s.storeJob(ctx, tx, &resp, agent.ClientMachine, now)
	})
	if err != nil {
		return model.JobResponse{}, err
	}
	return resp, nil
}

// checkJobTarget loads the orchestrator and job type of a job request and
// checks that the orchestrator is approved and has the capability the job
// type needs. Problems are Invalid errors that say what to fix.
func checkJobTarget(ctx context.Context, tx *sql.Tx, agentID, jobTypeName string) (model.Agent, jobTypeRow, error) {
	jt, ok, err := findJobTypeByName(ctx, tx, jobTypeName)
	if err != nil {
		return model.Agent{}, jobTypeRow{}, err
	}
	if !ok {
		return model.Agent{}, jobTypeRow{}, model.Errorf(model.Invalid, "JobTypeName %q does not match any custom job type.", strings.TrimSpace(jobTypeName))
	}
	agent, err := findAgent(ctx, tx, agentID)
	if err != nil {
		if model.KindOf(err) == model.NotFound {
			return model.Agent{}, jobTypeRow{}, model.Errorf(model.Invalid, "AgentId %s does not match any orchestrator.", agentID)
		}
		return model.Agent{}, jobTypeRow{}, err
	}
	if agent.Status != model.AgentApproved {
		return model.Agent{}, jobTypeRow{}, model.Errorf(model.Invalid, "Orchestrator %s (%s) is not approved: its Status is %d (%s); only approved orchestrators (Status 2) can run jobs.",
			agent.AgentId, deref(agent.ClientMachine), agent.Status, statusName(agent.Status))
	}
	if !slices.ContainsFunc(agent.Capabilities, func(c string) bool { return strings.EqualFold(c, jt.capability) }) {
		return model.Agent{}, jobTypeRow{}, model.Errorf(model.Invalid, "Orchestrator %s (%s) does not have the capability %q that job type %s needs.",
			agent.AgentId, deref(agent.ClientMachine), jt.capability, jt.JobTypeName)
	}
	return agent, jt, nil
}

// storeJob inserts the job with its first Waiting run, then completes that
// run at once when it is due and the job policy covers it.
func (s *Store) storeJob(ctx context.Context, tx *sql.Tx, j *model.JobResponse, clientMachine *string, now time.Time) error {
	if err := insertJob(ctx, tx, j, clientMachine); err != nil {
		return err
	}
	row := jobRow{id: j.JobId, agentID: j.OrchestratorId, agentMachine: clientMachine, jobType: j.JobTypeName, state: jobScheduled, schedule: j.Schedule}
	if err := insertRun(ctx, tx, row, j.Schedule.FirstRun(now)); err != nil {
		return err
	}
	return s.runDue(ctx, tx, now, j.JobId)
}

func insertJob(ctx context.Context, tx *sql.Tx, j *model.JobResponse, clientMachine *string) error {
	sched, err := json.Marshal(j.Schedule)
	if err != nil {
		return fmt.Errorf("encode schedule: %w", err)
	}
	fields, err := json.Marshal(j.JobFields)
	if err != nil {
		return fmt.Errorf("encode job fields: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO jobs (job_id, agent_id, client_machine, job_type, schedule, fields, requested)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		j.JobId, j.OrchestratorId, clientMachine, j.JobTypeName, string(sched), string(fields), j.RequestTimestamp.String()); err != nil {
		return fmt.Errorf("store job: %w", err)
	}
	return nil
}

// ListScheduledJobs returns one page of the jobs that are still scheduled
// (recurring jobs, and one-shot jobs that have not finished), in Command's
// Job shape, after completing the runs that are due.
func (s *Store) ListScheduledJobs(ctx context.Context, opts ListOptions) ([]model.ScheduledJob, error) {
	if err := s.RunDueJobs(ctx); err != nil {
		return nil, err
	}
	where, order, args, err := scheduledJobResource.listSQL(opts, s.now())
	if err != nil {
		return nil, err
	}
	out := []model.ScheduledJob{}
	err = s.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT j.job_id, j.client_machine, j.target, j.schedule, j.requested, j.job_type
			FROM jobs j WHERE j.state = '`+jobScheduled+`' AND `+where+` ORDER BY `+order+` LIMIT ? OFFSET ?`, args...)
		if err != nil {
			return fmt.Errorf("list jobs: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var j model.ScheduledJob
			var sched string
			if err := rows.Scan(&j.Id, &j.ClientMachine, &j.Target, &sched, &j.Requested, &j.JobType); err != nil {
				return fmt.Errorf("scan job: %w", err)
			}
			if err := json.Unmarshal([]byte(sched), &j.Schedule); err != nil {
				return fmt.Errorf("job %s: stored schedule: %w", j.Id, err)
			}
			out = append(out, j)
		}
		return rows.Err()
	})
	return out, err
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func statusName(status int) string {
	for name, v := range model.AgentStatusNames {
		if int(v) == status {
			return name
		}
	}
	return "undocumented"
}
