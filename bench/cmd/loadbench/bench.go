package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

const seedQuery = `Status -eq 2 AND Capabilities -contains "LOGS"`

// endpoint is one measured route: how to call it on the mock, and the
// ceiling path that returns a body of the same size.
type endpoint struct {
	name, method, path, body string
}

func bench(ctx context.Context, c config) error {
	tmp, err := os.MkdirTemp("", "loadbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	fmt.Printf("machine: %s/%s, %d CPUs, %s\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), cpuModel())
	if c.mockBin == "" {
		fmt.Println("building mockcommand (CGO_ENABLED=0 -trimpath, as the Dockerfile does)…")
		if c.mockBin, err = buildMock(ctx, tmp); err != nil {
			return err
		}
	}
	var report strings.Builder

	// Start-up: the default fixtures, several times.
	readies, p, err := timeStarts(ctx, c, 5, false)
	if err != nil {
		return err
	}
	p.stop()
	line := fmt.Sprintf("ready (health 200) with the default fixtures: %s over %d starts", spread(readies), len(readies))
	fmt.Println(line)
	report.WriteString("- " + line + "\n")

	// Seeding from fixture files of c.scale sizes, then latency by scale.
	for _, n := range c.scale {
		if err := scaleRun(ctx, c, tmp, n, &report); err != nil {
			return err
		}
	}

	// Load runs at c.agents.
	dir, err := writeFixtures(tmp, c.agents)
	if err != nil {
		return err
	}
	mock, ready, err := startMock(ctx, c, "--fixtures", dir)
	if err != nil {
		return err
	}
	defer mock.stop()
	fmt.Printf("mock with %d agents ready in %s at %s\n", c.agents, fmtDur(ready), mock.url)
	uncached, _, err := startMock(ctx, c, "--fixtures", dir, "--response-cache=false")
	if err != nil {
		return err
	}
	defer uncached.stop()
	base := mock.url + "/KeyfactorAPI"
	agentID, err := approvedAgentWith(base, "RebootHost")
	if err != nil {
		return err
	}
	q := url.Values{"pq.queryString": {seedQuery}, "pq.returnLimit": {"50"}, "pq.pageReturned": {"1"}}
	endpoints := []endpoint{
		{"GET /Agents (seed query, page of 50)", "GET", "/Agents?" + q.Encode(), ""},
		{"GET /JobTypes/Custom", "GET", "/JobTypes/Custom", ""},
		{"POST /OrchestratorJobs/Custom (defaults applied)", "POST", "/OrchestratorJobs/Custom",
			`{"AgentId":"` + agentID + `","JobTypeName":"RebootHost","JobFields":{"Host":"web01.corp.example.com"}}`},
	}
	// The ceiling serves, for each endpoint, a body of the mock's own answer's size.
	bodies := filepath.Join(tmp, "ceiling")
	if err := os.MkdirAll(bodies, 0o755); err != nil {
		return err
	}
	for i, e := range endpoints {
		status, body, err := fetch(e.method, base+e.path, e.body)
		if err != nil || status != 200 {
			return fmt.Errorf("%s: status %d, %v: %s", e.name, status, err, body)
		}
		if err := os.WriteFile(filepath.Join(bodies, fmt.Sprint(i)), body, 0o644); err != nil {
			return err
		}
		fmt.Printf("  %s: %d-byte answer\n", e.name, len(body))
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	ceiling, _, err := start(ctx, self, "/health", "-serve-ceiling", bodies)
	if err != nil {
		return err
	}
	defer ceiling.stop()

	var results []result
	posted := 0
	header := fmt.Sprintf("%-50s %-14s %5s %10s %9s %9s %7s %8s %6s", "endpoint", "server", "round", "req/s", "p50", "p99", "errors", "RSS MB", "idle")
	fmt.Println(header)
	for round := 1; round <= c.rounds; round++ {
		for i, e := range endpoints {
			servers := []string{"ceiling", "mock"}
			if e.method == "GET" && strings.HasPrefix(e.path, "/Agents") {
				servers = append(servers, "mock, no cache")
			}
			for _, srv := range servers {
				t, proc := target(e.method, base+e.path, e.body), mock
				switch srv {
				case "ceiling":
					t, proc = target(e.method, fmt.Sprintf("%s/%d", ceiling.url, i), e.body), nil
				case "mock, no cache":
					t, proc = target(e.method, uncached.url+"/KeyfactorAPI"+e.path, e.body), uncached
				}
				warm, m, rss, idle := measure(ctx, c, t, proc)
				if ctx.Err() != nil {
					return ctx.Err()
				}
				r := result{endpoint: e.name, server: srv, rps: m.Throughput, p50: m.Latencies.P50, p99: m.Latencies.P99,
					errors: errorCount(m), maxRSS: rss}
				if srv == "mock" && e.method == "POST" {
					posted += warm.StatusCodes["200"] + m.StatusCodes["200"]
				}
				results = append(results, r)
				fmt.Printf("%-50s %-14s %5d %10.0f %9s %9s %7d %8.1f %5.0f%%\n", e.name, srv, round, r.rps, fmtDur(r.p50), fmtDur(r.p99), r.errors, r.maxRSS, idle*100)
				if len(m.Errors) > 0 {
					fmt.Printf("    errors: %s\n", strings.Join(m.Errors[:min(3, len(m.Errors))], "; "))
				}
			}
		}
	}
	stored, err := countRuns(base)
	if err != nil {
		return err
	}
	line = fmt.Sprintf("POST check: %d jobs acknowledged with 200 (warm-up included), %d stored", posted, stored)
	fmt.Println(line)
	report.WriteString("- " + line + "\n")
	summary := summarize(results, c)
	fmt.Print(summary)
	if c.out != "" {
		return os.WriteFile(c.out, []byte(report.String()+"\n"+summary), 0o644)
	}
	return nil
}

