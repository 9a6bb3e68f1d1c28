package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mockcommand/mockcommand/internal/fixturegen"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var listeningRE = regexp.MustCompile(`listening on (https?://\S+)`)

// probe polls health checks; it does not verify a test server's
// throwaway certificate (tests that care about TLS check it themselves).
var probe = &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}

// startRun runs the command in a goroutine with the given environment and
// arguments, waits until /_mock/health answers 200, and returns the base
// URL. Cleanup cancels the context and checks that run returned nil.
func startRun(t *testing.T, env map[string]string, args ...string) string {
	t.Helper()
	url, _ := startRunLogs(t, env, args...)
	return url
}

// startRunLogs is startRun that also returns what the server logs.
func startRunLogs(t *testing.T, env map[string]string, args ...string) (string, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	done := make(chan error, 1)
	args = append([]string{"--addr", "127.0.0.1:0"}, args...)
	go func() { done <- run(ctx, args, func(k string) string { return env[k] }, stdout, stderr) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run returned %v; stderr:\n%s", err, stderr)
			}
		case <-time.After(10 * time.Second):
			t.Error("run did not return after cancel")
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-done:
			t.Fatalf("run exited early: %v; stderr:\n%s", err, stderr)
		default:
		}
		if m := listeningRE.FindStringSubmatch(stdout.String()); m != nil {
			resp, err := probe.Get(m[1] + "/_mock/health")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					return m[1], stderr
				}
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("server not healthy in time; stdout:\n%s\nstderr:\n%s", stdout, stderr)
	return "", nil
}

// call sends a Keyfactor request with the headers real clients send.
func call(t *testing.T, method, url, body string, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(`CORP\admin`, "password")
	req.Header.Set("x-keyfactor-requested-with", "APIClient")
	req.Header.Set("x-keyfactor-api-version", "1")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: decode %s: %v", method, url, b, err)
		}
	}
	return resp.StatusCode
}

type agent struct {
	AgentId       string
	ClientMachine string
	Status        int
	Capabilities  []string
}

type jobType struct {
	Id            string
	JobTypeName   string
	JobTypeFields []struct {
		Name         string
		DefaultValue *string
		Required     bool
	}
}

type jobResponse struct {
	JobId     string
	JobFields []struct{ JobTypeField, Value string }
}

// TestRun_SeedScenario walks the README's scenario against the real binary
// entry point: find approved orchestrators with LOGS, look up a custom job
// type, schedule a job that relies on a default, see it scheduled, then
// done once its orchestrator has picked it up (the default checkin job
// mode, with a shorter pickup delay than the default 5 s).
func TestRun_SeedScenario(t *testing.T) {
	base := startRun(t, nil, "--job-pickup-delay", "300ms") + "/KeyfactorAPI"
	var agents []agent
	if code := call(t, "GET", base+`/Agents?pq.queryString=Status+-eq+2+AND+Capabilities+-contains+%22LOGS%22`, "", &agents); code != 200 {
		t.Fatalf("GET /Agents = %d", code)
	}
	if len(agents) == 0 {
		t.Fatal("no approved agents with LOGS in the default fixtures")
	}
	var target agent
	for _, a := range agents {
		if a.Status != 2 {
			t.Errorf("agent %s has Status %d", a.AgentId, a.Status)
		}
		for _, c := range a.Capabilities {
			if c == "RebootHost" && target.AgentId == "" {
				target = a
			}
		}
	}
	var types []jobType
	if code := call(t, "GET", base+`/JobTypes/Custom?QueryString=JobTypeName%20-eq%20%22RebootHost%22`, "", &types); code != 200 || len(types) != 1 {
		t.Fatalf("GET /JobTypes/Custom = %d, %d types", code, len(types))
	}
	var defaulted string
	for _, f := range types[0].JobTypeFields {
		if f.DefaultValue != nil && !f.Required {
			defaulted = f.Name
			break
		}
	}
	body := `{"AgentId":"` + target.AgentId + `","JobTypeName":"RebootHost","JobFields":{"Host":"web01.corp.example.com"}}`
	var job jobResponse
	if code := call(t, "POST", base+"/OrchestratorJobs/Custom", body, &job); code != 200 {
		t.Fatalf("POST /OrchestratorJobs/Custom = %d", code)
	}
	found := false
	for _, f := range job.JobFields {
		found = found || f.JobTypeField == defaulted
	}
	if !found {
		t.Errorf("job fields %+v lack the defaulted field %s", job.JobFields, defaulted)
	}
	// Until the orchestrator picks it up, the job is scheduled.
	var scheduled []struct{ Id string }
	call(t, "GET", base+"/OrchestratorJobs/ScheduledJobs?pq.queryString=Id+-eq+%22"+job.JobId+"%22", "", &scheduled)
	if len(scheduled) != 1 {
		t.Errorf("right after the POST, ScheduledJobs has %d jobs with Id %s, want 1", len(scheduled), job.JobId)
	}
	// Then it completes with Success and leaves ScheduledJobs.
	var runs []struct {
		JobId          string
		Status, Result int
	}
	waitFor(t, 10*time.Second, "the job to complete", func() bool {
		call(t, "GET", base+"/OrchestratorJobs/JobHistory?pq.queryString=JobId+-eq+%22"+job.JobId+"%22", "", &runs)
		return len(runs) == 1 && runs[0].Status == 3
	})
	if runs[0].Result != 2 {
		t.Errorf("job history of %s = %+v, want one Completed (3) run with Success (2)", job.JobId, runs)
	}
	call(t, "GET", base+"/OrchestratorJobs/ScheduledJobs?pq.queryString=Id+-eq+%22"+job.JobId+"%22", "", &scheduled)
	if len(scheduled) != 0 {
		t.Errorf("after the run, ScheduledJobs still has job %s", job.JobId)
	}
}

