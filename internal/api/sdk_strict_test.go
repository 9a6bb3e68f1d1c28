package api_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"
)

// SDK-typed models of the responses sdk_test.go does not cover.
type sdkJobHistory struct {
	JobHistoryId   *int64
	AgentMachine   *string
	JobId          *string
	Schedule       *sdkSchedule
	JobType        *string
	OperationStart *time.Time
	OperationEnd   *time.Time
	Message        *string
	Result         *int32
	Status         *int32
	StorePath      *string
	ClientMachine  *string
}

type sdkJobData struct {
	JobHistoryId *int64
	Data         *string
}

type sdkBulkResponse struct {
	OrchestratorJobPairs  []struct{ JobId, OrchestratorId *string }
	FailedOrchestratorIds []string
	JobTypeName           *string
	Schedule              *sdkSchedule
	JobFields             []struct{ JobTypeField, Value *string }
	RequestTimestamp      *time.Time
}

type sdkReenrollment struct {
	FailedOrchestratorIds []string
	Status                *int32
}

// TestSDK_EveryResponseDecodesStrictly calls every Keyfactor route that
// answers with JSON, in states that fill every member (a reenrollment
// request, a last error, a finished run with data, schedules of every
// kind), and decodes each answer into the SDK's model strictly.
func TestSDK_EveryResponseDecodesStrictly(t *testing.T) {
	t.Parallel()
	s := newHarness(t, immediateMode())
	const agent = "c6f87718-6d76-407e-881e-d162ae2eb154"
	decode := func(method, path, body string, v any) {
		t.Helper()
		strictDecode(t, sdkDo(t, s, method, path, body).Body, v)
	}
	var endpoints []string
	decode("GET", "/KeyfactorAPI/Status/Endpoints", "", &endpoints)

	var re sdkReenrollment
	decode("POST", "/KeyfactorAPI/Agents/SetAuthCertificateReenrollment", `{"OrchestratorIds":["`+agent+`","00000000-0000-0000-0000-000000000001"],"Status":"1"}`, &re)
	if re.Status == nil || *re.Status != 1 || len(re.FailedOrchestratorIds) != 1 {
		t.Errorf("reenrollment response %+v", re)
	}
	var agents []sdkAgent
	decode("GET", "/KeyfactorAPI/Agents?pq.returnLimit=1000", "", &agents)
	reenroll, lastError := false, false
	for _, a := range agents {
		if a.AgentId == nil || a.LastSeen == nil || a.Status == nil || a.AgentPlatform == nil {
			t.Errorf("agent lost required members in decoding: %+v", a)
		}
		reenroll = reenroll || (a.AuthCertificateReenrollment != nil && *a.AuthCertificateReenrollment == "Requested")
		lastError = lastError || a.LastErrorCode != nil
	}
	if !reenroll || !lastError {
		t.Errorf("the listing lacks a filled AuthCertificateReenrollment (%v) or LastErrorCode (%v): the test would not cover their types", reenroll, lastError)
	}
	var one sdkAgent
	decode("GET", "/KeyfactorAPI/Agents/"+agent, "", &one)

	var types []sdkJobType
	decode("GET", "/KeyfactorAPI/JobTypes/Custom", "", &types)
	var created, updated, got sdkJobType
	decode("POST", "/KeyfactorAPI/JobTypes/Custom", `{"JobTypeName":"Strict","JobTypeFields":[{"Name":"N","Type":2,"DefaultValue":"3","Required":true}]}`, &created)
	decode("PUT", "/KeyfactorAPI/JobTypes/Custom", `{"Id":"`+*created.Id+`","JobTypeName":"Strict2","JobTypeFields":[{"Name":"B","Type":4}]}`, &updated)
	decode("GET", "/KeyfactorAPI/JobTypes/Custom/"+*created.Id, "", &got)

	schedules := []string{
		`{"Immediate":true}`,
		`{"Interval":{"Minutes":30}}`,
		`{"Daily":{"Time":"2026-12-01T23:30:00Z"}}`,
		`{"Weekly":{"Days":[1,3],"Time":"2026-12-01T06:00:00Z"}}`,
		`{"Monthly":{"Day":1,"Time":"2026-12-01T02:00:00Z"}}`,
		`{"ExactlyOnce":{"Time":"2026-12-20T12:00:00Z"}}`,
	}
	for _, sched := range schedules {
		var job sdkJobResponse
		decode("POST", "/KeyfactorAPI/OrchestratorJobs/Custom", fmt.Sprintf(`{"AgentId":"%s","JobTypeName":"FetchLogs","Schedule":%s}`, agent, sched), &job)
		if job.RequestTimestamp == nil || job.Schedule == nil {
			t.Errorf("schedule %s: job response %+v", sched, job)
		}
	}
	var bulk sdkBulkResponse
	decode("POST", "/KeyfactorAPI/OrchestratorJobs/Custom/Bulk", `{"OrchestratorIds":["`+agent+`","00000000-0000-0000-0000-000000000001"],"JobTypeName":"RebootHost","JobFields":{"Host":"h"}}`, &bulk)
	if len(bulk.OrchestratorJobPairs) != 1 || len(bulk.FailedOrchestratorIds) != 1 {
		t.Errorf("bulk response %+v", bulk)
	}
	var jobs []sdkScheduledJob
	decode("GET", "/KeyfactorAPI/OrchestratorJobs/ScheduledJobs?pq.returnLimit=100", "", &jobs)
	if len(jobs) < 5 {
		t.Errorf("%d scheduled jobs, want the recurring and future ones", len(jobs))
	}
	var runs []sdkJobHistory
	decode("GET", "/KeyfactorAPI/OrchestratorJobs/JobHistory?pq.returnLimit=100", "", &runs)
	finished := int64(0)
	for _, r := range runs {
		if r.OperationEnd != nil && r.JobType != nil && *r.JobType == "FetchLogs" {
			finished = *r.JobHistoryId
		}
	}
	if finished == 0 {
		t.Fatal("no finished FetchLogs run with an OperationEnd to decode")
	}
	var data sdkJobData
	decode("GET", fmt.Sprintf("/KeyfactorAPI/OrchestratorJobs/JobStatus/Data?jobHistoryId=%d", finished), "", &data)
	if data.Data == nil || *data.Data == "" {
		t.Errorf("FetchLogs data %+v", data)
	}
	// Error bodies decode into the {ErrorCode, Message} kfutil reads.
	r := s.get(t, "/KeyfactorAPI/Agents/00000000-0000-0000-0000-000000000001")
	var e struct{ ErrorCode, Message string }
	strictDecode(t, r.Body, &e)
	if r.Status != http.StatusNotFound || e.ErrorCode == "" {
		t.Errorf("404 body %s", r.Body)
	}

}
