package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// The job lifecycle: Waiting → InProcess → Completed/CompletedWillRetry,
// driven through /_mock/jobs, in manual, immediate and scripted modes.

// jobData GETs /OrchestratorJobs/JobStatus/Data for a run, expecting 200.
func jobData(t testing.TB, s *testServer, historyID int64) map[string]any {
	t.Helper()
	r := s.get(t, withQuery(kf("/OrchestratorJobs/JobStatus/Data"), q("jobHistoryId", itoa(historyID))))
	wantJSON(t, r, http.StatusOK)
	m := decodeObject(t, r.Body)
	wantMembers(t, "job data", m, []string{"JobHistoryId", "Data"}, nil)
	if got := wantInt(t, "job data", m, "JobHistoryId"); got != historyID {
		t.Errorf("JobHistoryId = %d, want %d", got, historyID)
	}
	return m
}

func TestLifecycle_Manual(t *testing.T) {
	t.Parallel()
	s := newHarness(t)
	a := pickAgent(t, "approved with FlushDnsCache", approvedWith("FlushDnsCache"))
	id := flushDNS(t, s, a.AgentId)

	run := onlyRun(t, s, id)
	wantMembers(t, "run", run, historyMembers, nil)
	hid := runID(t, run)
	if hid <= 0 {
		t.Errorf("JobHistoryId = %d, want a positive int64", hid)
	}
	if run["JobId"] != id {
		t.Errorf("JobId = %v, want %s", run["JobId"], id)
	}
	wantRun(t, "new run", run, 1, 0)
	if got := wantTime(t, "run", run, "OperationStart"); !got.Equal(t0) {
		t.Errorf("OperationStart = %v, want %v", got, t0)
	}
	if v, ok := run["OperationEnd"]; !ok || v != nil {
		t.Errorf("OperationEnd = %#v, want null", v)
	}
	if run["JobType"] != "FlushDnsCache" {
		t.Errorf("JobType = %v, want FlushDnsCache", run["JobType"])
	}
	for _, k := range []string{"AgentMachine", "ClientMachine"} {
		if run[k] != a.machine() {
			t.Errorf("%s = %v, want %s", k, run[k], a.machine())
		}
	}
	checkSchedule(t, "Schedule", run["Schedule"], `{"Immediate":true}`)
	if !isScheduled(t, s, id) {
		t.Fatal("the new job is not in ScheduledJobs")
	}

	advance(t, s, time.Minute)
	r := startJob(t, s, id)
	wantJSON(t, r, http.StatusOK)
	wantRun(t, "start answer", decodeObject(t, r.Body), 2, 0)
	run = onlyRun(t, s, id)
	wantRun(t, "started run", run, 2, 0)
	if run["OperationEnd"] != nil {
		t.Errorf("OperationEnd = %v while in process, want null", run["OperationEnd"])
	}
	wantError(t, startJob(t, s, id), http.StatusBadRequest, codeValidation)

	advance(t, s, 2*time.Minute)
	done := mustComplete(t, s, id, map[string]any{"Result": "Failure", "Message": "disk full", "Data": `{"free":0}`})
	wantRun(t, "complete answer", done, 3, 4)
	run = onlyRun(t, s, id)
	wantRun(t, "completed run", run, 3, 4)
	if run["Message"] != "disk full" {
		t.Errorf("Message = %v, want disk full", run["Message"])
	}
	if got := wantTime(t, "run", run, "OperationEnd"); !got.Equal(t0.Add(3 * time.Minute)) {
		t.Errorf("OperationEnd = %v, want %v", got, t0.Add(3*time.Minute))
	}
	if d := jobData(t, s, hid); d["Data"] != `{"free":0}` {
		t.Errorf("Data = %#v, want the completion's data", d["Data"])
	}
	if isScheduled(t, s, id) {
		t.Error("a finished one-shot job is still in ScheduledJobs")
	}
	t.Run("no pending run", func(t *testing.T) {
		wantError(t, completeJob(t, s, id, map[string]any{"Result": "Success"}), http.StatusBadRequest, codeValidation)
		wantError(t, startJob(t, s, id), http.StatusBadRequest, codeValidation)
		wantRun(t, "run", onlyRun(t, s, id), 3, 4)
	})
	t.Run("unknown job", func(t *testing.T) {
		for _, jid := range []string{unknownGUID, "not-a-guid"} {
			wantError(t, completeJob(t, s, jid, nil), http.StatusNotFound, codeNotFound)
			wantError(t, startJob(t, s, jid), http.StatusNotFound, codeNotFound)
		}
	})
}

