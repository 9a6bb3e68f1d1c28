package api_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// GET /OrchestratorJobs/JobHistory (query language, paging, sorting) and
// GET /OrchestratorJobs/JobStatus/Data.

// historyFixture is four runs on two agents at ten-minute steps from t0:
// j1 RebootHost on A, Failure "disk full on C:"; j2 FlushDnsCache on B,
// Success "flushed"; j3 RebootHost on A, Warning "reboot pending"; j4
// FlushDnsCache on B, still Waiting.
type historyFixture struct {
	s              *testServer
	a, b           fixtureAgent
	j1, j2, j3, j4 string
	ids            map[string]int64 // JobId → JobHistoryId
}

func newHistoryFixture(t *testing.T) *historyFixture {
	t.Helper()
	s := newHarness(t)
	f := &historyFixture{s: s,
		a: pickAgent(t, "approved with RebootHost", approvedWith("RebootHost")),
		b: pickAgent(t, "approved with FlushDnsCache", approvedWith("FlushDnsCache")),
	}
	f.j1 = reboot(t, s, f.a.AgentId)
	mustComplete(t, s, f.j1, map[string]any{"Result": "Failure", "Message": "disk full on C:"})
	advance(t, s, 10*time.Minute)
	f.j2 = flushDNS(t, s, f.b.AgentId)
	mustComplete(t, s, f.j2, map[string]any{"Result": "Success", "Message": "flushed"})
	advance(t, s, 10*time.Minute)
	f.j3 = reboot(t, s, f.a.AgentId)
	mustComplete(t, s, f.j3, map[string]any{"Result": "Warning", "Message": "reboot pending"})
	advance(t, s, 10*time.Minute)
	f.j4 = flushDNS(t, s, f.b.AgentId)
	f.ids = map[string]int64{}
	for _, j := range []string{f.j1, f.j2, f.j3, f.j4} {
		f.ids[j] = runID(t, onlyRun(t, s, j))
	}
	return f
}

// jobsOf lists the JobIds of runs, in order.
func jobsOf(t testing.TB, runs []map[string]any) []string {
	t.Helper()
	out := make([]string, len(runs))
	for i, r := range runs {
		out[i] = wantString(t, "run", r, "JobId")
	}
	return out
}

func TestHistory_Query(t *testing.T) {
	t.Parallel()
	f := newHistoryFixture(t)
	at := func(d time.Duration) string { return t0.Add(d).Format(time.RFC3339) }
	for _, tc := range []struct {
		name, query string
		want        []string
	}{
		{"AgentId", `AgentId -eq "` + f.a.AgentId + `"`, []string{f.j1, f.j3}},
		{"AgentId upper case", `AgentId -eq "` + strings.ToUpper(f.b.AgentId) + `"`, []string{f.j2, f.j4}},
		{"JobId", `JobId -eq "` + f.j2 + `"`, []string{f.j2}},
		{"JobType", `JobType -eq "RebootHost"`, []string{f.j1, f.j3}},
		{"JobType ne", `JobType -ne "RebootHost"`, []string{f.j2, f.j4}},
		{"Result number", `Result -eq 4`, []string{f.j1}},
		{"Result quoted name", `Result -eq "Failure"`, []string{f.j1}},
		{"Result bare name", `Result -eq Warning`, []string{f.j3}},
		{"Result ge", `Result -ge 3`, []string{f.j1, f.j3}},
		{"Result unknown", `Result -eq 0`, []string{f.j4}},
		{"Status number", `Status -eq 1`, []string{f.j4}},
		{"Status name", `Status -eq Completed`, []string{f.j1, f.j2, f.j3}},
		{"OperationStart ge", `OperationStart -ge "` + at(15*time.Minute) + `"`, []string{f.j3, f.j4}},
		{"OperationStart lt", `OperationStart -lt "` + at(10*time.Minute) + `"`, []string{f.j1}},
		{"OperationStart eq", `OperationStart -eq "` + at(10*time.Minute) + `"`, []string{f.j2}},
		{"Message contains", `Message -contains "disk"`, []string{f.j1}},
		{"Message startswith", `Message -startswith "reboot"`, []string{f.j3}},
		{"Message eq", `Message -eq "flushed"`, []string{f.j2}},
		{"Message null", `Message -eq NULL`, []string{f.j4}},
		{"Agent machine", `Agent -eq "` + f.b.machine() + `"`, []string{f.j2, f.j4}},
		{"AND", `JobType -eq "RebootHost" AND Result -eq "Warning"`, []string{f.j3}},
		{"OR and parentheses", `(JobType -eq "FlushDnsCache" OR Result -eq 4) AND Status -eq 3`, []string{f.j1, f.j2}},
		{"nothing", `Message -contains "nope"`, []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := jobsOf(t, historyWhere(t, f.s, tc.query))
			if !slices.Equal(got, tc.want) {
				t.Errorf("%s selects %v, want %v", tc.query, got, tc.want)
			}
		})
	}
}

