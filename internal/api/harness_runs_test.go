package api_test

import (
	"net/http"
	"testing"
	"time"
)

// POST /OrchestratorJobs/Acknowledge, /Reschedule and /Unschedule.

// outcomes is one finished one-shot job per outcome, plus one waiting:
// success, warning, failure (Completed), retry (Failure with Retry: a
// CompletedWillRetry run and a new Waiting run) and waiting.
type outcomes struct {
	s                                         *testServer
	success, warning, failure, retry, waiting string
}

func newOutcomes(t *testing.T) *outcomes {
	t.Helper()
	s := newHarness(t)
	a := pickAgent(t, "approved with FlushDnsCache", approvedWith("FlushDnsCache"))
	o := &outcomes{s: s}
	for _, c := range []struct {
		id   *string
		body map[string]any
	}{
		{&o.success, map[string]any{"Result": "Success"}},
		{&o.warning, map[string]any{"Result": "Warning", "Message": "w"}},
		{&o.failure, map[string]any{"Result": "Failure", "Message": "f"}},
		{&o.retry, map[string]any{"Result": "Failure", "Retry": true}},
		{&o.waiting, nil},
	} {
		*c.id = flushDNS(t, s, a.AgentId)
		if c.body != nil {
			mustComplete(t, s, *c.id, c.body)
		}
	}
	advance(t, s, 10*time.Minute)
	return o
}

// first returns the JobHistoryId of a job's first run.
func (o *outcomes) first(t testing.TB, job string) int64 {
	t.Helper()
	return runID(t, runsOf(t, o.s, job)[0])
}

// all lists the JobHistoryId of every run.
func (o *outcomes) all(t testing.TB) []int64 {
	t.Helper()
	var ids []int64
	for id := range runStatuses(t, o.s) {
		ids = append(ids, id)
	}
	return ids
}

// wantRuns asserts the Status and Result of each run of a job.
func wantRuns(t testing.TB, s *testServer, what, job string, want ...[2]int64) {
	t.Helper()
	runs := runsOf(t, s, job)
	if len(runs) != len(want) {
		t.Errorf("%s: %d runs, want %d: %s", what, len(runs), len(want), jsonText(runs))
		return
	}
	for i, w := range want {
		wantRun(t, what, runs[i], w[0], w[1])
	}
}

// post204 POSTs body to a Keyfactor path and expects 204 with no body.
func post204(t testing.TB, s *testServer, path string, body any) {
	t.Helper()
	r := s.do(t, http.MethodPost, kf(path), body)
	if r.Status != http.StatusNoContent || len(r.Body) != 0 {
		t.Fatalf("POST %s %s: %d %s, want 204 and no body", path, jsonText(body), r.Status, r.Body)
	}
}

// rejectedUnchanged POSTs body, expects a 400 with code, and checks that
// no run changed status and no run appeared or vanished.
func rejectedUnchanged(t testing.TB, s *testServer, path string, body any, code string) {
	t.Helper()
	before := runStatuses(t, s)
	jobs := countJobs(t, s)
	wantError(t, s.do(t, http.MethodPost, kf(path), body), http.StatusBadRequest, code)
	after := runStatuses(t, s)
	if jsonText(after) != jsonText(before) {
		t.Errorf("a rejected %s changed job history: %v -> %v", path, before, after)
	}
	if n := countJobs(t, s); n != jobs {
		t.Errorf("a rejected %s changed ScheduledJobs: %d -> %d jobs", path, jobs, n)
	}
}

func TestRuns_AcknowledgeByIDs(t *testing.T) {
	t.Parallel()
	o := newOutcomes(t)
	post204(t, o.s, "/OrchestratorJobs/Acknowledge", map[string]any{"JobAuditIds": o.all(t)})
	wantRuns(t, o.s, "success", o.success, [2]int64{3, 2})
	wantRuns(t, o.s, "warning", o.warning, [2]int64{4, 3})
	wantRuns(t, o.s, "failure", o.failure, [2]int64{4, 4})
	wantRuns(t, o.s, "retry", o.retry, [2]int64{4, 4}, [2]int64{1, 0})
	wantRuns(t, o.s, "waiting", o.waiting, [2]int64{1, 0})

	// Acknowledging again changes nothing and still answers 204.
	post204(t, o.s, "/OrchestratorJobs/Acknowledge", map[string]any{"JobAuditIds": []int64{o.first(t, o.warning)}})
	wantRuns(t, o.s, "warning", o.warning, [2]int64{4, 3})
}

