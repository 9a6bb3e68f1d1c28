package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/mockcommand/mockcommand/internal/clock"
	"github.com/mockcommand/mockcommand/internal/model"
	"github.com/mockcommand/mockcommand/internal/store"
)

// TestRunDue_ClockJumpRunsOnceAtTheDueTime: after a jump of an hour, a job
// every 10 minutes runs once (missed runs are skipped), stamped with the
// time it fell due, and reading again does not run it again.
func TestRunDue_ClockJumpRunsOnceAtTheDueTime(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	clk := clock.New()
	clk.Set(t0, true)
	st, err := store.Open(ctx, store.Options{Path: filepath.Join(t.TempDir(), "t.db"), Now: clk.Now, JobPolicy: store.JobPolicy{Immediate: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	mustReset(t, st, store.Fixtures{Agents: []model.Agent{agent(idA, "web01", 2, "LOGS")}})
	job, err := st.ScheduleJob(ctx, store.ScheduleJobInput{AgentId: idA, JobTypeName: "FetchLogs", Schedule: &model.Schedule{Interval: &model.IntervalModel{Minutes: 10}}})
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Hour)
	var runs []model.JobHistory
	for range 3 { // reading repeatedly must not change anything
		if runs, err = st.ListJobHistory(ctx, store.ListOptions{Query: `JobId -eq "` + job.JobId + `"`, Page: 1, Limit: 50}); err != nil {
			t.Fatal(err)
		}
	}
	type run struct {
		status     int
		start, end string
	}
	want := []run{
		{model.JobStatusCompleted, "2026-12-01T10:00:00.000Z", "2026-12-01T10:00:00.000Z"},
		{model.JobStatusCompleted, "2026-12-01T10:10:00.000Z", "2026-12-01T10:10:00.000Z"},
		{model.JobStatusWaiting, "2026-12-01T11:10:00.000Z", ""},
	}
	if len(runs) != len(want) {
		t.Fatalf("%d runs, want %d: %+v", len(runs), len(want), runs)
	}
	for i, r := range runs {
		end := ""
		if r.OperationEnd != nil {
			end = r.OperationEnd.String()
		}
		if got := (run{r.Status, r.OperationStart.String(), end}); got != want[i] {
			t.Errorf("run %d = %+v, want %+v", i, got, want[i])
		}
	}
	a, err := st.GetAgent(ctx, idA)
	if err != nil {
		t.Fatal(err)
	}
	if got := a.LastSeen.String(); got != "2026-12-01T10:10:00.000Z" {
		t.Errorf("LastSeen = %s, want the last run's time", got)
	}
}
