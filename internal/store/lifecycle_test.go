package store_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mockcommand/mockcommand/internal/clock"
	"github.com/mockcommand/mockcommand/internal/model"
	"github.com/mockcommand/mockcommand/internal/store"
)

// TestCompleteDueRuns_ClockJumpRunsOnceAtTheDueTime: after a jump of an
// hour, a job every 10 minutes runs once (missed runs are skipped),
// stamped with the time it fell due; completing due runs again finds none
// and commits no change (the store generation stays).
func TestCompleteDueRuns_ClockJumpRunsOnceAtTheDueTime(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	clk := clock.New()
	clk.Set(t0, true)
	st, err := store.Open(ctx, store.Options{Path: filepath.Join(t.TempDir(), "t.db"), Now: clk.Now, RunPolicy: store.RunPolicy{All: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	mustReset(t, st, model.Fixtures{Agents: []model.Agent{agent(idA, "web01", 2, "LOGS")}})
	job, err := st.ScheduleJob(ctx, store.ScheduleJobInput{AgentId: idA, JobTypeName: "FetchLogs", Schedule: &model.Schedule{Interval: &model.IntervalModel{Minutes: 10}}})
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Hour)
	if n, err := st.CompleteDueRuns(ctx); err != nil || n != 1 {
		t.Fatalf("CompleteDueRuns = %d, %v; want the one run due at 10:10", n, err)
	}
	gen := st.Generation()
	for range 3 { // nothing more is due: no run, and no change
		if n, err := st.CompleteDueRuns(ctx); err != nil || n != 0 {
			t.Fatalf("CompleteDueRuns again = %d, %v; want 0", n, err)
		}
	}
	if got := st.Generation(); got != gen {
		t.Errorf("Generation moved from %d to %d on writes that changed nothing", gen, got)
	}
	runs, err := st.ListJobHistory(ctx, store.ListOptions{Query: `JobId -eq "` + job.JobId + `"`, Page: 1, Limit: 50})
	if err != nil {
		t.Fatal(err)
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

// TestCompleteDueRuns_PickupDelayAndScripts: with a pickup delay a due run
// waits until due time plus the delay and then shows that as its start
// and end; a policy with scripts only completes the job types they name,
// as scripted.
func TestCompleteDueRuns_PickupDelayAndScripts(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	clk := clock.New()
	clk.Set(t0, true)
	msg := "disk full"
	st, err := store.Open(ctx, store.Options{Path: filepath.Join(t.TempDir(), "t.db"), Now: clk.Now, RunPolicy: store.RunPolicy{
		Delay:   5 * time.Second,
		Scripts: map[string]model.Completion{"fetchlogs": {Result: model.JobResultFailure, Message: &msg}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	mustReset(t, st, model.Fixtures{Agents: []model.Agent{agent(idA, "web01", 2, "LOGS", "Reboot")}, JobTypes: []model.JobType{{JobTypeName: "Reboot"}}})
	logs, err := st.ScheduleJob(ctx, store.ScheduleJobInput{AgentId: idA, JobTypeName: "FetchLogs"})
	if err != nil {
		t.Fatal(err)
	}
	reboot, err := st.ScheduleJob(ctx, store.ScheduleJobInput{AgentId: idA, JobTypeName: "Reboot"})
	if err != nil {
		t.Fatal(err)
	}
	// Known without a query: the FetchLogs run is picked up at 10:00:05.
	if st.MayBeDue(t0.Add(5*time.Second-time.Millisecond)) || !st.MayBeDue(t0.Add(5*time.Second)) {
		t.Fatal("MayBeDue does not say the first pickup is at 10:00:05")
	}
	clk.Advance(4 * time.Second)
	if n, err := st.CompleteDueRuns(ctx); err != nil || n != 0 {
		t.Fatalf("before the pickup: CompleteDueRuns = %d, %v; want 0", n, err)
	}
	clk.Advance(time.Hour)
	if n, err := st.CompleteDueRuns(ctx); err != nil || n != 1 {
		t.Fatalf("after the pickup: CompleteDueRuns = %d, %v; want only the scripted FetchLogs run", n, err)
	}
	for _, tc := range []struct {
		job    string
		status int
		result int
		start  string
	}{
		{logs.JobId, model.JobStatusCompleted, model.JobResultFailure, "2026-12-01T10:00:05.000Z"},
		{reboot.JobId, model.JobStatusWaiting, model.JobResultUnknown, "2026-12-01T10:00:00.000Z"},
	} {
		runs, err := st.ListJobHistory(ctx, store.ListOptions{Query: `JobId -eq "` + tc.job + `"`, Page: 1, Limit: 50})
		if err != nil || len(runs) != 1 {
			t.Fatalf("runs of %s: %v, %v", tc.job, runs, err)
		}
		r := runs[0]
		if r.Status != tc.status || r.Result != tc.result || r.OperationStart.String() != tc.start {
			t.Errorf("run of %s: status %d result %d start %s; want %d %d %s", tc.job, r.Status, r.Result, r.OperationStart, tc.status, tc.result, tc.start)
		}
		if tc.status == model.JobStatusCompleted && (r.Message == nil || *r.Message != msg) {
			t.Errorf("scripted run's Message = %v, want %q", r.Message, msg)
		}
	}
	if st.MayBeDue(t0.AddDate(100, 0, 0)) {
		t.Error("MayBeDue after: true, but the only waiting run (Reboot) is not the policy's to complete")
	}
}

// With a pickup delay, orchestrators check in every tenth of a second: a
// run due at 10:00:00.350 with a 5 s delay is picked up at 10:00:05.400. The store
// knows without a query when the next pickup is, and forgets it when the
// policy changes.
func TestCompleteDueRuns_PickupsOnTenthsOfASecond(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 350e6, time.UTC)
	clk := clock.New()
	clk.Set(t0, true)
	st, err := store.Open(ctx, store.Options{Path: filepath.Join(t.TempDir(), "t.db"), Now: clk.Now, RunPolicy: store.RunPolicy{All: true, Delay: 5 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	mustReset(t, st, model.Fixtures{Agents: []model.Agent{agent(idA, "web01", 2, "LOGS")}})
	if st.MayBeDue(t0.AddDate(1, 0, 0)) {
		t.Fatal("MayBeDue after a reset: true, but no run waits")
	}
	job, err := st.ScheduleJob(ctx, store.ScheduleJobInput{AgentId: idA, JobTypeName: "FetchLogs"})
	if err != nil {
		t.Fatal(err)
	}
	pickup := time.Date(2026, 12, 1, 10, 0, 5, 400e6, time.UTC)
	if st.MayBeDue(pickup.Add(-time.Millisecond)) || !st.MayBeDue(pickup) {
		t.Fatalf("MayBeDue does not put the pickup at %v", pickup)
	}
	clk.Set(pickup.Add(-time.Millisecond), true)
	if n, err := st.CompleteDueRuns(ctx); err != nil || n != 0 {
		t.Fatalf("a millisecond before the check-in: CompleteDueRuns = %d, %v; want 0", n, err)
	}
	clk.Set(pickup.Add(70*time.Millisecond), true)
	if n, err := st.CompleteDueRuns(ctx); err != nil || n != 1 {
		t.Fatalf("after the check-in: CompleteDueRuns = %d, %v; want 1", n, err)
	}
	runs, err := st.ListJobHistory(ctx, store.ListOptions{Query: `JobId -eq "` + job.JobId + `"`, Page: 1, Limit: 5})
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs: %v, %v", runs, err)
	}
	if r := runs[0]; !r.OperationStart.Equal(pickup) || r.OperationEnd == nil || !r.OperationEnd.Equal(pickup) {
		t.Errorf("run started %v, ended %v; want both at the check-in %v", r.OperationStart, r.OperationEnd, pickup)
	}
	if st.MayBeDue(pickup.AddDate(1, 0, 0)) {
		t.Error("MayBeDue after every run completed: true")
	}
	st.SetRunPolicy(store.RunPolicy{})
	if !st.MayBeDue(pickup) {
		t.Error("MayBeDue after a policy change: false; the store must look again")
	}
}

// TestCompleteDueRuns_ManyKindsInOneBatch: one check-in completes, at once,
// runs of one-shot, recurring, scripted-retry and FetchLogs jobs on two
// agents: each run ends as its kind says, a recurring job and a retried
// one get their next run, one-shot jobs leave the schedule, and each
// agent's LastSeen is its latest pickup.
func TestCompleteDueRuns_ManyKindsInOneBatch(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	clk := clock.New()
	clk.Set(t0, true)
	msg := "will retry"
	st, err := store.Open(ctx, store.Options{Path: filepath.Join(t.TempDir(), "t.db"), Now: clk.Now, RunPolicy: store.RunPolicy{
		All: true, Delay: 5 * time.Second,
		Scripts: map[string]model.Completion{"flaky": {Result: model.JobResultFailure, Message: &msg, Retry: true}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a, b := agent(idA, "web01", 2, "LOGS", "Flaky", "Plain"), agent(idB, "web02", 2, "LOGS", "Plain")
	a.LastSeen, b.LastSeen = model.NewTime(t0.Add(-time.Hour)), model.NewTime(t0.Add(-time.Hour))
	mustReset(t, st, model.Fixtures{Agents: []model.Agent{a, b}, JobTypes: []model.JobType{{JobTypeName: "Flaky"}, {JobTypeName: "Plain"}}})
	type job struct {
		id, agent, kind string
	}
	var jobs []job
	for i := range 12 {
		ag := []string{idA, idB}[i%2]
		kind := []string{"Plain", "FetchLogs", "Plain-every-10m", "Flaky"}[i%4]
		if kind == "Flaky" && ag == idB {
			kind = "Plain"
		}
		in := store.ScheduleJobInput{AgentId: ag, JobTypeName: strings.TrimSuffix(kind, "-every-10m")}
		if kind == "Plain-every-10m" {
			in.Schedule = &model.Schedule{Interval: &model.IntervalModel{Minutes: 10}}
		}
		clk.Advance(5 * time.Millisecond) // due 10:00:00.005–0.060
		r, err := st.ScheduleJob(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		jobs = append(jobs, job{r.JobId, ag, kind})
	}
	clk.Set(t0.Add(7*time.Second), true)
	if n, err := st.CompleteDueRuns(ctx); err != nil || n != 12 {
		t.Fatalf("CompleteDueRuns = %d, %v; want the 12 runs", n, err)
	}
	pickup := "2026-12-01T10:00:05.100Z" // the first tenth of a second at least 5 s after they fell due
	scheduled, err := st.ListScheduledJobs(ctx, store.ListOptions{Page: 1, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	stillScheduled := map[string]bool{}
	for _, j := range scheduled {
		stillScheduled[j.Id] = true
	}
	for _, j := range jobs {
		runs, err := st.ListJobHistory(ctx, store.ListOptions{Query: `JobId -eq "` + j.id + `"`, SortField: "JobHistoryId", Page: 1, Limit: 10})
		if err != nil || len(runs) == 0 {
			t.Fatalf("runs of %s: %v, %v", j.kind, runs, err)
		}
		r := runs[0]
		if r.OperationStart.String() != pickup || r.OperationEnd == nil || r.OperationEnd.String() != pickup {
			t.Errorf("%s: run %v–%v, want both at %s", j.kind, r.OperationStart, r.OperationEnd, pickup)
		}
		wantRuns, wantStatus, wantResult, recurring := 1, model.JobStatusCompleted, model.JobResultSuccess, false
		switch j.kind {
		case "Plain-every-10m":
			wantRuns, recurring = 2, true
		case "Flaky":
			wantRuns, wantStatus, wantResult, recurring = 2, model.JobStatusCompletedWillRetry, model.JobResultFailure, true
			if r.Message == nil || *r.Message != msg {
				t.Errorf("Flaky: Message %v, want %q", r.Message, msg)
			}
		case "FetchLogs":
			if d, err := st.JobResultData(ctx, r.JobHistoryId); err != nil || d.Data == nil || !strings.Contains(*d.Data, j.id) {
				t.Errorf("FetchLogs: Data %+v, %v; want a log naming the job", d, err)
			}
		}
		if len(runs) != wantRuns || r.Status != wantStatus || r.Result != wantResult {
			t.Errorf("%s: %d runs, first status %d result %d; want %d runs, %d, %d", j.kind, len(runs), r.Status, r.Result, wantRuns, wantStatus, wantResult)
		}
		if wantRuns == 2 && runs[1].Status != model.JobStatusWaiting {
			t.Errorf("%s: the following run is %d, want Waiting", j.kind, runs[1].Status)
		}
		if stillScheduled[j.id] != recurring {
			t.Errorf("%s: scheduled %v, want %v", j.kind, stillScheduled[j.id], recurring)
		}
	}
	for _, id := range []string{idA, idB} { // LastSeen is kept to the second
		if a, err := st.GetAgent(ctx, id); err != nil || a.LastSeen.String() != "2026-12-01T10:00:05.000Z" {
			t.Errorf("agent %s LastSeen %v, %v; want the pickup's second", id, a.LastSeen, err)
		}
	}
}