// waitFor polls cond until it holds, failing the test after within: tests
// wait for what they need instead of assuming how fast a machine is.
func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting %v for %s", within, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRun_PersistentDatabase checks that --db survives a restart and is
// seeded only when created: the second start uses different fixtures, which
// must not replace the stored state.
func TestRun_PersistentDatabase(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "mock.db")
	other := filepath.Join(dir, "fx")
	if err := os.Mkdir(other, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(other, "agents.json"), []byte(`[{"ClientMachine":"only-one","Status":2,"AgentPlatform":7}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	var jobID string
	var countBefore int
	t.Run("first start", func(t *testing.T) {
		base := startRun(t, map[string]string{"MOCKCOMMAND_DB": db}) + "/KeyfactorAPI"
		var agents []agent
		call(t, "GET", base+"/Agents?ReturnLimit=1000", "", &agents)
		countBefore = len(agents)
		var job jobResponse
		var logs []agent
		call(t, "GET", base+"/Agents?QueryString="+url.QueryEscape(`Status -eq 2 AND Capabilities -contains "LOGS"`), "", &logs)
		if code := call(t, "POST", base+"/OrchestratorJobs/Custom", `{"AgentId":"`+logs[0].AgentId+`","JobTypeName":"FetchLogs"}`, &job); code != 200 {
			t.Fatalf("POST = %d", code)
		}
		jobID = job.JobId
	})
	t.Run("restart with other fixtures", func(t *testing.T) {
		url, logs := startRunLogs(t, map[string]string{"MOCKCOMMAND_DB": db, "MOCKCOMMAND_FIXTURES": other})
		base := url + "/KeyfactorAPI"
		// The fixtures are not loaded, and the log says so, naming both sources.
		if l := logs.String(); !strings.Contains(l, "level=WARN") || !strings.Contains(l, "these fixtures are not loaded") ||
			!strings.Contains(l, "seeded_from=\"built-in fixtures (checksum") || !strings.Contains(l, "fixtures=\""+other+" (checksum") {
			t.Errorf("restarting a seeded database with other fixtures logged:\n%s\nwant a warning naming both sources", l)
		}
		var agents []agent
		call(t, "GET", base+"/Agents?ReturnLimit=1000", "", &agents)
		if len(agents) != countBefore {
			t.Errorf("%d agents after restart, want the %d stored before (fixtures must not reseed)", len(agents), countBefore)
		}
		var runs []struct{ JobId string }
		call(t, "GET", base+"/OrchestratorJobs/JobHistory", "", &runs)
		if len(runs) != 1 || runs[0].JobId != jobID {
			t.Errorf("job history after restart = %+v, want the run of %s", runs, jobID)
		}
	})
	t.Run("restart with the same fixtures", func(t *testing.T) {
		_, logs := startRunLogs(t, map[string]string{"MOCKCOMMAND_DB": db})
		if l := logs.String(); strings.Contains(l, "level=WARN") || !strings.Contains(l, "database already seeded; keeping its state") {
			t.Errorf("restarting with the fixtures it was seeded from logged:\n%s\nwant an info line and no warning", l)
		}
	})
	t.Run("new database takes the fixtures directory", func(t *testing.T) {
		base := startRun(t, nil, "--fixtures", other, "--db", filepath.Join(dir, "fresh.db")) + "/KeyfactorAPI"
		var agents []agent
		call(t, "GET", base+"/Agents", "", &agents)
		if len(agents) != 1 || agents[0].ClientMachine != "only-one" {
			t.Errorf("agents = %+v, want the one from the fixtures directory", agents)
		}
	})
}

func TestRun_ConfigFromEnvAndFlags(t *testing.T) {
	env := map[string]string{
		"MOCKCOMMAND_BASE_PATH": "/Env/Path/",
		"MOCKCOMMAND_USERS":     `CORP\ci:s3cret`,
		"MOCKCOMMAND_AUTH":      "none",
	}
	// The flag overrides the environment's --auth none.
	base := startRun(t, env, "--auth", "basic", "--product-version", "11.5.0.0")
	req, _ := http.NewRequest("GET", base+"/env/path/Agents", nil)
	req.Header.Set("x-keyfactor-requested-with", "APIClient")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("no credentials: status %d, want 401 (flag --auth basic beats the environment)", resp.StatusCode)
	}
	req.SetBasicAuth(`corp\CI`, "s3cret")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("x-keyfactor-product-version") != "11.5.0.0" {
		t.Errorf("user from env: status %d, version %q; want 200, 11.5.0.0", resp.StatusCode, resp.Header.Get("x-keyfactor-product-version"))
	}
}

func TestRun_StartupErrors(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "agents.json"), []byte("[{\"Status\": 2},\n {\"Status\": 9}]"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A file large enough (2 MB or more) to be decoded while it is stored
	// (seed.Stream) names the entry the same way.
	big := t.TempDir()
	agents := fixturegen.Agents(3200, 1)
	agents[3100].Status = 9
	data, err := json.MarshalIndent(agents, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(big, "agents.json"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	if len(data) < 2<<20 {
		t.Fatalf("the large fixture file has %d bytes; it must reach 2 MB to be streamed", len(data))
	}
	entries := strings.SplitAfter(string(data), "\n  {") // entry i starts at the end of entries[i]
	badLine := strings.Count(strings.Join(entries[:3101], ""), "\n") + 1
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"malformed fixture", []string{"--fixtures", dir}, "load fixtures: " + dir + "/agents.json: entry 1 (line 2): Status 9 is not an agent status"},
		{"malformed large fixture", []string{"--fixtures", big}, fmt.Sprintf("load fixtures: %s/agents.json: entry 3100 (line %d): Status 9 is not an agent status", big, badLine)},
		{"missing fixtures dir", []string{"--fixtures", filepath.Join(dir, "nope")}, "neither agents.json nor jobtypes.json was found"},
		{"bad auth", []string{"--auth", "kerberos"}, `--auth: "kerberos" is not basic, oauth, basic,oauth or none`},
		{"self-signed and cert files", []string{"--tls-self-signed", "--tls-cert", "c.pem", "--tls-key", "k.pem"}, "cannot both be given"},
		{"cert without key", []string{"--tls-cert", "c.pem"}, "--tls-cert and --tls-key go together"},
		{"unreadable cert", []string{"--tls-cert", "/nonexistent/c.pem", "--tls-key", "/nonexistent/k.pem"}, "--tls-cert/--tls-key"},
		{"bad oauth clients", []string{"--oauth-clients", "nosecret"}, "--oauth-clients"},
		{"bad token ttl", []string{"--oauth-token-ttl", "-1m"}, "--oauth-token-ttl"},
		{"bad users", []string{"--users", "nopassword"}, `--users: user "nopassword" must be written name:password`},
		{"bad body limit", []string{"--max-body-bytes", "-5"}, "--max-body-bytes"},
		{"bad log level", []string{"--log-level", "loud"}, "--log-level"},
		{"base path clash", []string{"--base-path", "/_mock"}, "clashes with the /_mock/ admin routes"},
		{"stray argument", []string{"serve"}, `unexpected argument "serve"`},
		{"unknown flag", []string{"--port", "1"}, "flag provided but not defined: -port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"--addr", "127.0.0.1:0"}, tt.args...)
			err := run(context.Background(), args, func(string) string { return "" }, io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("run error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}
