package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	crand "crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
)

const seedQuery = `Status -eq 2 AND Capabilities -contains "LOGS"`

// workload is one measured load: its requests, and the servers it runs
// against besides the ceiling.
type workload struct {
	name    string
	reqs    []request
	mocks   []*target // the mock (and variants, such as Prism) measured against the ceiling
	script  string
	ceiling string // the ceiling's base URL
	posts   bool   // a POST-only workload: every 200 is a job, checked afterwards
}

// target is a server under test.
type target struct {
	label string
	base  string   // scheme://host:port
	proc  *process // for RSS and profiles; nil for the ceiling
	mock  bool     // serves /_mock/debug/pprof
}

// run is one measured run of a workload on a server.
type runResult struct {
	workload, server string
	round            int
	r                wrkResult
	rss, pss         float64
	idle             float64
	acked            int64 // 200 answers of a POST-only workload, warm-up included
}

func bench(ctx context.Context, c config) error {
	if _, err := exec.LookPath("wrk"); err != nil {
		return fmt.Errorf("wrk is not installed (bench/run.sh installs it with apt-get): %w", err)
	}
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
	if !c.skipStarts {
		if err := startups(ctx, c, tmp, &report); err != nil {
			return err
		}
	}
	dir, err := writeFixtures(tmp, c.agents, c.stores)
	if err != nil {
		return err
	}
	results, posted, err := loadRuns(ctx, c, tmp, dir, &report)
	if err != nil {
		return err
	}
	fmt.Fprintf(&report, "\n%s\n", posted)
	if c.slowAgents > 0 && c.wants("slow") {
		if err := slowListing(ctx, c, tmp, &report); err != nil {
			return err
		}
	}
	summary := summarize(results, c)
	fmt.Print("\n" + report.String() + "\n" + summary)
	if c.out != "" {
		return os.WriteFile(c.out, []byte(report.String()+"\n"+summary), 0o644)
	}
	return nil
}

func (c config) wants(name string) bool { return c.only == nil || c.only[name] }

// startups times the start to a healthy mock: the built-in fixtures, five
// fresh processes, and c.slowAgents generated agents, three.
func startups(ctx context.Context, c config, tmp string, report *strings.Builder) error {
	cases := []struct {
		label string
		n     int
		args  []string
	}{{"the built-in fixtures", 5, nil}}
	if c.slowAgents > 0 {
		dir, err := writeFixtures(tmp, c.slowAgents, 0)
		if err != nil {
			return err
		}
		cases = append(cases, struct {
			label string
			n     int
			args  []string
		}{fmt.Sprintf("%d generated agents (seeded from the file)", c.slowAgents), 3, []string{"--fixtures", dir}})
	}
	for _, cs := range cases {
		var readies []time.Duration
		for range cs.n {
			settle(c.idle, c.settleMax)
			p, ready, err := startMock(ctx, c, cs.args...)
			if err != nil {
				return err
			}
			p.stop()
			readies = append(readies, ready)
		}
		slices.Sort(readies)
		line := fmt.Sprintf("start-up to a healthy mock with %s: median %s (min %s, max %s; %d fresh processes)",
			cs.label, fmtMs(readies[len(readies)/2]), fmtMs(readies[0]), fmtMs(readies[len(readies)-1]), len(readies))
		fmt.Println(line)
		report.WriteString("- " + line + "\n")
	}
	return nil
}

// startMock starts the mock on a free loopback port, logging only warnings,
// with extra arguments, and waits until it is healthy.
func startMock(ctx context.Context, c config, extra ...string) (*process, time.Duration, error) {
	return start(ctx, c.mockBin, "/_mock/health", append([]string{"--addr", "127.0.0.1:0", "--log-level", "warn"}, extra...)...)
}

