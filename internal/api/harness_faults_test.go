package api_test

import (
	"errors"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Fault rules: POST, GET and DELETE /_mock/faults.

var faultMembers = []string{"Id", "Method", "Path", "Query", "Status", "ErrorCode", "Message", "Headers", "Delay", "DelayMax",
	"Drop", "After", "Times", "Probability", "Seed", "Matched", "Applied"}

// faultRules GETs /_mock/faults.
func faultRules(t testing.TB, s *testServer) []map[string]any {
	t.Helper()
	r := s.admin(t, http.MethodGet, "/_mock/faults", nil)
	wantJSON(t, r, http.StatusOK)
	return decodeArray(t, r.Body)
}

// rawGet sends a Keyfactor GET through client.
func rawGet(s *testServer, client *http.Client, path string) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodGet, s.URL+path, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set(requestedWith, "APIClient")
	req.SetBasicAuth("admin", "password")
	resp, err := client.Do(req)
	if err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	return resp, err
}

func TestFaults_SecondPostFails(t *testing.T) {
	t.Parallel()
	s := newHarness(t)
	a := pickAgent(t, "approved with FlushDnsCache", approvedWith("FlushDnsCache"))
	id := addFault(t, s, map[string]any{"Method": "POST", "Path": "/KeyfactorAPI/OrchestratorJobs/Custom", "Status": 500, "After": 1, "Times": 1})
	job := map[string]any{"AgentId": a.AgentId, "JobTypeName": "FlushDnsCache"}

	wantJSON(t, postJob(t, s, job), http.StatusOK)
	r := postJob(t, s, job)
	wantError(t, r, http.StatusInternalServerError, codeInternal)
	wantJSON(t, postJob(t, s, job), http.StatusOK)
	if n := countJobs(t, s); n != 2 {
		t.Errorf("%d jobs stored, want 2 (the faulted POST must store nothing)", n)
	}
	if n := len(historyWhere(t, s, "")); n != 2 {
		t.Errorf("%d job history entries, want 2", n)
	}
	rules := faultRules(t, s)
	if len(rules) != 1 {
		t.Fatalf("GET /_mock/faults lists %d rules, want 1", len(rules))
	}
	wantMembers(t, "rule", rules[0], faultMembers, nil)
	if wantInt(t, "rule", rules[0], "Id") != id || wantInt(t, "rule", rules[0], "Matched") != 3 || wantInt(t, "rule", rules[0], "Applied") != 1 {
		t.Errorf("rule = %s, want Id %d, Matched 3 (the three POSTs only), Applied 1", jsonText(rules[0]), id)
	}
	_, entries := journalPage(t, s, q("method", "POST"))
	var statuses []int64
	for _, e := range entries {
		statuses = append(statuses, wantInt(t, "entry", e, "Status"))
	}
	if !slices.Equal(statuses, []int64{200, 500, 200}) {
		t.Errorf("journaled POST statuses = %v, want [200 500 200]", statuses)
	}
}

func TestFaults_StatusBodiesAndHeaders(t *testing.T) {
	t.Parallel()
	s := newHarness(t)
	addFault(t, s, map[string]any{"Path": "/KeyfactorAPI/Agents", "Status": 429, "Headers": map[string]string{"Retry-After": "2"}, "Times": 1})
	r := s.get(t, kf("/Agents"))
	wantError(t, r, http.StatusTooManyRequests, codeValidation)
	if got := r.Header.Get("Retry-After"); got != "2" {
		t.Errorf("Retry-After = %q, want 2", got)
	}
	wantJSON(t, s.get(t, kf("/Agents")), http.StatusOK)

	addFault(t, s, map[string]any{"Path": "/keyfactorapi/jobtypes/*", "Status": 403,
		"ErrorCode": "0xA0140002", "Message": "User admin doesn't have the required permission"})
	r = s.get(t, kf("/JobTypes/Custom"))
	if msg := wantError(t, r, http.StatusForbidden, "0xA0140002"); msg != "User admin doesn't have the required permission" {
		t.Errorf("Message = %q, want the rule's", msg)
	}
	wantError(t, s.get(t, kf("/JobTypes/Custom/"+unknownGUID)), http.StatusForbidden, "0xA0140002")

	addFault(t, s, map[string]any{"Path": "/KeyfactorAPI/OrchestratorJobs/*", "Query": "Status -eq 3", "Status": 503})
	wantError(t, s.get(t, withQuery(kf("/OrchestratorJobs/JobHistory"), q("QueryString", "Status -eq 3"))),
		http.StatusServiceUnavailable, codeInternal)
	wantJSON(t, s.get(t, withQuery(kf("/OrchestratorJobs/JobHistory"), q("QueryString", "Status -eq 2"))), http.StatusOK)

	t.Run("admin routes are never faulted", func(t *testing.T) {
		addFault(t, s, map[string]any{"Status": 500})
		wantError(t, s.get(t, kf("/Status/Endpoints")), http.StatusInternalServerError, codeInternal)
		wantJSON(t, s.admin(t, http.MethodGet, "/_mock/health", nil), http.StatusOK)
		wantJSON(t, s.admin(t, http.MethodGet, "/_mock/clock", nil), http.StatusOK)
	})
}

