package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
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
	agentMachine, target        *string // target: a store job's store path
	schedule                    model.Schedule
}

func loadJob(ctx context.Context, tx *Tx, jobID string) (jobRow, error) {
	var j jobRow
	var sched string
	err := tx.QueryRowContext(ctx, `SELECT job_id, agent_id, client_machine, target, job_type, schedule, state FROM jobs WHERE job_id = ?`, jobID).
		Scan(&j.id, &j.agentID, &j.agentMachine, &j.target, &j.jobType, &sched, &j.state)
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
	_, err = tx.ExecContext(ctx, `INSERT INTO job_history (job_id, agent_id, agent_machine, job_type, job_type_key, schedule, schedule_type,
		operation_start, operation_end, message, result, status, data, store_path)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		j.id, j.agentID, j.agentMachine, j.jobType, model.NameKey(j.jobType), string(sched), schedType, model.NewTime(due).String(),
		endText, c.Message, result, status, c.Data, j.target)
	if err != nil {
		return fmt.Errorf("add run of job %s: %w", j.id, err)
	}
	if end == nil {
		tx.noteWaitingRun(j.jobType, due)
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
	if err := applyStoreJob(ctx, tx, j, c); err != nil {
		return err
	}
	if j.state != jobScheduled {
		return nil // unscheduled (or its agent reset) while the run was under way
	}
	if next, ok := followingRun(j, t, c); ok {
		return insertRun(ctx, tx, j, next)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE jobs SET state = ? WHERE job_id = ? AND state = ?`, jobDone, j.id, jobScheduled); err != nil {
		return fmt.Errorf("finish job %s: %w", j.id, err)
	}
	return nil
}

// followingRun is when the run that follows a finished run of a still
// scheduled job j falls due: a retry a minute later, or the next
// occurrence of a recurring job; ok is false when nothing follows (the
// job is done).
func followingRun(j jobRow, t runTimes, c model.Completion) (next time.Time, ok bool) {
	if c.Retry && model.InRange(t.now.Add(retryDelay)) {
		return t.now.Add(retryDelay), true
	}
	if next, ok := j.schedule.NextRun(t.due, t.now); ok && model.InRange(next) {
		return next, true
	}
	return time.Time{}, false
}

// lastSeen is the LastSeen an orchestrator that contacted Command at t
// gets: t to the second. Every write of an agent makes each reader drop
// what it holds of the main file, so an orchestrator whose jobs complete
// many times a second moves its LastSeen once a second, not every time.
func lastSeen(t time.Time) string { return model.NewTime(t.Truncate(time.Second)).String() }

// touchAgent records that the orchestrator contacted Command at t (LastSeen
// never moves backwards, and an agent already seen later is not written:
// agent listings cached under the agents' version stay valid).
func touchAgent(ctx context.Context, tx *Tx, agentID string, t time.Time) error {
	ts := lastSeen(t)
	if _, err := tx.ExecContext(ctx, `UPDATE agents SET last_seen = ? WHERE agent_id = ? AND last_seen < ?`, ts, agentID, ts); err != nil {
		return fmt.Errorf("touch agent %s: %w", agentID, err)
	}
	return nil
}

// orchestratorResult fills in what a simulated orchestrator hands back
// with a run that completes by itself: a FetchLogs run returns a small
// generated log as its data.
func orchestratorResult(c model.Completion, j jobRow, at time.Time) model.Completion {
	if c.Data == nil && c.Result == model.JobResultSuccess && strings.EqualFold(j.jobType, model.FetchLogsJobTypeName) {
		ts := model.NewTime(at).String()
		log := fmt.Sprintf("%s [Info] Keyfactor.Orchestrators.Agent - Orchestrator %s (%s) received a FetchLogs job (%s).\n"+
			"%s [Info] Keyfactor.Orchestrators.Agent - Session is active; %s\n"+
			"%s [Info] Keyfactor.Orchestrators.JobExecutors - Log retrieval completed.\n",
			ts, model.Deref(j.agentMachine), j.agentID, j.id, ts, "mockcommand generated this log", ts)
		c.Data = &log
	}
	return c
}

// dueBatch is how many due runs one pass of CompleteDueRuns loads at a
// time; it loops until none is left.
const dueBatch = 1000

// coveredRuns is the WHERE condition, with its arguments, of the Waiting
// runs that policy p completes by itself; prefix qualifies the columns of
// job_history ("" or an alias and a dot).
func coveredRuns(p *RunPolicy, prefix string) (string, []any) {
	waiting := prefix + `status = ` + strconv.Itoa(model.JobStatusWaiting) // literal: see job_history_waiting
	if p.All {
		return waiting, nil
	}
	return waiting + ` AND ` + prefix + `job_type_key IN (SELECT value FROM json_each(?))`, []any{p.scriptedTypes()}
}

// CompleteDueRuns completes, in one transaction, every Waiting run that
// the run policy covers and that its orchestrator has picked up by now
// (at the first tenth of a second at least the policy's Delay after the run
// fell due, or at once without a Delay), as that orchestrator would: its
// OperationStart and OperationEnd are the pickup time, even when the clock
// has since moved on. What follows a run (the next occurrence, a retry)
// falls due after now, so one call leaves no covered run due. It returns
// how many runs it completed.
func (s *Store) CompleteDueRuns(ctx context.Context) (int, error) {
	n := 0
	err := s.writeTx(ctx, func(tx *Tx, now time.Time) error {
		n = 0
		p := s.policy.Load()
		for p.Auto() {
			done, err := s.completeDueBatch(ctx, tx, p, now)
			n += done
			if err != nil {
				return err
			}
			if done < dueBatch {
				break
			}
		}
		return findNextPickup(ctx, tx, p)
	})
	return n, err
}

