package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/mockcommand/mockcommand/internal/model"
	"github.com/mockcommand/mockcommand/internal/store"
)

func TestOpen_PersistentDatabaseKeepsStateAndSeedMarker(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "persist.db")
	st, err := store.Open(ctx, store.Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	if seeded, err := st.Seeded(ctx); err != nil || seeded {
		t.Fatalf("new database: Seeded = %v, %v; want false", seeded, err)
	}
	mustReset(t, st, store.Fixtures{Agents: []model.Agent{agent("11111111-1111-1111-1111-111111111111", "a", 2, "LOGS")}})
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	st, err = store.Open(ctx, store.Options{Path: path}) // migrations run again, idempotently
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer st.Close()
	if seeded, err := st.Seeded(ctx); err != nil || !seeded {
		t.Fatalf("reopened database: Seeded = %v, %v; want true", seeded, err)
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
	path := st.Path()
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
	mustReset(t, st, store.Fixtures{
		Agents:   []model.Agent{agent("11111111-1111-1111-1111-111111111111", "old", 2, "LOGS")},
		JobTypes: []model.JobType{{JobTypeName: "Old"}},
	})
	if _, err := st.ScheduleJob(ctx, store.ScheduleJobInput{AgentId: "11111111-1111-1111-1111-111111111111", JobTypeName: "FetchLogs"}); err != nil {
		t.Fatal(err)
	}
	mustReset(t, st, store.Fixtures{Agents: []model.Agent{agent("22222222-2222-2222-2222-222222222222", "new", 1)}})

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
	mustReset(t, st, store.Fixtures{Agents: []model.Agent{agent(id, "before", 2, "LOGS", "Old")}})
	if _, err := st.Seed(ctx, store.Fixtures{Agents: []model.Agent{agent(strings33Upper(id), "after", 3, "New")}}); err != nil {
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

func TestFixturesNormalize_Errors(t *testing.T) {
	tests := []struct {
		name string
		f    store.Fixtures
		want string
	}{
		{"duplicate agent id", store.Fixtures{Agents: []model.Agent{
			agent("44444444-4444-4444-4444-444444444444", "a", 2),
			agent("44444444-4444-4444-4444-444444444444", "b", 2),
		}}, "Agents[1]: AgentId 44444444-4444-4444-4444-444444444444 is also used by Agents[0]."},
		{"bad status", store.Fixtures{Agents: []model.Agent{agent("", "a", 9)}},
			"Agents[0]: Status 9 is not an agent status; use 1 (New), 2 (Approved) or 3 (Disapproved)."},
		{"bad guid", store.Fixtures{Agents: []model.Agent{agent("not-a-guid", "a", 2)}},
			`Agents[0]: AgentId "not-a-guid" is not a GUID`},
		{"duplicate job type name", store.Fixtures{JobTypes: []model.JobType{{JobTypeName: "A"}, {JobTypeName: "a"}}},
			`JobTypes[1]: JobTypeName "a" is also used by JobTypes[0].`},
		{"FetchLogs redefined", store.Fixtures{JobTypes: []model.JobType{{JobTypeName: "fetchlogs"}}},
			"JobTypes[0]: FetchLogs is built in and cannot be defined."},
		{"default does not fit", store.Fixtures{JobTypes: []model.JobType{{JobTypeName: "X", JobTypeFields: []model.JobTypeField{
			{Name: "N", Type: model.TypeInt, DefaultValue: model.S("ten")},
		}}}}, `JobTypes[0]: JobTypeFields[0] (N): DefaultValue "ten" is not a valid Int`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.f.Normalize(testNow)
			if err == nil {
				t.Fatalf("Normalize succeeded, want error %q", tt.want)
			}
			if got := err.Error(); len(got) < len(tt.want) || got[:len(tt.want)] != tt.want {
				t.Errorf("error = %q, want prefix %q", got, tt.want)
			}
			if kindOf(err) != model.Invalid {
				t.Errorf("kind = %v, want Invalid", kindOf(err))
			}
		})
	}
}

func TestFixturesNormalize_FillsDefaults(t *testing.T) {
	f := store.Fixtures{Agents: []model.Agent{{Status: 1, Capabilities: []string{" LOGS ", "logs", "", "X"}}}}
	if err := f.Normalize(testNow); err != nil {
		t.Fatal(err)
	}
	a := f.Agents[0]
	if _, err := model.NormalizeGUID(a.AgentId); err != nil {
		t.Errorf("generated AgentId %q is not a GUID", a.AgentId)
	}
	if !a.LastSeen.Equal(testNow) {
		t.Errorf("LastSeen = %v, want the clock's now %v", a.LastSeen, testNow)
	}
	if got := a.Capabilities; len(got) != 2 || got[0] != "LOGS" || got[1] != "X" {
		t.Errorf("Capabilities = %q, want [LOGS X]", got)
	}
}