func TestLifecycle_CompletionBodies(t *testing.T) {
	t.Parallel()
	s := newHarness(t)
	a := pickAgent(t, "approved with FlushDnsCache", approvedWith("FlushDnsCache"))
	for _, tc := range []struct {
		name   string
		body   any
		result int64
		msg    any
	}{
		{"no body is Success", nil, 2, nil},
		{"name", map[string]any{"Result": "Warning", "Message": "low disk"}, 3, "low disk"},
		{"lower-case name", map[string]any{"Result": "failure"}, 4, nil},
		{"number", map[string]any{"Result": 3}, 3, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := flushDNS(t, s, a.AgentId)
			mustComplete(t, s, id, tc.body)
			run := onlyRun(t, s, id)
			wantRun(t, "run", run, 3, tc.result)
			if run["Message"] != tc.msg {
				t.Errorf("Message = %#v, want %#v", run["Message"], tc.msg)
			}
			if d := jobData(t, s, runID(t, run)); d["Data"] != nil {
				t.Errorf("Data = %#v for a completion without data, want null", d["Data"])
			}
		})
	}
	for _, tc := range []struct {
		name string
		body any
		code string
	}{
		{"unknown result name", map[string]any{"Result": "Great"}, codeMalformed},
		{"result out of range", map[string]any{"Result": 7}, codeValidation},
		{"unknown member", map[string]any{"Outcome": "Success"}, codeMalformed},
		{"not JSON", "done", codeMalformed},
	} {
		t.Run("rejects "+tc.name, func(t *testing.T) {
			id := flushDNS(t, s, a.AgentId)
			wantError(t, completeJob(t, s, id, tc.body), http.StatusBadRequest, tc.code)
			wantRun(t, "run", onlyRun(t, s, id), 1, 0)
		})
	}
}

func TestLifecycle_Retry(t *testing.T) {
	t.Parallel()
	s := newHarness(t)
	a := pickAgent(t, "approved with FlushDnsCache", approvedWith("FlushDnsCache"))
	id := flushDNS(t, s, a.AgentId)

	mustComplete(t, s, id, map[string]any{"Result": "Failure", "Message": "try again", "Retry": true})
	runs := runsOf(t, s, id)
	if len(runs) != 2 {
		t.Fatalf("%d runs after a retried failure, want 2: %v", len(runs), runs)
	}
	wantRun(t, "failed run", runs[0], 5, 4)
	wantRun(t, "retry run", runs[1], 1, 0)
	if runs[1]["OperationEnd"] != nil {
		t.Errorf("retry run OperationEnd = %v, want null", runs[1]["OperationEnd"])
	}
	if !isScheduled(t, s, id) {
		t.Error("a job that will retry left ScheduledJobs")
	}

	mustComplete(t, s, id, map[string]any{"Result": "Success"})
	runs = runsOf(t, s, id)
	if len(runs) != 2 {
		t.Fatalf("%d runs, want 2", len(runs))
	}
	wantRun(t, "failed run", runs[0], 5, 4)
	wantRun(t, "retry run", runs[1], 3, 2)
	if isScheduled(t, s, id) {
		t.Error("the job is still scheduled after its retry succeeded")
	}
}