func TestFaults_DelayBeyondClientTimeout(t *testing.T) {
	t.Parallel()
	s := newHarness(t)
	addFault(t, s, map[string]any{"Method": "GET", "Path": "/KeyfactorAPI/Agents", "Delay": "300ms", "Times": 1})
	client := &http.Client{Timeout: 100 * time.Millisecond}
	start := time.Now()
	_, err := rawGet(s, client, kf("/Agents"))
	var ne net.Error
	if err == nil || !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("GET with a 100ms timeout against a 300ms delay: err = %v, want a timeout", err)
	}
	if d := time.Since(start); d > 280*time.Millisecond {
		t.Errorf("the client waited %v, want it to give up at its timeout", d)
	}
	// The server is healthy and the rule is spent.
	wantJSON(t, s.get(t, kf("/Agents")), http.StatusOK)

	addFault(t, s, map[string]any{"Path": "/KeyfactorAPI/Status/Endpoints", "Delay": 150, "Times": 1})
	start = time.Now()
	wantJSON(t, s.get(t, kf("/Status/Endpoints")), http.StatusOK)
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("a 150ms delay answered after %v", d)
	}
	rules := faultRules(t, s)
	if len(rules) != 2 || rules[0]["Delay"] != "300ms" || rules[1]["Delay"] != "150ms" {
		t.Errorf("rules = %s, want the delays echoed", jsonText(rules))
	}
}

func TestFaults_Drop(t *testing.T) {
	t.Parallel()
	s := newHarness(t)
	addFault(t, s, map[string]any{"Method": "GET", "Path": "/KeyfactorAPI/Agents", "Drop": true, "Times": 1})
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	_, err := rawGet(s, client, kf("/Agents"))
	if err == nil {
		t.Fatal("a dropped connection gave the client a response")
	}
	if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("err = %v, want EOF or connection reset", err)
	}
	wantJSON(t, s.admin(t, http.MethodGet, "/_mock/health", nil), http.StatusOK)
	wantJSON(t, s.get(t, kf("/Agents")), http.StatusOK)
	_, entries := journalPage(t, s, q("path", "/KeyfactorAPI/Agents"))
	if len(entries) != 2 || wantInt(t, "entry", entries[0], "Status") != 0 {
		t.Errorf("journal = %s, want the dropped request recorded with Status 0, then the 200", jsonText(entries))
	}
}

func TestFaults_ProbabilityRepeatsUnderSeed(t *testing.T) {
	t.Parallel()
	pattern := func(seed int) []int {
		s := newHarness(t)
		addFault(t, s, map[string]any{"Path": "/KeyfactorAPI/Status/Endpoints", "Status": 503, "Probability": 0.5, "Seed": seed})
		var out []int
		failed := 0
		for range 24 {
			r := s.get(t, kf("/Status/Endpoints"))
			out = append(out, r.Status)
			if r.Status == http.StatusServiceUnavailable {
				failed++
			} else if r.Status != http.StatusOK {
				t.Fatalf("status %d, want 200 or 503", r.Status)
			}
		}
		rule := faultRules(t, s)[0]
		if wantInt(t, "rule", rule, "Matched") != 24 || wantInt(t, "rule", rule, "Applied") != int64(failed) {
			t.Errorf("rule counters = %s, want Matched 24, Applied %d", jsonText(rule), failed)
		}
		return out
	}
	first, second := pattern(42), pattern(42)
	if !slices.Equal(first, second) {
		t.Errorf("same seed, different patterns:\n%v\n%v", first, second)
	}
	if !slices.Contains(first, 200) || !slices.Contains(first, 503) {
		t.Errorf("probability 0.5 over 24 requests gave %v, want both outcomes", first)
	}
	if other := pattern(7); slices.Equal(first, other) {
		t.Errorf("seeds 42 and 7 gave the same pattern %v", first)
	}
}

func TestFaults_ListAndDelete(t *testing.T) {
	t.Parallel()
	s := newHarness(t)
	if rules := faultRules(t, s); len(rules) != 0 {
		t.Fatalf("a new server has rules: %s", jsonText(rules))
	}
	id1 := addFault(t, s, map[string]any{"Path": "/KeyfactorAPI/Agents", "Status": 500})
	id2 := addFault(t, s, map[string]any{"Path": "/KeyfactorAPI/JobTypes/Custom", "Status": 502})
	if id2 <= id1 {
		t.Errorf("rule ids %d, %d do not increase", id1, id2)
	}
	rules := faultRules(t, s)
	if len(rules) != 2 || wantInt(t, "rule", rules[0], "Id") != id1 || wantInt(t, "rule", rules[1], "Id") != id2 {
		t.Fatalf("rules = %s", jsonText(rules))
	}
	wantError(t, s.get(t, kf("/Agents")), http.StatusInternalServerError, codeInternal)

	s.adminOK(t, http.MethodDelete, "/_mock/faults/"+itoa(id1), nil, http.StatusNoContent)
	wantJSON(t, s.get(t, kf("/Agents")), http.StatusOK)
	if rules := faultRules(t, s); len(rules) != 1 || wantInt(t, "rule", rules[0], "Id") != id2 {
		t.Errorf("rules after deleting %d = %s", id1, jsonText(rules))
	}
	wantError(t, s.admin(t, http.MethodDelete, "/_mock/faults/"+itoa(id1), nil), http.StatusNotFound, codeNotFound)
	wantError(t, s.admin(t, http.MethodDelete, "/_mock/faults/abc", nil), http.StatusNotFound, codeNotFound)
	wantError(t, s.get(t, kf("/JobTypes/Custom")), 502, codeInternal)

	s.adminOK(t, http.MethodDelete, "/_mock/faults", nil, http.StatusNoContent)
	if rules := faultRules(t, s); len(rules) != 0 {
		t.Errorf("rules after DELETE /_mock/faults = %s", jsonText(rules))
	}
	wantJSON(t, s.get(t, kf("/JobTypes/Custom")), http.StatusOK)
}

