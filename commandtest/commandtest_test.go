package commandtest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mockcommand/mockcommand/commandtest"
)

// get decodes a JSON answer from the server's Client.
func get(t *testing.T, s *commandtest.Server, path string, out any) int {
	t.Helper()
	return call(t, s, http.MethodGet, path, "", out)
}

// post sends a JSON body with the server's Client and decodes the answer.
func post(t *testing.T, s *commandtest.Server, path, body string, out any) int {
	t.Helper()
	return call(t, s, http.MethodPost, path, body, out)
}

// call sends a request with the server's Client and, when the answer is
// 200 and out is not nil, decodes it into out. It returns the status.
func call(t *testing.T, s *commandtest.Server, method, path, body string, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, s.BaseURL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s %s: %v", method, path, err)
	}
	if out != nil && resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("decode %s: %v", b, err)
		}
	}
	return resp.StatusCode
}

func TestNewServer_ClientSendsKeyfactorHeadersAndCredentials(t *testing.T) {
	s := commandtest.NewServer(t, commandtest.WithUser("ci-bot", "s3cret"))
	var agents []commandtest.Agent
	if code := get(t, s, "/Agents", &agents); code != 200 || len(agents) == 0 {
		t.Fatalf("GET /Agents with the preset client = %d, %d agents", code, len(agents))
	}
	// A plain client gets 401: the credentials really are checked.
	resp, err := http.Get(s.BaseURL + "/Agents")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("plain client: %d, want 401", resp.StatusCode)
	}
	reqs := s.Requests(commandtest.RequestQuery{Path: "*/Agents"})
	if len(reqs) != 2 || reqs[0].Headers["Authorization"][0] != "Basic ci-bot:[redacted]" || reqs[1].Status != 401 {
		t.Errorf("journal = %+v", reqs)
	}
	s.ClearRequests()
	if n := len(s.Requests(commandtest.RequestQuery{})); n != 0 {
		t.Errorf("%d requests after ClearRequests", n)
	}
}

func TestNewServer_Options(t *testing.T) {
	t.Run("TLS, base path, no auth", func(t *testing.T) {
		s := commandtest.NewServer(t, commandtest.WithTLS(), commandtest.WithBasePath("/Custom/Api"), commandtest.WithoutAuth())
		if !strings.HasPrefix(s.BaseURL, "https://") || !strings.HasSuffix(s.BaseURL, "/Custom/Api") {
			t.Errorf("BaseURL = %s", s.BaseURL)
		}
		var eps []string
		if code := get(t, s, "/Status/Endpoints", &eps); code != 200 || len(eps) == 0 {
			t.Errorf("GET /Status/Endpoints over TLS = %d %v", code, eps)
		}
		if s.TLSConfig() == nil || s.Username != "" {
			t.Errorf("TLSConfig %v, Username %q", s.TLSConfig(), s.Username)
		}
	})
	t.Run("fixtures directory and persistent database", func(t *testing.T) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "agents.json"), []byte(`[{"AgentId":"11111111-2222-3333-4444-555555555555","ClientMachine":"only","Status":2,"AgentPlatform":7}]`), 0o600)
		db := filepath.Join(dir, "state.db")
		s := commandtest.NewServer(t, commandtest.WithFixturesDir(dir), commandtest.WithDatabase(db))
		var agents []commandtest.Agent
		get(t, s, "/Agents", &agents)
		if len(agents) != 1 || *agents[0].ClientMachine != "only" {
			t.Errorf("agents = %+v", agents)
		}
		if _, err := os.Stat(db); err != nil {
			t.Errorf("database file: %v", err)
		}
	})
	t.Run("bad fixtures fail the start", func(t *testing.T) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "agents.json"), []byte(`[{"Status": 9}]`), 0o600)
		if _, err := commandtest.Start(commandtest.WithFixturesDir(dir)); err == nil || !strings.Contains(err.Error(), "Status 9") {
			t.Errorf("Start error = %v", err)
		}
	})
	t.Run("bad job mode fails the start", func(t *testing.T) {
		if _, err := commandtest.Start(commandtest.WithJobMode("sometimes")); err == nil {
			t.Error("Start accepted job mode sometimes")
		}
	})
}

