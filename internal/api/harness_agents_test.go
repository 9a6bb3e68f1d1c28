package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// POST /OrchestratorJobs/Custom/Bulk and the agent actions of reference §2.4.

var bulkMembers = []string{"OrchestratorJobPairs", "FailedOrchestratorIds", "JobTypeName", "Schedule", "JobFields", "RequestTimestamp"}

// stringList asserts that v is a JSON array of strings and returns it.
func stringList(t testing.TB, what string, v any) []string {
	t.Helper()
	raw, ok := v.([]any)
	if !ok {
		t.Fatalf("%s = %#v, want an array", what, v)
	}
	out := make([]string, len(raw))
	for i, e := range raw {
		if out[i], ok = e.(string); !ok {
			t.Errorf("%s[%d] = %#v, want a string", what, i, e)
		}
	}
	return out
}

func TestBulk_PairsAndFailures(t *testing.T) {
	t.Parallel()
	s := newHarness(t)
	approved := agentIDs(t, 2, "approved with RebootHost", approvedWith("RebootHost"))
	newAgent := pickAgent(t, "New with RebootHost", func(a fixtureAgent) bool { return a.Status == 1 && a.has("RebootHost") })
	disapproved := pickAgent(t, "Disapproved with RebootHost", func(a fixtureAgent) bool { return a.Status == 3 && a.has("RebootHost") })
	lacking := pickAgent(t, "approved without RebootHost", func(a fixtureAgent) bool { return a.Status == 2 && !a.has("RebootHost") })
	machines := map[string]string{}
	for _, a := range fixtureAgents(t) {
		machines[a.AgentId] = a.machine()
	}

	ids := []string{approved[0], newAgent.AgentId, approved[1], disapproved.AgentId, lacking.AgentId, unknownGUID, approved[0]}
	r := s.do(t, http.MethodPost, kf("/OrchestratorJobs/Custom/Bulk"), map[string]any{
		"OrchestratorIds": ids, "JobTypeName": "RebootHost",
		"Schedule": map[string]any{"Immediate": true}, "JobFields": map[string]any{"Host": "web01"},
	})
	wantJSON(t, r, http.StatusOK)
	m := decodeObject(t, r.Body)
	wantMembers(t, "bulk answer", m, bulkMembers, nil)
	if m["JobTypeName"] != "RebootHost" {
		t.Errorf("JobTypeName = %v", m["JobTypeName"])
	}
	checkSchedule(t, "Schedule", m["Schedule"], `{"Immediate":true}`)
	checkJobFields(t, m["JobFields"], expectFields(t, "RebootHost", map[string]string{"Host": "web01"}))
	if got := wantTime(t, "bulk answer", m, "RequestTimestamp"); !got.Equal(t0) {
		t.Errorf("RequestTimestamp = %v, want the clock's %v", got, t0)
	}
	wantFailed := []string{newAgent.AgentId, disapproved.AgentId, lacking.AgentId, unknownGUID}
	if got := stringList(t, "FailedOrchestratorIds", m["FailedOrchestratorIds"]); !slices.Equal(got, wantFailed) {
		t.Errorf("FailedOrchestratorIds = %v, want %v (unknown, not approved, lacking the capability)", got, wantFailed)
	}
	pairs, ok := m["OrchestratorJobPairs"].([]any)
	if !ok || len(pairs) != 2 {
		t.Fatalf("OrchestratorJobPairs = %s, want one pair per approved capable agent (2)", jsonText(m["OrchestratorJobPairs"]))
	}
	jobIDs := map[string]bool{}
	for i, p := range pairs {
		pair, _ := p.(map[string]any)
		wantMembers(t, "pair", pair, []string{"JobId", "OrchestratorId"}, nil)
		agent, job := wantString(t, "pair", pair, "OrchestratorId"), wantString(t, "pair", pair, "JobId")
		wantGUID(t, "pair JobId", job)
		if agent != approved[i] {
			t.Errorf("pair %d OrchestratorId = %s, want %s", i, agent, approved[i])
		}
		jobIDs[job] = true
		sj := scheduledJob(t, s, job)
		if sj["ClientMachine"] != machines[agent] || sj["JobType"] != "RebootHost" {
			t.Errorf("scheduled job %s = %s", job, jsonText(sj))
		}
		run := onlyRun(t, s, job)
		wantRun(t, "bulk run", run, 1, 0)
		if run["AgentMachine"] != machines[agent] {
			t.Errorf("run AgentMachine = %v, want %s", run["AgentMachine"], machines[agent])
		}
		if got := jobsOf(t, historyWhere(t, s, `AgentId -eq "`+agent+`"`)); !slices.Equal(got, []string{job}) {
			t.Errorf("JobHistory for agent %s = %v, want [%s]", agent, got, job)
		}
	}
	if len(jobIDs) != 2 {
		t.Errorf("the pairs share a JobId: %v", jobIDs)
	}
	if n := countJobs(t, s); n != 2 {
		t.Errorf("%d jobs scheduled, want 2", n)
	}

	t.Run("all failed", func(t *testing.T) {
		r := s.do(t, http.MethodPost, kf("/OrchestratorJobs/Custom/Bulk"), map[string]any{
			"OrchestratorIds": []string{unknownGUID}, "JobTypeName": "FlushDnsCache"})
		wantJSON(t, r, http.StatusOK)
		m := decodeObject(t, r.Body)
		if jsonText(m["OrchestratorJobPairs"]) != "[]" || jsonText(m["FailedOrchestratorIds"]) != `["`+unknownGUID+`"]` {
			t.Errorf("bulk answer = %s", r.Body)
		}
	})
}