func TestFaults_Rejects(t *testing.T) {
	t.Parallel()
	s := newHarness(t)
	for _, tc := range []struct {
		name string
		body any
		code string
	}{
		{"status too low", map[string]any{"Status": 99}, codeValidation},
		{"status too high", map[string]any{"Status": 600}, codeValidation},
		{"does nothing", map[string]any{"Path": "/KeyfactorAPI/Agents"}, codeValidation},
		{"status and drop", map[string]any{"Status": 500, "Drop": true}, codeValidation},
		{"negative delay", map[string]any{"Delay": "-1s"}, codeValidation},
		{"DelayMax below Delay", map[string]any{"Delay": "1s", "DelayMax": "500ms"}, codeValidation},
		{"delay too long", map[string]any{"Delay": "11m"}, codeValidation},
		{"negative After", map[string]any{"Status": 500, "After": -1}, codeValidation},
		{"negative Times", map[string]any{"Status": 500, "Times": -2}, codeValidation},
		{"probability above 1", map[string]any{"Status": 500, "Probability": 1.5}, codeValidation},
		{"negative probability", map[string]any{"Status": 500, "Probability": -0.1}, codeValidation},
		{"bad header name", map[string]any{"Status": 500, "Headers": map[string]string{"Retry After": "2"}}, codeValidation},
		{"bad delay text", map[string]any{"Delay": "soon"}, codeMalformed},
		{"status as text", map[string]any{"Status": "500"}, codeMalformed},
		{"unknown member", map[string]any{"Status": 500, "Every": 2}, codeMalformed},
		{"not JSON", "500", codeMalformed},
		{"no body", nil, codeMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := wantError(t, s.admin(t, http.MethodPost, "/_mock/faults", tc.body), http.StatusBadRequest, tc.code)
			if strings.TrimSpace(msg) == "" {
				t.Error("empty message")
			}
			if rules := faultRules(t, s); len(rules) != 0 {
				t.Errorf("a rejected rule was stored: %s", jsonText(rules))
			}
		})
	}
}

func TestFaults_RandomDelay(t *testing.T) {
	t.Parallel()
	s := newHarness(t)
	addFault(t, s, map[string]any{"Path": "/KeyfactorAPI/Status/Endpoints", "Delay": "40ms", "DelayMax": "120ms", "Seed": 1})
	for range 4 {
		start := time.Now()
		wantJSON(t, s.get(t, kf("/Status/Endpoints")), http.StatusOK)
		if d := time.Since(start); d < 40*time.Millisecond {
			t.Errorf("answered after %v, want at least Delay (40ms)", d)
		}
	}
	if rule := faultRules(t, s)[0]; rule["DelayMax"] != "120ms" || wantInt(t, "rule", rule, "Applied") != 4 {
		t.Errorf("rule = %s", jsonText(rule))
	}
}

// "The next N times" holds under concurrent requests.
func TestFaults_TimesUnderConcurrency(t *testing.T) {
	t.Parallel()
	s := newHarness(t)
	addFault(t, s, map[string]any{"Path": "/KeyfactorAPI/Agents", "Status": 500, "Times": 5})
	const n = 20
	statuses := make(chan int, n)
	errs := make(chan error, n)
	for range n {
		go func() {
			r, err := s.send(http.MethodGet, kf("/Agents"), nil)
			errs <- err
			statuses <- r.Status
		}()
	}
	failed := 0
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
		switch st := <-statuses; st {
		case http.StatusInternalServerError:
			failed++
		case http.StatusOK:
		default:
			t.Errorf("status %d", st)
		}
	}
	if failed != 5 {
		t.Errorf("%d of %d concurrent requests were faulted, want exactly Times = 5", failed, n)
	}
	total, _ := journalPage(t, s, nil)
	if total != n {
		t.Errorf("journal Total = %d after %d concurrent requests, want %d", total, n, n)
	}
	_, entries := journalPage(t, s, q("status", "500"))
	if len(entries) != 5 {
		t.Errorf("journal has %d faulted entries, want 5", len(entries))
	}
}
