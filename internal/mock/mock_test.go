package mock_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mockcommand/mockcommand/internal/clock"
	"github.com/mockcommand/mockcommand/internal/fault"
	"github.com/mockcommand/mockcommand/internal/journal"
	"github.com/mockcommand/mockcommand/internal/mock"
	"github.com/mockcommand/mockcommand/internal/model"
	"github.com/mockcommand/mockcommand/internal/store"
)

var t0 = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

const agentID = "11111111-1111-4111-8111-111111111111"

// fixtures is one approved orchestrator that can run FetchLogs and Reboot.
func fixtures(time.Time) (model.Fixtures, string, error) {
	host := "web01"
	return model.Fixtures{
		Agents:   []model.Agent{{AgentId: agentID, ClientMachine: &host, Status: model.AgentApproved, AgentPlatform: 7, Capabilities: []string{"LOGS", "Reboot"}}},
		JobTypes: []model.JobType{{JobTypeName: "Reboot"}},
	}, "test fixtures", nil
}

// newMock starts the controls over a real store on a file, with the clock
// frozen at t0 and the given job mode.
func newMock(t *testing.T, mode mock.JobMode, load mock.Loader) (*mock.Mock, *clock.Clock) {
	t.Helper()
	clk := clock.New()
	clk.Set(t0, true)
	fx, source, err := fixtures(t0)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), store.Options{Path: filepath.Join(t.TempDir(), "m.db"), Now: clk.Now, Seed: &fx, SeedSource: source})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	m, err := mock.New(mock.Options{Store: st, Clock: clk, Journal: journal.New(10, 0), Faults: &fault.Set{}, Fixtures: load, Mode: mode})
	if err != nil {
		t.Fatal(err)
	}
	return m, clk
}

func schedule(t *testing.T, m *mock.Mock, jobType string) model.JobResponse {
	t.Helper()
	job, err := m.Store().ScheduleJob(context.Background(), store.ScheduleJobInput{AgentId: agentID, JobTypeName: jobType})
	if err != nil {
		t.Fatal(err)
	}
	return job
}

// run returns the job's only run.
func run(t *testing.T, m *mock.Mock, jobID string) model.JobHistory {
	t.Helper()
	runs, err := m.Store().ListJobHistory(context.Background(), store.ListOptions{Query: `JobId -eq "` + jobID + `"`, Page: 1, Limit: 10})
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs of %s: %+v, %v", jobID, runs, err)
	}
	return runs[0]
}

// In the default checkin mode a due run waits for its orchestrator's
// check-in, PickupDelay later, then completes, stamped with that time.
func TestRunDue_CheckInMode(t *testing.T) {
	ctx := context.Background()
	m, clk := newMock(t, mock.JobMode{Mode: mock.ModeCheckIn, PickupDelay: 30 * time.Second}, fixtures)
	job := schedule(t, m, "Reboot")
	clk.Advance(29 * time.Second)
	if err := m.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	if r := run(t, m, job.JobId); r.Status != model.JobStatusWaiting {
		t.Fatalf("before the check-in: status %d, want Waiting", r.Status)
	}
	clk.Advance(time.Minute)
	if err := m.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	r := run(t, m, job.JobId)
	pickup := t0.Add(30 * time.Second)
	if r.Status != model.JobStatusCompleted || r.Result != model.JobResultSuccess || !r.OperationStart.Equal(pickup) || r.OperationEnd == nil || !r.OperationEnd.Equal(pickup) {
		t.Errorf("after the check-in: %+v; want Completed Success started and ended at %v", r, pickup)
	}
}