func TestRuns_AcknowledgeByQuery(t *testing.T) {
	t.Parallel()
	o := newOutcomes(t)
	post204(t, o.s, "/OrchestratorJobs/Acknowledge", map[string]any{"Query": `Result -eq "Warning"`})
	wantRuns(t, o.s, "warning", o.warning, [2]int64{4, 3})
	wantRuns(t, o.s, "failure", o.failure, [2]int64{3, 4})
	wantRuns(t, o.s, "success", o.success, [2]int64{3, 2})

	// Ids and query together act on their union.
	post204(t, o.s, "/OrchestratorJobs/Acknowledge", map[string]any{
		"JobAuditIds": []int64{o.first(t, o.failure)}, "Query": `Status -eq 5`})
	wantRuns(t, o.s, "failure", o.failure, [2]int64{4, 4})
	wantRuns(t, o.s, "retry", o.retry, [2]int64{4, 4}, [2]int64{1, 0})
	wantRuns(t, o.s, "success", o.success, [2]int64{3, 2})
}

func TestRuns_AcknowledgeRejects(t *testing.T) {
	t.Parallel()
	o := newOutcomes(t)
	for _, tc := range []struct {
		name string
		body any
		code string
	}{
		{"unknown id", map[string]any{"JobAuditIds": []int64{o.first(t, o.warning), 987654}}, codeValidation},
		{"empty object", map[string]any{}, codeValidation},
		{"empty ids", map[string]any{"JobAuditIds": []int64{}}, codeValidation},
		{"blank query", map[string]any{"Query": "  "}, codeValidation},
		{"bad query", map[string]any{"Query": `Bogus -eq 1`}, codeQuery},
		{"ids not numbers", map[string]any{"JobAuditIds": []string{"a"}}, codeMalformed},
		{"unknown member", map[string]any{"Ids": []int64{1}}, codeMalformed},
		{"no body", nil, codeMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rejectedUnchanged(t, o.s, "/OrchestratorJobs/Acknowledge", tc.body, tc.code)
		})
	}
}

func TestRuns_Reschedule(t *testing.T) {
	t.Parallel()
	o := newOutcomes(t)
	// A failed run that was acknowledged is eligible too.
	acked := pickAgent(t, "approved with FlushDnsCache", approvedWith("FlushDnsCache"))
	ackedJob := flushDNS(t, o.s, acked.AgentId)
	mustComplete(t, o.s, ackedJob, map[string]any{"Result": "Failure"})
	post204(t, o.s, "/OrchestratorJobs/Acknowledge", map[string]any{"JobAuditIds": []int64{o.first(t, ackedJob)}})
	for _, j := range []string{o.success, o.warning, o.failure, ackedJob} {
		if isScheduled(t, o.s, j) {
			t.Fatalf("finished one-shot job %s is scheduled before Reschedule", j)
		}
	}

	post204(t, o.s, "/OrchestratorJobs/Reschedule", map[string]any{"JobAuditIds": o.all(t)})

	wantRuns(t, o.s, "failure", o.failure, [2]int64{3, 4}, [2]int64{1, 0})
	wantRuns(t, o.s, "acknowledged failure", ackedJob, [2]int64{4, 4}, [2]int64{1, 0})
	for _, j := range []string{o.failure, ackedJob} {
		if !isScheduled(t, o.s, j) {
			t.Errorf("rescheduled job %s is not back in ScheduledJobs", j)
		}
		runs := runsOf(t, o.s, j)
		if got := wantTime(t, "new run", runs[len(runs)-1], "OperationStart"); !got.Equal(t0.Add(10 * time.Minute)) {
			t.Errorf("rescheduled run OperationStart = %v, want the clock's %v", got, t0.Add(10*time.Minute))
		}
	}
	wantRuns(t, o.s, "success", o.success, [2]int64{3, 2})
	wantRuns(t, o.s, "warning", o.warning, [2]int64{3, 3})
	wantRuns(t, o.s, "retry", o.retry, [2]int64{5, 4}, [2]int64{1, 0})
	wantRuns(t, o.s, "waiting", o.waiting, [2]int64{1, 0})
	for _, j := range []string{o.success, o.warning} {
		if isScheduled(t, o.s, j) {
			t.Errorf("ineligible job %s was put back in ScheduledJobs", j)
		}
	}
	// The new run can be driven like any other.
	mustComplete(t, o.s, o.failure, map[string]any{"Result": "Success"})
	wantRuns(t, o.s, "failure", o.failure, [2]int64{3, 4}, [2]int64{3, 2})
	if isScheduled(t, o.s, o.failure) {
		t.Error("the rescheduled one-shot job stays scheduled after it completed")
	}
}

func TestRuns_RescheduleByQuery(t *testing.T) {
	t.Parallel()
	o := newOutcomes(t)
	post204(t, o.s, "/OrchestratorJobs/Reschedule", map[string]any{"Query": `Result -eq Failure`})
	wantRuns(t, o.s, "failure", o.failure, [2]int64{3, 4}, [2]int64{1, 0})
	wantRuns(t, o.s, "retry", o.retry, [2]int64{5, 4}, [2]int64{1, 0})
	wantRuns(t, o.s, "warning", o.warning, [2]int64{3, 3})
	if !isScheduled(t, o.s, o.failure) {
		t.Error("the rescheduled job is not in ScheduledJobs")
	}
	for _, tc := range []struct {
		name string
		body any
		code string
	}{
		{"unknown id", map[string]any{"JobAuditIds": []int64{o.first(t, o.warning), 987654}}, codeValidation},
		{"neither ids nor query", map[string]any{}, codeValidation},
		{"bad query", map[string]any{"Query": `Result -eq "Great"`}, codeQuery},
		{"not an object", `[1]`, codeMalformed},
	} {
		t.Run("rejects "+tc.name, func(t *testing.T) {
			rejectedUnchanged(t, o.s, "/OrchestratorJobs/Reschedule", tc.body, tc.code)
		})
	}
}

