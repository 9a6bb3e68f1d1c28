package main

import (
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/mockcommand/mockcommand/internal/store"
	_ "modernc.org/sqlite"
)

// jobBody is a custom job on agent id that relies on field defaults.
func jobBody(id string) string {
	return `{"AgentId":"` + id + `","JobTypeName":"RebootHost","JobFields":{"Host":"web01.corp.example.com"}}`
}

// postJobs schedules jobs from n clients until stop closes, and returns the
// JobIds answered with 200 and the statuses seen. progress, when not nil,
// counts the answered jobs as they come.
func postJobs(base, agentID string, n int, stop <-chan struct{}, progress *atomic.Int64) (acked []string, statuses map[int]int, bodies []string) {
	var mu sync.Mutex
	statuses = map[int]int{}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: n}}
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := client.Do(kfRequest("POST", base+"/OrchestratorJobs/Custom", jobBody(agentID)))
				if err != nil {
					continue // the server was killed, or refuses during shutdown
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				var job struct{ JobId string }
				mu.Lock()
				statuses[resp.StatusCode]++
				if resp.StatusCode == 200 && json.Unmarshal(b, &job) == nil && job.JobId != "" {
					acked = append(acked, job.JobId)
					if progress != nil {
						progress.Add(1)
					}
				} else {
					bodies = append(bodies, string(b))
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return acked, statuses, bodies
}

// storedRuns returns how many job history entries each JobId has.
func storedRuns(t *testing.T, base string) map[string]int {
	t.Helper()
	var runs []struct{ JobId string }
	if code := call(t, "GET", base+"/OrchestratorJobs/JobHistory?ReturnLimit=2147483647", "", &runs); code != 200 {
		t.Fatalf("GET JobHistory = %d", code)
	}
	out := map[string]int{}
	for _, r := range runs {
		out[r.JobId]++
	}
	return out
}

// TestCrashSafety kills the server with SIGKILL in the middle of a stream
// of job POSTs and restarts it on the same database file: every job that
// was answered with 200 is there, and the database passes SQLite's
// integrity check. It waits for load in flight (a number of answered
// jobs, however long a machine takes to answer them), never for a time.
func TestCrashSafety(t *testing.T) {
	db := filepath.Join(t.TempDir(), "crash.db")
	c := startChild(t, "--db", db, "--job-mode", "manual")
	base := c.url + "/KeyfactorAPI"
	agentID := approvedAgentWith(t, base, "RebootHost")
	stop := make(chan struct{})
	var acked []string
	var answered atomic.Int64
	done := make(chan struct{})
	go func() {
		acked, _, _ = postJobs(base, agentID, 16, stop, &answered)
		close(done)
	}()
	waitFor(t, 2*time.Minute, "50 jobs answered before the kill", func() bool { return answered.Load() >= 50 })
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	c.wait(t, 10*time.Second)
	close(stop)
	<-done

	c2 := startChild(t, "--db", db, "--job-mode", "manual")
	runs := storedRuns(t, c2.url+"/KeyfactorAPI")
	missing := 0
	for _, id := range acked {
		if runs[id] != 1 {
			missing++
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d acknowledged jobs are not stored exactly once after the crash", missing, len(acked))
	}
	t.Logf("%d jobs acknowledged before SIGKILL, %d stored after restart", len(acked), len(runs))

	for _, file := range []string{db, store.JobsPath(db)} {
		conn, err := sql.Open("sqlite", file)
		if err != nil {
			t.Fatal(err)
		}
		var result string
		if err := conn.QueryRow(`PRAGMA integrity_check`).Scan(&result); err != nil || result != "ok" {
			t.Errorf("%s: integrity_check = %q, %v; want ok", file, result, err)
		}
		conn.Close()
	}
}

// faultMatched reads how many requests fault rule 1 of the child matched.
func faultMatched(t *testing.T, c *child) int {
	t.Helper()
	resp, err := http.Get(c.url + "/_mock/faults")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var rules []struct{ Matched int }
	if err := json.NewDecoder(resp.Body).Decode(&rules); err != nil || len(rules) != 1 {
		t.Fatalf("GET /_mock/faults: %v %v", rules, err)
	}
	return rules[0].Matched
}

// addFault adds a fault rule to the child.
func addFault(t *testing.T, c *child, rule string) {
	t.Helper()
	resp, err := http.Post(c.url+"/_mock/faults", "application/json", strings.NewReader(rule))
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("add fault: %v %v", resp, err)
	}
	resp.Body.Close()
}

// TestGracefulShutdown sends SIGTERM while requests are in flight: they
// complete with 200, new connections are refused, and the process exits
// cleanly.
func TestGracefulShutdown(t *testing.T) {
	c := startChild(t, "--shutdown-timeout", "10s")
	base := c.url + "/KeyfactorAPI"
	// Every agent listing waits in a fault's delay until the shutdown ends
	// the delays, so all of them are surely in flight at SIGTERM.
	addFault(t, c, `{"Method":"GET","Path":"/KeyfactorAPI/Agents","Delay":"5m"}`)

	const inFlight = 8
	var ok atomic.Int32
	var wg sync.WaitGroup
	errs := make(chan error, inFlight)
	for range inFlight {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.DefaultClient.Do(kfRequest("GET", base+"/Agents", ""))
			if err != nil {
				errs <- err
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var agents []json.RawMessage
			if resp.StatusCode == 200 && json.Unmarshal(b, &agents) == nil && len(agents) > 0 {
				ok.Add(1)
			} else {
				errs <- errors.New(resp.Status + ": " + string(b))
			}
		}()
	}
	waitFor(t, time.Minute, "all eight listings in flight", func() bool { return faultMatched(t, c) == inFlight })
	start := time.Now()
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// New connections are refused, not left hanging, once the listener
	// closes.
	waitFor(t, 10*time.Second, "new connections to be refused", func() bool {
		conn, err := net.DialTimeout("tcp", strings.TrimPrefix(c.url, "http://"), time.Second)
		if err == nil {
			conn.Close()
		}
		return err != nil
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("in-flight request during shutdown: %v", err)
	}
	if got := ok.Load(); got != inFlight {
		t.Errorf("%d of %d in-flight requests completed with agents", got, inFlight)
	}
	if err := c.wait(t, 15*time.Second); err != nil {
		t.Errorf("exit after SIGTERM: %v, want status 0\n%s", err, c.stderr)
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("shutdown took %v", d)
	}
}

// TestConcurrency runs 64 clients at once, half scheduling jobs and half
// reading agents, until each half has done a few hundred requests: no 5xx,
// no "database is locked", and every job answered with 200 is stored
// exactly once.
func TestConcurrency(t *testing.T) {
	c := startChild(t, "--job-mode", "manual")
	base := c.url + "/KeyfactorAPI"
	agentID := approvedAgentWith(t, base, "RebootHost")
	stop := make(chan struct{})
	var reads atomic.Int64
	var readFailures sync.Map
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := client.Do(kfRequest("GET", base+`/Agents?QueryString=Status+-eq+2+AND+Capabilities+-contains+%22LOGS%22`, ""))
				if err != nil {
					readFailures.Store(err.Error(), true)
					continue
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					readFailures.Store(resp.Status+" "+string(b), true)
				}
				reads.Add(1)
			}
		}()
	}
	var acked []string
	var statuses map[int]int
	var bodies []string
	posted := make(chan struct{})
	var answered atomic.Int64
	go func() {
		acked, statuses, bodies = postJobs(base, agentID, 32, stop, &answered)
		close(posted)
	}()
	waitFor(t, 2*time.Minute, "300 jobs and 300 listings", func() bool { return answered.Load() >= 300 && reads.Load() >= 300 })
	close(stop)
	wg.Wait()
	<-posted
	readFailures.Range(func(k, _ any) bool {
		t.Errorf("read failed: %v", k)
		return true
	})
	for status, n := range statuses {
		if status != 200 {
			t.Errorf("%d POSTs answered %d", n, status)
		}
	}
	for _, b := range bodies {
		if strings.Contains(strings.ToLower(b), "locked") {
			t.Errorf("a response mentions a lock: %s", b)
		}
	}
	runs := storedRuns(t, base)
	for _, id := range acked {
		if runs[id] != 1 {
			t.Errorf("job %s stored %d times, want 1", id, runs[id])
		}
	}
	if len(runs) != len(acked) {
		t.Errorf("%d jobs stored, %d acknowledged", len(runs), len(acked))
	}
	t.Logf("%d jobs scheduled and %d agent listings read by 64 clients", len(acked), reads.Load())
}

// TestGracefulShutdown_EndsFaultDelays: a delay fault of minutes does not
// hold a shutdown: the delayed request is answered, the process exits 0.
func TestGracefulShutdown_EndsFaultDelays(t *testing.T) {
	c := startChild(t, "--shutdown-timeout", "20s")
	addFault(t, c, `{"Path":"*/Agents","Delay":"5m"}`)
	answered := make(chan int, 1)
	go func() {
		resp, err := http.DefaultClient.Do(kfRequest("GET", c.url+"/KeyfactorAPI/Agents", ""))
		if err != nil {
			answered <- 0
			return
		}
		resp.Body.Close()
		answered <- resp.StatusCode
	}()
	waitFor(t, time.Minute, "the listing to wait in the delay", func() bool { return faultMatched(t, c) == 1 })
	start := time.Now()
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-answered:
		if code != http.StatusOK {
			t.Errorf("the delayed request got %d during shutdown, want 200", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the delayed request was still waiting 10 s after SIGTERM")
	}
	if err := c.wait(t, 10*time.Second); err != nil {
		t.Errorf("exit: %v\n%s", err, c.stderr)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("shutdown took %v", d)
	}
}