func TestLifecycle_RecurringInterval(t *testing.T) {
	t.Parallel()
	s := newHarness(t)
	a := pickAgent(t, "approved with FlushDnsCache", approvedWith("FlushDnsCache"))
	id := schedule(t, s, a.AgentId, "FlushDnsCache", map[string]any{"Interval": map[string]any{"Minutes": 30}}, nil)

	run := onlyRun(t, s, id)
	wantRun(t, "first run", run, 1, 0)
	if got := wantTime(t, "first run", run, "OperationStart"); !got.Equal(t0) {
		t.Errorf("first run OperationStart = %v, want %v", got, t0)
	}
	checkSchedule(t, "Schedule", run["Schedule"], `{"Interval":{"Minutes":30}}`)

	advance(t, s, 5*time.Minute)
	mustComplete(t, s, id, map[string]any{"Result": "Success"})
	runs := runsOf(t, s, id)
	if len(runs) != 2 {
		t.Fatalf("%d runs after the first completed, want 2", len(runs))
	}
	wantRun(t, "first run", runs[0], 3, 2)
	wantRun(t, "next run", runs[1], 1, 0)
	if got := wantTime(t, "next run", runs[1], "OperationStart"); !got.Equal(t0.Add(30 * time.Minute)) {
		t.Errorf("next run OperationStart = %v, want first OperationStart + 30m = %v", got, t0.Add(30*time.Minute))
	}
	if !isScheduled(t, s, id) {
		t.Error("a recurring job left ScheduledJobs after one run")
	}

	advance(t, s, 26*time.Minute) // t0+31m
	mustComplete(t, s, id, map[string]any{"Result": "Warning"})
	runs = runsOf(t, s, id)
	if len(runs) != 3 {
		t.Fatalf("%d runs after the second completed, want 3", len(runs))
	}
	wantRun(t, "second run", runs[1], 3, 3)
	if got := wantTime(t, "third run", runs[2], "OperationStart"); !got.Equal(t0.Add(60 * time.Minute)) {
		t.Errorf("third run OperationStart = %v, want %v", got, t0.Add(60*time.Minute))
	}
	if !isScheduled(t, s, id) {
		t.Error("a recurring job left ScheduledJobs")
	}
}

func TestLifecycle_ImmediateMode(t *testing.T) {
	t.Parallel()
	s := newHarness(t, immediateMode())
	a := pickAgent(t, "approved with FlushDnsCache", approvedWith("FlushDnsCache"))

	t.Run("immediate job completes on POST", func(t *testing.T) {
		id := flushDNS(t, s, a.AgentId)
		run := onlyRun(t, s, id)
		wantRun(t, "run", run, 3, 2)
		if got := wantTime(t, "run", run, "OperationEnd"); !got.Equal(t0) {
			t.Errorf("OperationEnd = %v, want %v", got, t0)
		}
		if isScheduled(t, s, id) {
			t.Error("the completed one-shot job is still in ScheduledJobs")
		}
	})
	t.Run("exactly once waits for the clock", func(t *testing.T) {
		at := t0.Add(time.Hour)
		id := schedule(t, s, a.AgentId, "FlushDnsCache", map[string]any{"ExactlyOnce": map[string]any{"Time": at.Format(time.RFC3339)}}, nil)
		run := onlyRun(t, s, id)
		wantRun(t, "future run", run, 1, 0)
		if got := wantTime(t, "future run", run, "OperationStart"); !got.Equal(at) {
			t.Errorf("OperationStart = %v, want %v", got, at)
		}
		advance(t, s, 30*time.Minute)
		wantRun(t, "run before its time", onlyRun(t, s, id), 1, 0)
		if !isScheduled(t, s, id) {
			t.Error("the future job left ScheduledJobs early")
		}
		advance(t, s, 31*time.Minute)
		run = onlyRun(t, s, id)
		wantRun(t, "run after its time", run, 3, 2)
		// The issue leaves open whether the run is stamped with its due time
		// or with the time the clock reached; it cannot be outside that range.
		start, end := wantTime(t, "run", run, "OperationStart"), wantTime(t, "run", run, "OperationEnd")
		if start.Before(at) || end.Before(start) || end.After(t0.Add(61*time.Minute)) {
			t.Errorf("OperationStart %v, OperationEnd %v; want due (%v) <= start <= end <= clock (%v)", start, end, at, t0.Add(61*time.Minute))
		}
		if isScheduled(t, s, id) {
			t.Error("the finished job is still in ScheduledJobs")
		}
	})
	t.Run("interval runs on schedule", func(t *testing.T) {
		setClock(t, s, map[string]any{"Now": t0.Format(time.RFC3339)})
		id := schedule(t, s, a.AgentId, "FlushDnsCache", map[string]any{"Interval": map[string]any{"Minutes": 15}}, nil)
		runs := runsOf(t, s, id)
		if len(runs) != 2 {
			t.Fatalf("%d runs, want the completed first run and the next waiting one", len(runs))
		}
		wantRun(t, "first", runs[0], 3, 2)
		wantRun(t, "next", runs[1], 1, 0)
		advance(t, s, 15*time.Minute)
		runs = runsOf(t, s, id)
		if len(runs) != 3 {
			t.Fatalf("%d runs after 15 minutes, want 3", len(runs))
		}
		wantRun(t, "second", runs[1], 3, 2)
		wantRun(t, "third", runs[2], 1, 0)
	})
}