func TestRuns_Unschedule(t *testing.T) {
	t.Parallel()
	s := newHarness(t)
	rebooters := agentIDs(t, 2, "approved with RebootHost", approvedWith("RebootHost"))
	flusher := pickAgent(t, "approved with FlushDnsCache", approvedWith("FlushDnsCache"))
	logger := pickAgent(t, "approved with LOGS", approvedWith("LOGS"))
	r1, r2 := reboot(t, s, rebooters[0]), reboot(t, s, rebooters[1])
	f1 := flushDNS(t, s, flusher.AgentId)
	recurring := schedule(t, s, flusher.AgentId, "FlushDnsCache", map[string]any{"Interval": map[string]any{"Minutes": 60}}, nil)
	mustComplete(t, s, recurring, map[string]any{"Result": "Success"})
	done := flushDNS(t, s, flusher.AgentId)
	mustComplete(t, s, done, map[string]any{"Result": "Warning"})
	post204(t, s, "/Agents/"+logger.AgentId+"/FetchLogs", nil)
	logs := listJobs(t, s, q("QueryString", `JobType -eq "FetchLogs"`))
	if len(logs) != 1 {
		t.Fatalf("%d FetchLogs jobs scheduled, want 1", len(logs))
	}
	fetch := wantString(t, "job", logs[0], "Id")

	t.Run("by ids", func(t *testing.T) {
		post204(t, s, "/OrchestratorJobs/Unschedule", map[string]any{"JobIds": []string{r1, recurring, fetch}})
		for _, j := range []string{r1, recurring, fetch} {
			if isScheduled(t, s, j) {
				t.Errorf("job %s is still in ScheduledJobs after Unschedule", j)
			}
		}
		if runs := runsOf(t, s, r1); len(runs) != 0 {
			t.Errorf("the waiting run of an unscheduled job is still in JobHistory: %s", jsonText(runs))
		}
		if runs := runsOf(t, s, fetch); len(runs) != 0 {
			t.Errorf("the waiting FetchLogs run is still in JobHistory: %s", jsonText(runs))
		}
		wantRuns(t, s, "recurring", recurring, [2]int64{3, 2}) // its finished run stays, the next one is gone
		if !isScheduled(t, s, r2) || !isScheduled(t, s, f1) {
			t.Error("Unschedule removed jobs it was not given")
		}
		wantRuns(t, s, "r2", r2, [2]int64{1, 0})
	})
	t.Run("finished job", func(t *testing.T) {
		post204(t, s, "/OrchestratorJobs/Unschedule", map[string]any{"JobIds": []string{done}})
		wantRuns(t, s, "done", done, [2]int64{3, 3})
	})
	t.Run("rejects", func(t *testing.T) {
		for name, tc := range map[string]struct {
			body any
			code string
		}{
			"unknown id":    {map[string]any{"JobIds": []string{f1, unknownGUID}}, codeValidation},
			"malformed id":  {map[string]any{"JobIds": []string{f1, "nope"}}, codeValidation},
			"neither":       {map[string]any{}, codeValidation},
			"empty ids":     {map[string]any{"JobIds": []string{}}, codeValidation},
			"bad query":     {map[string]any{"Query": `Nope -eq 1`}, codeQuery},
			"ids not array": {map[string]any{"JobIds": f1}, codeMalformed},
		} {
			t.Run(name, func(t *testing.T) {
				rejectedUnchanged(t, s, "/OrchestratorJobs/Unschedule", tc.body, tc.code)
				if !isScheduled(t, s, f1) {
					t.Error("a rejected Unschedule removed a job")
				}
			})
		}
	})
	t.Run("by query", func(t *testing.T) {
		post204(t, s, "/OrchestratorJobs/Unschedule", map[string]any{"Query": `JobType -eq "RebootHost"`})
		if isScheduled(t, s, r2) {
			t.Error("RebootHost job is still scheduled after Unschedule by query")
		}
		if runs := historyWhere(t, s, `JobType -eq "RebootHost" AND Status -eq 1`); len(runs) != 0 {
			t.Errorf("waiting RebootHost runs remain: %s", jsonText(runs))
		}
		if !isScheduled(t, s, f1) {
			t.Error("the FlushDnsCache job was unscheduled by a RebootHost query")
		}
		wantRuns(t, s, "f1", f1, [2]int64{1, 0})
	})
}
