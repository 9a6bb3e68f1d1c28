package fault_test

import (
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/mockcommand/mockcommand/internal/fault"
	"github.com/mockcommand/mockcommand/internal/model"
)

func decide(s *fault.Set, method, target string) *fault.Decision {
	return s.Decide(httptest.NewRequest(method, target, nil))
}

func TestSet_SecondPostGets500Once(t *testing.T) {
	var s fault.Set
	if _, err := s.Add(fault.Rule{Method: "post", Path: "/keyfactorapi/orchestratorjobs/*", Status: 500, After: 1, Times: 1}); err != nil {
		t.Fatal(err)
	}
	var got []int
	for range 4 {
		status := 0
		if d := decide(&s, "POST", "/KeyfactorAPI/OrchestratorJobs/Custom"); d != nil {
			status = d.Status
		}
		got = append(got, status)
	}
	if want := []int{0, 500, 0, 0}; !equal(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
	if d := decide(&s, "GET", "/KeyfactorAPI/OrchestratorJobs/Custom"); d != nil {
		t.Errorf("GET matched a POST rule")
	}
	r := s.List()[0]
	if r.Matched != 4 || r.Applied != 1 {
		t.Errorf("counters matched %d applied %d, want 4 1", r.Matched, r.Applied)
	}
}

func TestSet_ProbabilityRepeatsUnderASeed(t *testing.T) {
	run := func() []bool {
		var s fault.Set
		s.Add(fault.Rule{Path: "*", Status: 503, Probability: 0.3, Seed: 42})
		out := make([]bool, 200)
		for i := range out {
			out[i] = decide(&s, "GET", "/x") != nil
		}
		return out
	}
	a, b := run(), run()
	hits := 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("run differs at request %d under the same seed", i)
		}
		if a[i] {
			hits++
		}
	}
	if hits < 30 || hits > 90 {
		t.Errorf("%d of 200 requests faulted at probability 0.3", hits)
	}
}

func TestSet_QueryAndRandomDelay(t *testing.T) {
	var s fault.Set
	s.Add(fault.Rule{Query: `capabilities -contains "logs"`, Delay: model.Duration(10 * time.Millisecond), DelayMax: model.Duration(20 * time.Millisecond), Seed: 1})
	if d := decide(&s, "GET", "/KeyfactorAPI/Agents?pq.queryString=Status+-eq+2"); d != nil {
		t.Errorf("query without the text matched")
	}
	d := decide(&s, "GET", "/KeyfactorAPI/Agents?pq.queryString=Capabilities%20-contains%20%22LOGS%22")
	if d == nil || d.Delay < 10*time.Millisecond || d.Delay > 20*time.Millisecond || d.Status != 0 {
		t.Errorf("decision %+v, want a delay in [10ms, 20ms] and no status", d)
	}
}

func TestRule_Validate(t *testing.T) {
	bad := []string{
		`{"Status": 700}`,
		`{"Path": "*"}`,
		`{"Status": 500, "Drop": true}`,
		`{"Delay": "2s", "DelayMax": "1s"}`,
		`{"Delay": "1h"}`,
		`{"Status": 500, "Probability": 1.5}`,
		`{"Status": 500, "Times": -1}`,
		`{"Status": 429, "Headers": {"Bad Header": "1"}}`,
	}
	for _, body := range bad {
		var r fault.Rule
		if err := json.Unmarshal([]byte(body), &r); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		if err := r.Validate(); err == nil {
			t.Errorf("%s: Validate accepted it", body)
		}
	}
	var r fault.Rule
	if err := json.Unmarshal([]byte(`{"Delay": 1500, "DelayMax": "2s", "Drop": true}`), &r); err != nil || r.Validate() != nil {
		t.Fatalf("valid rule rejected: %v %v", err, r.Validate())
	}
	if time.Duration(r.Delay) != 1500*time.Millisecond {
		t.Errorf("Delay from a number = %v, want 1.5s", time.Duration(r.Delay))
	}
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
