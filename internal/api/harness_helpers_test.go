package api_test

import (
	"encoding/json"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mockcommand/mockcommand/internal/app"
	"github.com/mockcommand/mockcommand/internal/clock"
	"github.com/mockcommand/mockcommand/internal/mock"
)

// Helpers for the test-harness issue (admin API, job lifecycle, agent
// actions, journal, faults). They build on helpers_test.go.

// t0 is the instant the harness tests freeze the mock's clock at.
var t0 = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

// codeUnauthenticated is the admin API's 401 code in internal/api/errors.go.
const codeUnauthenticated = "0xA0140001"

// unknownGUID is a well-formed id that no fixture uses.
const unknownGUID = "00000000-0000-4000-8000-0000000000aa"

// historyMembers are JobHistoryResponse's members.
var historyMembers = []string{"JobHistoryId", "AgentMachine", "JobId", "Schedule", "JobType", "OperationStart",
	"OperationEnd", "Message", "Result", "Status", "StorePath", "ClientMachine"}

// hOpt changes the app.Options a harness server starts with.
type hOpt = srvOpt

// withMode starts the mock in a job mode.
func withMode(mode string) hOpt {
	return func(o *app.Options) { o.JobMode = mock.JobMode{Mode: mode} }
}

// immediateMode starts the mock with the immediate job mode.
func immediateMode() hOpt { return withMode(mock.ModeImmediate) }

// frozenAt starts the mock's clock frozen at t.
func frozenAt(t time.Time) hOpt {
	return func(o *app.Options) {
		o.Clock = clock.New()
		o.Clock.Set(t, true)
	}
}

// journalSize bounds the request journal.
func journalSize(n int) hOpt { return func(o *app.Options) { o.JournalSize = n } }

// adminToken protects the admin routes with a bearer token.
func adminToken(tok string) hOpt { return func(o *app.Options) { o.API.AdminToken = tok } }

// withFixtures starts the mock from fixture files in fsys instead of the
// built-in ones.
func withFixtures(fsys fs.FS) hOpt {
	return func(o *app.Options) { o.Fixtures, o.FixturesLabel = fsys, "test fixtures" }
}

// newHarness is newServer for the harness tests: a clock frozen at t0,
// changed by opts.
func newHarness(t testing.TB, opts ...hOpt) *testServer {
	t.Helper()
	return newServer(t, append([]hOpt{frozenAt(t0)}, opts...)...)
}

// admin sends an admin request: no Keyfactor headers, no Basic
// credentials (opts may add a bearer token).
func (s *testServer) admin(t testing.TB, method, path string, body any, opts ...reqOpt) response {
	t.Helper()
	return s.do(t, method, path, body, append([]reqOpt{withoutAuth(), withoutRequestedWith()}, opts...)...)
}

// adminOK sends an admin request and expects status with a JSON body
// (decoded as an object) or, for 204, no body.
func (s *testServer) adminOK(t testing.TB, method, path string, body any, status int) map[string]any {
	t.Helper()
	r := s.admin(t, method, path, body)
	if status == http.StatusNoContent {
		if r.Status != status || len(r.Body) != 0 {
			t.Fatalf("%s %s: status %d body %q, want 204 and no body", method, path, r.Status, r.Body)
		}
		return nil
	}
	wantJSON(t, r, status)
	return decodeObject(t, r.Body)
}

// bearer sets an admin bearer token.
func bearer(tok string) reqOpt { return withHeader("Authorization", "Bearer "+tok) }

// setClock POSTs body to /_mock/clock and returns the answer.
func setClock(t testing.TB, s *testServer, body any) map[string]any {
	t.Helper()
	return s.adminOK(t, http.MethodPost, "/_mock/clock", body, http.StatusOK)
}

// advance moves the mock's clock forward by d.
func advance(t testing.TB, s *testServer, d time.Duration) {
	t.Helper()
	setClock(t, s, map[string]any{"Advance": d.String()})
}

// clockNow reads the mock's clock.
func clockNow(t testing.TB, s *testServer) time.Time {
	t.Helper()
	m := s.adminOK(t, http.MethodGet, "/_mock/clock", nil, http.StatusOK)
	return wantTime(t, "clock", m, "Now")
}

// schedule POSTs /OrchestratorJobs/Custom (sched nil leaves Schedule out),
// expects 200 and returns the JobId.
func schedule(t testing.TB, s *testServer, agentID, jobType string, sched any, fields map[string]string) string {
	t.Helper()
	body := map[string]any{"AgentId": agentID, "JobTypeName": jobType}
	if sched != nil {
		body["Schedule"] = sched
	}
	if fields != nil {
		body["JobFields"] = fields
	}
	r := postJob(t, s, body)
	wantJSON(t, r, http.StatusOK)
	id := wantString(t, "job", decodeObject(t, r.Body), "JobId")
	wantGUID(t, "JobId", id)
	return id
}

// flushDNS schedules an immediate FlushDnsCache job (a type with no
// fields) and returns its id.
func flushDNS(t testing.TB, s *testServer, agentID string) string {
	t.Helper()
	return schedule(t, s, agentID, "FlushDnsCache", map[string]any{"Immediate": true}, nil)
}

// reboot schedules an immediate RebootHost job and returns its id.
func reboot(t testing.TB, s *testServer, agentID string) string {
	t.Helper()
	return schedule(t, s, agentID, "RebootHost", map[string]any{"Immediate": true}, map[string]string{"Host": "web01"})
}

// history GETs /OrchestratorJobs/JobHistory with params, expecting 200.
func history(t testing.TB, s *testServer, params url.Values) []map[string]any {
	t.Helper()
	r := s.get(t, withQuery(kf("/OrchestratorJobs/JobHistory"), params))
	wantJSON(t, r, http.StatusOK)
	return decodeArray(t, r.Body)
}

