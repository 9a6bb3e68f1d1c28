package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// statusOf reads the Status of agent id from a GET /Agents listing.
func statusOf(t *testing.T, s *testServer, query, id string) (int, bool) {
	t.Helper()
	r := s.get(t, kf("/Agents?"+url.Values{"QueryString": {query}, "ReturnLimit": {"1000"}}.Encode()))
	if r.Status != http.StatusOK {
		t.Fatalf("GET /Agents = %d: %s", r.Status, r.Body)
	}
	var agents []struct {
		AgentId string
		Status  int
	}
	if err := json.Unmarshal(r.Body, &agents); err != nil {
		t.Fatal(err)
	}
	for _, a := range agents {
		if a.AgentId == id {
			return a.Status, true
		}
	}
	return 0, false
}

// TestResponseCache_NeverServesStaleListings repeats the same listing
// (so the second read can come from the cache) around every kind of write.
func TestResponseCache_NeverServesStaleListings(t *testing.T) {
	s := newHarness(t)
	const id = "c6f87718-6d76-407e-881e-d162ae2eb154" // uo-prod-01, approved
	const q = "Status -eq 2"
	for range 2 {
		if _, ok := statusOf(t, s, q, id); !ok {
			t.Fatal("approved agent missing from its listing")
		}
	}
	if r := s.do(t, http.MethodPost, kf("/Agents/Disapprove"), []string{id}); r.Status != http.StatusNoContent {
		t.Fatalf("disapprove = %d", r.Status)
	}
	if _, ok := statusOf(t, s, q, id); ok {
		t.Error("after a disapproval the repeated listing still shows the agent as approved")
	}
	s.adminOK(t, http.MethodPatch, "/_mock/agents/"+id, map[string]any{"Status": 2}, http.StatusOK)
	if st, ok := statusOf(t, s, q, id); !ok || st != 2 {
		t.Error("an admin PATCH is not reflected in the repeated listing")
	}
	// Job types: create one, the same listing shows it at once.
	list := func() int {
		r := s.get(t, kf("/JobTypes/Custom"))
		var types []json.RawMessage
		if err := json.Unmarshal(r.Body, &types); err != nil {
			t.Fatal(err)
		}
		return len(types)
	}
	before := list()
	if r := s.do(t, http.MethodPost, kf("/JobTypes/Custom"), map[string]any{"JobTypeName": "CacheProbe"}); r.Status != http.StatusOK {
		t.Fatalf("create job type = %d: %s", r.Status, r.Body)
	}
	if after := list(); after != before+1 {
		t.Errorf("job types listed: %d before, %d after a create; want one more", before, after)
	}
}

// TestResponseCache_ClockQueriesAreNotCached: %TODAY% depends on the clock,
// which moves without any write.
func TestResponseCache_ClockQueriesAreNotCached(t *testing.T) {
	s := newHarness(t)
	const id = "c6f87718-6d76-407e-881e-d162ae2eb154" // LastSeen 2026-11-28T09:41:12.204Z
	const q = "LastSeen -ge %TODAY%"
	s.adminOK(t, http.MethodPost, "/_mock/clock", map[string]any{"Now": "2026-11-28T12:00:00Z"}, http.StatusOK)
	if _, ok := statusOf(t, s, q, id); !ok {
		t.Fatal("agent seen today missing")
	}
	s.adminOK(t, http.MethodPost, "/_mock/clock", map[string]any{"Advance": (48 * time.Hour).String()}, http.StatusOK)
	if _, ok := statusOf(t, s, q, id); ok {
		t.Error("two days later the agent is still listed as seen today: a clock-dependent answer was reused")
	}
}

// TestAgentList_LargePagesAreStreamed: a page larger than the mock buffers
// (1 MiB) is sent as it is read, without a Content-Length, and holds
// exactly the agents that smaller pages of the same listing hold, in the
// same order; a small page is sent whole, with its length.
func TestAgentList_LargePagesAreStreamed(t *testing.T) {
	s := newHarness(t)
	var agents []map[string]any
	for i := range 2500 {
		agents = append(agents, map[string]any{
			"AgentId": fmt.Sprintf("%08x-1111-4111-8111-111111111111", i), "ClientMachine": fmt.Sprintf("bulk-%04d.corp.example.com", i),
			"Status": 2, "AgentPlatform": 7, "Capabilities": []string{"LOGS", "RebootHost"},
			"Username": `CORP\svc-orchestrator`, "Version": "12.4.0", "LastSeen": "2026-11-28T09:41:12.204Z",
		})
	}
	s.adminOK(t, http.MethodPost, "/_mock/seed", map[string]any{"Agents": agents}, http.StatusOK)
	params := func(page, limit int) string {
		return kf("/Agents?" + url.Values{"QueryString": {`ClientMachine -startswith "bulk-"`}, "SortField": {"ClientMachine"},
			"PageReturned": {fmt.Sprint(page)}, "ReturnLimit": {fmt.Sprint(limit)}}.Encode())
	}
	big := s.get(t, params(1, 5000))
	if big.Status != http.StatusOK {
		t.Fatalf("large page = %d: %.300s", big.Status, big.Body)
	}
	if len(big.Body) <= 1<<20 {
		t.Fatalf("the large page is %d bytes; the test needs more than 1 MiB", len(big.Body))
	}
	if cl := big.Header.Get("Content-Length"); cl != "" {
		t.Errorf("large page sent with Content-Length %s; want it streamed", cl)
	}
	if ct := big.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("large page Content-Type = %q", ct)
	}
	var whole []json.RawMessage
	if err := json.Unmarshal(big.Body, &whole); err != nil || len(whole) != 2500 {
		t.Fatalf("large page: %d agents, %v; want 2500", len(whole), err)
	}
	for page := 1; page <= 5; page++ {
		small := s.get(t, params(page, 500))
		if small.Header.Get("Content-Length") != fmt.Sprint(len(small.Body)) {
			t.Errorf("page %d of 500: Content-Length %q for %d bytes", page, small.Header.Get("Content-Length"), len(small.Body))
		}
		var part []json.RawMessage
		if err := json.Unmarshal(small.Body, &part); err != nil || len(part) != 500 {
			t.Fatalf("page %d: %d agents, %v", page, len(part), err)
		}
		for i, a := range part {
			if !bytes.Equal(a, whole[(page-1)*500+i]) {
				t.Fatalf("page %d item %d differs from the large page's:\n%s\n%s", page, i, a, whole[(page-1)*500+i])
			}
		}
	}
}
