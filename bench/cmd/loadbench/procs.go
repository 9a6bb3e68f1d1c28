package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/mockcommand/mockcommand/fixtures"
	"github.com/mockcommand/mockcommand/internal/fixturegen"
)

// process is a server the benchmark started.
type process struct {
	cmd *exec.Cmd
	url string
}

var listenRE = regexp.MustCompile(`listening on (http://\S+)`)

// procMemory reads a process's resident set size and its proportional set
// size, in MB. The RSS counts a file mapped several times (each SQLite
// reader connection maps the database) once per mapping; the PSS counts
// each page once, shared pages in proportion, which is what the process
// costs the machine.
func procMemory(pid int) (rss, pss float64) {
	kb := func(file, key string) float64 {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/%s", pid, file))
		if err != nil {
			return 0
		}
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, key); ok {
				n, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
				return n
			}
		}
		return 0
	}
	return kb("status", "VmRSS:") / 1024, kb("smaps_rollup", "Pss:") / 1024
}

// start runs bin with args, waits for the line that gives its URL, then
// until /_mock/health (or /health for the ceiling; "" for no check)
// answers 200, and returns the time from exec to healthy.
func start(ctx context.Context, bin string, health string, args ...string) (*process, time.Duration, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, 0, err
	}
	cmd.Stderr = os.Stderr
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, 0, fmt.Errorf("start %s: %w", bin, err)
	}
	p := &process{cmd: cmd}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := listenRE.FindStringSubmatch(sc.Text()); m != nil {
				urls <- m[1]
			}
		}
		close(urls)
	}()
	select {
	case u, ok := <-urls:
		if !ok {
			_ = cmd.Wait()
			return nil, 0, fmt.Errorf("%s exited before listening", bin)
		}
		p.url = u
	case <-time.After(60 * time.Second):
		p.stop()
		return nil, 0, fmt.Errorf("%s did not start listening", bin)
	}
	if health == "" {
		return p, time.Since(t0), nil
	}
	client := &http.Client{Timeout: time.Second}
	for time.Since(t0) < 60*time.Second {
		resp, err := client.Get(p.url + health)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, time.Since(t0), nil
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	p.stop()
	return nil, 0, fmt.Errorf("%s not healthy", bin)
}

func (p *process) stop() {
	if p.cmd.Process != nil {
		_ = p.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = p.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = p.cmd.Process.Kill()
		}
	}
}

// memoryMB reads the process's RSS and PSS (see procMemory).
func (p *process) memoryMB() (rss, pss float64) { return procMemory(p.cmd.Process.Pid) }

// freePort finds a free loopback port (for servers that take no port 0).
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// buildMock builds mockcommand as the Dockerfile does.
func buildMock(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "mockcommand")
	root, err := repoRoot()
	if err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags=-s -w", "-o", bin, "./cmd/mockcommand")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("build mockcommand: %w", err)
	}
	return bin, nil
}

// repoRoot finds the mockcommand module above the working directory.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && strings.HasPrefix(string(b), "module github.com/mockcommand/mockcommand\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no mockcommand module above the working directory; run from the repository")
		}
		dir = parent
	}
}

// writeFixtures writes n generated agents, the built-in job types, store
// types and containers, and stores generated stores on those agents to a
// new directory under parent.
func writeFixtures(parent string, n, stores int) (string, error) {
	dir := filepath.Join(parent, fmt.Sprintf("fixtures-%d-%d", n, stores))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	generated := fixturegen.Agents(n, 1)
	files := map[string]any{fixtures.AgentsFile: generated}
	if stores > 0 {
		files[fixtures.StoresFile] = fixturegen.Stores(generated, stores, 1)
	}
	for name, v := range files {
		data, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return "", err
		}
	}
	builtIn := []string{fixtures.JobTypesFile, fixtures.CAsFile, fixtures.TemplatesFile, fixtures.MetadataFile}
	if stores > 0 {
		builtIn = append(builtIn, fixtures.StoreTypesFile, fixtures.ContainersFile)
	}
	for _, name := range builtIn {
		data, err := fs.ReadFile(fixtures.Default(), name)
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// fetch performs one request against the mock and returns the body.
func fetch(method, url, body string) (int, []byte, error) {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	setKeyfactorHeaders(req.Header)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

func setKeyfactorHeaders(h http.Header) {
	h.Set("x-keyfactor-requested-with", "APIClient")
	h.Set("x-certificateformat", "PEM") // enrollment requires it; other routes ignore it
	h.Set("x-keyfactor-api-version", "1")
	h.Set("Authorization", "Basic YWRtaW46cGFzc3dvcmQ=") // admin:password
	h.Set("Content-Type", "application/json")
}

// ceilingManifest maps each request of a workload (method and request
// URI) to the file holding the body the ceiling answers it with.
type ceilingManifest map[string]string

// serveCeiling is the ceiling process: GET /health, and every request in
// dir/manifest.json answered with its recorded body, after reading the
// request's own body; nothing else.
func serveCeiling(ctx context.Context, dir, addr string) error {
	raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return err
	}
	var manifest ceilingManifest
	if err := json.Unmarshal(raw, &manifest); err != nil {
		return err
	}
	bodies := make(map[string][]byte, len(manifest))
	for key, file := range manifest {
		if bodies[key], err = os.ReadFile(filepath.Join(dir, file)); err != nil {
			return err
		}
	}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/health" {
			w.WriteHeader(http.StatusOK)
			return
		}
		_, _ = io.Copy(io.Discard, r.Body)
		body, ok := bodies[r.Method+" "+r.URL.RequestURI()]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
	})
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Printf("ceiling listening on http://%s\n", ln.Addr())
	go func() { <-ctx.Done(); _ = srv.Close() }()
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		return err
	}
	return nil
}
