package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/mockcommand/mockcommand/internal/model"
	"github.com/mockcommand/mockcommand/internal/store"
)

// testNow is the frozen clock of store tests.
var testNow = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// mustOpenStore opens a store on a fresh file under t.TempDir.
func mustOpenStore(tb testing.TB) *store.Store {
	tb.Helper()
	st, err := store.Open(context.Background(), store.Options{
		Path: filepath.Join(tb.TempDir(), "test.db"),
		Now:  func() time.Time { return testNow },
	})
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() {
		if err := st.Close(); err != nil {
			tb.Errorf("close store: %v", err)
		}
	})
	return st
}

// mustReset seeds st with f.
func mustReset(tb testing.TB, st *store.Store, f model.Fixtures) {
	tb.Helper()
	if err := st.Reset(context.Background(), f, "test"); err != nil {
		tb.Fatalf("reset: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }

// agent builds a minimal fixture agent.
func agent(id, machine string, status int, caps ...string) model.Agent {
	return model.Agent{AgentId: id, ClientMachine: ptr(machine), Status: status, AgentPlatform: 7, Capabilities: caps}
}

// listIDs lists agents with opts and returns their ids in order.
func listIDs(tb testing.TB, st *store.Store, opts store.ListOptions) []string {
	tb.Helper()
	if opts.Page == 0 {
		opts.Page = 1
	}
	if opts.Limit == 0 {
		opts.Limit = 1000
	}
	agents, err := st.ListAgents(context.Background(), opts)
	if err != nil {
		tb.Fatalf("ListAgents(%+v): %v", opts, err)
	}
	ids := make([]string, len(agents))
	for i, a := range agents {
		ids[i] = a.AgentId
	}
	return ids
}

func kindOf(err error) model.Kind { return model.KindOf(err) }
