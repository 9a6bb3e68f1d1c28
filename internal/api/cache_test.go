package api_test

import (
	"encoding/json"
	"net/http"
	"net/url"
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
