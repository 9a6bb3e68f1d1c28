package api_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mockcommand/mockcommand/internal/model"
)

// These tests send requests exactly as Keyfactor's generated Go SDK (v2.0.0)
// puts them on the wire and decode the answers into structs typed as the
// SDK's models are: time.Time for date-times, int32 for enums, *string for
// nullable strings. encoding/json fails on a member of the wrong JSON type,
// which the SDK would swallow, leaving an empty object.

type sdkAgent struct {
	AgentId                     *string
	ClientMachine               *string
	Username                    *string
	AgentPlatform               *int32
	Version                     *string
	Status                      *int32
	LastSeen                    *time.Time
	Capabilities                []string
	Blueprint                   *string
	Thumbprint                  *string
	LegacyThumbprint            *string
	AuthCertificateReenrollment *string
	LastThumbprintUsed          *string
	LastErrorCode               *int64
	LastErrorMessage            *string
	JobTypes                    []struct {
		Name                   *string
		CertStoreTypeShortName *string
		CertStoreJobType       *string
		JobTypeId              *string
	}
}

type sdkJobTypeField struct {
	Name         *string
	Type         *int32
	DefaultValue *string
	Required     *bool
}

type sdkJobType struct {
	Id            *string
	JobTypeName   *string
	Description   *string
	JobTypeFields []sdkJobTypeField
}

type sdkTime struct{ Time *time.Time }

type sdkSchedule struct {
	Immediate *bool
	Interval  *struct{ Minutes *int32 }
	Daily     *sdkTime
	Weekly    *struct {
		Days []int32
		Time *time.Time
	}
	Monthly *struct {
		Day  *int32
		Time *time.Time
	}
	ExactlyOnce *sdkTime
}

type sdkJobResponse struct {
	JobId            *string
	OrchestratorId   *string
	JobTypeName      *string
	Schedule         *sdkSchedule
	JobFields        []struct{ JobTypeField, Value *string }
	RequestTimestamp *time.Time
}

type sdkScheduledJob struct {
	Id            *string
	ClientMachine *string
	Target        *string
	Schedule      *sdkSchedule
	Requested     *string
	JobType       *string
}

// sdkDo sends a request the way the SDK does: lower-case Keyfactor header
// names, x-keyfactor-api-version 1, Basic DOMAIN\user, a raw query string,
// and a compact body with Content-Type application/json (no charset).
func sdkDo(t *testing.T, s *testServer, method, pathAndQuery, body string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.URL+pathAndQuery, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header["x-keyfactor-api-version"] = []string{"1"}
	req.Header["x-keyfactor-requested-with"] = []string{"APIClient"}
	req.Header["Authorization"] = []string{"Basic " + base64.StdEncoding.EncodeToString([]byte(`KEYFACTOR\admin:password`))}
	req.Header["Accept"] = []string{"application/json"}
	if body != "" {
		req.Header["Content-Type"] = []string{"application/json"}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := response{Status: resp.StatusCode, Header: resp.Header, Body: data}
	wantJSON(t, r, http.StatusOK)
	return r
}

// strictDecode decodes into the SDK-typed v with the standard decoder,
// rejecting members the model does not have: the SDK would drop them
// silently, so a misspelled member is caught here instead.
func strictDecode(t *testing.T, body []byte, v any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("the SDK's model cannot decode the response: %v\nbody: %s", err, body)
	}
}

