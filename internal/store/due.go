package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mockcommand/mockcommand/internal/model"
)

// Every request first completes the runs that have fallen due (so that
// what it reads is the state as of the mock's clock), so asking whether
// any has must cost no query. The store keeps a lower bound of when the
// first run its policy completes by itself is picked up: a run added
// lowers it, CompleteDueRuns sets it from the database, and anything that
// could make it wrong (a new policy, a reset, a failed write) forgets it,
// so that the next check looks.

// Bounds in Unix milliseconds (times the mock keeps run from year 1 to
// 9999, beyond what nanoseconds since 1970 hold).
const (
	dueUnknown = math.MinInt64 // not known: look
	dueNever   = math.MaxInt64 // no run waits that the policy completes
)

// dueHint is the lower bound, published by the writer after each commit.
type dueHint struct {
	at    atomic.Int64
	mu    sync.Mutex // orders publish against forget
	epoch uint64     // bumped by forget: a batch begun before may not publish
}

func (h *dueHint) begin() (at int64, epoch uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.at.Load(), h.epoch
}

func (h *dueHint) publish(at int64, epoch uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if epoch == h.epoch {
		h.at.Store(at)
	}
}

func (h *dueHint) forget() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.epoch++
	h.at.Store(dueUnknown)
}

// MayBeDue reports whether a run that the run policy completes by itself
// may have been picked up by now. When it is false, CompleteDueRuns would
// find nothing to do.
func (s *Store) MayBeDue(now time.Time) bool { return now.UnixMilli() >= s.due.at.Load() }

// pickupQuantum is how orchestrators' check-ins are spaced: with a Delay,
// a run is picked up at the first multiple of it at least Delay after the
// run fell due, so the runs of a busy tenth of a second complete together,
// in one write.
const pickupQuantum = 100 * time.Millisecond

// pickup is when an orchestrator picks up a run that falls due at due:
// see pickupQuantum; without a Delay, at due.
func (p *RunPolicy) pickup(due time.Time) time.Time {
	if p.Delay <= 0 {
		return due
	}
	t := due.Add(p.Delay)
	if r := t.Truncate(pickupQuantum); !r.Equal(t) {
		return r.Add(pickupQuantum)
	}
	return t
}

// dueCutoff is the latest due time of a run picked up by now: pickup(due)
// <= now exactly when due <= dueCutoff(now).
func (p *RunPolicy) dueCutoff(now time.Time) time.Time {
	if p.Delay <= 0 {
		return now
	}
	return now.Truncate(pickupQuantum).Add(-p.Delay)
}

// noteWaitingRun lowers the transaction's bound for a Waiting run of
// jobType due at due.
func (t *Tx) noteWaitingRun(jobType string, due time.Time) {
	if t.policy == nil {
		return
	}
	if _, ok := t.policy.completionFor(jobType); ok {
		t.due = min(t.due, t.policy.pickup(due).UnixMilli())
	}
}

// findNextPickup sets the transaction's bound from the database: the
// pickup of the first Waiting run that p completes.
func findNextPickup(ctx context.Context, tx *Tx, p *RunPolicy) error {
	tx.due = dueNever
	if !p.Auto() {
		return nil
	}
	where, args := coveredRuns(p, "")
	var first sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT min(operation_start) FROM job_history WHERE `+where, args...).Scan(&first); err != nil {
		return fmt.Errorf("find the next due run: %w", err)
	}
	if !first.Valid {
		return nil
	}
	t, err := time.Parse(model.TimeLayout, first.String)
	if err != nil {
		return fmt.Errorf("stored OperationStart %q: %w", first.String, err)
	}
	tx.due = p.pickup(t).UnixMilli()
	return nil
}
