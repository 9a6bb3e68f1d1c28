// Package mock holds the mock's own control logic in one place: the clock
// and the range it may be set to, the job modes and the run policy they
// give the store, reset and seed, starting and completing job runs by
// hand, and the due-run processing that completes runs by themselves. The
// /_mock admin routes, the commandtest package and the dashboard all call
// it, so each rule is written once; the store only keeps state.
package mock

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mockcommand/mockcommand/internal/clock"
	"github.com/mockcommand/mockcommand/internal/fault"
	"github.com/mockcommand/mockcommand/internal/journal"
	"github.com/mockcommand/mockcommand/internal/model"
	"github.com/mockcommand/mockcommand/internal/store"
)

// Loader loads the fixtures a reset returns to, again (a reset re-reads
// the files, so edits made since start-up apply), with now for the values
// they leave out. It also returns a description of their source for
// store.Store.Reset.
type Loader func(now time.Time) (f model.Fixtures, source string, err error)

// Options configures New.
type Options struct {
	Store    *store.Store
	Clock    *clock.Clock
	Journal  *journal.Journal
	Faults   *fault.Set
	Fixtures Loader
	Mode     JobMode // validated by New
}

// Mock is a running mock's controls.
type Mock struct {
	store    *store.Store
	clock    *clock.Clock
	journal  *journal.Journal
	faults   *fault.Set
	fixtures Loader
	started  time.Time

	modeMu sync.Mutex // serialises job mode changes
	mode   atomic.Pointer[JobMode]
	dueMu  sync.Mutex // one RunDue at a time completes runs (see RunDue)
}

// New returns the controls of a mock over the parts in opts, and sets the
// store's run policy from opts.Mode.
func New(opts Options) (*Mock, error) {
	m := &Mock{
		store: opts.Store, clock: opts.Clock, journal: opts.Journal, faults: opts.Faults,
		fixtures: opts.Fixtures, started: time.Now(),
	}
	if err := m.setMode(opts.Mode); err != nil {
		return nil, err
	}
	return m, nil
}

// Store is the store the mock keeps its state in.
func (m *Mock) Store() *store.Store { return m.store }

// Journal is the request journal.
func (m *Mock) Journal() *journal.Journal { return m.journal }

// Faults are the fault-injection rules.
func (m *Mock) Faults() *fault.Set { return m.faults }

// Started is when the mock started (wall time).
func (m *Mock) Started() time.Time { return m.started }

// RunDue completes the job runs that have fallen due and that the job
// mode completes by themselves, so that what a client reads next is the
// state as of the mock's clock. Every request calls it once, first: until
// a run may be due (see store.MayBeDue) it costs no query. When runs fall
// due, the requests that notice at once do not each queue a write: one
// completes them, and the others, which waited for it, find nothing left
// that was due by their time (the write reads the clock after they did).
func (m *Mock) RunDue(ctx context.Context) error {
	now := m.clock.Now()
	if !m.store.MayBeDue(now) {
		return nil
	}
	m.dueMu.Lock()
	defer m.dueMu.Unlock()
	if !m.store.MayBeDue(now) {
		return nil
	}
	_, err := m.store.CompleteDueRuns(ctx)
	return err
}