func TestHistory_PagingAndSorting(t *testing.T) {
	t.Parallel()
	f := newHistoryFixture(t)
	all := []string{f.j1, f.j2, f.j3, f.j4}
	for _, tc := range []struct {
		name   string
		params url.Values
		want   []string
	}{
		{"default order is JobHistoryId ascending", nil, all},
		{"page 1", q("ReturnLimit", "2"), []string{f.j1, f.j2}},
		{"page 2", q("ReturnLimit", "2", "PageReturned", "2"), []string{f.j3, f.j4}},
		{"page past the end", q("ReturnLimit", "2", "PageReturned", "3"), []string{}},
		{"v10 spelling", q("pq.returnLimit", "1", "pq.pageReturned", "3"), []string{f.j3}},
		{"descending", q("SortField", "JobHistoryId", "SortAscending", "1"), []string{f.j4, f.j3, f.j2, f.j1}},
		{"by OperationStart descending", q("SortField", "OperationStart", "SortAscending", "1"), []string{f.j4, f.j3, f.j2, f.j1}},
		{"by Result descending", q("SortField", "Result", "SortAscending", "1", "ReturnLimit", "2"), []string{f.j1, f.j3}},
		{"by JobType", q("SortField", "JobType", "ReturnLimit", "2"), []string{f.j2, f.j4}},
		{"filtered page", q("QueryString", `Status -eq 3`, "ReturnLimit", "1", "PageReturned", "2"), []string{f.j2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := jobsOf(t, history(t, f.s, tc.params)); !slices.Equal(got, tc.want) {
				t.Errorf("JobHistory?%s = %v, want %v", tc.params.Encode(), got, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		name   string
		params url.Values
		code   string
	}{
		{"unknown field", q("QueryString", `Bogus -eq 1`), codeQuery},
		{"unknown result name", q("QueryString", `Result -eq "Great"`), codeQuery},
		{"unknown operator", q("QueryString", `Result -zz 3`), codeQuery},
		{"unterminated string", q("QueryString", `JobType -eq "Reboot`), codeQuery},
		{"bad date", q("QueryString", `OperationStart -gt "soon"`), codeQuery},
		{"dangling AND", q("QueryString", `Status -eq 1 AND`), codeQuery},
		{"contains on a number", q("QueryString", `Status -contains 1`), codeQuery},
		{"bad sort field", q("SortField", "Bogus"), codeSortField},
		{"bad limit", q("ReturnLimit", "0"), codePaging},
		{"bad page", q("PageReturned", "x"), codePaging},
		{"bad sort order", q("SortAscending", "2"), codePaging},
	} {
		t.Run("rejects "+tc.name, func(t *testing.T) {
			wantError(t, f.s.get(t, withQuery(kf("/OrchestratorJobs/JobHistory"), tc.params)), http.StatusBadRequest, tc.code)
		})
	}
}

func TestHistory_Shape(t *testing.T) {
	t.Parallel()
	f := newHistoryFixture(t)
	for _, run := range historyWhere(t, f.s, "") {
		wantMembers(t, "run", run, historyMembers, nil)
		runID(t, run)
		wantGUID(t, "JobId", wantString(t, "run", run, "JobId"))
		wantTime(t, "run", run, "OperationStart")
		wantInt(t, "run", run, "Result")
		wantInt(t, "run", run, "Status")
		for _, k := range []string{"AgentMachine", "ClientMachine", "JobType", "Message", "StorePath"} {
			wantStringOrNull(t, "run", run, k)
		}
		if _, ok := run["Schedule"].(map[string]any); !ok {
			t.Errorf("Schedule = %#v, want an object", run["Schedule"])
		}
		if run["JobId"] != f.j4 {
			wantTime(t, "finished run", run, "OperationEnd")
		}
	}
	r1 := onlyRun(t, f.s, f.j1)
	if got := wantTime(t, "j1", r1, "OperationEnd"); !got.Equal(t0) {
		t.Errorf("j1 OperationEnd = %v, want %v", got, t0)
	}
	if r1["AgentMachine"] != f.a.machine() || r1["Message"] != "disk full on C:" {
		t.Errorf("j1 run = %s", jsonText(r1))
	}
}

func TestHistory_JobData(t *testing.T) {
	t.Parallel()
	s := newHarness(t)
	a := pickAgent(t, "approved with FlushDnsCache", approvedWith("FlushDnsCache"))
	done := flushDNS(t, s, a.AgentId)
	mustComplete(t, s, done, map[string]any{"Result": "Success", "Data": "line 1\nline 2"})
	doneID := runID(t, onlyRun(t, s, done))
	waitingID := runID(t, onlyRun(t, s, flushDNS(t, s, a.AgentId)))

	if d := jobData(t, s, doneID); d["Data"] != "line 1\nline 2" {
		t.Errorf("Data = %#v, want the completion's data", d["Data"])
	}
	if d := jobData(t, s, waitingID); d["Data"] != nil {
		t.Errorf("Data of a waiting run = %#v, want null", d["Data"])
	}
	t.Run("parameter name is case-insensitive", func(t *testing.T) {
		r := s.get(t, kf("/OrchestratorJobs/JobStatus/Data?JobHistoryId="+itoa(doneID)))
		wantJSON(t, r, http.StatusOK)
	})
	for _, tc := range []struct {
		name, query string
		status      int
		code        string
	}{
		{"missing", "", http.StatusBadRequest, codeValidation},
		{"empty", "?jobHistoryId=", http.StatusBadRequest, codeValidation},
		{"not a number", "?jobHistoryId=abc", http.StatusBadRequest, codeValidation},
		{"fraction", "?jobHistoryId=1.5", http.StatusBadRequest, codeValidation},
		{"unknown", "?jobHistoryId=987654", http.StatusNotFound, codeNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, s.get(t, kf("/OrchestratorJobs/JobStatus/Data"+tc.query)), tc.status, tc.code)
		})
	}
}
