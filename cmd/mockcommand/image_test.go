//go:build linux

// The image test needs Linux: it runs the binary in a chroot of a new user
// namespace (Chroot, Cloneflags and UidMappings exist only there).

package main

import (
	"bufio"
	"debug/elf"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// dockerBuildCommand reads the Dockerfile's go build command, so the test
// builds the binary exactly as the image does.
func dockerBuildCommand(t *testing.T) string {
	t.Helper()
	df, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^RUN (CGO_ENABLED=0 go build .*-o /out/mockcommand .*)$`).FindSubmatch(df)
	if m == nil {
		t.Fatal("the Dockerfile has no RUN line building /out/mockcommand with CGO_ENABLED=0")
	}
	return string(m[1])
}

// TestImageBinary proves what the container image relies on, without
// Docker: the binary, built as the Dockerfile builds it, is static, and it
// starts, serves and passes its own health check in an empty root
// directory (no /etc, no CA bundle, no time-zone files, no /tmp).
func TestImageBinary(t *testing.T) {
	build := dockerBuildCommand(t)
	out := t.TempDir()
	cmd := exec.Command("sh", "-c", strings.Replace(build, "/out/mockcommand", filepath.Join(out, "mockcommand"), 1))
	cmd.Dir = "../.."
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", build, err, b)
	}
	bin := filepath.Join(out, "mockcommand")

	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("the binary has a %v program header: it is not static", p.Type)
		}
	}
	if f.Section(".dynamic") != nil || f.Section(".interp") != nil {
		t.Error("the binary has a dynamic section")
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("the binary needs shared libraries: %v", libs)
	}
	f.Close()
	st, _ := os.Stat(bin)
	t.Logf("binary: %.1f MB", float64(st.Size())/(1<<20))

	// An empty root holding only the binary.
	root := t.TempDir()
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "mockcommand"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tls := range []bool{false, true} {
		args := []string{"--addr", "127.0.0.1:0"}
		if tls {
			args = append(args, "--tls-self-signed")
		}
		server := jailed(t, root, args...)
		out, err := server.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr syncBuffer
		server.Stderr = &stderr
		if err := server.Start(); err != nil {
			t.Fatalf("start in an empty root: %v", err)
		}
		url := waitListening(t, out, &stderr)
		addr := url[strings.Index(url, "//")+2:]

		check := jailed(t, root, append([]string{"healthcheck", "--addr", addr}, args[2:]...)...)
		if b, err := check.CombinedOutput(); err != nil || !strings.Contains(string(b), "healthy") {
			t.Errorf("tls=%v: healthcheck in the empty root: %v %s", tls, err, b)
		}
		if !tls {
			resp, err := http.DefaultClient.Do(kfRequest("GET", url+"/KeyfactorAPI/Agents", ""))
			if err != nil || resp.StatusCode != 200 {
				t.Errorf("GET /Agents from the jailed server: %v %v", resp, err)
			} else {
				resp.Body.Close()
			}
		}
		_ = server.Process.Signal(syscall.SIGTERM)
		if err := server.Wait(); err != nil {
			t.Errorf("tls=%v: jailed server exit: %v\n%s", tls, err, stderr.String())
		}
	}
	entries, _ := os.ReadDir(root)
	if len(entries) != 1 {
		names := []string{}
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("the empty root holds %v after the runs; the ephemeral database should be gone", names)
	}
}

// jailed is a command that runs the binary chrooted into root: as root
// directly, otherwise as root of a new user namespace.
func jailed(t *testing.T, root string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("/mockcommand", args...)
	cmd.Env = []string{} // nothing from this machine: no TMPDIR, no TZ, no HOME
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Chroot: root}
	if os.Geteuid() != 0 {
		cmd.SysProcAttr.Cloneflags = syscall.CLONE_NEWUSER
		cmd.SysProcAttr.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}}
		cmd.SysProcAttr.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}}
	}
	return cmd
}

func waitListening(t *testing.T, stdout io.Reader, stderr *syncBuffer) string {
	t.Helper()
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := listeningRE.FindStringSubmatch(sc.Text()); m != nil {
				urls <- m[1]
			}
		}
	}()
	select {
	case u := <-urls:
		return u
	case <-time.After(20 * time.Second):
		t.Fatalf("the jailed server did not start listening\n%s", stderr.String())
		return ""
	}
}
