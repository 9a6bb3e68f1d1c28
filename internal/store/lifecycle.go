package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/mockcommand/mockcommand/internal/model"
)

// Job states in the jobs table.
const (
	jobScheduled   = "scheduled"   // will run (again)
	jobDone        = "done"        // a one-shot job that finished
	jobUnscheduled = "unscheduled" // removed by Unschedule, an agent reset or delete
)

// retryDelay is how long after a CompletedWillRetry run its retry falls due.
const retryDelay = time.Minute

// jobRow is what the lifecycle needs of a stored job.
type jobRow struct {
	id, agentID, jobType, state string
	agentMachine                *string
	schedule                    model.Schedule
}

func loadJob(ctx context.Context, tx *Tx, jobID string) (jobRow, error) {
	var j jobRow
	var sched string
	err := tx.QueryRowContext(ctx, `SELECT job_id, agent_id, client_machine, job_type, schedule, state FROM jobs WHERE job_id = ?`, jobID).
		Scan(&j.id, &j.agentID, &j.agentMachine, &j.jobType, &sched, &j.state)
	if err == sql.ErrNoRows {
		return jobRow{}, model.Errorf(model.NotFound, "Job %s was not found.", jobID)
	}
	if err != nil {
		return jobRow{}, fmt.Errorf("load job %s: %w", jobID, err)
	}
	if err := json.Unmarshal([]byte(sched), &j.schedule); err != nil {
		return jobRow{}, fmt.Errorf("job %s: stored schedule: %w", jobID, err)
	}
	return j, nil
}

// insertRun adds a Waiting run of j due at due.
func insertRun(ctx context.Context, tx *Tx, j jobRow, due time.Time) error {
	return insertRunAs(ctx, tx, j, due, nil, model.Completion{})
}

// insertRunAs adds a run of j due at due: Waiting, or, when end is set,
// already finished with c (a run that completes the moment it is created).
func insertRunAs(ctx context.Context, tx *Tx, j jobRow, due time.Time, end *time.Time, c model.Completion) error {
	sched, err := json.Marshal(j.schedule)
	if err != nil {
		return fmt.Errorf("encode schedule: %w", err)
	}
	var schedType *string
	if t := j.schedule.Type(); t != "" {
		schedType = &t
	}
	status, result, endText := model.JobStatusWaiting, model.JobResultUnknown, (*string)(nil)
	if end != nil {
		status, result, endText = completedStatus(c), c.Result, timeText(end)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO job_history (job_id, agent_id, agent_machine, job_type, schedule, schedule_type,
		operation_start, operation_end, message, result, status, data)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		j.id, j.agentID, j.agentMachine, j.jobType, string(sched), schedType, model.NewTime(due).String(),
		endText, c.Message, result, status, c.Data)
	if err != nil {
		return fmt.Errorf("add run of job %s: %w", j.id, err)
	}
	return nil
}

// runTimes are the times of a run that completes.
type runTimes struct {
	due   time.Time  // when the run fell due
	start *time.Time // new OperationStart, or nil to keep the one it has (InProcess runs)
	end   time.Time  // its OperationEnd
	now   time.Time  // the mock's clock: the next occurrence comes after it
}

// completeRun ends run runID of job j at t.end with c, touches the agent's
// LastSeen, and, while the job is still scheduled, schedules what follows:
// a retry, the next occurrence of a recurring job, or nothing (a one-shot
// job is then done).
func completeRun(ctx context.Context, tx *Tx, j jobRow, runID int64, t runTimes, c model.Completion) error {
	if _, err := tx.ExecContext(ctx, `UPDATE job_history SET status = ?, result = ?, message = ?, data = ?, operation_end = ?,
		operation_start = coalesce(?, operation_start) WHERE id = ?`,
		completedStatus(c), c.Result, c.Message, c.Data, model.NewTime(t.end).String(), timeText(t.start), runID); err != nil {
		return fmt.Errorf("complete run %d: %w", runID, err)
	}
	return afterRun(ctx, tx, j, t, c)
}

// completedStatus is the status of a run that finished with c.
func completedStatus(c model.Completion) int {
	if c.Retry {
		return model.JobStatusCompletedWillRetry
	}
	return model.JobStatusCompleted
}

// timeText is t as stored, or nil (NULL) when t is nil.
func timeText(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := model.NewTime(*t).String()
	return &s
}