func TestServer_SeedScheduleAndClock(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	s := commandtest.NewServer(t, commandtest.WithoutFixtures(), commandtest.WithClock(t0))
	types, err := s.SeedJobTypes(commandtest.JobType{JobTypeName: "Rotate", JobTypeFields: []commandtest.JobTypeField{
		{Name: "Account", Type: commandtest.TypeString, Required: true},
		{Name: "Retries", Type: commandtest.TypeInt, DefaultValue: commandtest.Value("3")},
	}})
	if err != nil || types[0].Id == "" {
		t.Fatalf("SeedJobTypes = %+v, %v", types, err)
	}
	agents, err := s.SeedAgents(commandtest.Agent{ClientMachine: commandtest.Ptr("a"), Status: 2, AgentPlatform: 7, Capabilities: []string{"Rotate"}})
	if err != nil {
		t.Fatal(err)
	}
	id := agents[0].AgentId
	if a, _ := s.Agent(id); !a.LastSeen.Equal(t0) {
		t.Errorf("LastSeen of a seeded agent = %v, want the mock clock %v", a.LastSeen, t0)
	}

	// An ExactlyOnce job an hour ahead waits; once the clock passes it, the
	// orchestrator picks it up at its next check-in (the default checkin
	// mode) and completes it.
	var job struct{ JobId string }
	body := fmt.Sprintf(`{"AgentId":%q,"JobTypeName":"rotate","JobFields":{"Account":"svc"},"Schedule":{"ExactlyOnce":{"Time":"2026-12-01T09:00:00Z"}}}`, id)
	if code := post(t, s, "/OrchestratorJobs/Custom", body, &job); code != 200 {
		t.Fatalf("POST job = %d", code)
	}
	status := func() (int, int) {
		var runs []commandtest.JobHistory
		get(t, s, "/OrchestratorJobs/JobHistory?QueryString=JobId+-eq+%22"+job.JobId+"%22", &runs)
		if len(runs) != 1 {
			t.Fatalf("runs = %+v", runs)
		}
		return runs[0].Status, runs[0].Result
	}
	if st, _ := status(); st != commandtest.StatusWaiting {
		t.Errorf("before the time: status %d, want Waiting", st)
	}
	if err := s.Advance(59 * time.Minute); err != nil {
		t.Fatal(err)
	}
	if st, _ := status(); st != commandtest.StatusWaiting {
		t.Errorf("a minute before: status %d, want Waiting", st)
	}
	if err := s.Advance(time.Minute); err != nil {
		t.Fatal(err)
	}
	if st, _ := status(); st != commandtest.StatusWaiting {
		t.Errorf("at the time, before the orchestrator's check-in: status %d, want Waiting", st)
	}
	if err := s.Advance(commandtest.DefaultPickupDelay); err != nil {
		t.Fatal(err)
	}
	if st, res := status(); st != commandtest.StatusCompleted || res != commandtest.ResultSuccess {
		t.Errorf("after the check-in: status %d result %d, want Completed Success", st, res)
	}
	pickup := t0.Add(time.Hour + commandtest.DefaultPickupDelay)
	if a, _ := s.Agent(id); !a.LastSeen.Equal(pickup) {
		t.Errorf("LastSeen after the run = %v, want the check-in %v", a.LastSeen, pickup)
	}
	if err := s.Reset(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Agent(id); err == nil {
		t.Error("seeded agent survived Reset to empty fixtures")
	}
}

func TestServer_ManualJobsAndScripts(t *testing.T) {
	s := commandtest.NewServer(t, commandtest.WithJobMode(commandtest.ModeManual))
	schedule := func(jobType string) string {
		var job struct{ JobId string }
		fields := map[string]string{"RebootHost": `{"Host":"h"}`, "SampleCustomJobType": `{"ParamDate":"2026-01-01"}`, "FetchLogs": `{}`}[jobType]
		body := `{"AgentId":"c6f87718-6d76-407e-881e-d162ae2eb154","JobTypeName":"` + jobType + `","JobFields":` + fields + `}`
		if code := post(t, s, "/OrchestratorJobs/Custom", body, &job); code != 200 {
			t.Fatalf("POST %s = %d", jobType, code)
		}
		return job.JobId
	}
	id := schedule("RebootHost")
	run, err := s.StartJob(id)
	if err != nil || run.Status != commandtest.StatusInProcess {
		t.Fatalf("StartJob = %+v, %v", run, err)
	}
	run, err = s.CompleteJob(id, commandtest.Completion{})
	if err != nil || run.Status != commandtest.StatusCompleted || run.Result != commandtest.ResultSuccess {
		t.Fatalf("CompleteJob = %+v, %v", run, err)
	}
	if _, err := s.CompleteJob(id, commandtest.Completion{}); err == nil {
		t.Error("completing a finished one-shot job succeeded")
	}

	msg := "scripted warning"
	if err := s.SetJobMode(commandtest.ModeManual, map[string]commandtest.Completion{"samplecustomjobtype": {Result: commandtest.ResultWarning, Message: &msg}}); err != nil {
		t.Fatal(err)
	}
	scripted := schedule("SampleCustomJobType")
	manual := schedule("FetchLogs")
	var runs []commandtest.JobHistory
	get(t, s, "/OrchestratorJobs/JobHistory?SortField=JobHistoryId&SortAscending=1&ReturnLimit=2", &runs)
	got := map[string]int{}
	for _, r := range runs {
		got[r.JobId] = r.Status*10 + r.Result
	}
	if got[scripted] != 33 || got[manual] != 10 {
		t.Errorf("scripted run status/result %d, manual run %d; want 33 (Completed, Warning) and 10 (Waiting, Unknown)", got[scripted], got[manual])
	}
	if err := s.SetJobMode("sometimes", nil); err == nil {
		t.Error("SetJobMode accepted an unknown mode")
	}
}

func TestServer_Faults(t *testing.T) {
	s := commandtest.NewServer(t)
	r, err := s.AddFault(commandtest.FaultRule{Path: "*/Agents", Status: 429, Headers: map[string]string{"Retry-After": "2"}, Times: 1})
	if err != nil || r.Id == 0 {
		t.Fatalf("AddFault = %+v, %v", r, err)
	}
	resp, err := s.Client.Get(s.BaseURL + "/Agents")
	if err != nil {
		t.Fatal(err)
	}
	var body struct{ ErrorCode, Message string }
	json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "2" || body.ErrorCode == "" {
		t.Errorf("faulted answer %d Retry-After %q body %+v", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	if code := get(t, s, "/Agents", nil); code != 200 {
		t.Errorf("after Times: 1, status %d, want 200", code)
	}
	if _, err := s.AddFault(commandtest.FaultRule{Path: "*"}); err == nil {
		t.Error("AddFault accepted a rule that does nothing")
	}
	s.ClearFaults()
	if n := len(s.Faults()); n != 0 {
		t.Errorf("%d rules after ClearFaults", n)
	}
}

func TestStart_ChecksLikeTheCommand(t *testing.T) {
	s := commandtest.NewServer(t, commandtest.WithBasePath("Custom/Api/"))
	if !strings.HasSuffix(s.BaseURL, "/Custom/Api") || strings.Contains(s.BaseURL, "//Custom") {
		t.Errorf("BaseURL = %s, want the base path normalised to /Custom/Api", s.BaseURL)
	}
	if code := get(t, s, "/Agents", nil); code != 200 {
		t.Errorf("GET through the normalised base path = %d", code)
	}
	if _, err := commandtest.Start(commandtest.WithBasePath("/_mock")); err == nil {
		t.Error("a base path clashing with /_mock/ was accepted")
	}
	for name, scripts := range map[string]map[string]commandtest.Completion{
		"bad result":      {"RebootHost": {Result: 99}},
		"empty name":      {" ": {}},
		"same name twice": {"RebootHost": {}, "reboothost": {}},
	} {
		if err := s.SetJobMode(commandtest.ModeManual, scripts); err == nil {
			t.Errorf("SetJobMode accepted scripts with a %s", name)
		}
	}
}

// The helpers check what the /_mock routes check, in the same code: a
// clock moved past 9999 is refused, and the mock keeps answering.
func TestServer_ClockStaysInRange(t *testing.T) {
	s := commandtest.NewServer(t, commandtest.WithClock(time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)))
	if err := s.Advance(48 * time.Hour); err == nil || !strings.Contains(err.Error(), "years 1 to 9999") {
		t.Errorf("Advance(48h) from 9999-12-31 = %v, want an error naming the range", err)
	}
	if err := s.SetTime(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)); err == nil {
		t.Error("SetTime(year 10000) succeeded")
	}
	if _, err := s.SeedAgents(commandtest.Agent{ClientMachine: commandtest.Ptr("late"), Status: 2, AgentPlatform: 7}); err != nil {
		t.Fatal(err)
	}
	var agents []commandtest.Agent
	if code := get(t, s, "/Agents", &agents); code != 200 || len(agents) == 0 {
		t.Errorf("GET /Agents after the refused clock changes = %d with %d agents, want 200", code, len(agents))
	}
}