// variedReads are 1,000 distinct listings of agents: 6 filters, 4 sort
// fields in both directions, and every page of 50 each filter has, up to
// page 42, shuffled reproducibly.
func variedReads(base string) ([]request, error) {
	filters := []string{
		"",
		"Status -eq 2",
		`Capabilities -contains "LOGS"`,
		seedQuery,
		`ClientMachine -contains "site1"`,
		`LastSeen -ge "2026-11-01"`,
	}
	var all []request
	for _, f := range filters {
		pages, err := countPages(base, "/KeyfactorAPI/Agents", "pq", f)
		if err != nil {
			return nil, err
		}
		for _, sort := range []string{"AgentId", "ClientMachine", "LastSeen", "Status"} {
			for _, asc := range []string{"0", "1"} {
				for page := 1; page <= min(pages, 42); page++ {
					q := url.Values{"pq.sortField": {sort}, "pq.sortAscending": {asc}, "pq.pageReturned": {fmt.Sprint(page)}, "pq.returnLimit": {"50"}}
					if f != "" {
						q.Set("pq.queryString", f)
					}
					all = append(all, request{method: "GET", uri: "/KeyfactorAPI/Agents?" + q.Encode()})
				}
			}
		}
	}
	r := rand.New(rand.NewPCG(42, 42))
	r.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	return all[:min(1000, len(all))], nil
}

// storeReads are up to 1,000 distinct listings of certificate stores, as
// kfutil and Terraform spell them (certificateStoreQuery.*): 6 filters, 4
// sort fields in both directions and every page of 50 up to page 42,
// shuffled reproducibly, with a listing of store types in every 20.
func storeReads(base string) ([]request, error) {
	filters := []string{
		"",
		"Approved -eq true",
		"Category -eq 2",
		"Approved -eq false AND AgentAvailable -eq true",
		`ClientMachine -contains "site1"`,
		`(CertStoreType -eq "102")AND StorePath -eq "My"`,
	}
	var all []request
	for _, f := range filters {
		pages, err := countPages(base, "/KeyfactorAPI/CertificateStores", "certificateStoreQuery", f)
		if err != nil {
			return nil, err
		}
		for _, sort := range []string{"ClientMachine", "StorePath", "CertStoreType", "AgentId"} {
			for _, asc := range []string{"0", "1"} {
				for page := 1; page <= min(pages, 42); page++ {
					q := url.Values{"certificateStoreQuery.sortField": {sort}, "certificateStoreQuery.sortAscending": {asc},
						"certificateStoreQuery.pageReturned": {fmt.Sprint(page)}, "certificateStoreQuery.queryString": {f}}
					all = append(all, request{method: "GET", uri: "/KeyfactorAPI/CertificateStores?" + q.Encode()})
				}
			}
		}
	}
	r := rand.New(rand.NewPCG(43, 43))
	r.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	all = all[:min(1000, len(all))]
	for i := 0; i < len(all); i += 20 {
		all[i] = request{method: "GET", uri: "/KeyfactorAPI/CertificateStoreTypes"}
	}
	return all, nil
}

// countPages counts the pages of 50 a filter has on a listing (by fetching
// 1000 at a time, the parameters under prefix).
func countPages(base, path, prefix, filter string) (int, error) {
	n := 0
	for page := 1; ; page++ {
		q := url.Values{prefix + ".returnLimit": {"1000"}, prefix + ".pageReturned": {fmt.Sprint(page)}}
		if filter != "" {
			q.Set(prefix+".queryString", filter)
		}
		status, body, err := fetch("GET", base+path+"?"+q.Encode(), "")
		if err != nil || status != 200 {
			return 0, fmt.Errorf("count %q: %d %v", filter, status, err)
		}
		var list []json.RawMessage
		if err := json.Unmarshal(body, &list); err != nil {
			return 0, err
		}
		n += len(list)
		if len(list) < 1000 {
			return (n + 49) / 50, nil
		}
	}
}