func TestBulk_Rejects(t *testing.T) {
	t.Parallel()
	s := newHarness(t)
	good := pickAgent(t, "approved with RebootHost", approvedWith("RebootHost")).AgentId
	base := func(change func(m map[string]any)) map[string]any {
		m := map[string]any{"OrchestratorIds": []string{good, unknownGUID}, "JobTypeName": "RebootHost",
			"JobFields": map[string]any{"Host": "web01"}}
		change(m)
		return m
	}
	for _, tc := range []struct {
		name string
		body any
		code string
	}{
		{"malformed GUID", base(func(m map[string]any) { m["OrchestratorIds"] = []string{good, "not-a-guid"} }), codeValidation},
		{"unknown job type", base(func(m map[string]any) { m["JobTypeName"] = "NoSuchType" }), codeValidation},
		{"missing JobTypeName", base(func(m map[string]any) { delete(m, "JobTypeName") }), codeValidation},
		{"missing OrchestratorIds", base(func(m map[string]any) { delete(m, "OrchestratorIds") }), codeValidation},
		{"missing required field", base(func(m map[string]any) { m["JobFields"] = map[string]any{} }), codeValidation},
		{"unknown field", base(func(m map[string]any) { m["JobFields"] = map[string]any{"Host": "h", "Colour": "red"} }), codeValidation},
		{"bad field value", base(func(m map[string]any) { m["JobFields"] = map[string]any{"Host": "h", "DelaySeconds": "soon"} }), codeValidation},
		{"bad schedule", base(func(m map[string]any) { m["Schedule"] = map[string]any{"Interval": map[string]any{"Minutes": 0}} }), codeValidation},
		{"unknown member", base(func(m map[string]any) { m["Extra"] = true }), codeMalformed},
		{"ids not an array", base(func(m map[string]any) { m["OrchestratorIds"] = good }), codeMalformed},
		{"not JSON", "{", codeMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := runStatuses(t, s)
			wantError(t, s.do(t, http.MethodPost, kf("/OrchestratorJobs/Custom/Bulk"), tc.body), http.StatusBadRequest, tc.code)
			if n := countJobs(t, s); n != 0 {
				t.Errorf("%d jobs stored by a rejected bulk request, want 0", n)
			}
			if after := runStatuses(t, s); len(after) != len(before) {
				t.Errorf("a rejected bulk request added job history")
			}
		})
	}
}

