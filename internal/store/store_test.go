package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mockcommand/mockcommand/internal/fixturegen"
	"github.com/mockcommand/mockcommand/internal/model"
	"github.com/mockcommand/mockcommand/internal/store"
)

func TestOpen_PersistentDatabaseKeepsStateAndSeedMarker(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "persist.db")
	st, err := store.Open(ctx, store.Options{Path: path, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	if at, source := st.SeedState(); !at.IsZero() || source != "" {
		t.Fatalf("new database: SeedState = %v, %q; want never seeded", at, source)
	}
	mustReset(t, st, model.Fixtures{Agents: []model.Agent{agent("11111111-1111-1111-1111-111111111111", "a", 2, "LOGS")}})
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	st, err = store.Open(ctx, store.Options{Path: path, Now: func() time.Time { return testNow }}) // migrations run again, idempotently
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer st.Close()
	if at, source := st.SeedState(); !at.Equal(testNow) || source != "test" {
		t.Fatalf("reopened database: SeedState = %v, %q; want seeded at %v from the source mustReset gives", at, source, testNow)
	}
	a, err := st.GetAgent(ctx, "11111111-1111-1111-1111-111111111111")
	if err != nil {
		t.Fatalf("agent lost across reopen: %v", err)
	}
	if got := *a.ClientMachine; got != "a" {
		t.Errorf("ClientMachine = %q, want a", got)
	}
}

func TestOpen_EphemeralDatabaseIsRemovedOnClose(t *testing.T) {
	st, err := store.Open(context.Background(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	path := store.DBPath(st)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("ephemeral database file missing while open: %v", err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Dir(path)); !os.IsNotExist(err) {
		t.Fatalf("ephemeral directory %s still exists after Close (err %v)", filepath.Dir(path), err)
	}
}

func TestReset_ReplacesEverythingAndKeepsFetchLogs(t *testing.T) {
	ctx := context.Background()
	st := mustOpenStore(t)
	mustReset(t, st, model.Fixtures{
		Agents:   []model.Agent{agent("11111111-1111-1111-1111-111111111111", "old", 2, "LOGS")},
		JobTypes: []model.JobType{{JobTypeName: "Old"}},
	})
	if _, err := st.ScheduleJob(ctx, store.ScheduleJobInput{AgentId: "11111111-1111-1111-1111-111111111111", JobTypeName: "FetchLogs"}); err != nil {
		t.Fatal(err)
	}
	mustReset(t, st, model.Fixtures{Agents: []model.Agent{agent("22222222-2222-2222-2222-222222222222", "new", 1)}})

	if ids := listIDs(t, st, store.ListOptions{}); len(ids) != 1 || ids[0] != "22222222-2222-2222-2222-222222222222" {
		t.Errorf("agents after reset = %v, want only the new one", ids)
	}
	types, err := st.ListJobTypes(ctx, store.ListOptions{Page: 1, Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	if len(types) != 1 || types[0].JobTypeName != model.FetchLogsJobTypeName || types[0].Id != model.FetchLogsJobTypeID {
		t.Errorf("job types after reset = %+v, want only the built-in FetchLogs", types)
	}
	jobs, err := st.ListScheduledJobs(ctx, store.ListOptions{Page: 1, Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 0 {
		t.Errorf("jobs after reset = %d, want 0", len(jobs))
	}
}

func TestSeed_UpsertsAgentsAndTheirCapabilities(t *testing.T) {
	ctx := context.Background()
	st := mustOpenStore(t)
	id := "33333333-3333-3333-3333-333333333333"
	mustReset(t, st, model.Fixtures{Agents: []model.Agent{agent(id, "before", 2, "LOGS", "Old")}})
	if _, err := st.Seed(ctx, model.Fixtures{Agents: []model.Agent{agent(strings33Upper(id), "after", 3, "New")}}); err != nil {
		t.Fatal(err)
	}
	a, err := st.GetAgent(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if *a.ClientMachine != "after" || a.Status != 3 || len(a.Capabilities) != 1 || a.Capabilities[0] != "New" {
		t.Errorf("agent after seed = %q status %d caps %v, want after/3/[New]", *a.ClientMachine, a.Status, a.Capabilities)
	}
	// The capability table was replaced too, not only the JSON copy.
	if ids := listIDs(t, st, store.ListOptions{Query: `Capabilities -contains "LOGS"`}); len(ids) != 0 {
		t.Errorf("old capability LOGS still matches: %v", ids)
	}
	if ids := listIDs(t, st, store.ListOptions{Query: `Capabilities -contains "new"`}); len(ids) != 1 {
		t.Errorf("new capability does not match: %v", ids)
	}
}

func strings33Upper(id string) string {
	b := []byte(id)
	for i, c := range b {
		if c >= 'a' && c <= 'f' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// TestCheckpointer_CopiesTheLogBackWhileOpen: the writer does not
// checkpoint in its commits; the checkpointer does, in the background: a
// write of several megabytes reaches the database file itself, not only
// its write-ahead log, while the store stays open.
func TestCheckpointer_CopiesTheLogBackWhileOpen(t *testing.T) {
	st := mustOpenStore(t)
	path := store.DBPath(st)
	before, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	mustReset(t, st, model.Fixtures{Agents: fixturegen.Agents(6000, 1)})
	deadline := time.Now().Add(10 * time.Second)
	for {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() > before.Size()+4<<20 {
			return
		}
		if time.Now().After(deadline) {
			wal, _ := os.Stat(path + "-wal")
			t.Fatalf("database file still %d bytes (was %d; log %d bytes) 10 s after the write", fi.Size(), before.Size(), wal.Size())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