// afterRun follows a finished run: the agent was seen at its end, and
// while the job is still scheduled, a retry, the next occurrence or the
// end of a one-shot job follows.
func afterRun(ctx context.Context, tx *Tx, j jobRow, t runTimes, c model.Completion) error {
	if err := touchAgent(ctx, tx, j.agentID, t.end); err != nil {
		return err
	}
	if j.state != jobScheduled {
		return nil // unscheduled (or its agent reset) while the run was under way
	}
	if c.Retry && model.InRange(t.now.Add(retryDelay)) {
		return insertRun(ctx, tx, j, t.now.Add(retryDelay))
	}
	if next, ok := j.schedule.NextRun(t.due, t.now); ok && model.InRange(next) {
		return insertRun(ctx, tx, j, next)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE jobs SET state = ? WHERE job_id = ? AND state = ?`, jobDone, j.id, jobScheduled); err != nil {
		return fmt.Errorf("finish job %s: %w", j.id, err)
	}
	return nil
}

// touchAgent records that the orchestrator contacted Command at t (LastSeen
// never moves backwards).
func touchAgent(ctx context.Context, tx *Tx, agentID string, t time.Time) error {
	if _, err := tx.ExecContext(ctx, `UPDATE agents SET last_seen = max(last_seen, ?) WHERE agent_id = ?`, model.NewTime(t).String(), agentID); err != nil {
		return fmt.Errorf("touch agent %s: %w", agentID, err)
	}
	return nil
}

// defaultCompletion fills in what an immediate-mode run returns: FetchLogs
// runs hand back a small generated log as their data.
func defaultCompletion(c model.Completion, j jobRow, now time.Time) model.Completion {
	if c.Data == nil && c.Result == model.JobResultSuccess && strings.EqualFold(j.jobType, model.FetchLogsJobTypeName) {
		ts := model.NewTime(now).String()
		log := fmt.Sprintf("%s [Info] Keyfactor.Orchestrators.Agent - Orchestrator %s (%s) received a FetchLogs job (%s).\n"+
			"%s [Info] Keyfactor.Orchestrators.Agent - Session is active; %s\n"+
			"%s [Info] Keyfactor.Orchestrators.JobExecutors - Log retrieval completed.\n",
			ts, deref(j.agentMachine), j.agentID, j.id, ts, "mockcommand generated this log", ts)
		c.Data = &log
	}
	return c
}

// runDue completes every due Waiting run that the policy covers, as if the
// orchestrator had run it the moment it fell due (OperationStart and
// OperationEnd are its due time, even when the clock has since moved on).
// Follow-up runs it creates are left for the next pass. jobID, when not
// empty, limits it to one job.
func (s *Store) runDue(ctx context.Context, tx *Tx, now time.Time, jobID string) error {
	p := s.policy.Load()
	if !p.Immediate && len(p.Scripts) == 0 {
		return nil
	}
	q := `SELECT id, job_id, job_type, operation_start FROM job_history WHERE status = ? AND operation_start <= ?`
	args := []any{model.JobStatusWaiting, model.NewTime(now).String()}
	if jobID != "" {
		q += ` AND job_id = ?`
		args = append(args, jobID)
	}
	rows, err := tx.QueryContext(ctx, q+` ORDER BY operation_start, id LIMIT 10000`, args...)
	if err != nil {
		return fmt.Errorf("find due runs: %w", err)
	}
	type due struct {
		id             int64
		jobID, jobType string
		at             string
	}
	var list []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.id, &d.jobID, &d.jobType, &d.at); err != nil {
			rows.Close()
			return fmt.Errorf("scan due run: %w", err)
		}
		list = append(list, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("find due runs: %w", err)
	}
	for _, d := range list {
		c, ok := p.completionFor(d.jobType)
		if !ok {
			continue
		}
		j, err := loadJob(ctx, tx, d.jobID)
		if err != nil {
			return err
		}
		at, err := time.Parse(model.TimeLayout, d.at)
		if err != nil {
			return fmt.Errorf("run %d: stored OperationStart %q: %w", d.id, d.at, err)
		}
		if err := completeRun(ctx, tx, j, d.id, runTimes{due: at, start: &at, end: at, now: now}, defaultCompletion(c, j, at)); err != nil {
			return err
		}
	}
	return nil
}

// RunDueJobs completes the runs that are due under the job policy (see
// JobPolicy). The read endpoints call it before reading, so what a client
// sees is the state as of the mock's clock. While nothing was written since
// it last looked, it remembers when the next run falls due and costs no query.
func (s *Store) RunDueJobs(ctx context.Context) error {
	p := s.policy.Load()
	if !p.Immediate && len(p.Scripts) == 0 {
		return nil
	}
	now := s.now().UTC()
	gen := s.Generation() // before the query: a later commit makes this stale
	if d := s.nextDue.Load(); d != nil && d.gen == gen && now.Before(d.at) {
		return nil
	}
	var first sql.NullString
	if err := s.read.QueryRowContext(ctx, `SELECT min(operation_start) FROM job_history WHERE status = ?`,
		model.JobStatusWaiting).Scan(&first); err != nil {
		return fmt.Errorf("check due runs: %w", err)
	}
	next := model.MaxTime
	if first.Valid {
		t, err := time.Parse(model.TimeLayout, first.String)
		if err != nil {
			return fmt.Errorf("stored OperationStart %q: %w", first.String, err)
		}
		next = t
	}
	if now.Before(next) {
		s.nextDue.Store(&dueMark{gen: gen, at: next})
		return nil
	}
	return s.writeTx(ctx, func(tx *Tx, now time.Time) error { return s.runDue(ctx, tx, now, "") })
}

// dueMark records when the first waiting run falls due, as of a store
// generation.
type dueMark struct {
	gen uint64
	at  time.Time
}

// pendingRun finds the job's run that is Waiting or InProcess.
func pendingRun(ctx context.Context, tx *Tx, j jobRow) (id int64, status int, due time.Time, err error) {
	var at string
	err = tx.QueryRowContext(ctx, `SELECT id, status, operation_start FROM job_history WHERE job_id = ? AND status IN (?, ?) ORDER BY id LIMIT 1`,
		j.id, model.JobStatusWaiting, model.JobStatusInProcess).Scan(&id, &status, &at)
	if err == sql.ErrNoRows {
		return 0, 0, time.Time{}, model.Errorf(model.Invalid, "Job %s has no run that is waiting or in process (its state is %s).", j.id, j.state)
	}
	if err != nil {
		return 0, 0, time.Time{}, fmt.Errorf("find pending run of job %s: %w", j.id, err)
	}
	due, err = time.Parse(model.TimeLayout, at)
	return id, status, due, err
}

// StartJob moves the job's waiting run to InProcess, as an orchestrator
// picking it up would, and returns the run.
func (s *Store) StartJob(ctx context.Context, jobID string) (model.JobHistory, error) {
	var out model.JobHistory
	err := s.writeTx(ctx, func(tx *Tx, now time.Time) error {
		j, err := loadJobByAnyID(ctx, tx, jobID)
		if err != nil {
			return err
		}
		id, status, _, err := pendingRun(ctx, tx, j)
		if err != nil {
			return err
		}
		if status == model.JobStatusInProcess {
			return model.Errorf(model.Invalid, "Job %s is already in process (JobHistoryId %d).", j.id, id)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE job_history SET status = ?, operation_start = ? WHERE id = ?`,
			model.JobStatusInProcess, model.NewTime(now).String(), id); err != nil {
			return fmt.Errorf("start run %d: %w", id, err)
		}
		if err := touchAgent(ctx, tx, j.agentID, now); err != nil {
			return err
		}
		out, err = findRun(ctx, tx, id)
		return err
	})
	return out, err
}

// CompleteJob ends the job's waiting or in-process run with c, as the
// orchestrator reporting back would, and returns the finished run.
func (s *Store) CompleteJob(ctx context.Context, jobID string, c model.Completion) (model.JobHistory, error) {
	var out model.JobHistory
	err := s.writeTx(ctx, func(tx *Tx, now time.Time) error {
		j, err := loadJobByAnyID(ctx, tx, jobID)
		if err != nil {
			return err
		}
		id, status, due, err := pendingRun(ctx, tx, j)
		if err != nil {
			return err
		}
		var start *time.Time
		if status == model.JobStatusWaiting {
			start = &now // picked up and finished at once
		}
		if err := completeRun(ctx, tx, j, id, runTimes{due: due, start: start, end: now, now: now}, c); err != nil {
			return err
		}
		out, err = findRun(ctx, tx, id)
		return err
	})
	return out, err
}

func loadJobByAnyID(ctx context.Context, tx *Tx, jobID string) (jobRow, error) {
	id, err := model.NormalizeGUID(jobID)
	if err != nil {
		return jobRow{}, model.Errorf(model.NotFound, "Job %q was not found: the id is not a GUID.", jobID)
	}
	return loadJob(ctx, tx, id)
}