// summarize gives, per endpoint, the mean of the rounds and the ratio to
// the ceiling, as a Markdown table.
func summarize(results []result, c config) string {
	type agg struct {
		rps, p50, p99 []float64
		errors        uint64
		rss           float64
	}
	byKey := map[string]*agg{}
	var order []string
	for _, r := range results {
		k := r.endpoint + "|" + r.server
		if byKey[k] == nil {
			byKey[k] = &agg{}
			order = append(order, k)
		}
		a := byKey[k]
		a.rps = append(a.rps, r.rps)
		a.p50 = append(a.p50, float64(r.p50.Microseconds())/1000)
		a.p99 = append(a.p99, float64(r.p99.Microseconds())/1000)
		a.errors += r.errors
		a.rss = max(a.rss, r.maxRSS)
	}
	mean := func(v []float64) float64 {
		s := 0.0
		for _, x := range v {
			s += x
		}
		return s / float64(len(v))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n%d agents, %d connections, %s per run after %s warm-up, %d interleaved rounds (mean of rounds; each round's figure in brackets)\n\n",
		c.agents, c.conns, c.duration, c.warmup, c.rounds)
	b.WriteString("| endpoint | server | req/s | p50 ms | p99 ms | errors | max RSS MB | req/s vs ceiling | p99 vs ceiling |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, k := range order {
		a := byKey[k]
		name, srv, _ := strings.Cut(k, "|")
		ratio, p99ratio := "", ""
		if srv != "ceiling" {
			ce := byKey[name+"|ceiling"]
			ratio = fmt.Sprintf("%.0f%%", 100*mean(a.rps)/mean(ce.rps))
			p99ratio = fmt.Sprintf("%.2f×", mean(a.p99)/mean(ce.p99))
		}
		rss := ""
		if a.rss > 0 {
			rss = fmt.Sprintf("%.1f", a.rss)
		}
		fmt.Fprintf(&b, "| %s | %s | %.0f %s | %.2f | %.2f %s | %d | %s | %s | %s |\n", name, srv, mean(a.rps), bracket(a.rps, "%.0f"),
			mean(a.p50), mean(a.p99), bracket(a.p99, "%.2f"), a.errors, rss, ratio, p99ratio)
	}
	return b.String()
}

func bracket(v []float64, f string) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = fmt.Sprintf(f, x)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// scaleRun seeds a mock from a fixture file of n agents (timing it) and
// measures the seed query's latency with one connection.
func scaleRun(ctx context.Context, c config, tmp string, n int, report *strings.Builder) error {
	dir, err := writeFixtures(tmp, n)
	if err != nil {
		return err
	}
	// Start three times on a settled machine (a fresh process each time,
	// as a user starts it); the last one, without the response cache (every
	// request runs the SQL query), serves the latency run.
	readies, p, err := timeStarts(ctx, c, 3, true, "--fixtures", dir, "--response-cache=false")
	if err != nil {
		return err
	}
	defer p.stop()
	q := url.Values{"pq.queryString": {seedQuery}, "pq.returnLimit": {"50"}}
	one := c
	one.conns = 1
	_, m, _, _ := measure(ctx, one, target("GET", p.url+"/KeyfactorAPI/Agents?"+q.Encode(), ""), nil)
	line := fmt.Sprintf("%d agents: start-up including seeding from the fixture file %s, %d starts; seed query without the response cache, 1 connection: p50 %s, p99 %s, %.0f req/s, %d errors",
		n, spread(readies), len(readies), fmtDur(m.Latencies.P50), fmtDur(m.Latencies.P99), m.Throughput, errorCount(m))
	fmt.Println(line)
	report.WriteString("- " + line + "\n")
	return nil
}

// approvedAgentWith finds an approved agent with the capability.
func approvedAgentWith(base, capability string) (string, error) {
	q := url.Values{"pq.queryString": {`Status -eq 2 AND Capabilities -contains "` + capability + `"`}, "pq.returnLimit": {"1"}}
	status, body, err := fetch("GET", base+"/Agents?"+q.Encode(), "")
	if err != nil || status != 200 {
		return "", fmt.Errorf("find an agent: %d %v", status, err)
	}
	var agents []struct{ AgentId string }
	if err := json.Unmarshal(body, &agents); err != nil || len(agents) == 0 {
		return "", fmt.Errorf("find an agent: %v (%d found)", err, len(agents))
	}
	return agents[0].AgentId, nil
}

// countRuns counts the job history entries (one per job in immediate mode).
func countRuns(base string) (int, error) {
	status, body, err := fetch("GET", base+"/OrchestratorJobs/JobHistory?pq.returnLimit=2147483647", "")
	if err != nil || status != 200 {
		return 0, fmt.Errorf("count jobs: %d %v", status, err)
	}
	var runs []json.RawMessage
	if err := json.Unmarshal(body, &runs); err != nil {
		return 0, err
	}
	return len(runs), nil
}

func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
		}
	}
	return "unknown CPU"
}