// loadRuns measures every workload against the ceiling, in interleaved
// rounds, and checks the POST-only workload's jobs afterwards.
func loadRuns(ctx context.Context, c config, tmp, dir string, report *strings.Builder) ([]runResult, string, error) {
	// One mock process per kind of workload, so that one's writes do not
	// change what another measures.
	startOne := func(label string, args ...string) (*target, error) {
		p, ready, err := startMock(ctx, c, append([]string{"--fixtures", dir}, args...)...)
		if err != nil {
			return nil, err
		}
		fmt.Printf("%s: %d agents, ready in %s at %s\n", label, c.agents, fmtMs(ready), p.url)
		return &target{label: label, base: p.url, proc: p, mock: true}, nil
	}
	cached, err := startOne("mock")
	if err != nil {
		return nil, "", err
	}
	defer cached.proc.stop()
	uncached, err := startOne("mock, no response cache", "--response-cache=false")
	if err != nil {
		return nil, "", err
	}
	defer uncached.proc.stop()
	mixed, err := startOne("mock")
	if err != nil {
		return nil, "", err
	}
	defer mixed.proc.stop()
	enrollMock, err := startOne("mock, enrollment")
	if err != nil {
		return nil, "", err
	}
	defer enrollMock.proc.stop()
	postDB := filepath.Join(tmp, "posts.db")
	posts, err := startOne("mock", "--db", postDB)
	if err != nil {
		return nil, "", err
	}
	postsStopped := false
	defer func() {
		if !postsStopped {
			posts.proc.stop()
		}
	}()

	seedURI := "/KeyfactorAPI/Agents?" + url.Values{"pq.queryString": {seedQuery}, "pq.returnLimit": {"50"}, "pq.pageReturned": {"1"}}.Encode()
	varied, err := variedReads(cached.base)
	if err != nil {
		return nil, "", err
	}
	stores, err := storeReads(cached.base)
	if err != nil {
		return nil, "", err
	}
	agentID, err := approvedAgentWith(cached.base+"/KeyfactorAPI", "RebootHost")
	if err != nil {
		return nil, "", err
	}
	post := request{method: "POST", uri: "/KeyfactorAPI/OrchestratorJobs/Custom",
		body: `{"AgentId":"` + agentID + `","JobTypeName":"RebootHost","JobFields":{"Host":"web01.corp.example.com"}}`}
	var mix []request
	for i, r := range varied {
		mix = append(mix, r)
		if i%9 == 8 { // one POST in ten requests
			mix = append(mix, post)
		}
	}
	workloads := []*workload{
		{name: "seed query, cached", reqs: []request{{method: "GET", uri: seedURI}}, mocks: []*target{cached}},
		{name: "seed query, uncached", reqs: []request{{method: "GET", uri: seedURI}}, mocks: []*target{uncached}},
		{name: "varied reads", reqs: varied, mocks: []*target{cached}},
		{name: "varied reads, uncached", reqs: varied, mocks: []*target{uncached}},
		{name: "mixed: 90% varied reads, 10% job POSTs", reqs: mix, mocks: []*target{mixed}},
		{name: "POST /OrchestratorJobs/Custom", reqs: []request{post}, mocks: []*target{posts}, posts: true},
		{name: "store listings, uncached", reqs: stores, mocks: []*target{uncached}},
		{name: "POST /Enrollment/CSR", reqs: []request{{method: "POST", uri: "/KeyfactorAPI/Enrollment/CSR", body: enrollBody}}, mocks: []*target{enrollMock}},
	}
	var prism *target
	if c.prism != "" {
		if prism, err = startPrism(ctx, c, tmp); err != nil {
			return nil, "", err
		}
		defer prism.proc.stop()
		workloads[0].mocks = append(workloads[0].mocks, prism)
		workloads[5].mocks = append(workloads[5].mocks, prism)
	}
	workloads = slices.DeleteFunc(workloads, func(w *workload) bool { return !c.wants(shortName(w.name)) })

	// The ceiling answers each request with the mock's own answer to it,
	// recorded now (one POST on the mixed mock, which is not counted).
	ceilDir := filepath.Join(tmp, "ceiling")
	if err := os.MkdirAll(ceilDir, 0o755); err != nil {
		return nil, "", err
	}
	manifest := ceilingManifest{}
	sizes := map[string]int{} // answer bytes, by request
	for _, w := range workloads {
		for _, r := range w.reqs {
			key := r.method + " " + r.uri
			if _, ok := manifest[key]; ok {
				continue
			}
			from := cached.base
			if r.method == "POST" {
				from = mixed.base
			}
			if strings.HasPrefix(r.uri, "/KeyfactorAPI/Enrollment") {
				from = enrollMock.base
			}
			status, body, err := fetch(r.method, from+r.uri, r.body)
			if err != nil || status != 200 {
				return nil, "", fmt.Errorf("%s: %d %v: %.200s", key, status, err, body)
			}
			file := fmt.Sprint(len(manifest))
			if err := os.WriteFile(filepath.Join(ceilDir, file), body, 0o644); err != nil {
				return nil, "", err
			}
			manifest[key] = file
			sizes[key] = len(body)
		}
		if w.script, err = writeScript(tmp, shortName(w.name), w.reqs); err != nil {
			return nil, "", err
		}
	}
	raw, _ := json.Marshal(manifest)
	if err := os.WriteFile(filepath.Join(ceilDir, "manifest.json"), raw, 0o644); err != nil {
		return nil, "", err
	}
	self, err := os.Executable()
	if err != nil {
		return nil, "", err
	}
	ceiling, _, err := start(ctx, self, "/health", "-serve-ceiling", ceilDir)
	if err != nil {
		return nil, "", err
	}
	defer ceiling.stop()
	for _, w := range workloads {
		total := 0
		for _, r := range w.reqs {
			total += sizes[r.method+" "+r.uri]
		}
		fmt.Fprintf(report, "- %s: %d distinct requests, answers of %d bytes on average\n", w.name, len(uniq(w.reqs)), total/len(w.reqs))
	}

	var results []runResult
	var acked int64
	fmt.Printf("%-42s %-26s %5s %9s %9s %9s %7s %7s %5s\n", "workload", "server", "round", "req/s", "p50", "p99", "errors", "RSS MB", "idle")
	for round := 1; round <= c.rounds; round++ {
		for _, w := range workloads {
			for _, srv := range append([]*target{{label: "ceiling", base: ceiling.url}}, w.mocks...) {
				res, err := measure(ctx, c, w, srv, round)
				if err != nil {
					return nil, "", err
				}
				if w.posts && srv == posts {
					acked += res.acked
				}
				results = append(results, res)
				fmt.Printf("%-42s %-26s %5d %9.0f %9s %9s %7d %7.1f %4.0f%%\n", w.name, srv.label, round, res.r.rps(),
					fmtMs(res.r.p50()), fmtMs(res.r.p99()), res.r.errors(), res.rss, 100*res.idle)
			}
		}
	}
	// Every job the POST workload's mock acknowledged is stored: count the
	// rows of its database file once it has stopped.
	posts.proc.stop()
	postsStopped = true
	stored, err := countJobs(postDB)
	if err != nil {
		return nil, "", err
	}
	check := fmt.Sprintf("- POST check: %d jobs acknowledged with 200 (warm-ups included), %d stored in the database file after a graceful stop", acked, stored)
	if stored < acked {
		check += " — JOBS WERE LOST"
	}
	fmt.Println(check)
	return results, check, nil
}