// completeDueBatch completes up to dueBatch due runs and returns how many.
// It does what completeRun does for each, in a few statements for all:
// one reads the runs with their jobs, one completes every run, one ends
// the one-shot jobs, one moves each orchestrator's LastSeen; only a
// recurring job's next run or a retry is a statement of its own.
func (s *Store) completeDueBatch(ctx context.Context, tx *Tx, p *RunPolicy, now time.Time) (int, error) {
	where, args := coveredRuns(p, "h.")
	args = append(args, model.NewTime(p.dueCutoff(now)).String(), dueBatch)
	rows, err := tx.QueryContext(ctx, `SELECT h.id, h.job_id, h.operation_start, j.job_id, j.agent_id, j.client_machine, j.target, j.job_type, j.schedule, j.state
		FROM job_history h LEFT JOIN jobs j ON j.job_id = h.job_id
		WHERE `+where+` AND h.operation_start <= ? ORDER BY h.operation_start, h.id LIMIT ?`, args...)
	if err != nil {
		return 0, fmt.Errorf("find due runs: %w", err)
	}
	type due struct {
		id        int64
		runJob    string
		at        string
		job       jobRow
		jobID     sql.NullString
		sched     sql.NullString
		jobType   sql.NullString
		state     sql.NullString
		agentID   sql.NullString
		agentName *string
		target    *string
	}
	list, err := collect(rows, "due runs", func(rows *sql.Rows, d *due) error {
		return rows.Scan(&d.id, &d.runJob, &d.at, &d.jobID, &d.agentID, &d.agentName, &d.target, &d.jobType, &d.sched, &d.state)
	})
	if err != nil {
		return 0, err
	}
	type runUpdate struct {
		ID      int64   `json:"i"`
		Status  int     `json:"s"`
		Result  int     `json:"r"`
		Message *string `json:"m"`
		Data    *string `json:"d"`
		Start   string  `json:"b"`
		End     string  `json:"e"`
	}
	updates := make([]runUpdate, 0, len(list))
	var done []string
	seen := map[string]string{} // agent id -> latest pickup
	for i := range list {
		d := &list[i]
		if !d.jobID.Valid {
			return 0, model.Errorf(model.NotFound, "Job %s was not found.", d.runJob)
		}
		j := jobRow{id: d.jobID.String, agentID: d.agentID.String, agentMachine: d.agentName, target: d.target, jobType: d.jobType.String, state: d.state.String}
		if err := json.Unmarshal([]byte(d.sched.String), &j.schedule); err != nil {
			return 0, fmt.Errorf("job %s: stored schedule: %w", j.id, err)
		}
		at, err := time.Parse(model.TimeLayout, d.at)
		if err != nil {
			return 0, fmt.Errorf("run %d: stored OperationStart %q: %w", d.id, d.at, err)
		}
		pickup := p.pickup(at)
		c, _ := p.completionFor(j.jobType)
		c = orchestratorResult(c, j, pickup)
		pick := model.NewTime(pickup).String()
		updates = append(updates, runUpdate{ID: d.id, Status: completedStatus(c), Result: c.Result, Message: c.Message, Data: c.Data, Start: pick, End: pick})
		if err := applyStoreJob(ctx, tx, j, c); err != nil {
			return 0, err
		}
		if ls := lastSeen(pickup); ls > seen[j.agentID] {
			seen[j.agentID] = ls
		}
		if j.state != jobScheduled {
			continue // unscheduled (or its agent reset) while the run was under way
		}
		t := runTimes{due: at, start: &pickup, end: pickup, now: now}
		if next, follows := followingRun(j, t, c); follows {
			if err := insertRun(ctx, tx, j, next); err != nil {
				return 0, err
			}
		} else {
			done = append(done, j.id)
		}
	}
	if len(updates) == 0 {
		return 0, nil
	}
	doc, err := json.Marshal(updates)
	if err != nil {
		return 0, fmt.Errorf("encode run updates: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE job_history SET status = v.value ->> 's', result = v.value ->> 'r', message = v.value ->> 'm',
		data = v.value ->> 'd', operation_start = v.value ->> 'b', operation_end = v.value ->> 'e'
		FROM json_each(?) AS v WHERE job_history.id = v.value ->> 'i'`, string(doc)); err != nil {
		return 0, fmt.Errorf("complete runs: %w", err)
	}
	if len(done) > 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE jobs SET state = ? WHERE state = ? AND job_id IN (SELECT value FROM json_each(?))`,
			jobDone, jobScheduled, idsJSON(done)); err != nil {
			return 0, fmt.Errorf("finish jobs: %w", err)
		}
	}
	for agentID, at := range seen {
		if _, err := tx.ExecContext(ctx, `UPDATE agents SET last_seen = ? WHERE agent_id = ? AND last_seen < ?`, at, agentID, at); err != nil {
			return 0, fmt.Errorf("touch agent %s: %w", agentID, err)
		}
	}
	return len(list), nil
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

// StartJob moves the waiting run of job jobID (a canonical GUID) to
// InProcess, as an orchestrator picking it up would, and returns the run.
func (s *Store) StartJob(ctx context.Context, jobID string) (model.JobHistory, error) {
	var out model.JobHistory
	err := s.writeTx(ctx, func(tx *Tx, now time.Time) error {
		j, err := loadJob(ctx, tx, jobID)
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

// CompleteJob ends the waiting or in-process run of job jobID (a
// canonical GUID) with c, as the orchestrator reporting back would, and
// returns the finished run.
func (s *Store) CompleteJob(ctx context.Context, jobID string, c model.Completion) (model.JobHistory, error) {
	var out model.JobHistory
	err := s.writeTx(ctx, func(tx *Tx, now time.Time) error {
		j, err := loadJob(ctx, tx, jobID)
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