func TestAgentActions_StatusChanges(t *testing.T) {
	t.Parallel()
	s := newHarness(t)
	news := agentIDs(t, 2, "New with LOGS", func(a fixtureAgent) bool { return a.Status == 1 && a.has("LOGS") })[:2]
	statuses := func(t *testing.T, want ...int64) {
		t.Helper()
		for i, id := range news {
			if got := agentStatus(t, s, id); got != want[i] {
				t.Errorf("agent %s Status = %d, want %d", id, got, want[i])
			}
		}
	}
	post204(t, s, "/Agents/Approve", news)
	statuses(t, 2, 2)
	post204(t, s, "/Agents/Disapprove", news[:1])
	statuses(t, 3, 2)
	// An approved agent's jobs are unscheduled by a reset.
	post204(t, s, "/Agents/"+news[1]+"/FetchLogs", nil)
	logs := listJobs(t, s, q("QueryString", `JobType -eq "FetchLogs"`))
	if len(logs) != 1 {
		t.Fatalf("%d FetchLogs jobs, want 1", len(logs))
	}
	job := wantString(t, "job", logs[0], "Id")
	post204(t, s, "/Agents/Reset", []string{strings.ToUpper(news[0]), news[1]})
	statuses(t, 1, 1)
	if isScheduled(t, s, job) {
		t.Error("a reset agent's job is still scheduled")
	}

	for _, action := range []string{"Approve", "Disapprove", "Reset"} {
		for name, body := range map[string]any{
			"unknown id":     []string{news[0], unknownGUID},
			"malformed id":   []string{news[0], "nope"},
			"empty array":    []string{},
			"object":         map[string]any{"Ids": news},
			"string":         news[0],
			"array of array": [][]string{news},
			"no body":        nil,
		} {
			t.Run(action+" rejects "+name, func(t *testing.T) {
				r := s.do(t, http.MethodPost, kf("/Agents/"+action), body)
				if r.Status != http.StatusBadRequest {
					t.Fatalf("status %d, want 400; body %s", r.Status, r.Body)
				}
				wantError(t, r, http.StatusBadRequest, map[bool]string{true: codeValidation, false: codeMalformed}[name == "unknown id" || name == "malformed id" || name == "empty array"])
				statuses(t, 1, 1)
			})
		}
	}
}

func TestAgentActions_ResetOne(t *testing.T) {
	t.Parallel()
	s := newHarness(t)
	flushers := agentIDs(t, 2, "approved with FlushDnsCache", approvedWith("FlushDnsCache"))
	a, b := flushers[0], flushers[1]
	oneShot := flushDNS(t, s, a)
	recurring := schedule(t, s, a, "FlushDnsCache", map[string]any{"Interval": map[string]any{"Minutes": 5}}, nil)
	other := flushDNS(t, s, b)

	r := s.do(t, http.MethodPost, kf("/Agents/"+a+"/Reset"), nil)
	if r.Status != http.StatusNoContent || len(r.Body) != 0 {
		t.Fatalf("POST /Agents/{id}/Reset: %d %s, want 204", r.Status, r.Body)
	}
	if got := agentStatus(t, s, a); got != 1 {
		t.Errorf("Status = %d after reset, want 1", got)
	}
	for _, j := range []string{oneShot, recurring} {
		if isScheduled(t, s, j) {
			t.Errorf("job %s of the reset agent is still scheduled", j)
		}
		if runs := runsOf(t, s, j); len(runs) != 0 {
			t.Errorf("waiting runs of the reset agent remain: %s", jsonText(runs))
		}
	}
	if !isScheduled(t, s, other) || agentStatus(t, s, b) != 2 {
		t.Error("resetting one agent touched another")
	}
	wantError(t, s.do(t, http.MethodPost, kf("/Agents/"+unknownGUID+"/Reset"), nil), http.StatusNotFound, codeNotFound)
}

