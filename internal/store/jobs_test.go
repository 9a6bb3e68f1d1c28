package store_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mockcommand/mockcommand/internal/model"
	"github.com/mockcommand/mockcommand/internal/store"
)

func jobFixture(t testing.TB) *store.Store {
	st := mustOpenStore(t)
	mustReset(t, st, model.Fixtures{
		Agents: []model.Agent{
			agent(idA, "web01", 2, "LOGS", "rebootHOST"),
			agent(idB, "web02", 1, "LOGS", "RebootHost"),
			agent(idC, "db01", 2),
		},
		JobTypes: []model.JobType{{JobTypeName: "RebootHost", JobTypeFields: []model.JobTypeField{
			{Name: "Host", Type: model.TypeString, Required: true},
			{Name: "DelaySeconds", Type: model.TypeInt, DefaultValue: model.S("30")},
			{Name: "Force", Type: model.TypeBool, DefaultValue: model.S("false"), Required: true},
			{Name: "Window", Type: model.TypeDateTime},
		}}},
	})
	return st
}

func jobCount(t testing.TB, st *store.Store) int {
	t.Helper()
	jobs, err := st.ListScheduledJobs(context.Background(), store.ListOptions{Page: 1, Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	return len(jobs)
}

func TestScheduleJob_AppliesDefaultsInFieldOrder(t *testing.T) {
	st := jobFixture(t)
	resp, err := st.ScheduleJob(context.Background(), store.ScheduleJobInput{
		AgentId: strings.ToUpper(idA), JobTypeName: "reboothost",
		JobFields: map[string]model.Scalar{"host": model.S("web01"), "Force": model.S("True")},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := make([]string, len(resp.JobFields))
	for i, f := range resp.JobFields {
		got[i] = f.JobTypeField + "=" + *f.Value
	}
	if want := "Host=web01 DelaySeconds=30 Force=true"; strings.Join(got, " ") != want {
		t.Errorf("JobFields = %v, want %s", got, want)
	}
	if resp.OrchestratorId != idA || resp.JobTypeName != "RebootHost" {
		t.Errorf("OrchestratorId %s JobTypeName %s, want %s RebootHost", resp.OrchestratorId, resp.JobTypeName, idA)
	}
	if resp.Schedule.Immediate == nil || !*resp.Schedule.Immediate {
		t.Errorf("Schedule = %+v, want Immediate", resp.Schedule)
	}
	if !resp.RequestTimestamp.Equal(testNow) {
		t.Errorf("RequestTimestamp = %v, want the clock's %v", resp.RequestTimestamp, testNow)
	}
	jobs, err := st.ListScheduledJobs(context.Background(), store.ListOptions{Query: `JobType -eq "RebootHost"`, Page: 1, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 || jobs[0].Id != resp.JobId || *jobs[0].ClientMachine != "web01" || *jobs[0].Requested != model.NewTime(testNow).String() {
		t.Errorf("scheduled jobs = %+v, want the new job for web01", jobs)
	}
}

func TestScheduleJob_FailuresStoreNothing(t *testing.T) {
	st := jobFixture(t)
	ok := map[string]model.Scalar{"Host": model.S("h")}
	tests := []struct {
		name string
		in   store.ScheduleJobInput
		msg  string
	}{
		{"unknown agent", store.ScheduleJobInput{AgentId: idD, JobTypeName: "RebootHost", JobFields: ok}, "does not match any orchestrator"},
		{"agent not approved", store.ScheduleJobInput{AgentId: idB, JobTypeName: "RebootHost", JobFields: ok}, "is not approved: its Status is 1 (New)"},
		{"missing capability", store.ScheduleJobInput{AgentId: idC, JobTypeName: "RebootHost", JobFields: ok}, `does not have the capability "RebootHost"`},
		{"FetchLogs needs LOGS", store.ScheduleJobInput{AgentId: idC, JobTypeName: "FetchLogs"}, `capability "LOGS"`},
		{"unknown job type", store.ScheduleJobInput{AgentId: idA, JobTypeName: "Nope"}, `JobTypeName "Nope" does not match`},
		{"missing required field", store.ScheduleJobInput{AgentId: idA, JobTypeName: "RebootHost"}, `required field "Host" (String) was not supplied`},
		{"unknown field", store.ScheduleJobInput{AgentId: idA, JobTypeName: "RebootHost",
			JobFields: map[string]model.Scalar{"Host": model.S("h"), "Colour": model.S("red")}}, `unknown field "Colour"`},
		{"bad int", store.ScheduleJobInput{AgentId: idA, JobTypeName: "RebootHost",
			JobFields: map[string]model.Scalar{"Host": model.S("h"), "DelaySeconds": model.S("soon")}}, `field "DelaySeconds": "soon" is not a valid Int`},
		{"bad date", store.ScheduleJobInput{AgentId: idA, JobTypeName: "RebootHost",
			JobFields: map[string]model.Scalar{"Host": model.S("h"), "Window": model.S("tomorrow")}}, `field "Window": "tomorrow" is not a valid DateTime`},
		{"first run after year 9999", store.ScheduleJobInput{AgentId: idA, JobTypeName: "RebootHost", JobFields: ok,
			Schedule: &model.Schedule{Monthly: &model.MonthlyModel{Day: 1, Time: model.NewTime(model.MaxTime)}}}, "after the last time the mock can store"},
		{"bad schedule", store.ScheduleJobInput{AgentId: idA, JobTypeName: "RebootHost", JobFields: ok,
			Schedule: &model.Schedule{Interval: &model.IntervalModel{}}}, "Interval.Minutes must be from 1 to"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := st.ScheduleJob(context.Background(), tt.in)
			if err == nil || model.KindOf(err) != model.Invalid {
				t.Fatalf("err = %v (kind %v), want an Invalid error", err, model.KindOf(err))
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not contain %q", err, tt.msg)
			}
			if n := jobCount(t, st); n != 0 {
				t.Errorf("%d jobs stored after a failed request, want 0", n)
			}
		})
	}
}

// TestScheduleJob_Concurrent runs writers and readers at once: every
// acknowledged job is stored exactly once and nothing fails with
// "database is locked".
func TestScheduleJob_Concurrent(t *testing.T) {
	st := jobFixture(t)
	const clients, perClient = 64, 10
	var mu sync.Mutex
	acked := map[string]int{}
	var wg sync.WaitGroup
	errs := make(chan error, clients*perClient*2)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perClient {
				resp, err := st.ScheduleJob(context.Background(), store.ScheduleJobInput{
					AgentId: idA, JobTypeName: "RebootHost",
					JobFields: map[string]model.Scalar{"Host": model.S(fmt.Sprintf("h%d-%d", c, i))},
				})
				if err != nil {
					errs <- err
					continue
				}
				mu.Lock()
				acked[resp.JobId]++
				mu.Unlock()
				if _, err := st.ListAgents(context.Background(), store.ListOptions{Query: `Status -eq 2 AND Capabilities -contains "LOGS"`, Page: 1, Limit: 50}); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent call failed: %v", err)
	}
	if len(acked) != clients*perClient {
		t.Errorf("%d distinct jobs acknowledged, want %d", len(acked), clients*perClient)
	}
	jobs, err := st.ListScheduledJobs(context.Background(), store.ListOptions{Page: 1, Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]int{}
	for _, j := range jobs {
		stored[j.Id]++
	}
	for id := range acked {
		if stored[id] != 1 {
			t.Errorf("job %s stored %d times, want 1", id, stored[id])
		}
	}
	if len(stored) != len(acked) {
		t.Errorf("%d jobs stored, %d acknowledged", len(stored), len(acked))
	}
}

func TestJobTypes_CreateUpdateDelete(t *testing.T) {
	ctx := context.Background()
	st := jobFixture(t)
	created, err := st.CreateJobType(ctx, model.JobType{JobTypeName: " Flush ", JobTypeFields: []model.JobTypeField{{Name: "Deep", Type: model.TypeBool, DefaultValue: model.S("TRUE")}}})
	if err != nil {
		t.Fatal(err)
	}
	if created.JobTypeName != "Flush" || created.JobTypeFields[0].DefaultValue.Value != "true" {
		t.Errorf("created %+v, want trimmed name and normalised default", created)
	}
	if _, err := st.CreateJobType(ctx, model.JobType{JobTypeName: "flush"}); model.KindOf(err) != model.Conflict {
		t.Errorf("duplicate create: err %v, want Conflict", err)
	}
	if _, err := st.UpdateJobType(ctx, model.JobType{Id: created.Id, JobTypeName: "reboothost"}); model.KindOf(err) != model.Conflict {
		t.Errorf("rename onto an existing name: err %v, want Conflict", err)
	}
	upd, err := st.UpdateJobType(ctx, model.JobType{Id: strings.ToUpper(created.Id), JobTypeName: "Flush2"})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := st.GetJobType(ctx, created.Id); got.JobTypeName != "Flush2" || len(got.JobTypeFields) != 0 || upd.Id != created.Id {
		t.Errorf("after update got %+v, want Flush2 with no fields and the same id", got)
	}
	for _, op := range []func() error{
		func() error {
			_, err := st.UpdateJobType(ctx, model.JobType{Id: model.FetchLogsJobTypeID, JobTypeName: "X"})
			return err
		},
		func() error { return st.DeleteJobType(ctx, model.FetchLogsJobTypeID) },
	} {
		if err := op(); model.KindOf(err) != model.Invalid {
			t.Errorf("changing FetchLogs: err %v, want Invalid", err)
		}
	}
	if err := st.DeleteJobType(ctx, created.Id); err != nil {
		t.Fatal(err)
	}
	if _, err := st.GetJobType(ctx, created.Id); model.KindOf(err) != model.NotFound {
		t.Errorf("get after delete: err %v, want NotFound", err)
	}
	if err := st.DeleteJobType(ctx, created.Id); model.KindOf(err) != model.NotFound {
		t.Errorf("second delete: err %v, want NotFound", err)
	}
}

// TestConcurrentReadsPrepareNewStatements: many readers at once, each
// needing a statement no one prepared yet, on a pool smaller than the
// number of readers. Preparing must not wait on a lock held by a reader
// that waits for a connection (a deadlock the statement cache once had).
func TestConcurrentReadsPrepareNewStatements(t *testing.T) {
	st := jobFixture(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			switch i % 4 {
			case 0:
				_, err = st.GetAgent(ctx, idA)
			case 1:
				_, err = st.GetJobType(ctx, model.FetchLogsJobTypeID)
			case 2:
				_, err = st.JobResultData(ctx, 1)
				if model.KindOf(err) == model.NotFound {
					err = nil
				}
			case 3: // a different query shape each time: a statement to prepare
				_, err = st.ListAgents(ctx, store.ListOptions{Query: strings.Repeat(`Status -eq 2 OR `, i) + `Status -eq 1`, Page: 1, Limit: 5})
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent read: %v (a deadlock ends in the 20 s timeout)", err)
		}
	}
}
