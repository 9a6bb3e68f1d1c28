//go:build linux

package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// containerEnv turns TestContainer on; .ci/run sets it when it could
// install what the test needs.
const containerEnv = "MOCKCOMMAND_CONTAINER_TEST"

// The images the test makes, since no registry can be reached: the build
// stage's Go (passed to the Dockerfile's GO_IMAGE argument) and the compose
// client's curl (tagged as compose.yaml names it).
const (
	goImage     = "localhost/mockcommand-go:1.26"
	curlImage   = "docker.io/curlimages/curl:8.11.1"
	testProject = "mockcommandtest" // the compose project of the test's own runs
	docsProject = "mockcommanddocs" // and of docs/docker.md's examples
)

// podmanEnv is a Podman set up in a directory of its own: its storage and
// runtime files, configuration and API socket.
type podmanEnv struct {
	t    *testing.T
	dir  string
	env  []string
	repo string
}

// TestContainer builds the project's own Dockerfile and runs its own
// compose.yaml, unchanged but for the two images above, with Podman and
// docker-compose (talking to Podman's Docker-compatible API), and checks
// what a user relies on; then it runs docs/docker.md's examples.
func TestContainer(t *testing.T) {
	if os.Getenv(containerEnv) == "" {
		t.Skipf("%s is not set: the image is not built and compose.yaml is not run here (.ci/run sets it where it can install podman, runc, docker-compose and busybox-static)", containerEnv)
	}
	for _, tool := range []string{"podman", "docker-compose", "busybox", "runc"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is set but %s is missing: %v", containerEnv, tool, err)
		}
	}
	p := newPodman(t)
	start := time.Now()
	p.makeGoImage()
	p.makeCurlImage()
	t.Logf("base images made in %v", time.Since(start).Round(time.Second))

	start = time.Now()
	image := testProject + "_mockcommand" // the name compose gives the service's image
	p.build(image, docsProject+"_mockcommand")
	var size int64
	if err := json.Unmarshal([]byte(p.must("image", "inspect", "--format", "{{.Size}}", image)), &size); err != nil {
		t.Fatal(err)
	}
	t.Logf("image built in %v: %d bytes (%.1f MB)", time.Since(start).Round(time.Second), size, float64(size)/1e6)
	if user := strings.TrimSpace(p.must("image", "inspect", "--format", "{{.Config.User}}", image)); user != "65532:65532" {
		t.Errorf("the image runs as %q, want 65532:65532", user)
	}
	if hc := p.must("image", "inspect", "--format", "{{json .Config.Healthcheck}}", image); !strings.Contains(hc, `"/mockcommand","healthcheck"`) {
		t.Errorf("the image's HEALTHCHECK = %s, want /mockcommand healthcheck", hc)
	}

	p.startService()
	stopHealth := p.driveHealthchecks()
	defer stopHealth()
	t.Run("compose", func(t *testing.T) { p.checkCompose(t) })
	t.Run("docs", func(t *testing.T) { p.runDockerDocs(t) })
}

func newPodman(t *testing.T) *podmanEnv {
	dir := t.TempDir()
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	p := &podmanEnv{t: t, dir: dir, repo: repo}
	conf := `[containers]
default_ulimits = []

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"

[network]
network_backend = "netavark"
`
	write := func(name, body string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	p.env = append(os.Environ(),
		"CONTAINERS_CONF="+write("containers.conf", conf),
		"DOCKER_HOST=unix://"+filepath.Join(dir, "podman.sock"),
		"COMPOSE_PROJECT_NAME="+testProject,
	)
	// Overlay storage where the kernel allows it (ten times faster than
	// vfs); vfs otherwise.
	for _, driver := range []string{"overlay", "vfs"} {
		storage := write("storage-"+driver+".conf", fmt.Sprintf("[storage]\ndriver = %q\nrunroot = %q\ngraphroot = %q\n",
			driver, filepath.Join(dir, "run"), filepath.Join(dir, "storage")))
		env := append(p.env, "CONTAINERS_STORAGE_CONF="+storage)
		if out, err := p.cmdEnv(env, "podman", "info", "--format", "{{.Store.GraphDriverName}}").CombinedOutput(); err == nil {
			p.env = env
			t.Logf("podman storage: %s", strings.TrimSpace(string(out)))
			break
		} else if driver == "vfs" {
			t.Fatalf("podman info: %v\n%s", err, out)
		}
	}
	t.Cleanup(func() {
		// Containers, volumes and the storage's own mounts go first, so
		// the directory can be removed.
		out, err := p.cmd("podman", "system", "reset", "--force").CombinedOutput()
		if err != nil {
			t.Logf("podman system reset: %v\n%s", err, out)
		}
	})
	return p
}

func (p *podmanEnv) cmdEnv(env []string, name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Env = env
	cmd.Dir = p.repo
	return cmd
}

func (p *podmanEnv) cmd(name string, args ...string) *exec.Cmd { return p.cmdEnv(p.env, name, args...) }

// run runs a command with a deadline and returns its output (stdout and stderr).
func (p *podmanEnv) run(within time.Duration, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env, cmd.Dir = p.env, p.repo
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		err = fmt.Errorf("still running after %v: %w", within, ctx.Err())
	}
	return string(out), err
}

