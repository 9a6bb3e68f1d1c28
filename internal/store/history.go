package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mockcommand/mockcommand/internal/model"
)

const runColumns = `h.id, h.agent_machine, h.job_id, h.schedule, h.job_type, h.operation_start,
	h.operation_end, h.message, h.result, h.status, h.store_path`

// ListJobHistory returns one page of job runs matching opts.
func (s *Store) ListJobHistory(ctx context.Context, opts ListOptions) ([]model.JobHistory, error) {
	where, order, args, err := jobHistoryResource.listSQL(opts, s.now())
	if err != nil {
		return nil, err
	}
	return queryRuns(ctx, s.reader(), `WHERE `+where+` ORDER BY `+order+` LIMIT ? OFFSET ?`, args...)
}

// JobResultData returns the data a completed run handed back.
func (s *Store) JobResultData(ctx context.Context, historyID int64) (model.JobResultData, error) {
	out := model.JobResultData{JobHistoryId: historyID}
	err := s.readTx(ctx, func(tx *Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT data FROM job_history WHERE id = ?`, historyID).Scan(&out.Data)
		if err == sql.ErrNoRows {
			return model.Errorf(model.NotFound, "Job history %d was not found.", historyID)
		}
		if err != nil {
			return fmt.Errorf("read job data %d: %w", historyID, err)
		}
		return nil
	})
	return out, err
}

func findRun(ctx context.Context, tx *Tx, id int64) (model.JobHistory, error) {
	runs, err := queryRuns(ctx, tx, `WHERE h.id = ?`, id)
	if err != nil {
		return model.JobHistory{}, err
	}
	if len(runs) == 0 {
		return model.JobHistory{}, model.Errorf(model.NotFound, "Job history %d was not found.", id)
	}
	return runs[0], nil
}

func queryRuns(ctx context.Context, q querier, tail string, args ...any) ([]model.JobHistory, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+runColumns+` FROM job_history h `+tail, args...)
	if err != nil {
		return nil, fmt.Errorf("list job history: %w", err)
	}
	return collect(rows, "job history", func(rows *sql.Rows, h *model.JobHistory) error {
		var sched, start string
		var end *string
		if err := rows.Scan(&h.JobHistoryId, &h.AgentMachine, &h.JobId, &sched, &h.JobType, &start,
			&end, &h.Message, &h.Result, &h.Status, &h.StorePath); err != nil {
			return fmt.Errorf("scan job history: %w", err)
		}
		if err := json.Unmarshal([]byte(sched), &h.Schedule); err != nil {
			return fmt.Errorf("run %d: stored schedule: %w", h.JobHistoryId, err)
		}
		t, err := time.Parse(model.TimeLayout, start)
		if err != nil {
			return fmt.Errorf("run %d: stored OperationStart: %w", h.JobHistoryId, err)
		}
		h.OperationStart = model.NewTime(t)
		if end != nil {
			t, err := time.Parse(model.TimeLayout, *end)
			if err != nil {
				return fmt.Errorf("run %d: stored OperationEnd: %w", h.JobHistoryId, err)
			}
			e := model.NewTime(t)
			h.OperationEnd = &e
		}
		h.ClientMachine = h.AgentMachine
		return nil
	})
}

// idsJSON encodes ids as a JSON array, bound as one parameter and expanded
// in SQL with json_each, so any number of ids stays parameterised.
func idsJSON[T any](ids []T) string {
	b, _ := json.Marshal(ids)
	return string(b)
}

// selectRuns resolves the runs named by ids and/or matching query (their
// union). Ids that do not exist are an Invalid error; neither given is too.
func selectRuns(ctx context.Context, tx *Tx, ids []int64, q string, now time.Time) (string, error) {
	if len(ids) == 0 && strings.TrimSpace(q) == "" {
		return "", model.Errorf(model.Invalid, "Give the runs to act on in JobAuditIds, in Query, or in both.")
	}
	selected := map[int64]bool{}
	if len(ids) > 0 {
		rows, err := tx.QueryContext(ctx, `SELECT id FROM job_history WHERE id IN (SELECT value FROM json_each(?))`, idsJSON(ids))
		if err != nil {
			return "", fmt.Errorf("find runs: %w", err)
		}
		if err := collectInts(rows, selected); err != nil {
			return "", err
		}
		var missing []string
		for _, id := range ids {
			if !selected[id] {
				missing = append(missing, fmt.Sprint(id))
			}
		}
		if len(missing) > 0 {
			return "", model.Errorf(model.Invalid, "JobAuditIds %s do not match any job history entry.", strings.Join(missing, ", "))
		}
	}
	if strings.TrimSpace(q) != "" {
		where, args, err := jobHistoryResource.filter(q, now)
		if err != nil {
			return "", err
		}
		rows, err := tx.QueryContext(ctx, `SELECT h.id FROM job_history h WHERE `+where, args...)
		if err != nil {
			return "", fmt.Errorf("find runs: %w", err)
		}
		if err := collectInts(rows, selected); err != nil {
			return "", err
		}
	}
	list := make([]int64, 0, len(selected))
	for id := range selected {
		list = append(list, id)
	}
	slices.Sort(list)
	return idsJSON(list), nil
}

func collectInts(rows *sql.Rows, into map[int64]bool) error {
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return fmt.Errorf("scan id: %w", err)
		}
		into[id] = true
	}
	return rows.Err()
}

// AcknowledgeRuns marks the selected runs Acknowledged. Only finished runs
// that ended with a Warning or a Failure (status Completed or
// CompletedWillRetry) are eligible; the others are left as they are.
// It returns how many runs changed.
func (s *Store) AcknowledgeRuns(ctx context.Context, ids []int64, q string) (int, error) {
	var n int64
	err := s.writeTx(ctx, func(tx *Tx, now time.Time) error {
		sel, err := selectRuns(ctx, tx, ids, q, now)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE job_history SET status = ?
			WHERE id IN (SELECT value FROM json_each(?)) AND status IN (?, ?) AND result IN (?, ?)`,
			model.JobStatusAcknowledged, sel, model.JobStatusCompleted, model.JobStatusCompletedWillRetry,
			model.JobResultWarning, model.JobResultFailure)
		if err != nil {
			return fmt.Errorf("acknowledge runs: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// RescheduleRuns runs the jobs of the selected runs again: only runs that
// failed and are Completed or Acknowledged are eligible (Command's rule),
// and jobs that were unscheduled stay unscheduled.
// Each eligible run's job gets a new Waiting run due now, and a finished
// one-shot job is scheduled again. It returns how many jobs were
// rescheduled.
func (s *Store) RescheduleRuns(ctx context.Context, ids []int64, q string) (int, error) {
	n := 0
	err := s.writeTx(ctx, func(tx *Tx, now time.Time) error {
		sel, err := selectRuns(ctx, tx, ids, q, now)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT DISTINCT job_id FROM job_history
			WHERE id IN (SELECT value FROM json_each(?)) AND result = ? AND status IN (?, ?)`,
			sel, model.JobResultFailure, model.JobStatusCompleted, model.JobStatusAcknowledged)
		if err != nil {
			return fmt.Errorf("find runs to reschedule: %w", err)
		}
		var jobIDs []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fmt.Errorf("scan job id: %w", err)
			}
			jobIDs = append(jobIDs, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range jobIDs {
			j, err := loadJob(ctx, tx, id)
			if err != nil {
				return err
			}
			if j.state == jobUnscheduled {
				continue // unscheduled on purpose (or its agent was reset): it stays so
			}
			if _, _, _, err := pendingRun(ctx, tx, j); err == nil {
				continue // already has a run waiting
			}
			if _, err := tx.ExecContext(ctx, `UPDATE jobs SET state = ? WHERE job_id = ?`, jobScheduled, id); err != nil {
				return fmt.Errorf("reschedule job %s: %w", id, err)
			}
			if err := insertRun(ctx, tx, j, now); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// UnscheduleJobs removes the selected scheduled jobs (by JobId, canonical
// GUIDs, and/or a ScheduledJobs query): they leave GET
// /OrchestratorJobs/ScheduledJobs and their waiting runs are dropped.
// Unknown ids are an Invalid error. It returns how many jobs were
// unscheduled.
func (s *Store) UnscheduleJobs(ctx context.Context, jobIDs []string, q string) (int, error) {
	var n int
	err := s.writeTx(ctx, func(tx *Tx, now time.Time) error {
		if len(jobIDs) == 0 && strings.TrimSpace(q) == "" {
			return model.Errorf(model.Invalid, "Give the jobs to unschedule in JobIds, in Query, or in both.")
		}
		selected := map[string]bool{}
		var missing []string
		for _, id := range jobIDs {
			var state string
			err := tx.QueryRowContext(ctx, `SELECT state FROM jobs WHERE job_id = ?`, id).Scan(&state)
			if err == sql.ErrNoRows {
				missing = append(missing, id)
				continue
			}
			if err != nil {
				return fmt.Errorf("find job %s: %w", id, err)
			}
			selected[id] = true
		}
		if len(missing) > 0 {
			return model.Errorf(model.Invalid, "JobIds %s do not match any job.", strings.Join(missing, ", "))
		}
		if strings.TrimSpace(q) != "" {
			where, args, err := scheduledJobResource.filter(q, now)
			if err != nil {
				return err
			}
			rows, err := tx.QueryContext(ctx, `SELECT j.job_id FROM jobs j WHERE j.state = '`+jobScheduled+`' AND `+where, args...)
			if err != nil {
				return fmt.Errorf("find jobs: %w", err)
			}
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return fmt.Errorf("scan job id: %w", err)
				}
				selected[id] = true
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		ids := make([]string, 0, len(selected))
		for id := range selected {
			ids = append(ids, id)
		}
		// A store's inventory job is not eligible (Command documents it):
		// its schedule belongs to the store (POST /CertificateStores/Schedule).
		var err error
		n, err = unscheduleJobs(ctx, tx, `(SELECT json_group_array(value) FROM json_each(?) WHERE value NOT IN (SELECT job_id FROM store_jobs WHERE kind = ?))`,
			idsJSON(ids), InventoryJobType)
		return err
	})
	return n, err
}

// unscheduleJobs marks the scheduled jobs among a JSON array of job ids
// unscheduled and drops their waiting runs. idsSQL is the SQL expression
// giving the array (a placeholder or a subquery) and args its arguments.
func unscheduleJobs(ctx context.Context, tx *Tx, idsSQL string, args ...any) (int, error) {
	var ids string
	if err := tx.QueryRowContext(ctx, `SELECT `+idsSQL, args...).Scan(&ids); err != nil {
		return 0, fmt.Errorf("select jobs to unschedule: %w", err)
	}
	res, err := tx.ExecContext(ctx, `UPDATE jobs SET state = ? WHERE state = ? AND job_id IN (SELECT value FROM json_each(?))`,
		jobUnscheduled, jobScheduled, ids)
	if err != nil {
		return 0, fmt.Errorf("unschedule jobs: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM job_history WHERE status = ? AND job_id IN (SELECT value FROM json_each(?))`,
		model.JobStatusWaiting, ids); err != nil {
		return 0, fmt.Errorf("drop waiting runs: %w", err)
	}
	return int(n), nil
}
