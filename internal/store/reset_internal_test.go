package store

import (
	"context"
	"errors"
	"testing"

	"github.com/mockcommand/mockcommand/internal/fixturegen"
	"github.com/mockcommand/mockcommand/internal/model"
)

// A bulk reset enlarges the writer's page cache, which is the connection's
// and survives a rollback: a reset that fails halfway must give it back
// too, and leave the state as it was.
func TestReset_FailedBulkLoadGivesBackThePageCache(t *testing.T) {
	ctx := context.Background()
	st, err := Open(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Reset(ctx, model.Fixtures{Agents: fixturegen.Agents(10, 1)}, "test"); err != nil {
		t.Fatal(err)
	}
	failed := errors.New("the fixture file went away")
	err = st.Reset(ctx, model.Fixtures{AgentBatches: func(put func([]model.Agent) error) error {
		if err := put(fixturegen.Agents(bulkLoadThreshold, 2)); err != nil {
			return err
		}
		return failed
	}}, "test")
	if !errors.Is(err, failed) {
		t.Fatalf("Reset = %v, want the stream's error", err)
	}
	var pages int
	if err := st.write.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if pages != -2000 {
		t.Errorf("writer's cache_size after the failed reset = %d, want -2000", pages)
	}
	agents, err := st.ListAgents(ctx, ListOptions{Page: 1, Limit: 100})
	if err != nil || len(agents) != 10 {
		t.Errorf("after the failed reset: %d agents, %v; want the 10 from before", len(agents), err)
	}
}
