package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/mockcommand/mockcommand/internal/model"
)

// ScheduleJobInput is a POST /OrchestratorJobs/Custom request.
type ScheduleJobInput struct {
	AgentId     string // a canonical GUID
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
	agentID := in.AgentId
	sched, err := model.NormalizeSchedule(in.Schedule)
	if err != nil {
		return model.JobResponse{}, err
	}
	var resp model.JobResponse
	err = s.writeTx(ctx, func(tx *Tx, now time.Time) error {
		if err := checkFirstRun(sched, now, "job"); err != nil {
			return err
		}
		agent, jt, err := s.checkJobTarget(ctx, tx, agentID, in.JobTypeName)
		if err != nil {
			return err
		}
		fields, err := model.ResolveJobFields(&jt.JobType, in.JobFields)
		if err != nil {
			return err
		}
		resp = model.JobResponse{
			JobId:            newJobID(),
			OrchestratorId:   agent.id,
			JobTypeName:      jt.JobTypeName,
			Schedule:         sched,
			JobFields:        fields,
			RequestTimestamp: model.NewTime(now),
		}
		if resp.JobFields == nil {
			resp.JobFields = []model.JobField{}
		}
		return s.storeJob(ctx, tx, &resp, agent.clientMachine, nil, now)
	})
	if err != nil {
		return model.JobResponse{}, err
	}
	return resp, nil
}

// checkFirstRun refuses a schedule whose first run (of the "job" or the
// "jobs") falls after the last time the mock can store.
func checkFirstRun(sched model.Schedule, now time.Time, what string) error {
	if first := sched.FirstRun(now); !model.InRange(first) {
		return model.Errorf(model.Invalid, "Schedule: the %s would first run at %s, after the last time the mock can store (9999-12-31).", what, first.Format(time.RFC3339))
	}
	return nil
}

// jobTarget is what scheduling needs of an orchestrator.
type jobTarget struct {
	id            string
	clientMachine *string
	status        int
	capsKey       string // model.ListKey of its capabilities
}

// checkJobTarget loads the orchestrator and job type of a job request and
// checks that the orchestrator is approved and has the capability the job
// type needs. Problems are Invalid errors that say what to fix.
func (s *Store) checkJobTarget(ctx context.Context, tx *Tx, agentID, jobTypeName string) (jobTarget, jobTypeRow, error) {
	jt, ok, err := s.jobTypeByName(ctx, tx, jobTypeName)
	if err != nil {
		return jobTarget{}, jobTypeRow{}, err
	}
	if !ok {
		return jobTarget{}, jobTypeRow{}, model.Errorf(model.Invalid, "JobTypeName %q does not match any custom job type.", strings.TrimSpace(jobTypeName))
	}
	var a jobTarget
	err = tx.QueryRowContext(ctx, `SELECT agent_id, client_machine, status, caps_key FROM agents WHERE agent_id = ?`, agentID).
		Scan(&a.id, &a.clientMachine, &a.status, &a.capsKey)
	if err == sql.ErrNoRows {
		return jobTarget{}, jobTypeRow{}, model.Errorf(model.Invalid, "AgentId %s does not match any orchestrator.", agentID)
	}
	if err != nil {
		return jobTarget{}, jobTypeRow{}, fmt.Errorf("find agent %s: %w", agentID, err)
	}
	if a.status != model.AgentApproved {
		return jobTarget{}, jobTypeRow{}, model.Errorf(model.Invalid, "Orchestrator %s (%s) is not approved: its Status is %d (%s); only approved orchestrators (Status 2) can run jobs.",
			a.id, model.Deref(a.clientMachine), a.status, statusName(a.status))
	}
	if !strings.Contains(a.capsKey, model.ListKey([]string{jt.capability})) {
		return jobTarget{}, jobTypeRow{}, model.Errorf(model.Invalid, "Orchestrator %s (%s) does not have the capability %q that job type %s needs.",
			a.id, model.Deref(a.clientMachine), jt.capability, jt.JobTypeName)
	}
	return a, jt, nil
}

// storeJob inserts the job with its first run: Waiting, or, when the run
// is due at once and the run policy completes it without delay, already
// completed (one insert instead of an insert and an update). target is
// what the job works on (a store job's store path), or nil.
func (s *Store) storeJob(ctx context.Context, tx *Tx, j *model.JobResponse, clientMachine, target *string, now time.Time) error {
	if err := insertJob(ctx, tx, j, clientMachine, target); err != nil {
		return err
	}
	row := jobRow{id: j.JobId, agentID: j.OrchestratorId, agentMachine: clientMachine, target: target, jobType: j.JobTypeName, state: jobScheduled, schedule: j.Schedule}
	due := j.Schedule.FirstRun(now)
	p := s.policy.Load()
	c, auto := p.completionFor(j.JobTypeName)
	if !auto || p.Delay > 0 || due.After(now) {
		return insertRun(ctx, tx, row, due)
	}
	c = orchestratorResult(c, row, due)
	if err := insertRunAs(ctx, tx, row, due, &due, c); err != nil {
		return err
	}
	return afterRun(ctx, tx, row, runTimes{due: due, start: &due, end: due, now: now}, c)
}

func insertJob(ctx context.Context, tx *Tx, j *model.JobResponse, clientMachine, target *string) error {
	sched, err := json.Marshal(j.Schedule)
	if err != nil {
		return fmt.Errorf("encode schedule: %w", err)
	}
	fields, err := json.Marshal(j.JobFields)
	if err != nil {
		return fmt.Errorf("encode job fields: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO jobs (job_id, agent_id, client_machine, job_type, target, schedule, fields, requested)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		j.JobId, j.OrchestratorId, clientMachine, j.JobTypeName, target, string(sched), string(fields), j.RequestTimestamp.String()); err != nil {
		return fmt.Errorf("store job: %w", err)
	}
	return nil
}

// ListScheduledJobs returns one page of the jobs that are still scheduled
// (recurring jobs, and one-shot jobs that have not finished), in Command's
// Job shape.
func (s *Store) ListScheduledJobs(ctx context.Context, opts ListOptions) ([]model.ScheduledJob, error) {
	where, order, args, err := scheduledJobResource.listSQL(opts, s.now())
	if err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, `SELECT j.job_id, j.client_machine, j.target, j.schedule, j.requested, j.job_type
		FROM jobs j WHERE j.state = '`+jobScheduled+`' AND `+where+` ORDER BY `+order+` LIMIT ? OFFSET ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("list jobs: %w", err)
	}
	return collect(rows, "jobs", func(rows *sql.Rows, j *model.ScheduledJob) error {
		var sched string
		if err := rows.Scan(&j.Id, &j.ClientMachine, &j.Target, &sched, &j.Requested, &j.JobType); err != nil {
			return fmt.Errorf("scan job: %w", err)
		}
		if err := json.Unmarshal([]byte(sched), &j.Schedule); err != nil {
			return fmt.Errorf("job %s: stored schedule: %w", j.Id, err)
		}
		return nil
	})
}

// newJobID returns a time-ordered GUID (UUID version 7) for a new job. It
// is an ordinary GUID on the wire, but new jobs sort after old ones, so
// inserting them appends to the job tables' indexes instead of dirtying a
// random page of each for every job: group commits write a few pages
// instead of dozens.
func newJobID() string {
	if id, err := uuid.NewV7(); err == nil {
		return id.String()
	}
	return uuid.NewString()
}

func statusName(status int) string {
	for name, v := range model.AgentStatusNames {
		if int(v) == status {
			return name
		}
	}
	return "undocumented"
}