// shortName is a workload's name for -only and file names.
func shortName(name string) string {
	switch {
	case strings.HasPrefix(name, "seed query, cached"):
		return "seed"
	case strings.HasPrefix(name, "seed query, uncached"):
		return "seed-uncached"
	case strings.HasPrefix(name, "varied reads, uncached"):
		return "varied-uncached"
	case strings.HasPrefix(name, "varied"):
		return "varied"
	case strings.HasPrefix(name, "mixed"):
		return "mixed"
	case strings.HasPrefix(name, "store listings"):
		return "stores-uncached"
	case strings.HasPrefix(name, "POST /Enrollment"):
		return "enroll"
	}
	return "post"
}

func uniq(reqs []request) map[string]bool {
	m := map[string]bool{}
	for _, r := range reqs {
		m[r.method+" "+r.uri] = true
	}
	return m
}

// measure settles, warms up, then measures one server on one workload,
// sampling the server's RSS and, in round 1 with -profiles, taking a CPU
// profile of a mock.
func measure(ctx context.Context, c config, w *workload, srv *target, round int) (runResult, error) {
	idle := settle(c.idle, c.settleMax)
	warm, err := runWrk(ctx, w.script, srv.base, c.conns, c.threads, c.warmup)
	if err != nil {
		return runResult{}, err
	}
	var maxRSS, maxPSS float64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	if srv.proc != nil {
		wg.Go(func() {
			tick := time.NewTicker(100 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-stop:
					return
				case <-tick.C:
					rss, pss := srv.proc.memoryMB()
					maxRSS, maxPSS = max(maxRSS, rss), max(maxPSS, pss)
				}
			}
		})
	}
	if c.profiles != "" && round == 1 && srv.mock {
		wg.Go(func() { profile(c, srv, shortName(w.name)) })
	}
	r, err := runWrk(ctx, w.script, srv.base, c.conns, c.threads, c.duration)
	close(stop)
	wg.Wait()
	if err != nil {
		return runResult{}, err
	}
	res := runResult{workload: w.name, server: srv.label, round: round, r: r, rss: maxRSS, pss: maxPSS, idle: idle}
	if w.posts {
		res.acked = warm.Requests - warm.Non2xx + r.Requests - r.Non2xx
	}
	return res, nil
}

