package api_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
)

// Regressions from a code review: inputs at the edges of what the mock
// can store, and admin state that must not come back to life.

func TestClock_StaysWithinStorableYears(t *testing.T) {
	s := newHarness(t)
	for _, body := range []any{
		map[string]any{"Advance": 1e300},
		map[string]any{"Advance": "-3000000h"},
		map[string]any{"Now": "9999-12-31T23:00:00Z", "Advance": nil},
	} {
		r := s.admin(t, http.MethodPost, "/_mock/clock", body)
		if m, ok := body.(map[string]any); ok && m["Now"] != nil {
			wantJSON(t, r, http.StatusOK) // the last hour of 9999 is fine…
			r = s.admin(t, http.MethodPost, "/_mock/clock", map[string]any{"Advance": "2h"})
			wantError(t, r, http.StatusBadRequest, codeValidation, "years 1 to 9999") // …two hours later is not
			continue
		}
		if r.Status != http.StatusBadRequest {
			t.Errorf("clock %v: %d %s, want 400", body, r.Status, r.Body)
		}
	}
}

func TestFaults_NeedAFinalStatus(t *testing.T) {
	s := newHarness(t)
	for _, st := range []int{100, 103, 199} {
		r := s.admin(t, http.MethodPost, "/_mock/faults", map[string]any{"Status": st})
		wantError(t, r, http.StatusBadRequest, codeValidation, "200-599")
	}
}

func TestReschedule_LeavesUnscheduledJobsAlone(t *testing.T) {
	s := newHarness(t) // manual job mode
	a := pickAgent(t, "approved with RebootHost", approvedWith("RebootHost"))
	r := postJob(t, s, map[string]any{"AgentId": a.AgentId, "JobTypeName": "RebootHost", "JobFields": map[string]string{"Host": "h"},
		"Schedule": map[string]any{"Interval": map[string]int{"Minutes": 30}}})
	wantJSON(t, r, http.StatusOK)
	var job struct{ JobId string }
	json.Unmarshal(r.Body, &job)
	s.adminOK(t, http.MethodPost, "/_mock/jobs/"+job.JobId+"/complete", map[string]any{"Result": "Failure"}, http.StatusOK)
	if r := s.do(t, http.MethodPost, kf("/OrchestratorJobs/Unschedule"), map[string]any{"JobIds": []string{job.JobId}}); r.Status != http.StatusNoContent {
		t.Fatalf("unschedule: %d %s", r.Status, r.Body)
	}
	if r := s.do(t, http.MethodPost, kf("/OrchestratorJobs/Reschedule"), map[string]any{"Query": `JobId -eq "` + job.JobId + `"`}); r.Status != http.StatusNoContent {
		t.Fatalf("reschedule: %d %s", r.Status, r.Body)
	}
	r = s.get(t, kf("/OrchestratorJobs/ScheduledJobs?"+url.Values{"QueryString": {`Id -eq "` + job.JobId + `"`}}.Encode()))
	if string(r.Body) != "[]" {
		t.Errorf("an unscheduled job came back after Reschedule: %s", r.Body)
	}
}

func TestControlCharactersNeverMatchCapabilities(t *testing.T) {
	s := newHarness(t)
	r := s.do(t, http.MethodPost, kf("/JobTypes/Custom"), map[string]any{"JobTypeName": "LOGS\x1fRebootHost"})
	wantError(t, r, http.StatusBadRequest, codeValidation, "control character")
	r = s.get(t, kf("/Agents?"+url.Values{"QueryString": {"Capabilities -contains \"LOGS\x1fRebootHost\""}}.Encode()))
	wantJSON(t, r, http.StatusOK)
	if string(r.Body) != "[]" {
		t.Errorf("a value with the list separator matched agents: %.200s", r.Body)
	}
}
