package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// childEnv marks the test binary re-executed as mockcommand itself, so the
// reliability tests can signal and kill a real server process.
const childEnv = "MOCKCOMMAND_TEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		main() // exits 1 on error
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// child is a mockcommand process started by a test.
type child struct {
	cmd    *exec.Cmd
	url    string
	stderr *syncBuffer
	done   chan error // receives the process's exit
	exit   error      // set by launchChild when it exited before listening
}

// startChild runs mockcommand with args in a new process and waits until
// it answers its health check. The test's cleanup kills it if it is still
// running.
func startChild(t *testing.T, args ...string) *child {
	t.Helper()
	return startChildIn(t, "", nil, append([]string{"--log-level", "warn"}, args...)...)
}

// startChildIn is startChild in the working directory dir ("" for the
// test's), with the environment assignments env added (and no other
// MOCKCOMMAND_ variable), listening on a free loopback port.
func startChildIn(t *testing.T, dir string, env []string, args ...string) *child {
	t.Helper()
	c, exited := launchChild(t, dir, env, args...)
	if exited {
		t.Fatalf("mockcommand exited before listening: %v\n%s", c.exit, c.stderr)
	}
	return c
}

// launchChild is startChildIn, except that a child that exits before it
// listens is returned too, with exited set (c.exit is its exit error and
// c.stderr what it said).
func launchChild(t *testing.T, dir string, env []string, args ...string) (c *child, exited bool) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"--addr", "127.0.0.1:0"}, args...)...)
	cmd.Dir = dir
	// The child's temporary directory is the test's: an ephemeral database
	// of a child killed with SIGKILL (never closed) is removed with it.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "MOCKCOMMAND_") && !strings.HasPrefix(kv, "TMPDIR=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, childEnv+"=1", "TMPDIR="+t.TempDir())
	cmd.Env = append(cmd.Env, env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c = &child{cmd: cmd, stderr: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = c.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := listeningRE.FindStringSubmatch(sc.Text()); m != nil {
				urls <- m[1]
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	go func() { c.done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-c.done
	})
	select {
	case c.url = <-urls:
	case err := <-c.done:
		c.done <- err
		c.exit = err
		return c, true
	case <-time.After(30 * time.Second):
		t.Fatalf("mockcommand did not start listening\n%s", c.stderr)
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := probe.Get(c.url + "/_mock/health"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return c, false
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("mockcommand not healthy\n%s", c.stderr)
	return nil, false
}

// wait waits for the process to exit and returns its exit error.
func (c *child) wait(t *testing.T, within time.Duration) error {
	t.Helper()
	select {
	case err := <-c.done:
		c.done <- err // for the cleanup
		return err
	case <-time.After(within):
		t.Fatalf("mockcommand still running after %v\n%s", within, c.stderr)
		return nil
	}
}

// kfRequest builds a Keyfactor request as real clients send it.
func kfRequest(method, url, body string) *http.Request {
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.SetBasicAuth("admin", "password")
	req.Header.Set("x-keyfactor-requested-with", "APIClient")
	req.Header.Set("Content-Type", "application/json")
	return req
}

// approvedAgentWith returns the id of an approved agent with a capability.
func approvedAgentWith(t *testing.T, base, capability string) string {
	t.Helper()
	var agents []agent
	q := fmt.Sprintf(`/Agents?QueryString=Status+-eq+2+AND+Capabilities+-contains+%%22%s%%22&ReturnLimit=1`, capability)
	if code := call(t, "GET", base+q, "", &agents); code != 200 || len(agents) != 1 {
		t.Fatalf("no approved agent with %s: %d", capability, code)
	}
	return agents[0].AgentId
}