// A read must not write: in the manual mode with a script for another job
// type, a due run no script covers stays waiting, and checking for due
// runs again and again commits nothing (the store generation, which every
// response cache keys on, stays).
func TestRunDue_ReadsDoNotWrite(t *testing.T) {
	ctx := context.Background()
	m, clk := newMock(t, mock.JobMode{Mode: mock.ModeManual, Scripts: map[string]model.Completion{"FetchLogs": {}}}, fixtures)
	job := schedule(t, m, "Reboot")
	clk.Advance(time.Hour)
	gen := m.Store().Generation()
	for range 5 {
		if err := m.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got := m.Store().Generation(); got != gen {
		t.Errorf("five due-run checks moved the generation from %d to %d; a run no script covers must not cause writes", gen, got)
	}
	if r := run(t, m, job.JobId); r.Status != model.JobStatusWaiting {
		t.Errorf("the unscripted run: status %d, want Waiting", r.Status)
	}
	logs := schedule(t, m, "FetchLogs") // scripted: completes as soon as a check runs
	if err := m.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	if r := run(t, m, logs.JobId); r.Status != model.JobStatusCompleted || r.Result != model.JobResultSuccess {
		t.Errorf("the scripted FetchLogs run: %+v, want Completed Success", r)
	}
}

// The clock stays within what timestamps can hold, however it is moved;
// a refused change leaves it where it was and the mock keeps working.
func TestChangeClock_Range(t *testing.T) {
	ctx := context.Background()
	m, _ := newMock(t, mock.JobMode{Mode: mock.ModeImmediate}, fixtures)
	last := time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
	if err := m.SetTime(ctx, last); err != nil {
		t.Fatalf("SetTime(%v) = %v; the last day of 9999 is in range", last, err)
	}
	for _, tc := range []struct {
		name   string
		change func() error
	}{
		{"Advance past 9999", func() error { return m.Advance(ctx, 48*time.Hour) }},
		{"SetTime in year 10000", func() error { return m.SetTime(ctx, last.AddDate(1, 0, 0)) }},
		{"SetTime before year 1", func() error { return m.SetTime(ctx, time.Date(0, 12, 31, 0, 0, 0, 0, time.UTC)) }},
	} {
		err := tc.change()
		if model.KindOf(err) != model.Invalid || !strings.Contains(err.Error(), "years 1 to 9999") {
			t.Errorf("%s: %v; want an Invalid error naming the range", tc.name, err)
		}
	}
	if got := m.Now(); !got.Equal(last) {
		t.Errorf("after refused changes the clock reads %v, want %v", got, last)
	}
	if _, err := m.Agent(ctx, agentID); err != nil {
		t.Errorf("the mock after refused clock changes: %v", err)
	}
	for _, c := range []mock.ClockChange{{}, {Real: true, Freeze: new(bool)}, {Now: &last, Advance: new(time.Duration)}} {
		if _, err := m.ChangeClock(ctx, c); model.KindOf(err) != model.Invalid {
			t.Errorf("ChangeClock(%+v) = %v, want Invalid", c, err)
		}
	}
}

func TestSetJobMode_Checks(t *testing.T) {
	ctx := context.Background()
	m, _ := newMock(t, mock.JobMode{Mode: mock.ModeManual}, fixtures)
	for _, tc := range []struct {
		mode mock.JobMode
		want string
	}{
		{mock.JobMode{Mode: "sometimes"}, `Job mode "sometimes" is not checkin, immediate or manual`},
		{mock.JobMode{Mode: "checkin", PickupDelay: -time.Second}, "PickupDelay -1s must be from 0 to 24h0m0s"},
		{mock.JobMode{Mode: "checkin", PickupDelay: 25 * time.Hour}, "PickupDelay 25h0m0s"},
		{mock.JobMode{Mode: "manual", PickupDelay: time.Second}, "PickupDelay applies only to the checkin mode"},
		{mock.JobMode{Mode: "manual", Scripts: map[string]model.Completion{"Reboot": {}, "REBOOT": {}}}, "name the same job type"},
		{mock.JobMode{Mode: "manual", Scripts: map[string]model.Completion{" ": {}}}, "job type name is empty"},
		{mock.JobMode{Mode: "manual", Scripts: map[string]model.Completion{"Reboot": {Result: 9}}}, "Result 9 is not a job result"},
	} {
		err := m.SetJobMode(ctx, tc.mode)
		if model.KindOf(err) != model.Invalid || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("SetJobMode(%+v) = %v, want Invalid %q", tc.mode, err, tc.want)
		}
	}
	if got := m.JobMode(); got.Mode != mock.ModeManual || len(got.Scripts) != 0 {
		t.Errorf("after refused changes the mode is %+v, want the manual mode it had", got)
	}
	if err := m.SetJobMode(ctx, mock.JobMode{Mode: " CheckIn "}); err != nil {
		t.Fatal(err)
	}
	if got := m.JobMode(); got.Mode != mock.ModeCheckIn || got.PickupDelay != mock.DefaultPickupDelay {
		t.Errorf("JobMode = %+v, want checkin with the default delay", got)
	}
}