// profile takes a CPU profile of the mock for most of the measured run
// and writes its top functions beside it.
func profile(c config, srv *target, name string) {
	secs := max(1, int(c.duration.Seconds())-1)
	resp, err := http.Get(fmt.Sprintf("%s/_mock/debug/pprof/profile?seconds=%d", srv.base, secs))
	if err != nil {
		fmt.Fprintln(os.Stderr, "profile:", err)
		return
	}
	defer resp.Body.Close()
	if err := os.MkdirAll(c.profiles, 0o755); err != nil {
		return
	}
	path := filepath.Join(c.profiles, name+".pprof")
	f, err := os.Create(path)
	if err != nil {
		return
	}
	_, _ = io.Copy(f, resp.Body)
	f.Close()
	top, err := exec.Command("go", "tool", "pprof", "-top", "-nodecount=40", c.mockBin, path).CombinedOutput()
	if err == nil {
		_ = os.WriteFile(filepath.Join(c.profiles, name+".top.txt"), top, 0o644)
	}
	cum, err := exec.Command("go", "tool", "pprof", "-top", "-cum", "-nodecount=60", c.mockBin, path).CombinedOutput()
	if err == nil {
		_ = os.WriteFile(filepath.Join(c.profiles, name+".cum.txt"), cum, 0o644)
	}
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

// enrollBody is a CSR enrollment on the built-in WebServer template: a
// P-256 CSR made once (the mock signs a new certificate for every
// request), with a DNS SAN, as cert-manager sends it.
var enrollBody = func() string {
	key, err := ecdsa.GenerateKey(elliptic.P256(), crand.Reader)
	if err != nil {
		panic(err)
	}
	der, err := x509.CreateCertificateRequest(crand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "bench.corp.example.com"}}, key)
	if err != nil {
		panic(err)
	}
	csr := strings.ReplaceAll(string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})), "\n", `\n`)
	return `{"CSR":"` + csr + `","Template":"WebServer","IncludeChain":true,"SANs":{"dns":["bench.corp.example.com"]}}`
}()