func TestLifecycle_Scripts(t *testing.T) {
	t.Parallel()
	s := newHarness(t)
	rebooter := pickAgent(t, "approved with RebootHost", approvedWith("RebootHost"))
	flusher := pickAgent(t, "approved with FlushDnsCache", approvedWith("FlushDnsCache"))

	body := map[string]any{"Mode": "manual", "Scripts": map[string]any{"RebootHost": map[string]any{"Result": "Warning", "Message": "m"}}}
	echo := func(t *testing.T, m map[string]any) {
		t.Helper()
		wantMembers(t, "job mode", m, []string{"Mode", "Scripts"}, nil)
		if m["Mode"] != "manual" {
			t.Errorf("Mode = %v, want manual", m["Mode"])
		}
		scripts, _ := m["Scripts"].(map[string]any)
		if len(scripts) != 1 {
			t.Fatalf("Scripts = %v, want one entry", m["Scripts"])
		}
		var got map[string]any
		for k, v := range scripts {
			if strings.EqualFold(k, "RebootHost") {
				got, _ = v.(map[string]any)
			}
		}
		if got == nil || got["Result"] != "Warning" || got["Message"] != "m" {
			t.Errorf("Scripts = %s, want RebootHost: Warning, m", jsonText(scripts))
		}
		if _, ok := scripts["RebootHost"]; !ok {
			t.Errorf("Scripts keys = %v, want the job type name as given (RebootHost)", keys(scripts))
		}
	}
	echo(t, s.adminOK(t, http.MethodPut, "/_mock/jobs/mode", body, http.StatusOK))
	echo(t, s.adminOK(t, http.MethodGet, "/_mock/jobs/mode", nil, http.StatusOK))

	id := reboot(t, s, rebooter.AgentId)
	run := onlyRun(t, s, id)
	wantRun(t, "scripted run", run, 3, 3)
	if run["Message"] != "m" {
		t.Errorf("Message = %v, want m", run["Message"])
	}
	if isScheduled(t, s, id) {
		t.Error("the scripted one-shot job is still scheduled")
	}
	other := flushDNS(t, s, flusher.AgentId)
	wantRun(t, "unscripted run in manual mode", onlyRun(t, s, other), 1, 0)

	t.Run("job type names match in any case", func(t *testing.T) {
		m := s.adminOK(t, http.MethodPut, "/_mock/jobs/mode", map[string]any{"Mode": "manual",
			"Scripts": map[string]any{"flushdnscache": map[string]any{"Result": "Warning"}}}, http.StatusOK)
		if _, ok := m["Scripts"].(map[string]any)["flushdnscache"]; !ok {
			t.Errorf("Scripts = %s, want the name as given", jsonText(m["Scripts"]))
		}
		id := flushDNS(t, s, flusher.AgentId)
		wantRun(t, "run scripted by a lower-case name", onlyRun(t, s, id), 3, 3)
		// The earlier waiting run falls under the new script as well.
		wantRun(t, "earlier waiting run", onlyRun(t, s, other), 3, 3)
	})
	t.Run("scripts in immediate mode", func(t *testing.T) {
		s.adminOK(t, http.MethodPut, "/_mock/jobs/mode", map[string]any{"Mode": "manual"}, http.StatusOK)
		other := flushDNS(t, s, flusher.AgentId)
		wantRun(t, "unscripted run in manual mode", onlyRun(t, s, other), 1, 0)
		s.adminOK(t, http.MethodPut, "/_mock/jobs/mode", map[string]any{"Mode": "immediate",
			"Scripts": map[string]any{"FlushDnsCache": map[string]any{"Result": 4, "Data": "d", "Retry": true}}}, http.StatusOK)
		id := reboot(t, s, rebooter.AgentId)
		wantRun(t, "unscripted run in immediate mode", onlyRun(t, s, id), 3, 2)
		runs := runsOf(t, s, other)
		if len(runs) < 2 {
			t.Fatalf("the waiting FlushDnsCache run was not completed by its script: %v", runs)
		}
		wantRun(t, "scripted retry", runs[0], 5, 4)
		if d := jobData(t, s, runID(t, runs[0])); d["Data"] != "d" {
			t.Errorf("Data = %v, want d", d["Data"])
		}
		m := s.adminOK(t, http.MethodGet, "/_mock/jobs/mode", nil, http.StatusOK)
		sc, _ := m["Scripts"].(map[string]any)
		for _, v := range sc {
			e, _ := v.(map[string]any)
			if e["Result"] != "Failure" || e["Data"] != "d" || e["Retry"] != true {
				t.Errorf("script echoed as %s, want Result Failure, Data d, Retry true", jsonText(e))
			}
		}
		if m["Mode"] != "immediate" || len(sc) != 1 {
			t.Errorf("GET /_mock/jobs/mode = %s", jsonText(m))
		}
	})
}