// A reset whose fixtures no longer load changes nothing: not the state,
// and with all=true not the journal, the fault rules or the clock either.
func TestReset_FailureChangesNothing(t *testing.T) {
	ctx := context.Background()
	broken := errors.New("agents.json: entry 3 (line 40): Status 9 is not an agent status")
	m, clk := newMock(t, mock.JobMode{Mode: mock.ModeManual}, func(time.Time) (model.Fixtures, string, error) {
		return model.Fixtures{}, "", broken
	})
	job := schedule(t, m, "Reboot")
	m.Journal().Add(journal.Entry{Method: "GET", Path: "/KeyfactorAPI/Agents"})
	if _, err := m.Faults().Add(fault.Rule{Status: 500}); err != nil {
		t.Fatal(err)
	}
	err := m.Reset(ctx, true)
	if model.KindOf(err) != model.Unavailable || !strings.Contains(err.Error(), "nothing was reset") || !strings.Contains(err.Error(), broken.Error()) {
		t.Fatalf("Reset = %v; want an Unavailable error saying nothing was reset, and why", err)
	}
	if r := run(t, m, job.JobId); r.Status != model.JobStatusWaiting {
		t.Errorf("the job's run after a failed reset: %+v", r)
	}
	if _, total := m.Journal().List(journal.Filter{}, 0, 0); total != 1 {
		t.Errorf("journal holds %d entries after a failed reset, want the 1 it had", total)
	}
	if n := len(m.Faults().List()); n != 1 {
		t.Errorf("%d fault rules after a failed reset, want 1", n)
	}
	if !clk.Frozen() || !m.Now().Equal(t0) {
		t.Errorf("clock after a failed reset: %v (frozen %v), want frozen at %v", m.Now(), clk.Frozen(), t0)
	}
}

// A reset with all=true returns the state and clears the rest.
func TestReset_All(t *testing.T) {
	ctx := context.Background()
	m, clk := newMock(t, mock.JobMode{Mode: mock.ModeManual}, fixtures)
	schedule(t, m, "Reboot")
	m.Journal().Add(journal.Entry{Method: "GET"})
	if _, err := m.Faults().Add(fault.Rule{Status: 500}); err != nil {
		t.Fatal(err)
	}
	if err := m.Reset(ctx, true); err != nil {
		t.Fatal(err)
	}
	jobs, err := m.Store().ListScheduledJobs(ctx, store.ListOptions{Page: 1, Limit: 10})
	if err != nil || len(jobs) != 0 {
		t.Errorf("scheduled jobs after reset: %d, %v", len(jobs), err)
	}
	if _, total := m.Journal().List(journal.Filter{}, 0, 0); total != 0 || len(m.Faults().List()) != 0 || clk.Frozen() {
		t.Errorf("after Reset(all): journal %d, faults %d, clock frozen %v; want all cleared", total, len(m.Faults().List()), clk.Frozen())
	}
}

func TestStartAndCompleteJob(t *testing.T) {
	ctx := context.Background()
	m, clk := newMock(t, mock.JobMode{Mode: mock.ModeManual}, fixtures)
	job := schedule(t, m, "Reboot")
	if _, err := m.StartJob(ctx, "not-a-guid"); model.KindOf(err) != model.NotFound {
		t.Errorf("StartJob(not-a-guid) = %v, want NotFound", err)
	}
	clk.Advance(time.Minute)
	started, err := m.StartJob(ctx, strings.ToUpper(job.JobId))
	if err != nil || started.Status != model.JobStatusInProcess || !started.OperationStart.Equal(t0.Add(time.Minute)) {
		t.Fatalf("StartJob = %+v, %v", started, err)
	}
	if _, err := m.CompleteJob(ctx, job.JobId, model.Completion{Result: 1}); model.KindOf(err) != model.Invalid {
		t.Errorf("CompleteJob with Result 1 = %v, want Invalid", err)
	}
	done, err := m.CompleteJob(ctx, job.JobId, model.Completion{}) // a zero Result means Success
	if err != nil || done.Status != model.JobStatusCompleted || done.Result != model.JobResultSuccess {
		t.Fatalf("CompleteJob = %+v, %v", done, err)
	}
	if _, err := m.CompleteJob(ctx, job.JobId, model.Completion{}); model.KindOf(err) != model.Invalid {
		t.Errorf("completing a finished job = %v, want Invalid", err)
	}
}
