// Package app wires the mock together: it opens the store, loads and seeds
// the fixtures, and builds the HTTP handler. The mockcommand command and
// the embeddable test server both start the mock through New, so there is
// one code path.
package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"runtime/debug"

	"github.com/mockcommand/mockcommand/fixtures"
	"github.com/mockcommand/mockcommand/internal/api"
	"github.com/mockcommand/mockcommand/internal/clock"
	"github.com/mockcommand/mockcommand/internal/fault"
	"github.com/mockcommand/mockcommand/internal/journal"
	"github.com/mockcommand/mockcommand/internal/model"
	"github.com/mockcommand/mockcommand/internal/oauth"
	"github.com/mockcommand/mockcommand/internal/store"
)

// Options configures New.
type Options struct {
	DBPath        string     // "" for an ephemeral database
	Fixtures      fs.FS      // nil for the built-in fixtures
	FixturesLabel string     // names the fixture source in errors
	API           api.Config // protocol settings
	Logger        *slog.Logger
	Clock         *clock.Clock    // nil for a new real-time clock
	JournalSize   int             // requests the journal keeps; 0 for DefaultJournalSize
	JournalBytes  int             // body bytes the journal keeps; 0 for journal.DefaultMaxBytes
	JobPolicy     store.JobPolicy // which job runs complete by themselves
	OAuth         oauth.Config    // the token service, used when API.Auth takes bearer tokens (Now is set to the clock)
}

// DefaultJournalSize is how many requests the journal keeps by default.
const DefaultJournalSize = 5000

// App is a running mock without its listener.
type App struct {
	Store   *store.Store
	Handler http.Handler
	Server  *api.Server // the same handler, for its controls (StopDelays)
	Clock   *clock.Clock
	Journal *journal.Journal
	Faults  *fault.Set
	// Fixtures loads the fixtures the server started from, again: a reset
	// returns to them (re-reading the files, rather than keeping a copy in
	// memory the size of the fixture set).
	Fixtures func() (store.Fixtures, error)
}

// New opens the store and seeds it from the fixtures when the database is
// new (a persistent database is seeded only once), then builds the handler.
func New(ctx context.Context, opts Options) (*App, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Clock == nil {
		opts.Clock = clock.New()
	}
	if err := opts.API.Normalize(); err != nil {
		return nil, err
	}
	if opts.Fixtures == nil {
		opts.Fixtures, opts.FixturesLabel = fixtures.Default(), "built-in fixtures"
	}
	load := func() (store.Fixtures, error) {
		fx, err := fixtures.Load(opts.Fixtures, opts.FixturesLabel, opts.Clock.Now())
		if err != nil {
			return store.Fixtures{}, fmt.Errorf("load fixtures: %w", err)
		}
		return fx, nil
	}
	// At start-up a large agents file is decoded while the store is seeded
	// from it (fixtures.Stream): the two overlap on a multi-core machine.
	fx, err := fixtures.Stream(opts.Fixtures, opts.FixturesLabel, opts.Clock.Now())
	if err != nil {
		return nil, fmt.Errorf("load fixtures: %w", err)
	}
	agents := len(fx.Agents)
	if batches := fx.AgentBatches; batches != nil {
		fx.AgentBatches = func(put func([]model.Agent) error) error {
			return batches(func(b []model.Agent) error { agents += len(b); return put(b) })
		}
	}
	if opts.JournalSize <= 0 {
		opts.JournalSize = DefaultJournalSize
	}
	st, err := store.Open(ctx, store.Options{Path: opts.DBPath, Now: opts.Clock.Now, JobPolicy: opts.JobPolicy, Seed: &fx})
	if fe, ok := errors.AsType[*fixtures.FileError](err); ok {
		return nil, fmt.Errorf("load fixtures: %w", fe)
	}
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	if st.SeededOnOpen() {
		opts.Logger.InfoContext(ctx, "seeded database", "agents", agents, "job_types", len(fx.JobTypes), "fixtures", opts.FixturesLabel)
	}
	// Decoding and seeding leave garbage the size of the fixture files;
	// hand it back to the OS now rather than whenever the scavenger gets to it.
	debug.FreeOSMemory()
	a := &App{
		Store:    st,
		Clock:    opts.Clock,
		Journal:  journal.New(opts.JournalSize, opts.JournalBytes),
		Faults:   &fault.Set{},
		Fixtures: load,
	}
	deps := api.Deps{Store: st, Clock: a.Clock, Journal: a.Journal, Faults: a.Faults, Fixtures: load}
	if opts.API.Auth == api.AuthOAuth || opts.API.Auth == api.AuthBasicOAuth {
		opts.OAuth.Now = a.Clock.Now
		deps.OAuth = oauth.New(opts.OAuth)
	}
	a.Server = api.NewServer(opts.Logger, opts.API, deps)
	a.Handler = a.Server
	return a, nil
}

// Close closes the store (deleting an ephemeral database).
func (a *App) Close() error { return a.Store.Close() }
