// Package app wires the mock together: it opens the store, loads and seeds
// the fixtures, sets up the mock's controls and builds the HTTP handler.
// The mockcommand command and the commandtest package both start the mock
// through New, so there is one code path.
package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/mockcommand/mockcommand/fixtures"
	"github.com/mockcommand/mockcommand/internal/api"
	"github.com/mockcommand/mockcommand/internal/clock"
	"github.com/mockcommand/mockcommand/internal/fault"
	"github.com/mockcommand/mockcommand/internal/journal"
	"github.com/mockcommand/mockcommand/internal/mock"
	"github.com/mockcommand/mockcommand/internal/model"
	"github.com/mockcommand/mockcommand/internal/oauth"
	"github.com/mockcommand/mockcommand/internal/seed"
	"github.com/mockcommand/mockcommand/internal/store"
)

// Options configures New.
type Options struct {
	DBPath        string     // "" for an ephemeral database
	Fixtures      fs.FS      // nil for the built-in fixtures
	FixturesLabel string     // names the fixture source in errors
	API           api.Config // protocol settings
	Logger        *slog.Logger
	Clock         *clock.Clock // nil for a new real-time clock
	JournalSize   int          // requests the journal keeps; 0 for DefaultJournalSize
	JournalBytes  int          // body bytes the journal keeps; 0 for journal.DefaultMaxBytes
	JobMode       mock.JobMode // how due job runs complete; the zero value is mock.ModeCheckIn
	OAuth         oauth.Config // the token service, used when API.Auth takes bearer tokens (Now is set to the clock)
}

// DefaultJournalSize is how many requests the journal keeps by default.
const DefaultJournalSize = 5000

// App is a running mock without its listener.
type App struct {
	Mock    *mock.Mock
	Handler http.Handler
	Server  *api.Server // the same handler, for its controls (StopDelays)
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
	if opts.JobMode.Mode == "" {
		opts.JobMode.Mode = mock.ModeCheckIn
	}
	if err := opts.API.Normalize(); err != nil {
		return nil, err
	}
	if opts.Fixtures == nil {
		opts.Fixtures, opts.FixturesLabel = fixtures.Default(), "built-in fixtures"
	}
	load := func(now time.Time) (model.Fixtures, string, error) {
		return seed.Load(opts.Fixtures, opts.FixturesLabel, now)
	}
	// At start-up a large agents file is decoded while the store is seeded
	// from it (seed.Stream): the two overlap on a multi-core machine.
	fx, source, err := seed.Stream(opts.Fixtures, opts.FixturesLabel, opts.Clock.Now())
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
	st, err := store.Open(ctx, store.Options{Path: opts.DBPath, Now: opts.Clock.Now, Seed: &fx, SeedSource: source, Logger: opts.Logger})
	if fe, ok := errors.AsType[*seed.FileError](err); ok {
		return nil, fmt.Errorf("load fixtures: %w", fe)
	}
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	logSeed(ctx, opts.Logger, st, agents, len(fx.JobTypes), source)
	if agents > 1000 {
		// Decoding and seeding leave garbage the size of the fixture files;
		// hand it back to the OS now rather than whenever the scavenger
		// gets to it.
		debug.FreeOSMemory()
	}
	m, err := mock.New(mock.Options{
		Store: st, Clock: opts.Clock, Journal: journal.New(opts.JournalSize, opts.JournalBytes),
		Faults: &fault.Set{}, Fixtures: load, Mode: opts.JobMode,
	})
	if err != nil {
		_ = st.Close()
		return nil, fmt.Errorf("job mode: %w", err)
	}
	var tokens *oauth.Server
	if opts.API.Auth == api.AuthOAuth || opts.API.Auth == api.AuthBasicOAuth {
		opts.OAuth.Now = opts.Clock.Now
		tokens = oauth.New(opts.OAuth)
	}
	srv := api.NewServer(opts.Logger, opts.API, m, tokens)
	return &App{Mock: m, Handler: srv, Server: srv}, nil
}

// logSeed says whether the store was seeded now, or keeps the state of an
// earlier run: then, if that run was seeded from other fixtures than
// these, it says so, since they are not loaded.
func logSeed(ctx context.Context, logger *slog.Logger, st *store.Store, agents, jobTypes int, source string) {
	if st.SeededOnOpen() {
		logger.InfoContext(ctx, "seeded database", "agents", agents, "job_types", jobTypes, "fixtures", source)
		return
	}
	at, was := st.SeedState()
	if was == source {
		logger.InfoContext(ctx, "database already seeded; keeping its state", "seeded", at, "fixtures", was)
		return
	}
	logger.WarnContext(ctx, "the database keeps the state it was seeded with earlier; these fixtures are not loaded (POST /_mock/reset loads them, or start with a new --db)",
		"seeded", at, "seeded_from", was, "fixtures", source)
}

// Close closes the store (deleting an ephemeral database).
func (a *App) Close() error { return a.Mock.Store().Close() }