func TestLifecycle_ModeSwitch(t *testing.T) {
	t.Parallel()
	s := newHarness(t)
	a := pickAgent(t, "approved with FlushDnsCache", approvedWith("FlushDnsCache"))
	m := s.adminOK(t, http.MethodGet, "/_mock/jobs/mode", nil, http.StatusOK)
	if m["Mode"] != "manual" || jsonText(m["Scripts"]) != "{}" {
		t.Errorf("default job mode = %s, want manual with no scripts", jsonText(m))
	}
	waiting := flushDNS(t, s, a.AgentId)
	wantRun(t, "manual run", onlyRun(t, s, waiting), 1, 0)

	s.adminOK(t, http.MethodPut, "/_mock/jobs/mode", map[string]any{"Mode": "immediate"}, http.StatusOK)
	wantRun(t, "due run after switching to immediate", onlyRun(t, s, waiting), 3, 2)
	if m := s.adminOK(t, http.MethodGet, "/_mock/jobs/mode", nil, http.StatusOK); m["Mode"] != "immediate" {
		t.Errorf("Mode = %v, want immediate", m["Mode"])
	}
	s.adminOK(t, http.MethodPut, "/_mock/jobs/mode", map[string]any{"Mode": "Manual"}, http.StatusOK)
	wantRun(t, "new run in manual mode", onlyRun(t, s, flushDNS(t, s, a.AgentId)), 1, 0)

	for _, tc := range []struct {
		name string
		body any
		code string
	}{
		{"unknown mode", map[string]any{"Mode": "sometimes"}, codeValidation},
		{"no mode", map[string]any{}, codeValidation},
		{"unknown result", map[string]any{"Mode": "manual", "Scripts": map[string]any{"RebootHost": map[string]any{"Result": "Great"}}}, codeMalformed},
		{"result out of range", map[string]any{"Mode": "manual", "Scripts": map[string]any{"RebootHost": map[string]any{"Result": 9}}}, codeValidation},
		{"empty job type", map[string]any{"Mode": "manual", "Scripts": map[string]any{"": map[string]any{"Result": 2}}}, codeValidation},
		{"unknown member", map[string]any{"Mode": "manual", "Speed": 2}, codeMalformed},
	} {
		t.Run("rejects "+tc.name, func(t *testing.T) {
			wantError(t, s.admin(t, http.MethodPut, "/_mock/jobs/mode", tc.body), http.StatusBadRequest, tc.code)
			m := s.adminOK(t, http.MethodGet, "/_mock/jobs/mode", nil, http.StatusOK)
			if m["Mode"] != "manual" || jsonText(m["Scripts"]) != "{}" {
				t.Errorf("a rejected PUT changed the mode to %s", jsonText(m))
			}
		})
	}
}