// startMock starts the mock on a free loopback port, logging only warnings,
// with extra arguments, and waits until it is healthy.
func startMock(ctx context.Context, c config, extra ...string) (*process, time.Duration, error) {
	return start(ctx, c.mockBin, "/_mock/health", append([]string{"--addr", "127.0.0.1:0", "--log-level", "warn"}, extra...)...)
}

// timeStarts starts the mock n times (on a settled machine each time when
// settleFirst), stops every one but the last, which it returns, and
// returns the start-up times sorted.
func timeStarts(ctx context.Context, c config, n int, settleFirst bool, extra ...string) ([]time.Duration, *process, error) {
	var readies []time.Duration
	var last *process
	for i := range n {
		if settleFirst {
			settle(c.idle, c.settleMax)
		}
		p, ready, err := startMock(ctx, c, extra...)
		if err != nil {
			return nil, nil, err
		}
		readies = append(readies, ready)
		if i < n-1 {
			p.stop()
		} else {
			last = p
		}
	}
	slices.Sort(readies)
	return readies, last, nil
}

// spread is "median M (min A, max B)" of sorted durations.
func spread(sorted []time.Duration) string {
	return fmt.Sprintf("median %s (min %s, max %s)", fmtDur(sorted[len(sorted)/2]), fmtDur(sorted[0]), fmtDur(sorted[len(sorted)-1]))
}