// historyWhere returns every run a JobHistory query selects, by id.
func historyWhere(t testing.TB, s *testServer, query string) []map[string]any {
	t.Helper()
	params := q("ReturnLimit", "1000")
	if query != "" {
		params.Set("QueryString", query)
	}
	return history(t, s, params)
}

// runsOf returns the runs of a job, oldest first.
func runsOf(t testing.TB, s *testServer, jobID string) []map[string]any {
	t.Helper()
	return historyWhere(t, s, `JobId -eq "`+jobID+`"`)
}

// onlyRun returns the single run of a job.
func onlyRun(t testing.TB, s *testServer, jobID string) map[string]any {
	t.Helper()
	runs := runsOf(t, s, jobID)
	if len(runs) != 1 {
		t.Fatalf("job %s has %d runs in JobHistory, want 1: %v", jobID, len(runs), runs)
	}
	return runs[0]
}

// runID returns a run's JobHistoryId.
func runID(t testing.TB, run map[string]any) int64 {
	t.Helper()
	return wantInt(t, "run", run, "JobHistoryId")
}

// wantRun asserts a run's Status and Result.
func wantRun(t testing.TB, what string, run map[string]any, status, result int64) {
	t.Helper()
	if got := wantInt(t, what, run, "Status"); got != status {
		t.Errorf("%s: Status = %d, want %d (run %v)", what, got, status, run)
	}
	if got := wantInt(t, what, run, "Result"); got != result {
		t.Errorf("%s: Result = %d, want %d (run %v)", what, got, result, run)
	}
}

// runStatuses maps every run's JobHistoryId to its Status, for checking
// that an action changed nothing.
func runStatuses(t testing.TB, s *testServer) map[int64]int64 {
	t.Helper()
	out := map[int64]int64{}
	for _, r := range historyWhere(t, s, "") {
		out[runID(t, r)] = wantInt(t, "run", r, "Status")
	}
	return out
}

// isScheduled reports whether a job is listed in ScheduledJobs.
func isScheduled(t testing.TB, s *testServer, jobID string) bool {
	t.Helper()
	n := len(listJobs(t, s, q("QueryString", `Id -eq "`+jobID+`"`)))
	if n > 1 {
		t.Fatalf("ScheduledJobs lists job %s %d times", jobID, n)
	}
	return n == 1
}

// startJob and completeJob drive a job as its orchestrator would.
func startJob(t testing.TB, s *testServer, jobID string) response {
	t.Helper()
	return s.admin(t, http.MethodPost, "/_mock/jobs/"+jobID+"/start", nil)
}

func completeJob(t testing.TB, s *testServer, jobID string, body any) response {
	t.Helper()
	return s.admin(t, http.MethodPost, "/_mock/jobs/"+jobID+"/complete", body)
}

// mustComplete completes a job's pending run with body, expecting 200.
func mustComplete(t testing.TB, s *testServer, jobID string, body any) map[string]any {
	t.Helper()
	r := completeJob(t, s, jobID, body)
	wantJSON(t, r, http.StatusOK)
	return decodeObject(t, r.Body)
}

// getAgent GETs /Agents/{id}, expecting 200.
func getAgent(t testing.TB, s *testServer, id string) map[string]any {
	t.Helper()
	r := s.get(t, kf("/Agents/"+id))
	wantJSON(t, r, http.StatusOK)
	return decodeObject(t, r.Body)
}

// agentStatus reads an agent's Status through GET /Agents?QueryString=.
func agentStatus(t testing.TB, s *testServer, id string) int64 {
	t.Helper()
	list := listAgents(t, s, q("QueryString", `AgentId -eq "`+id+`"`))
	if len(list) != 1 {
		t.Fatalf("GET /Agents lists agent %s %d times, want 1", id, len(list))
	}
	return wantInt(t, "agent", list[0], "Status")
}

// agentIDs lists the fixture agents that satisfy ok (at least n of them).
func agentIDs(t testing.TB, n int, what string, ok func(fixtureAgent) bool) []string {
	t.Helper()
	ids := matching(fixtureAgents(t), ok)
	if len(ids) < n {
		t.Fatalf("the fixtures have %d agents that are %s, want at least %d", len(ids), what, n)
	}
	return ids
}

// journalPage GETs /_mock/requests with params and returns Total and the entries.
func journalPage(t testing.TB, s *testServer, params url.Values) (int64, []map[string]any) {
	t.Helper()
	r := s.admin(t, http.MethodGet, withQuery("/_mock/requests", params), nil)
	wantJSON(t, r, http.StatusOK)
	m := decodeObject(t, r.Body)
	wantMembers(t, "journal page", m, []string{"Total", "Requests"}, nil)
	total := wantInt(t, "journal page", m, "Total")
	raw, ok := m["Requests"].([]any)
	if !ok {
		t.Fatalf("Requests = %#v, want an array", m["Requests"])
	}
	out := make([]map[string]any, len(raw))
	for i, e := range raw {
		if out[i], ok = e.(map[string]any); !ok {
			t.Fatalf("Requests[%d] = %#v, want an object", i, e)
		}
	}
	return total, out
}

// addFault POSTs a fault rule, expecting 201, and returns its Id.
func addFault(t testing.TB, s *testServer, rule any) int64 {
	t.Helper()
	m := s.adminOK(t, http.MethodPost, "/_mock/faults", rule, http.StatusCreated)
	return wantInt(t, "fault rule", m, "Id")
}

// itoa formats an int64.
func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// jsonText marshals v for messages.
func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// mentions reports whether body contains sub, case-insensitively.
func mentions(body []byte, sub string) bool {
	return strings.Contains(strings.ToLower(string(body)), strings.ToLower(sub))
}
