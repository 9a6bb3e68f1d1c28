package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The shell examples of README.md and docs/*.md are transcripts that this
// test runs against a real server, so the documentation cannot drift from
// what the mock does. A fenced block with the info string "console" holds
// commands, each on a line starting with "$ " (continued by a trailing
// backslash), each followed by the output it prints. The commands of one
// file run in one bash session, in order, from a scratch directory that
// holds the repository's fixtures/. A command that starts the mock
// ("go run ./cmd/mockcommand …", with an optional trailing &) starts it as
// a child process with those flags instead, and the address it gives (or
// the default localhost:8080) is mapped to the child's real one; a file
// whose first command starts no mock runs against one started with no
// flags, as the README's first command does.
//
// Outputs are compared after masking what differs from run to run (GUIDs,
// timestamps, durations, tokens); "…" in a shown output stands for any
// text. go test ./cmd/mockcommand -run TestDocs -update rewrites the shown
// outputs with what the commands print (then put the "…" back by hand).

var update = flag.Bool("update", false, "rewrite the outputs shown in README.md and docs/*.md with what their commands print")

// docFiles are the documents whose examples run: the README and docs/.
func docFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("../../docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	return append([]string{"../../README.md"}, files...)
}

func TestDocs(t *testing.T) {
	for _, tool := range []string{"curl", "openssl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("the documentation's examples need %s (.ci/run installs it)", tool)
		}
	}
	if runtime.GOOS == "windows" {
		t.Skip("the documentation's examples are bash transcripts; CI runs them on Linux")
	}
	for _, path := range docFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			runDoc(t, path)
		})
	}
}

// command is one "$ " command of a console block and its shown output.
type command struct {
	line   int // of the command in the file, for messages
	text   string
	output string   // as shown
	outAt  [2]int   // byte range of the shown output in the file
	lines  []string // the command's source lines
}

// consoleBlock matches a fenced console block; group 1 is its body.
var consoleBlock = regexp.MustCompile("(?ms)^```console\n(.*?)^```\n")

// parseCommands reads the commands of every console block of a document.
func parseCommands(doc []byte) []command { return parseBlocks(doc, consoleBlock) }

// parseBlocks reads the commands of the blocks block matches (group 1:
// the block's body).
func parseBlocks(doc []byte, block *regexp.Regexp) []command {
	var cmds []command
	for _, m := range block.FindAllSubmatchIndex(doc, -1) {
		start, end := m[2], m[3]
		body := doc[start:end]
		var cur *command
		off := start
		lines := strings.SplitAfter(string(body), "\n")
		for i := 0; i < len(lines); i++ {
			l := lines[i]
			if strings.HasPrefix(l, "$ ") {
				if cur != nil {
					cmds = append(cmds, *cur)
				}
				cur = &command{line: bytes.Count(doc[:off], []byte("\n")) + 1}
				text := strings.TrimSuffix(l[2:], "\n")
				for strings.HasSuffix(text, `\`) && i+1 < len(lines) {
					off += len(lines[i])
					i++
					text += "\n" + strings.TrimSuffix(lines[i], "\n")
				}
				cur.text = text
				off += len(lines[i])
				cur.outAt = [2]int{off, off}
				continue
			}
			if cur != nil {
				cur.output += l
				cur.outAt[1] = off + len(l)
			}
			off += len(l)
		}
		if cur != nil {
			cmds = append(cmds, *cur)
		}
	}
	return cmds
}

// startCommand matches a command that starts the mock: optional
// environment assignments, go run ./cmd/mockcommand, flags (not the
// healthcheck subcommand), optional &.
var startCommand = regexp.MustCompile(`^((?:[A-Z_]+=\S+\s+)*)go run \./cmd/mockcommand((?:\s+-\S+(?:\s+[^-\s&]\S*)?)*)\s*&?$`)

// runDoc runs the commands of one document.
func runDoc(t *testing.T, path string) {
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cmds := parseCommands(doc)
	if len(cmds) == 0 {
		return
	}
	work := t.TempDir()
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(repo, "fixtures"), filepath.Join(work, "fixtures")); err != nil {
		t.Fatal(err)
	}
	// Other uses of the command (mockcommand healthcheck) run this test
	// binary as mockcommand, as the mocks it starts do.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	wrapper := filepath.Join(work, "mockcommand")
	if err := os.WriteFile(wrapper, []byte("#!/bin/sh\n"+childEnv+"=1 exec "+self+` "$@"`+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	sh := newShell(t, work)
	var srv *docServer
	var updated []command
	for _, c := range cmds {
		var got string
		if m := startCommand.FindStringSubmatch(c.text); m != nil {
			// A mock that starts prints nothing the document shows (its
			// lines go to its own terminal); one that refuses to start
			// prints why.
			if srv != nil {
				srv.stop(t)
			}
			srv, got = startDocServer(t, sh, work, m[1], m[2])
		} else {
			if srv == nil {
				srv, _ = startDocServer(t, sh, work, "", "")
			}
			got = srv.unmap(sh.run(t, c, strings.ReplaceAll(srv.mapAddr(c.text), "go run ./cmd/mockcommand", wrapper)))
		}
		if *update {
			c.output = got
			updated = append(updated, c)
			continue
		}
		if !outputMatches(c.output, got) {
			t.Errorf("%s:%d: $ %s\nshown:\n%s\nprinted:\n%s", path, c.line, c.text, c.output, got)
		}
	}
	if srv != nil {
		srv.stop(t)
	}
	if *update {
		writeOutputs(t, path, doc, updated)
	}
}

// writeOutputs rewrites the shown outputs of a document.
func writeOutputs(t *testing.T, path string, doc []byte, cmds []command) {
	var b bytes.Buffer
	at := 0
	for _, c := range cmds {
		b.Write(doc[at:c.outAt[0]])
		b.WriteString(c.output)
		if c.output != "" && !strings.HasSuffix(c.output, "\n") {
			b.WriteByte('\n')
		}
		at = c.outAt[1]
	}
	b.Write(doc[at:])
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// masks replace what differs from run to run, in shown and printed output alike.
var masks = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`), "<guid>"},
	{regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)`), "<time>"},
	{regexp.MustCompile(`"DurationMs":[0-9.e+-]+`), `"DurationMs":<n>`},
	{regexp.MustCompile(`"access_token":"[^"]*"`), `"access_token":"<token>"`},
	{regexp.MustCompile(`checksum [0-9a-f]{8}`), "checksum <crc>"},
	{regexp.MustCompile(`(?m)^Date: .*$`), "Date: <date>"},
}

func mask(s string) string {
	for _, m := range masks {
		s = m.re.ReplaceAllString(s, m.with)
	}
	return s
}

// outputMatches compares a shown output with a printed one, masked, with
// "…" in the shown one standing for any text.
func outputMatches(shown, printed string) bool {
	parts := strings.Split(mask(strings.TrimRight(shown, "\n")), "…")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	re, err := regexp.Compile(`(?s)\A` + strings.Join(parts, ".*?") + `\z`)
	return err == nil && re.MatchString(mask(strings.TrimRight(printed, "\n")))
}

// shell is one bash session: the commands of a document share its
// variables and working directory.
type shell struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
	seq int
}

func newShell(t *testing.T, dir string) *shell {
	t.Helper()
	return newShellEnv(t, dir, []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "LANG=C.UTF-8", "TMPDIR=" + dir, "TERM=dumb"})
}

// newShellEnv starts a bash session in dir with exactly the environment env.
func newShellEnv(t *testing.T, dir string, env []string) *shell {
	t.Helper()
	cmd := exec.Command("bash", "--noprofile", "--norc")
	cmd.Dir = dir
	cmd.Env = env
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		in.Close()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return &shell{cmd: cmd, in: in, out: bufio.NewReader(out)}
}

// run runs one command and returns what it printed (stdout and stderr).
func (s *shell) run(t *testing.T, c command, text string) string {
	t.Helper()
	return s.runWithin(t, c, text, time.Minute)
}

// runWithin is run with a deadline of its own.
func (s *shell) runWithin(t *testing.T, c command, text string, within time.Duration) string {
	t.Helper()
	s.seq++
	end := fmt.Sprintf("__mockcommand_doc_end_%d__", s.seq)
	// A newline before the marker: the output of a command that does not
	// end its last line (curl) must not run into it.
	script := fmt.Sprintf("%s\n__rc=$?; printf '\\n%s %%d\\n' $__rc\n", text, end)
	if _, err := io.WriteString(s.in, script); err != nil {
		t.Fatalf("line %d: write to bash: %v", c.line, err)
	}
	type result struct {
		out string
		rc  string
		err error
	}
	done := make(chan result, 1)
	go func() {
		var b strings.Builder
		for {
			l, err := s.out.ReadString('\n')
			if err != nil {
				done <- result{b.String(), "", err}
				return
			}
			if rest, ok := strings.CutPrefix(l, end+" "); ok {
				done <- result{strings.TrimSuffix(b.String(), "\n"), strings.TrimSpace(rest), nil}
				return
			}
			b.WriteString(strings.ReplaceAll(l, "\r\n", "\n")) // HTTP header lines end in CRLF
		}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatalf("line %d: $ %s: bash ended: %v\n%s", c.line, c.text, r.err, r.out)
		}
		if r.rc != "0" {
			t.Errorf("line %d: $ %s: exit status %s\n%s", c.line, c.text, r.rc, r.out)
		}
		return r.out
	case <-time.After(within):
		t.Fatalf("line %d: $ %s: still running after %v", c.line, c.text, within)
		return ""
	}
}

// docServer is a mock started for a document, and how the document
// addresses it.
type docServer struct {
	c    *child
	addr string   // the child's real host:port
	doc  []string // how the document writes the address
}

// startDocServer starts the mock as a child process, in the scratch
// directory, with the environment assignments env and the flags args as
// the document writes them (split by bash). When the mock refuses to
// start, it returns nil and what the mock printed.
func startDocServer(t *testing.T, sh *shell, dir, env, args string) (*docServer, string) {
	t.Helper()
	argv := splitWords(t, sh, args)
	envv := splitWords(t, sh, env)
	docAddr := "localhost:8080"
	var kept []string
	for i := 0; i < len(argv); i++ {
		a := argv[i]
		switch {
		case a == "--addr" || a == "-addr":
			if i+1 < len(argv) {
				docAddr = argv[i+1]
				i++
			}
			continue
		case strings.HasPrefix(a, "--addr=") || strings.HasPrefix(a, "-addr="):
			docAddr = a[strings.Index(a, "=")+1:]
			continue
		}
		kept = append(kept, a)
	}
	host, port, _ := strings.Cut(docAddr, ":")
	if strings.HasPrefix(docAddr, ":") {
		host, port = "localhost", strings.TrimPrefix(docAddr, ":")
	}
	c, exited := launchChild(t, dir, envv, kept...)
	if exited {
		return nil, strings.TrimSpace(c.stderr.String())
	}
	addr := strings.TrimPrefix(strings.TrimPrefix(c.url, "http://"), "https://")
	doc := []string{host + ":" + port}
	for _, h := range []string{"localhost", "127.0.0.1"} {
		if !slices.Contains(doc, h+":"+port) {
			doc = append(doc, h+":"+port)
		}
	}
	return &docServer{c: c, addr: addr, doc: doc}, ""
}

// mapAddr points a command at the real server.
func (s *docServer) mapAddr(text string) string {
	for _, d := range s.doc {
		text = strings.ReplaceAll(text, d, s.addr)
	}
	return text
}

// unmap writes the real address in an output as the document does.
func (s *docServer) unmap(out string) string { return strings.ReplaceAll(out, s.addr, s.doc[0]) }

func (s *docServer) stop(t *testing.T) {
	t.Helper()
	if err := s.c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := s.c.wait(t, 15*time.Second); err != nil {
		t.Errorf("the mock exited with %v after SIGTERM\n%s", err, s.c.stderr)
	}
}

// splitWords splits a command line as bash does.
func splitWords(t *testing.T, sh *shell, s string) []string {
	t.Helper()
	if strings.TrimSpace(s) == "" {
		return nil
	}
	out := sh.run(t, command{text: "split"}, `printf '%s\0' `+s)
	return strings.Split(strings.TrimSuffix(out, "\x00"), "\x00")
}

// TestDocs_EveryShellExampleRuns: no shell example hides from TestDocs in
// a block it does not run; the README's first block (the two commands) is
// the one exception, and CI runs its test command.
func TestDocs_EveryShellExampleRuns(t *testing.T) {
	fence := regexp.MustCompile("(?m)^```([^`\n]*)$")
	for _, path := range docFiles(t) {
		doc, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		inside, shBlocks := false, 0
		for _, m := range fence.FindAllSubmatchIndex(doc, -1) {
			info := strings.TrimSpace(string(doc[m[2]:m[3]]))
			if inside {
				inside = false
				continue
			}
			inside = true
			line := bytes.Count(doc[:m[0]], []byte("\n")) + 1
			switch info {
			case "console", "go", "json", "text", "":
			case "console docker":
				if filepath.Base(path) != "docker.md" {
					t.Errorf("%s:%d: console docker blocks run only in docs/docker.md (TestContainer)", path, line)
				}
			case "sh":
				shBlocks++
				if filepath.Base(path) != "README.md" || shBlocks > 1 {
					t.Errorf("%s:%d: a sh block; write shell examples as console transcripts, which TestDocs runs", path, line)
				}
			default:
				t.Errorf("%s:%d: a block of %q; use console (run by TestDocs), go, json or text", path, line, info)
			}
		}
	}
}

// TestDocs_TheTwoCommands: the README starts with the two commands that
// work on a fresh machine, and CI runs the test command it gives.
func TestDocs_TheTwoCommands(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```sh\n(.*?)```").FindSubmatch(readme)
	if m == nil {
		t.Fatal("README.md has no sh block")
	}
	var cmds []string
	for _, l := range strings.Split(strings.TrimSpace(string(m[1])), "\n") {
		cmd, _, _ := strings.Cut(l, "#")
		cmds = append(cmds, strings.TrimSpace(cmd))
	}
	if want := []string{"go run ./cmd/mockcommand", "go test -race ./..."}; !slices.Equal(cmds, want) {
		t.Errorf("the README's first block runs %q, want %q", cmds, want)
	}
	ci, err := os.ReadFile("../../.ci/run")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(ci), "readme_command 2") {
		t.Error(".ci/run does not run the README's test command (readme_command 2)")
	}
}

// TestDocs_GoExamples: every Go example of the README and docs/ is part
// of a test or example that runs, word for word (the README's is an
// Example of commandtest).
func TestDocs_GoExamples(t *testing.T) {
	var tests []byte
	err := filepath.WalkDir("../..", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return err
		}
		b, err := os.ReadFile(path)
		tests = append(tests, b...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	examples, err := os.ReadFile("../../commandtest/example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range docFiles(t) {
		doc, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range regexp.MustCompile("(?s)```go\n(.*?)```").FindAllSubmatch(doc, -1) {
			in := tests
			if filepath.Base(path) == "README.md" {
				in = examples
			}
			if !bytes.Contains(in, b[1]) {
				t.Errorf("%s: a Go example that no test runs word for word:\n%s", path, b[1])
			}
		}
	}
}

// TestDocs_ConfigurationListsEveryFlag: docs/configuration.md lists the
// flags the command has, no more and no fewer.
func TestDocs_ConfigurationListsEveryFlag(t *testing.T) {
	var usage bytes.Buffer
	if _, err := parseConfig([]string{"-h"}, func(string) string { return "" }, &usage); err != flag.ErrHelp {
		t.Fatalf("parseConfig(-h) = %v, want flag.ErrHelp", err)
	}
	var flags []string
	for _, m := range regexp.MustCompile(`(?m)^  -([a-z-]+)`).FindAllStringSubmatch(usage.String(), -1) {
		flags = append(flags, m[1])
	}
	doc, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	var documented []string
	for _, row := range regexp.MustCompile("(?m)^\\| (`--[^|]*) \\|").FindAllStringSubmatch(string(doc), -1) {
		for _, m := range regexp.MustCompile("`--([a-z-]+)`").FindAllStringSubmatch(row[1], -1) {
			documented = append(documented, m[1])
		}
	}
	slices.Sort(flags)
	slices.Sort(documented)
	if len(flags) < 10 || !slices.Equal(flags, documented) {
		t.Errorf("docs/configuration.md documents the flags\n%q\nthe command has\n%q", documented, flags)
	}
}