func TestAgentActions_FetchLogs(t *testing.T) {
	t.Parallel()
	s := newHarness(t)
	a := pickAgent(t, "approved with LOGS", approvedWith("LOGS"))
	post204(t, s, "/Agents/"+a.AgentId+"/FetchLogs", nil)
	jobs := listJobs(t, s, q("QueryString", `JobType -eq "FetchLogs"`))
	if len(jobs) != 1 {
		t.Fatalf("%d FetchLogs jobs in ScheduledJobs, want 1", len(jobs))
	}
	if jobs[0]["ClientMachine"] != a.machine() {
		t.Errorf("FetchLogs job ClientMachine = %v, want %s", jobs[0]["ClientMachine"], a.machine())
	}
	runs := historyWhere(t, s, `JobType -eq "FetchLogs"`)
	if len(runs) != 1 || runs[0]["AgentMachine"] != a.machine() {
		t.Fatalf("FetchLogs runs = %s, want one for %s", jsonText(runs), a.machine())
	}
	wantRun(t, "FetchLogs run", runs[0], 1, 0)

	for _, tc := range []struct {
		name string
		pick func(fixtureAgent) bool
		want string
	}{
		{"approved without LOGS", func(f fixtureAgent) bool { return f.Status == 2 && !f.has("LOGS") }, "LOGS"},
		{"New with LOGS", func(f fixtureAgent) bool { return f.Status == 1 && f.has("LOGS") }, "approved"},
		{"Disapproved with LOGS", func(f fixtureAgent) bool { return f.Status == 3 && f.has("LOGS") }, "approved"},
	} {
		t.Run("rejects "+tc.name, func(t *testing.T) {
			ag := pickAgent(t, tc.name, tc.pick)
			wantError(t, s.do(t, http.MethodPost, kf("/Agents/"+ag.AgentId+"/FetchLogs"), nil), http.StatusBadRequest, codeValidation, tc.want)
			if n := countJobs(t, s); n != 1 {
				t.Errorf("%d jobs after a rejected FetchLogs, want 1", n)
			}
		})
	}
	t.Run("unknown agent", func(t *testing.T) {
		wantError(t, s.do(t, http.MethodPost, kf("/Agents/"+unknownGUID+"/FetchLogs"), nil), http.StatusNotFound, codeNotFound)
	})
}

func TestAgentActions_SetAuthCertificateReenrollment(t *testing.T) {
	t.Parallel()
	s := newHarness(t)
	ids := agentIDs(t, 2, "without a reenrollment flag", func(a fixtureAgent) bool { return a.AuthCertificateReenrollment == nil })
	a, b := ids[0], ids[1]
	flag := func(id string) any { return getAgent(t, s, id)["AuthCertificateReenrollment"] }
	set := func(t *testing.T, body any, wantFailed []string, wantStatus int64) {
		t.Helper()
		r := s.do(t, http.MethodPost, kf("/Agents/SetAuthCertificateReenrollment"), body)
		wantJSON(t, r, http.StatusOK)
		m := decodeObject(t, r.Body)
		wantMembers(t, "reenrollment answer", m, []string{"FailedOrchestratorIds", "Status"}, nil)
		if got := wantInt(t, "reenrollment answer", m, "Status"); got != wantStatus {
			t.Errorf("Status = %d, want %d", got, wantStatus)
		}
		if got := stringList(t, "FailedOrchestratorIds", m["FailedOrchestratorIds"]); !slices.Equal(got, wantFailed) {
			t.Errorf("FailedOrchestratorIds = %v, want %v", got, wantFailed)
		}
	}
	set(t, map[string]any{"OrchestratorIds": []string{a, unknownGUID, b}, "Status": "1"}, []string{unknownGUID}, 1)
	for _, id := range []string{a, b} {
		if got := flag(id); got != "Requested" {
			t.Errorf("agent %s AuthCertificateReenrollment = %#v, want the string Requested", id, got)
		}
	}
	set(t, map[string]any{"OrchestratorIds": []string{a}, "Status": 2}, []string{}, 2)
	if got := flag(a); got != "Required" {
		t.Errorf("AuthCertificateReenrollment = %#v, want Required", got)
	}
	set(t, map[string]any{"OrchestratorIds": []string{a, "nope"}, "Status": "0"}, []string{"nope"}, 0)
	if got := flag(a); got != "None" {
		t.Errorf("AuthCertificateReenrollment = %#v, want None", got)
	}
	set(t, map[string]any{"OrchestratorIds": nil, "Status": "1"}, []string{}, 1)

	for name, body := range map[string]any{
		"status out of range": map[string]any{"OrchestratorIds": []string{b}, "Status": "7"},
		"status not a number": map[string]any{"OrchestratorIds": []string{b}, "Status": "soon"},
		"empty status":        map[string]any{"OrchestratorIds": []string{b}, "Status": ""},
		"missing status":      map[string]any{"OrchestratorIds": []string{b}},
	} {
		t.Run("rejects "+name, func(t *testing.T) {
			wantError(t, s.do(t, http.MethodPost, kf("/Agents/SetAuthCertificateReenrollment"), body), http.StatusBadRequest, codeValidation, "Status")
			if got := flag(b); got != "Requested" {
				t.Errorf("a rejected request changed the flag to %#v", got)
			}
		})
	}
	t.Run("rejects unknown member", func(t *testing.T) {
		wantError(t, s.do(t, http.MethodPost, kf("/Agents/SetAuthCertificateReenrollment"),
			map[string]any{"OrchestratorIds": []string{b}, "Status": "2", "Force": true}), http.StatusBadRequest, codeMalformed)
	})
}

