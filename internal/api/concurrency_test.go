package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
)

// ErrorBody is the Command error body.
type ErrorBody struct{ ErrorCode, Message string }

// Clients schedule jobs from many goroutines; every request must get its
// own answer, and none may fail because another held the database.
func TestConcurrency_ParallelJobs(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	agent := pickAgent(t, "approved with LOGS", approvedWith("LOGS"))
	const n = 24
	var wg sync.WaitGroup
	statuses := make([]int, n)
	bodies := make([]string, n)
	for i := range n {
		wg.Go(func() {
			var r response
			var err error
			if i%3 == 0 {
				r, err = s.send(http.MethodGet, kf("/OrchestratorJobs/ScheduledJobs"), nil)
			} else {
				r, err = s.send(http.MethodPost, kf("/OrchestratorJobs/Custom"),
					fmt.Sprintf(`{"AgentId":%q,"JobTypeName":"FetchLogs","Schedule":{"Interval":{"Minutes":%d}}}`, agent.AgentId, i+1))
			}
			statuses[i], bodies[i] = r.Status, string(r.Body)
			if err != nil {
				bodies[i] = err.Error()
			}
		})
	}
	wg.Wait()
	posted := 0
	for i := range n {
		if statuses[i] != http.StatusOK {
			t.Errorf("request %d: status %d, body %s", i, statuses[i], bodies[i])
		}
		if i%3 != 0 {
			posted++
		}
	}
	if got := countJobs(t, s); got != posted {
		t.Errorf("%d jobs stored, want %d", got, posted)
	}
}

// Two clients creating the same job type at once: one wins, the others get
// the duplicate-name 400, never a 500.
func TestConcurrency_DuplicateJobTypeRace(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	before := countJobTypes(t, s)
	const n = 12
	var wg sync.WaitGroup
	statuses := make([]int, n)
	codes := make([]string, n)
	for i := range n {
		wg.Go(func() {
			r, err := s.send(http.MethodPost, kf("/JobTypes/Custom"), `{"JobTypeName":"Racer"}`)
			statuses[i] = r.Status
			if err != nil {
				codes[i] = err.Error()
			} else if r.Status != http.StatusOK {
				var body ErrorBody
				if json.Unmarshal(r.Body, &body) == nil {
					codes[i] = body.ErrorCode
				}
			}
		})
	}
	wg.Wait()
	ok := 0
	for i := range n {
		switch {
		case statuses[i] == http.StatusOK:
			ok++
		case statuses[i] != http.StatusBadRequest || codes[i] != codeDuplicate:
			t.Errorf("request %d: status %d code %q, want 200 or 400 %s", i, statuses[i], codes[i], codeDuplicate)
		}
	}
	if ok != 1 {
		t.Errorf("%d creates succeeded, want exactly 1", ok)
	}
	if after := countJobTypes(t, s); after != before+1 {
		t.Errorf("%d job types, want %d", after, before+1)
	}
}
