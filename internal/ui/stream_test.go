package ui_test

import (
	"bufio"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mockcommand/mockcommand/commandtest"
)

// The live request view's stream sends each new entry, rendered and
// escaped, with the entry's id for a reconnect; a shutdown ends it rather
// than waiting for the browser to leave.
func TestRequestStream(t *testing.T) {
	s, err := commandtest.Start()
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	t.Cleanup(func() {
		if !closed {
			s.Close()
		}
	})
	resp, err := http.Get(ui(s, "/requests/stream?after=0&path=/Agents"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || ct != "text/event-stream" {
		t.Fatalf("stream: %d %s", resp.StatusCode, ct)
	}
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	next := func() (string, bool) {
		select {
		case l, ok := <-lines:
			return l, ok
		case <-time.After(10 * time.Second):
			t.Fatal("the stream sent nothing for 10 s")
			return "", false
		}
	}
	if l, _ := next(); l != "retry: 1000" {
		t.Fatalf("first line %q", l)
	}
	apiGet(t, s, "/JobTypes/Custom", nil) // filtered out: not an /Agents path
	// A CR in the query (decoded on the page) must not end an event's line:
	// a browser would read "event: hidden" and drop the entry.
	apiGet(t, s, "/Agents?pq.queryString="+url.QueryEscape(`ClientMachine -eq "<script>x</script>"`)+"&x=a%0Devent:%20hidden", nil)
	var event []string
	for {
		l, ok := next()
		if !ok {
			t.Fatal("the stream ended")
		}
		if strings.Contains(l, "\r") {
			t.Errorf("a line of the stream holds a CR: %q", l)
		}
		if strings.HasPrefix(l, "id: ") || strings.HasPrefix(l, "event: ") || strings.HasPrefix(l, "data: ") {
			event = append(event, l)
		}
		if l == "" && len(event) > 0 && slicesContains(event, "event: entries") {
			break
		}
		if l == "" {
			event = nil
		}
	}
	all := strings.Join(event, "\n")
	if !strings.HasPrefix(all, "id: 2\nevent: entries\n") || !strings.Contains(all, "/KeyfactorAPI/Agents") ||
		strings.Contains(all, "JobTypes") || strings.Contains(all, "<script>") || !strings.Contains(all, "&lt;script&gt;") {
		t.Errorf("event:\n%s", all)
	}

	done := make(chan error)
	go func() { done <- s.Close() }()
	select {
	case err := <-done:
		closed = true
		if err != nil {
			t.Errorf("close: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("closing the server waited on the open stream")
	}
	for range lines { // the stream ends
	}
}

func slicesContains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