func TestLifecycle_FetchLogsImmediate(t *testing.T) {
	t.Parallel()
	s := newHarness(t, immediateMode())
	a := pickAgent(t, "approved with LOGS", approvedWith("LOGS"))
	advance(t, s, 7*time.Minute)
	r := s.do(t, http.MethodPost, kf("/Agents/"+a.AgentId+"/FetchLogs"), nil)
	if r.Status != http.StatusNoContent || len(r.Body) != 0 {
		t.Fatalf("FetchLogs: %d %s, want 204 and no body", r.Status, r.Body)
	}
	runs := historyWhere(t, s, `JobType -eq "FetchLogs" AND AgentId -eq "`+a.AgentId+`"`)
	if len(runs) != 1 {
		t.Fatalf("%d FetchLogs runs, want 1", len(runs))
	}
	wantRun(t, "FetchLogs run", runs[0], 3, 2)
	d := jobData(t, s, runID(t, runs[0]))
	if data, ok := d["Data"].(string); !ok || strings.TrimSpace(data) == "" {
		t.Errorf("FetchLogs Data = %#v, want a non-empty log", d["Data"])
	}
	if got := wantTime(t, "agent", getAgent(t, s, a.AgentId), "LastSeen"); !got.Equal(t0.Add(7 * time.Minute)) {
		t.Errorf("LastSeen = %v after the job completed, want the clock's %v", got, t0.Add(7*time.Minute))
	}
}

// A run completed before it was due (the admin API allows driving a job
// early) must not end before it started: either the mock refuses, or the
// run's times stay ordered.
func TestLifecycle_EarlyCompletionKeepsTimesOrdered(t *testing.T) {
	t.Parallel()
	s := newHarness(t)
	a := pickAgent(t, "approved with FlushDnsCache", approvedWith("FlushDnsCache"))
	at := t0.Add(time.Hour)
	id := schedule(t, s, a.AgentId, "FlushDnsCache", map[string]any{"ExactlyOnce": map[string]any{"Time": at.Format(time.RFC3339)}}, nil)
	r := completeJob(t, s, id, map[string]any{"Result": "Success"})
	run := onlyRun(t, s, id)
	if r.Status == http.StatusBadRequest {
		wantRun(t, "refused early run", run, 1, 0)
		return
	}
	wantJSON(t, r, http.StatusOK)
	start, end := wantTime(t, "run", run, "OperationStart"), wantTime(t, "run", run, "OperationEnd")
	if end.Before(start) {
		t.Errorf("run completed at %v (the clock) reports OperationStart %v and OperationEnd %v: it ended before it started", t0, start, end)
	}
}