func TestSDK_WireForm(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	fx := fixtureAgents(t)

	t.Run("login check", func(t *testing.T) {
		r := sdkDo(t, s, http.MethodGet, "/KeyfactorAPI/Status/Endpoints", "")
		var endpoints []string
		strictDecode(t, r.Body, &endpoints)
		if len(endpoints) == 0 {
			t.Error("no endpoints")
		}
		if r.Header.Get(productHeader) == "" {
			t.Errorf("no %s header", productHeader)
		}
	})

	t.Run("GET /Agents with pq. parameters", func(t *testing.T) {
		r := sdkDo(t, s, http.MethodGet,
			"/KeyfactorAPI/Agents?pq.pageReturned=1&pq.queryString=Status+-eq+2+AND+Capabilities+-contains+%22LOGS%22&pq.returnLimit=50", "")
		var agents []sdkAgent
		strictDecode(t, r.Body, &agents)
		want := matching(fx, func(a fixtureAgent) bool { return a.Status == 2 && a.has("LOGS") })
		var got []string
		for i, a := range agents {
			if a.AgentId == nil || a.Status == nil || a.AgentPlatform == nil || a.LastSeen == nil || a.LastSeen.IsZero() {
				t.Fatalf("agent %d decoded incompletely: %+v", i, a)
			}
			if *a.Status != 2 {
				t.Errorf("agent %s Status %d, want 2", *a.AgentId, *a.Status)
			}
			got = append(got, *a.AgentId)
		}
		if !slices.Equal(got, want) {
			t.Errorf("agents %q, want %q (sorted by AgentId)", got, want)
		}
	})

	t.Run("every agent decodes", func(t *testing.T) {
		r := sdkDo(t, s, http.MethodGet, "/KeyfactorAPI/Agents?pq.pageReturned=1&pq.returnLimit=50", "")
		var agents []sdkAgent
		strictDecode(t, r.Body, &agents)
		if len(agents) != len(fx) {
			t.Fatalf("%d agents, want %d", len(agents), len(fx))
		}
		for _, a := range agents {
			for _, f := range fx {
				if f.AgentId == *a.AgentId && model.Deref(f.AuthCertificateReenrollment) != model.Deref(a.AuthCertificateReenrollment) {
					t.Errorf("agent %s AuthCertificateReenrollment = %q, want %q", f.AgentId, model.Deref(a.AuthCertificateReenrollment), model.Deref(f.AuthCertificateReenrollment))
				}
			}
		}
	})

	var jobTypeID string
	t.Run("POST /JobTypes/Custom with Type as a number", func(t *testing.T) {
		r := sdkDo(t, s, http.MethodPost, "/KeyfactorAPI/JobTypes/Custom",
			`{"JobTypeName":"SdkJob","Description":"from the SDK","JobTypeFields":[{"Name":"Count","Type":2,"DefaultValue":"42","Required":false},{"Name":"Target","Type":1,"Required":true}]}`)
		var jt sdkJobType
		strictDecode(t, r.Body, &jt)
		if jt.Id == nil || model.Deref(jt.JobTypeName) != "SdkJob" || len(jt.JobTypeFields) != 2 {
			t.Fatalf("job type decoded as %+v", jt)
		}
		jobTypeID = *jt.Id
		f := jt.JobTypeFields[0]
		if model.Deref(f.Name) != "Count" || f.Type == nil || *f.Type != 2 || model.Deref(f.DefaultValue) != "42" || f.Required == nil || *f.Required {
			t.Errorf("field 0 = %+v", f)
		}
	})

	t.Run("GET /JobTypes/Custom decodes", func(t *testing.T) {
		r := sdkDo(t, s, http.MethodGet, "/KeyfactorAPI/JobTypes/Custom?pq.pageReturned=1&pq.queryString=JobTypeName+-eq+%22SdkJob%22&pq.returnLimit=50", "")
		var types []sdkJobType
		strictDecode(t, r.Body, &types)
		if len(types) != 1 || model.Deref(types[0].Id) != jobTypeID {
			t.Errorf("found %+v, want the SdkJob type %s", types, jobTypeID)
		}
		r = sdkDo(t, s, http.MethodGet, "/KeyfactorAPI/JobTypes/Custom?pq.pageReturned=1&pq.returnLimit=50", "")
		strictDecode(t, r.Body, &types)
	})

	var jobID string
	t.Run("POST /OrchestratorJobs/Custom with string values", func(t *testing.T) {
		agent := pickAgent(t, "approved with RebootHost", approvedWith("RebootHost"))
		r := sdkDo(t, s, http.MethodPost, "/KeyfactorAPI/OrchestratorJobs/Custom",
			`{"AgentId":"`+agent.AgentId+`","JobFields":{"DelaySeconds":"42","Force":"true","Host":"web01"},"JobTypeName":"RebootHost","Schedule":{"Interval":{"Minutes":60}}}`)
		var job sdkJobResponse
		strictDecode(t, r.Body, &job)
		if job.JobId == nil || model.Deref(job.OrchestratorId) != agent.AgentId || model.Deref(job.JobTypeName) != "RebootHost" ||
			job.RequestTimestamp == nil || job.RequestTimestamp.IsZero() || job.Schedule == nil || job.Schedule.Interval == nil ||
			job.Schedule.Interval.Minutes == nil || *job.Schedule.Interval.Minutes != 60 {
			t.Fatalf("job decoded as %+v", job)
		}
		jobID = *job.JobId
		got := map[string]string{}
		for _, f := range job.JobFields {
			got[model.Deref(f.JobTypeField)] = model.Deref(f.Value)
		}
		for k, v := range map[string]string{"Host": "web01", "DelaySeconds": "42", "Force": "true"} {
			if got[k] != v {
				t.Errorf("JobFields[%s] = %q, want %q", k, got[k], v)
			}
		}
	})

	t.Run("GET /OrchestratorJobs/ScheduledJobs decodes", func(t *testing.T) {
		r := sdkDo(t, s, http.MethodGet, "/KeyfactorAPI/OrchestratorJobs/ScheduledJobs?pq.pageReturned=1&pq.returnLimit=50", "")
		var jobs []sdkScheduledJob
		strictDecode(t, r.Body, &jobs)
		if len(jobs) != 1 || model.Deref(jobs[0].Id) != jobID || model.Deref(jobs[0].JobType) != "RebootHost" || jobs[0].Requested == nil ||
			jobs[0].Schedule == nil || jobs[0].Schedule.Interval == nil {
			t.Errorf("scheduled jobs decoded as %+v, want the job %s", jobs, jobID)
		}
	})

	t.Run("every schedule form decodes", func(t *testing.T) {
		agent := pickAgent(t, "approved with LOGS", approvedWith("LOGS"))
		for _, sched := range []string{
			`{"Immediate":true}`,
			`{"Daily":{"Time":"2025-03-15T23:30:00Z"}}`,
			`{"Weekly":{"Days":[1,3],"Time":"2025-03-15T06:00:00Z"}}`,
			`{"Monthly":{"Day":1,"Time":"2025-04-01T02:00:00Z"}}`,
			`{"ExactlyOnce":{"Time":"2025-03-20T12:00:00Z"}}`,
		} {
			r := sdkDo(t, s, http.MethodPost, "/KeyfactorAPI/OrchestratorJobs/Custom",
				`{"AgentId":"`+agent.AgentId+`","JobTypeName":"FetchLogs","Schedule":`+sched+`}`)
			var job sdkJobResponse
			strictDecode(t, r.Body, &job)
			if job.Schedule == nil || (job.Schedule.Immediate == nil && job.Schedule.Daily == nil && job.Schedule.Weekly == nil &&
				job.Schedule.Monthly == nil && job.Schedule.ExactlyOnce == nil) {
				t.Errorf("%s: schedule decoded as %+v", sched, job.Schedule)
			}
		}
		r := sdkDo(t, s, http.MethodGet, "/KeyfactorAPI/OrchestratorJobs/ScheduledJobs?pq.pageReturned=1&pq.returnLimit=50", "")
		var jobs []sdkScheduledJob
		strictDecode(t, r.Body, &jobs)
		if len(jobs) != 6 {
			t.Errorf("%d scheduled jobs, want 6", len(jobs))
		}
	})
}