// must runs podman and fails the test if it fails.
func (p *podmanEnv) must(args ...string) string {
	p.t.Helper()
	out, err := p.run(5*time.Minute, "podman", args...)
	if err != nil {
		p.t.Fatalf("podman %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// makeGoImage imports the machine's Go toolchain with a static busybox
// (the Dockerfile's RUN lines need a shell) and the CA bundle (go mod
// download fetches from the module proxy) as the build stage's base.
func (p *podmanEnv) makeGoImage() {
	t := p.t
	root := filepath.Join(p.dir, "goroot")
	for _, d := range []string{"bin", "tmp", "go", "etc/ssl/certs", "gocache"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(filepath.Join(root, "tmp"), 0o1777); err != nil {
		t.Fatal(err)
	}
	busybox, err := exec.LookPath("busybox")
	if err != nil {
		t.Fatal(err)
	}
	copyFileMode(t, busybox, filepath.Join(root, "bin", "busybox"), 0o755)
	applets, err := exec.Command(busybox, "--list").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range strings.Fields(string(applets)) {
		if a != "busybox" {
			if err := os.Symlink("busybox", filepath.Join(root, "bin", a)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := os.Stat("/etc/ssl/certs/ca-certificates.crt"); err == nil {
		copyFileMode(t, "/etc/ssl/certs/ca-certificates.crt", filepath.Join(root, "etc/ssl/certs/ca-certificates.crt"), 0o644)
	}
	// Go goes to /usr/local/go in the image, wherever it is here.
	rel := strings.TrimPrefix(runtime.GOROOT(), "/")
	script := fmt.Sprintf(`tar -cf - -C %q . -C / --transform 's,^%s,usr/local/go,' %q | podman import -q `+
		`--change 'ENV PATH=/go/bin:/usr/local/go/bin:/bin' --change 'ENV GOPATH=/go' --change 'ENV GOCACHE=/gocache' `+
		`--change 'ENV GOTOOLCHAIN=local' --change 'ENV GOFLAGS=-buildvcs=false' --change 'WORKDIR /go' - %s`,
		root, rel, rel, goImage)
	if out, err := p.run(5*time.Minute, "bash", "-c", script); err != nil {
		t.Fatalf("import the Go image: %v\n%s", err, out)
	}
}

// makeCurlImage builds the stand-in for curl into a scratch image.
func (p *podmanEnv) makeCurlImage() {
	t := p.t
	dir := filepath.Join(p.dir, "curl")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	build := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(dir, "curl"), "./testdata/curl")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the curl stand-in: %v\n%s", err, out)
	}
	containerfile := "FROM scratch\nCOPY curl /usr/bin/curl\nUSER 100:101\nENTRYPOINT [\"/usr/bin/curl\"]\n"
	if err := os.WriteFile(filepath.Join(dir, "Containerfile"), []byte(containerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	p.must("build", "-q", "--format", "docker", "-t", curlImage, dir)
}

// buildArgs are what the test adds to a build of the Dockerfile: its Go
// image, and the host's module and build caches, so that a build needs
// neither the network nor a cold compile.
func (p *podmanEnv) buildArgs() []string {
	env := func(name string) string {
		out, err := exec.Command("go", "env", name).Output()
		if err != nil {
			p.t.Fatal(err)
		}
		return strings.TrimSpace(string(out))
	}
	return []string{"--format", "docker", "--build-arg", "GO_IMAGE=" + goImage,
		"-v", env("GOMODCACHE") + ":/go/pkg/mod", "-v", env("GOCACHE") + ":/gocache"}
}

// build builds the Dockerfile into the named images.
func (p *podmanEnv) build(names ...string) {
	args := append([]string{"build"}, p.buildArgs()...)
	for _, n := range names {
		args = append(args, "-t", n)
	}
	p.must(append(args, ".")...)
}

// startService runs Podman's Docker-compatible API for docker-compose.
func (p *podmanEnv) startService() {
	t := p.t
	sock := strings.TrimPrefix(envValue(p.env, "DOCKER_HOST"), "unix://")
	svc := p.cmd("podman", "system", "service", "--time=0", "unix://"+sock)
	if err := svc.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = svc.Process.Kill(); _ = svc.Wait() })
	waitFor(t, 30*time.Second, "podman's API socket", func() bool {
		_, err := os.Stat(sock)
		return err == nil
	})
}

// driveHealthchecks runs every running container's healthcheck once a
// second, as Podman's systemd timers would where systemd runs.
func (p *podmanEnv) driveHealthchecks() (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-done:
				return
			case <-time.After(time.Second):
			}
			out, err := p.cmd("podman", "ps", "--format", "{{.Names}}").Output()
			if err != nil {
				continue
			}
			for _, name := range strings.Fields(string(out)) {
				_ = p.cmd("podman", "healthcheck", "run", name).Run()
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

func envValue(env []string, key string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], key+"="); ok {
			return v
		}
	}
	return ""
}

// compose runs docker-compose on the project's compose.yaml.
func (p *podmanEnv) compose(t *testing.T, within time.Duration, args ...string) string {
	t.Helper()
	out, err := p.run(within, "docker-compose", append([]string{"-p", testProject}, args...)...)
	if err != nil {
		t.Fatalf("docker-compose %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// healthLog is what Podman keeps of a container's healthchecks.
type healthLog struct {
	Status string
	Log    []struct {
		Start, End time.Time
		ExitCode   int
	}
}

func (p *podmanEnv) health(t *testing.T, container string) healthLog {
	t.Helper()
	var h healthLog
	out := p.must("inspect", "--format", "{{json .State.Health}}", container)
	if err := json.Unmarshal([]byte(out), &h); err != nil {
		t.Fatalf("health of %s: %v: %s", container, err, out)
	}
	return h
}

func (p *podmanEnv) waitHealthy(t *testing.T, container string) time.Duration {
	t.Helper()
	start := time.Now()
	waitFor(t, 2*time.Minute, container+" to turn healthy", func() bool { return p.health(t, container).Status == "healthy" })
	return time.Since(start)
}

func (p *podmanEnv) checkCompose(t *testing.T) {
	mock, client := testProject+"_mockcommand_1", testProject+"_client_1"
	start := time.Now()
	out := p.compose(t, 5*time.Minute, "up", "--abort-on-container-exit", "--exit-code-from", "client")
	t.Logf("compose up to the client's answer: %v", time.Since(start).Round(100*time.Millisecond))
	if !strings.Contains(out, `"Status":2`) || !strings.Contains(out, `"LOGS"`) {
		t.Errorf("the client's output lacks the seed query's answer:\n%s", out)
	}
	// The client started only once the mock was healthy.
	h := p.health(t, mock)
	var healthy time.Time
	for _, l := range h.Log {
		if l.ExitCode == 0 && (healthy.IsZero() || l.End.Before(healthy)) {
			healthy = l.End
		}
	}
	var clientStart time.Time
	if err := json.Unmarshal([]byte(p.must("inspect", "--format", "{{json .State.StartedAt}}", client)), &clientStart); err != nil {
		t.Fatal(err)
	}
	if healthy.IsZero() || clientStart.Before(healthy) {
		t.Errorf("the client started at %v, before the mock's first passing healthcheck (%v)", clientStart, healthy)
	}

	// A job posted before compose down is there after compose up: /data.
	p.compose(t, 3*time.Minute, "up", "-d", "mockcommand")
	t.Logf("compose up -d to healthy: %v", p.waitHealthy(t, mock).Round(100*time.Millisecond))
	if out, err := p.run(time.Minute, "podman", "exec", mock, "/bin/sh", "-c", "true"); err == nil {
		t.Errorf("the container has a shell: %s", out)
	}
	if user := strings.TrimSpace(p.must("top", mock, "user")); !strings.Contains(user, "65532") {
		t.Errorf("the container's process runs as %q, want 65532", user)
	}
	body := `{"AgentId":"c6f87718-6d76-407e-881e-d162ae2eb154","JobTypeName":"RebootHost","JobFields":{"Host":"web01"}}`
	var job struct{ JobId string }
	if code := p.httpsCall(t, "POST", "/KeyfactorAPI/OrchestratorJobs/Custom", body, &job); code != 200 || job.JobId == "" {
		t.Fatalf("POST a job over HTTPS on 443 = %d %+v", code, job)
	}
	p.compose(t, 3*time.Minute, "down")
	p.compose(t, 3*time.Minute, "up", "-d", "mockcommand")
	p.waitHealthy(t, mock)
	var runs []struct{ JobId string }
	if code := p.httpsCall(t, "GET", "/KeyfactorAPI/OrchestratorJobs/JobHistory", "", &runs); code != 200 || len(runs) != 1 || runs[0].JobId != job.JobId {
		t.Errorf("after compose down and up: JobHistory = %d %+v, want the run of %s", code, runs, job.JobId)
	}

	// down -v leaves nothing of the project behind.
	p.compose(t, 3*time.Minute, "down", "-v")
	label := "label=com.docker.compose.project=" + testProject
	for _, what := range [][]string{{"ps", "-a"}, {"volume", "ls"}, {"network", "ls"}} {
		if left := strings.TrimSpace(p.must(append(what, "-q", "--filter", label)...)); left != "" {
			t.Errorf("after compose down -v, podman %s still lists %s", strings.Join(what, " "), left)
		}
	}
}

// httpsCall calls the mock on the host's published port 8443, trusting
// the CA it wrote to the certs volume (a new one at every start).
func (p *podmanEnv) httpsCall(t *testing.T, method, path, body string, out any) int {
	t.Helper()
	dir := strings.TrimSpace(p.must("volume", "inspect", "--format", "{{.Mountpoint}}", testProject+"_certs"))
	pem, err := os.ReadFile(filepath.Join(dir, "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatal("no CA certificate in the certs volume")
	}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	req, err := http.NewRequest(method, "https://localhost:8443"+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("admin", "password")
	req.Header.Set("x-keyfactor-requested-with", "APIClient")
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("%s %s: %d %s: %v", method, path, resp.StatusCode, b, err)
	}
	return resp.StatusCode
}

// runDockerDocs runs the console docker blocks of docs/docker.md from the
// repository, with a docker command that calls Podman (docker compose:
// docker-compose) and adds the test's images to a build.
func (p *podmanEnv) runDockerDocs(t *testing.T) {
	bin := filepath.Join(p.dir, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	// Without systemd, Podman logs an error about healthcheck timers on
	// every run and removal; Docker has no such line to show.
	wrapper := fmt.Sprintf(`#!/bin/bash
set -o pipefail
case "$1" in
compose) shift; exec docker-compose "$@" ;;
build) shift; podman build %s "$@" ;;
*) podman "$@" ;;
esac 2> >(grep -v 'unable to get systemd connection' >&2)
`, strings.Join(p.buildArgs(), " "))
	if err := os.WriteFile(filepath.Join(bin, "docker"), []byte(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile("../../docs/docker.md")
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile("(?ms)^```console docker\n(.*?)^```\n")
	cmds := parseBlocks(doc, block)
	if len(cmds) == 0 {
		t.Fatal("docs/docker.md has no console docker examples")
	}
	var env []string
	for _, kv := range p.env {
		if !strings.HasPrefix(kv, "PATH=") && !strings.HasPrefix(kv, "COMPOSE_PROJECT_NAME=") {
			env = append(env, kv)
		}
	}
	env = append(env, "PATH="+bin+":"+os.Getenv("PATH"), "COMPOSE_PROJECT_NAME="+docsProject)
	sh := newShellEnv(t, p.repo, env)
	for _, c := range cmds {
		got := sh.runWithin(t, c, c.text, 10*time.Minute)
		if !outputMatches(c.output, got) {
			t.Errorf("docs/docker.md:%d: $ %s\nshown:\n%s\nprinted:\n%s", c.line, c.text, c.output, got)
		}
	}
}

func copyFileMode(t *testing.T, from, to string, mode os.FileMode) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, mode); err != nil {
		t.Fatal(err)
	}
}