func TestAgentActions_Delete(t *testing.T) {
	t.Parallel()
	s := newHarness(t)
	fx := fixtureAgents(t)
	flushers := agentIDs(t, 2, "approved with FlushDnsCache", approvedWith("FlushDnsCache"))
	idle := pickAgent(t, "without FlushDnsCache", func(a fixtureAgent) bool { return !a.has("FlushDnsCache") }).AgentId
	busy, historied := flushers[0], flushers[1]
	job := flushDNS(t, s, busy)
	done := flushDNS(t, s, historied)
	mustComplete(t, s, done, nil)

	del := func(path string) response { return s.do(t, http.MethodDelete, kf(path), nil) }
	r := del("/Agents/" + idle)
	if r.Status != http.StatusNoContent || len(r.Body) != 0 {
		t.Fatalf("DELETE /Agents/{id}: %d %s, want 204", r.Status, r.Body)
	}
	wantError(t, s.get(t, kf("/Agents/"+idle)), http.StatusNotFound, codeNotFound)
	if n := len(listAgents(t, s, q("ReturnLimit", "1000"))); n != len(fx)-1 {
		t.Errorf("GET /Agents lists %d agents after a delete, want %d", n, len(fx)-1)
	}

	for _, path := range []string{"/Agents/" + busy, "/Agents/" + busy + "?force=false", "/Agents/" + historied} {
		t.Run("refuses "+path, func(t *testing.T) {
			wantError(t, del(path), http.StatusBadRequest, codeValidation, "force")
			getAgent(t, s, strings.Split(strings.TrimPrefix(path, "/Agents/"), "?")[0])
		})
	}
	if !isScheduled(t, s, job) {
		t.Fatal("a refused delete unscheduled the agent's job")
	}
	wantError(t, del("/Agents/"+busy+"?force=maybe"), http.StatusBadRequest, codeValidation)

	for _, id := range []string{busy, historied} {
		r := del("/Agents/" + id + "?force=true")
		if r.Status != http.StatusNoContent {
			t.Fatalf("DELETE ?force=true: %d %s, want 204", r.Status, r.Body)
		}
		wantError(t, s.get(t, kf("/Agents/"+id)), http.StatusNotFound, codeNotFound)
	}
	if isScheduled(t, s, job) {
		t.Error("the force-deleted agent's job is still in ScheduledJobs")
	}
	for _, j := range []string{job, done} {
		if runs := runsOf(t, s, j); len(runs) != 0 {
			t.Errorf("the force-deleted agent's runs remain in JobHistory: %s", jsonText(runs))
		}
	}
	wantError(t, del("/Agents/"+unknownGUID), http.StatusNotFound, codeNotFound)
	wantError(t, del("/Agents/"+idle), http.StatusNotFound, codeNotFound)
}

func TestAgentActions_ResetClearsLastError(t *testing.T) {
	t.Parallel()
	s := newHarness(t)
	var id string
	for _, m := range listAgents(t, s, q("ReturnLimit", "1000")) {
		if m["LastErrorCode"] != nil && m["LastErrorMessage"] != nil {
			id = m["AgentId"].(string)
			break
		}
	}
	if id == "" {
		t.Fatal("no fixture agent has a last error")
	}
	post204(t, s, "/Agents/Reset", []string{id})
	m := getAgent(t, s, id)
	if m["LastErrorCode"] != nil || m["LastErrorMessage"] != nil || wantInt(t, "agent", m, "Status") != 1 {
		t.Errorf("after reset: Status %v, LastErrorCode %v, LastErrorMessage %v; want 1, null, null",
			m["Status"], m["LastErrorCode"], m["LastErrorMessage"])
	}
}