// Once a job is unscheduled (by Unschedule or by resetting its agent) it
// must not run again, even if a run it had in process completes afterwards.
func TestLifecycle_UnscheduledJobDoesNotRunAgain(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		unschedule func(t *testing.T, s *testServer, agentID, jobID string)
		complete   map[string]any
	}{
		{"Unschedule", func(t *testing.T, s *testServer, _, jobID string) {
			post204(t, s, "/OrchestratorJobs/Unschedule", map[string]any{"JobIds": []string{jobID}})
		}, map[string]any{"Result": "Success"}},
		{"agent reset, retried failure", func(t *testing.T, s *testServer, agentID, _ string) {
			post204(t, s, "/Agents/"+agentID+"/Reset", nil)
		}, map[string]any{"Result": "Failure", "Retry": true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newHarness(t)
			a := pickAgent(t, "approved with FlushDnsCache", approvedWith("FlushDnsCache"))
			id := schedule(t, s, a.AgentId, "FlushDnsCache", map[string]any{"Interval": map[string]any{"Minutes": 10}}, nil)
			wantJSON(t, startJob(t, s, id), http.StatusOK)
			tc.unschedule(t, s, a.AgentId, id)
			if isScheduled(t, s, id) {
				t.Fatal("the job is still in ScheduledJobs")
			}
			// The orchestrator reports back on the run it already had.
			wantJSON(t, completeJob(t, s, id, tc.complete), http.StatusOK)
			if isScheduled(t, s, id) {
				t.Error("completing the in-process run put the unscheduled job back in ScheduledJobs")
			}
			if w := historyWhere(t, s, `JobId -eq "`+id+`" AND Status -eq Waiting`); len(w) != 0 {
				t.Errorf("the unscheduled job got a new Waiting run: %s", jsonText(w))
			}
			s.adminOK(t, http.MethodPut, "/_mock/jobs/mode", map[string]any{"Mode": "immediate"}, http.StatusOK)
			advance(t, s, time.Hour)
			if runs := runsOf(t, s, id); len(runs) != 1 {
				t.Errorf("the unscheduled job kept running: %d runs after an hour in immediate mode, want 1", len(runs))
			}
		})
	}
}

// In immediate mode a run that falls due completes when anything reads the
// state, agents included: with the clock running, the agent's LastSeen moves
// to the run's due time even when the agent is the first thing read after
// it fell due, and a cached list of agents is not served stale. (Moving the
// clock through /_mock/clock completes due runs by itself, so this test lets
// the clock run instead.)
func TestLifecycle_DueRunMovesLastSeenOnAgentReads(t *testing.T) {
	t.Parallel()
	for _, read := range []string{"GET /Agents/{id}", "GET /Agents"} {
		t.Run(read, func(t *testing.T) {
			t.Parallel()
			s := newHarness(t, immediateMode())
			a := pickAgent(t, "approved with FlushDnsCache", approvedWith("FlushDnsCache"))
			query := q("QueryString", `AgentId -eq "`+a.AgentId+`"`)
			lastSeen := func() time.Time {
				if read == "GET /Agents" {
					list := listAgents(t, s, query)
					if len(list) != 1 {
						t.Fatalf("GET /Agents listed %d agents, want 1", len(list))
					}
					return wantTime(t, "agent", list[0], "LastSeen")
				}
				return wantTime(t, "agent", getAgent(t, s, a.AgentId), "LastSeen")
			}
			before := lastSeen() // primes the response cache
			at := t0.Add(time.Second)
			schedule(t, s, a.AgentId, "FlushDnsCache", map[string]any{"ExactlyOnce": map[string]any{"Time": at.Format(time.RFC3339)}}, nil)
			if got := lastSeen(); !got.Equal(before) {
				t.Fatalf("LastSeen = %v before the run is due, want %v", got, before)
			}
			setClock(t, s, map[string]any{"Freeze": false})
			for !clockNow(t, s).After(at) { // GET /_mock/clock completes nothing
				time.Sleep(50 * time.Millisecond)
			}
			if got := lastSeen(); !got.Equal(at) {
				t.Errorf("LastSeen = %v after the run fell due, want its due time %v", got, at)
			}
		})
	}
}
