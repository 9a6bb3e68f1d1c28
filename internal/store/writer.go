package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Group commit. SQLite writes one transaction at a time and each commit
// costs page writes to the WAL, so under concurrent writes the commit, not
// the work, is the bottleneck. All writes therefore go through one writer
// goroutine that runs the operations waiting at that moment in a single
// transaction, each inside its own SAVEPOINT: a failing operation rolls
// back only itself, the others commit together, and no caller gets its
// answer before the commit that makes its write permanent. (With
// synchronous=NORMAL in WAL mode a commit survives the process crashing;
// after a power loss the last commits may be lost, never half-applied.)

// maxBatch bounds how many operations share a commit, so that one busy
// period cannot hold answers back for long.
const maxBatch = 128

// errClosed answers writes submitted after Close.
var errClosed = errors.New("store: closed")

// writeOp is one writeTx call waiting for the writer.
type writeOp struct {
	ctx  context.Context
	fn   func(tx *Tx, now time.Time) error
	done chan error
}

// writeTx runs fn in the writer's current transaction, in a savepoint of
// its own, and returns after that transaction commits (or fn fails). now is
// read once per call.
func (s *Store) writeTx(ctx context.Context, fn func(tx *Tx, now time.Time) error) error {
	op := &writeOp{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case s.writes <- op:
	case <-ctx.Done():
		return ctx.Err()
	case <-s.quit:
		return errClosed
	}
	// Once submitted, wait for the outcome even if ctx ends: the write
	// may commit, and the caller must not report otherwise.
	return <-op.done
}

// runWriter is the writer goroutine.
func (s *Store) runWriter() {
	defer close(s.writerDone)
	for {
		var first *writeOp
		select {
		case first = <-s.writes:
		case <-s.quit:
			return
		}
		s.runBatch(first)
	}
}

// runBatch runs first and whatever else is queued, up to maxBatch, in one
// transaction, then answers every caller.
func (s *Store) runBatch(first *writeOp) {
	batch := []*writeOp{first}
	results := make([]error, 0, maxBatch)
	sqlTx, err := s.write.BeginTx(context.Background(), nil)
	if err != nil {
		first.done <- fmt.Errorf("begin write: %w", err)
		return
	}
	tx := newTx(sqlTx, s.writeStmts)
	tx.stmtCtx = context.Background()
	tx.due, tx.dueEpoch = s.due.begin()
	tx.policy = s.policy.Load()
	for i := 0; i < len(batch); i++ {
		results = append(results, s.runOp(tx, batch[i]))
		if errors.Is(results[i], errBatchBroken) {
			break
		}
		if len(batch) < maxBatch { // take what arrived meanwhile
			select {
			case op := <-s.writes:
				batch = append(batch, op)
			default:
			}
		}
	}
	var commitErr error
	if len(results) > 0 && errors.Is(results[len(results)-1], errBatchBroken) {
		_ = tx.Rollback()
		commitErr = fmt.Errorf("write batch aborted: %w", results[len(results)-1])
	} else if err := tx.Commit(); err != nil {
		commitErr = fmt.Errorf("commit: %w", err)
	} else {
		for t := range numTables {
			if tx.changedTable(t) {
				s.tableGen[t].Add(1)
			}
			if tx.rows&(1<<t) != 0 {
				s.colGen.rows[t].Add(1)
			}
		}
		for _, c := range tx.cols {
			s.colGen.col(c.table, c.name).Add(1)
		}
		if tx.changedTable(TableJobTypes) {
			s.jobTypes.invalidate()
		}
		s.due.publish(tx.due, tx.dueEpoch)
	}
	if commitErr != nil {
		s.due.forget()
	}
	changed := commitErr == nil && tx.changed
	// The connection is free again: statements this batch had to prepare
	// join the writer's cache for the batches to come.
	tx.cacheMissed(context.Background())
	s.commits.Add(1)
	s.writeOps.Add(uint64(len(batch)))
	if changed {
		s.gen.Add(1)
	}
	for i, op := range batch {
		switch {
		case commitErr != nil:
			op.done <- commitErr
		case i < len(results):
			op.done <- results[i]
		default:
			op.done <- errors.New("store: write not run") // unreachable: every taken op runs
		}
	}
}

// Generation changes after every commit that changed a row: two reads
// made under the same generation see the same data (the clock aside). A
// write that changed nothing (a due-run check that found no run, an
// update to the same value) leaves it, so caches keyed on it stay valid.
func (s *Store) Generation() uint64 { return s.gen.Load() }

// errBatchBroken marks a failure that leaves the shared transaction
// unusable (a savepoint could not be rolled back), so the batch aborts.
var errBatchBroken = errors.New("transaction unusable")

// runOp runs one operation in a savepoint, rolling it back when it fails
// or panics.
func (s *Store) runOp(tx *Tx, op *writeOp) (err error) {
	if err := op.ctx.Err(); err != nil {
		return err
	}
	ctx := context.WithoutCancel(op.ctx) // a savepoint half done must not be cut off
	if _, err := tx.ExecContext(ctx, `SAVEPOINT op`); err != nil {
		return fmt.Errorf("%w: savepoint: %v", errBatchBroken, err)
	}
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("write panicked: %v", v)
		}
		if err != nil {
			tx.due = dueUnknown // what the operation noted is undone, or half
			if _, rbErr := tx.ExecContext(ctx, `ROLLBACK TO op`); rbErr != nil {
				err = fmt.Errorf("%w: %v (rollback: %v)", errBatchBroken, err, rbErr)
				return
			}
		}
		if _, relErr := tx.ExecContext(ctx, `RELEASE op`); relErr != nil && err == nil {
			err = fmt.Errorf("%w: release savepoint: %v", errBatchBroken, relErr)
		}
	}()
	return op.fn(tx, s.now().UTC())
}
