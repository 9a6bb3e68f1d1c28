package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

var (
	jobResponseMembers  = []string{"JobId", "OrchestratorId", "JobTypeName", "Schedule", "JobFields", "RequestTimestamp"}
	scheduledJobMembers = []string{"Id", "ClientMachine", "Target", "Schedule", "Requested", "JobType"}
)

// jobField is one {JobTypeField, Value} of a job response.
type jobField struct{ Field, Value string }

// postJob POSTs a ScheduleJobRequest.
func postJob(t testing.TB, s *testServer, body any, opts ...reqOpt) response {
	t.Helper()
	return s.do(t, http.MethodPost, kf("/OrchestratorJobs/Custom"), body, opts...)
}

// listJobs GETs /OrchestratorJobs/ScheduledJobs with params.
func listJobs(t testing.TB, s *testServer, params url.Values) []map[string]any {
	t.Helper()
	r := s.get(t, withQuery(kf("/OrchestratorJobs/ScheduledJobs"), params))
	wantJSON(t, r, http.StatusOK)
	return decodeArray(t, r.Body)
}

// countJobs counts the stored jobs.
func countJobs(t testing.TB, s *testServer) int {
	t.Helper()
	return len(listJobs(t, s, q("ReturnLimit", "100000")))
}

// wantRejected posts body, expects a Command error, and checks that no job
// was stored.
func wantRejected(t testing.TB, s *testServer, body any, status int, code string, parts ...string) string {
	t.Helper()
	before := countJobs(t, s)
	msg := wantError(t, postJob(t, s, body), status, code, parts...)
	if after := countJobs(t, s); after != before {
		t.Errorf("%d jobs after a rejected POST, want %d", after, before)
	}
	return msg
}

// expectFields is what JobFields must hold for a fixture job type given the
// supplied values: every field in the type's order, the supplied value or
// else the default, fields with neither left out.
func expectFields(t testing.TB, jobTypeName string, supplied map[string]string) []jobField {
	t.Helper()
	for _, jt := range fixtureJobTypes(t) {
		if jt.JobTypeName != jobTypeName {
			continue
		}
		out := []jobField{}
		for _, f := range fixtureFields(t, jt) {
			if v, ok := supplied[f.Name]; ok {
				out = append(out, jobField{f.Name, v})
			} else if f.DefaultValue != nil {
				out = append(out, jobField{f.Name, *f.DefaultValue})
			}
		}
		return out
	}
	t.Fatalf("no fixture job type %q", jobTypeName)
	return nil
}

// fixtureField returns a field of a fixture job type.
func fixtureField(t testing.TB, jobTypeName, field string) wantField {
	t.Helper()
	for _, jt := range fixtureJobTypes(t) {
		if jt.JobTypeName == jobTypeName {
			for _, f := range fixtureFields(t, jt) {
				if f.Name == field {
					return f
				}
			}
		}
	}
	t.Fatalf("no fixture field %s.%s", jobTypeName, field)
	return wantField{}
}

// checkJobFields asserts JobFields is a list of {JobTypeField, Value}
// with string values equal to want, in order.
func checkJobFields(t testing.TB, v any, want []jobField) {
	t.Helper()
	raw, ok := v.([]any)
	if !ok {
		t.Fatalf("JobFields = %#v, want an array", v)
	}
	got := []jobField{}
	for i, r := range raw {
		f, ok := r.(map[string]any)
		if !ok {
			t.Fatalf("JobFields[%d] = %#v, want an object", i, r)
		}
		what := fmt.Sprintf("JobFields[%d]", i)
		wantMembers(t, what, f, []string{"JobTypeField", "Value"}, nil)
		got = append(got, jobField{wantString(t, what, f, "JobTypeField"), wantString(t, what, f, "Value")})
	}
	if !slices.Equal(got, want) {
		t.Errorf("JobFields = %v, want %v", got, want)
	}
}

func checkJob(t testing.TB, r response, agentID, jobType, schedule string, fields []jobField) string {
	t.Helper()
	wantJSON(t, r, http.StatusOK)
	m := decodeObject(t, r.Body)
	wantMembers(t, "job", m, jobResponseMembers, nil)
	id := wantString(t, "job", m, "JobId")
	wantGUID(t, "JobId", id)
	if got := wantString(t, "job", m, "OrchestratorId"); got != agentID {
		t.Errorf("OrchestratorId = %q, want %q", got, agentID)
	}
	if got := wantString(t, "job", m, "JobTypeName"); got != jobType {
		t.Errorf("JobTypeName = %q, want %q", got, jobType)
	}
	checkSchedule(t, "Schedule", m["Schedule"], schedule)
	checkJobFields(t, m["JobFields"], fields)
	ts := wantTime(t, "job", m, "RequestTimestamp")
	if d := time.Since(ts); d < -time.Minute || d > time.Minute {
		t.Errorf("RequestTimestamp %v is not about now", ts)
	}
	return id
}

// scheduledJob finds a stored job by id through the Id query.
func scheduledJob(t testing.TB, s *testServer, id string) map[string]any {
	t.Helper()
	list := listJobs(t, s, q("QueryString", `Id -eq "`+id+`"`))
	if len(list) != 1 {
		t.Fatalf("ScheduledJobs has %d jobs with Id %s, want 1", len(list), id)
	}
	m := list[0]
	wantMembers(t, "scheduled job", m, scheduledJobMembers, nil)
	if got := wantString(t, "scheduled job", m, "Id"); got != id {
		t.Errorf("Id = %q, want %q", got, id)
	}
	wantStringOrNull(t, "scheduled job", m, "Target")
	if req := wantString(t, "scheduled job", m, "Requested"); strings.TrimSpace(req) == "" {
		t.Errorf("Requested is empty")
	}
	return m
}

// The agents the job tests need, chosen from the fixtures by what they are.
func approvedWith(capability string) func(fixtureAgent) bool {
	return func(a fixtureAgent) bool { return a.Status == 2 && a.has(capability) }
}

func TestJobs_ScheduleAppliesDefaults(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	agent := pickAgent(t, "approved with RebootHost", approvedWith("RebootHost"))
	if n := countJobs(t, s); n != 0 {
		t.Fatalf("%d jobs before any POST, want 0", n)
	}
	r := s.get(t, kf("/OrchestratorJobs/ScheduledJobs"))
	wantJSON(t, r, http.StatusOK)
	if got := strings.TrimSpace(string(r.Body)); got != "[]" {
		t.Errorf("empty ScheduledJobs = %s, want []", got)
	}

	want := expectFields(t, "RebootHost", map[string]string{"Host": "web01.example.test"})
	if len(want) < 2 {
		t.Fatalf("RebootHost needs a field with a default for this test; expected fields %v", want)
	}
	resp := postJob(t, s, `{"AgentId":"`+agent.AgentId+`","JobTypeName":"RebootHost","JobFields":{"Host":"web01.example.test"}}`)
	id := checkJob(t, resp, agent.AgentId, "RebootHost", `{"Immediate":true}`, want)
	requested := decodeObject(t, resp.Body)["RequestTimestamp"]

	t.Run("stored and listed", func(t *testing.T) {
		if n := countJobs(t, s); n != 1 {
			t.Errorf("%d jobs, want 1", n)
		}
		m := scheduledJob(t, s, id)
		if m["ClientMachine"] != agent.machine() {
			t.Errorf("ClientMachine = %#v, want %q", m["ClientMachine"], agent.machine())
		}
		if m["JobType"] != "RebootHost" {
			t.Errorf("JobType = %#v, want RebootHost", m["JobType"])
		}
		checkSchedule(t, "Schedule", m["Schedule"], `{"Immediate":true}`)
		if m["Requested"] != requested {
			t.Errorf("Requested = %#v, want the RequestTimestamp %v", m["Requested"], requested)
		}
	})
}

func TestJobs_JobFieldValues(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	reboot := pickAgent(t, "approved with RebootHost", approvedWith("RebootHost"))
	sample := pickAgent(t, "approved with SampleCustomJobType", approvedWith("SampleCustomJobType"))
	flush := pickAgent(t, "approved with FlushDnsCache", approvedWith("FlushDnsCache"))
	rotate := pickAgent(t, "approved with RotateServiceAccount", approvedWith("RotateServiceAccount"))
	if f := fixtureField(t, "RotateServiceAccount", "NotAfter"); !f.Required || f.DefaultValue == nil {
		t.Fatal("RotateServiceAccount.NotAfter must be required with a default for this test")
	}
	if fixtureField(t, "RebootHost", "DelaySeconds").Type != 2 || fixtureField(t, "RebootHost", "Force").Type != 4 {
		t.Fatal("RebootHost needs DelaySeconds (Int) and Force (Bool) for this test")
	}
	for _, tc := range []struct {
		name     string
		agent    fixtureAgent
		jobType  string
		fields   string
		supplied map[string]string
	}{
		{"supplied value overrides the default", reboot, "RebootHost",
			`{"Host":"h","DelaySeconds":"45"}`, map[string]string{"Host": "h", "DelaySeconds": "45"}},
		{"numbers and booleans become strings", reboot, "RebootHost",
			`{"Host":"h","DelaySeconds":45,"Force":true}`, map[string]string{"Host": "h", "DelaySeconds": "45", "Force": "true"}},
		{"optional DateTime without default is filled when given", reboot, "RebootHost",
			`{"Host":"h","MaintenanceWindowStart":"2027-01-01T08:10:55Z"}`, map[string]string{"Host": "h", "MaintenanceWindowStart": "2027-01-01T08:10:55Z"}},
		{"a null value counts as omitted", reboot, "RebootHost",
			`{"Host":"h","DelaySeconds":null}`, map[string]string{"Host": "h"}},
		{"a String field takes a number", reboot, "RebootHost",
			`{"Host":12345}`, map[string]string{"Host": "12345"}},
		{"the sample's own request", sample, "SampleCustomJobType",
			`{"ParamString":"s","ParamInt":1,"ParamBool":false,"ParamDate":"2025-01-01T08:10:55"}`,
			map[string]string{"ParamString": "s", "ParamInt": "1", "ParamBool": "false", "ParamDate": "2025-01-01T08:10:55"}},
		{"negative Int", sample, "SampleCustomJobType",
			`{"ParamInt":"-7","ParamDate":"2025-01-01"}`, map[string]string{"ParamInt": "-7", "ParamDate": "2025-01-01"}},
		{"field names match case-insensitively", reboot, "RebootHost",
			`{"host":"h","DELAYSECONDS":"9"}`, map[string]string{"Host": "h", "DelaySeconds": "9"}},
		{"required fields with defaults may be omitted", rotate, "RotateServiceAccount",
			`{"AccountName":"svc-web"}`, map[string]string{"AccountName": "svc-web"}},
		{"Bool written in capitals", reboot, "RebootHost",
			`{"Host":"h","Force":"TRUE"}`, map[string]string{"Host": "h", "Force": "true"}},
		{"no fields at all", flush, "FlushDnsCache", ``, map[string]string{}},
		{"empty JobFields", flush, "FlushDnsCache", `{}`, map[string]string{}},
		{"null JobFields", flush, "FlushDnsCache", `null`, map[string]string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := `{"AgentId":"` + tc.agent.AgentId + `","JobTypeName":"` + tc.jobType + `"`
			if tc.fields != "" {
				body += `,"JobFields":` + tc.fields
			}
			body += "}"
			id := checkJob(t, postJob(t, s, body), tc.agent.AgentId, tc.jobType, `{"Immediate":true}`, expectFields(t, tc.jobType, tc.supplied))
			scheduledJob(t, s, id)
		})
	}
}

func TestJobs_RejectsJobFields(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	reboot := pickAgent(t, "approved with RebootHost", approvedWith("RebootHost"))
	sample := pickAgent(t, "approved with SampleCustomJobType", approvedWith("SampleCustomJobType"))
	flush := pickAgent(t, "approved with FlushDnsCache", approvedWith("FlushDnsCache"))
	if f := fixtureField(t, "RebootHost", "Host"); !f.Required || f.DefaultValue != nil {
		t.Fatal("RebootHost.Host must be required without a default for this test")
	}
	for _, tc := range []struct {
		name    string
		agent   fixtureAgent
		jobType string
		fields  string
		code    string
		parts   []string
	}{
		{"unknown field", reboot, "RebootHost", `{"Host":"h","Colour":"red"}`, codeValidation, []string{"Colour"}},
		{"missing required field", reboot, "RebootHost", `{"DelaySeconds":"5"}`, codeValidation, []string{"Host"}},
		{"required field null", reboot, "RebootHost", `{"Host":null}`, codeValidation, []string{"Host"}},
		{"no JobFields but a required field", reboot, "RebootHost", ``, codeValidation, []string{"Host"}},
		{"Int not a number", sample, "SampleCustomJobType", `{"ParamDate":"2025-01-01","ParamInt":"abc"}`, codeValidation, []string{"ParamInt", "abc"}},
		{"Int fractional", sample, "SampleCustomJobType", `{"ParamDate":"2025-01-01","ParamInt":1.5}`, codeValidation, []string{"ParamInt"}},
		{"Int out of range", sample, "SampleCustomJobType", `{"ParamDate":"2025-01-01","ParamInt":"99999999999"}`, codeValidation, []string{"ParamInt"}},
		{"Int given a boolean", sample, "SampleCustomJobType", `{"ParamDate":"2025-01-01","ParamInt":true}`, codeValidation, []string{"ParamInt"}},
		{"Bool maybe", sample, "SampleCustomJobType", `{"ParamDate":"2025-01-01","ParamBool":"maybe"}`, codeValidation, []string{"ParamBool", "maybe"}},
		{"Bool given a number", sample, "SampleCustomJobType", `{"ParamDate":"2025-01-01","ParamBool":1}`, codeValidation, []string{"ParamBool"}},
		{"DateTime not a date", sample, "SampleCustomJobType", `{"ParamDate":"not a date"}`, codeValidation, []string{"ParamDate", "not a date"}},
		{"DateTime missing and required", sample, "SampleCustomJobType", `{"ParamInt":"2"}`, codeValidation, []string{"ParamDate"}},
		{"value is an object", reboot, "RebootHost", `{"Host":{"Name":"h"}}`, codeValidation, []string{"Host", "object"}},
		{"value is an array", reboot, "RebootHost", `{"Host":["h"]}`, codeValidation, []string{"Host", "array"}},
		{"field on a type without fields", flush, "FlushDnsCache", `{"Anything":"x"}`, codeValidation, []string{"Anything"}},
		{"JobFields is an array", reboot, "RebootHost", `[{"Host":"h"}]`, codeMalformed, []string{"JobFields"}},
		{"JobFields is a string", reboot, "RebootHost", `"Host=h"`, codeMalformed, []string{"JobFields"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := `{"AgentId":"` + tc.agent.AgentId + `","JobTypeName":"` + tc.jobType + `"`
			if tc.fields != "" {
				body += `,"JobFields":` + tc.fields
			}
			wantRejected(t, s, body+"}", http.StatusBadRequest, tc.code, tc.parts...)
		})
	}
	t.Run("every problem is named at once", func(t *testing.T) {
		body := `{"AgentId":"` + sample.AgentId + `","JobTypeName":"SampleCustomJobType","JobFields":{"ParamInt":"x","ParamBool":"y","Extra":1}}`
		wantRejected(t, s, body, http.StatusBadRequest, codeValidation, "ParamInt", "ParamBool", "Extra", "ParamDate")
	})
}

func TestJobs_RejectsTarget(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	pending := pickAgent(t, "new (Status 1) with RebootHost", func(a fixtureAgent) bool { return a.Status == 1 && a.has("RebootHost") })
	denied := pickAgent(t, "disapproved (Status 3) with RebootHost", func(a fixtureAgent) bool { return a.Status == 3 && a.has("RebootHost") })
	noCap := pickAgent(t, "approved without RebootHost", func(a fixtureAgent) bool { return a.Status == 2 && !a.has("RebootHost") })
	noLogs := pickAgent(t, "approved without LOGS", func(a fixtureAgent) bool { return a.Status == 2 && !a.has("LOGS") })
	reboot := pickAgent(t, "approved with RebootHost", approvedWith("RebootHost"))
	const unknown = "00000000-1111-2222-3333-444444444444"
	job := func(agent, jobType string) string {
		return `{"AgentId":"` + agent + `","JobTypeName":"` + jobType + `","JobFields":{"Host":"h"}}`
	}
	for _, tc := range []struct {
		name  string
		body  string
		code  string
		parts []string
	}{
		{"agent not found", job(unknown, "RebootHost"), codeValidation, []string{unknown}},
		{"agent id not a GUID", job("uo-prod-01", "RebootHost"), codeValidation, []string{"uo-prod-01", "GUID"}},
		{"agent id missing", `{"JobTypeName":"RebootHost","JobFields":{"Host":"h"}}`, codeValidation, []string{"AgentId"}},
		{"agent id empty", job("", "RebootHost"), codeValidation, []string{"AgentId"}},
		{"agent is new", job(pending.AgentId, "RebootHost"), codeValidation, []string{pending.AgentId, "approved"}},
		{"agent is disapproved", job(denied.AgentId, "RebootHost"), codeValidation, []string{denied.AgentId, "approved"}},
		{"agent lacks the capability", job(noCap.AgentId, "RebootHost"), codeValidation, []string{noCap.AgentId, "capability", "RebootHost"}},
		{"FetchLogs needs LOGS", `{"AgentId":"` + noLogs.AgentId + `","JobTypeName":"FetchLogs"}`, codeValidation, []string{"LOGS"}},
		{"job type not found", job(reboot.AgentId, "NoSuchJobType"), codeValidation, []string{"NoSuchJobType"}},
		{"job type missing", `{"AgentId":"` + reboot.AgentId + `","JobFields":{"Host":"h"}}`, codeValidation, []string{"JobTypeName"}},
		{"job type blank", job(reboot.AgentId, "  "), codeValidation, []string{"JobTypeName"}},
		{"AgentId is a number", `{"AgentId":5,"JobTypeName":"RebootHost"}`, codeMalformed, []string{"AgentId"}},
		{"JobTypeName is a number", `{"AgentId":"` + reboot.AgentId + `","JobTypeName":5}`, codeMalformed, []string{"JobTypeName"}},
		{"unknown member", `{"AgentId":"` + reboot.AgentId + `","JobTypeName":"RebootHost","JobFields":{"Host":"h"},"Priority":1}`, codeMalformed, []string{"Priority"}},
		{"malformed JSON", `{"AgentId":`, codeMalformed, nil},
		{"empty body", ``, codeMalformed, nil},
		{"bulk form is not this endpoint", `{"OrchestratorIds":["` + reboot.AgentId + `"],"JobTypeName":"RebootHost"}`, codeMalformed, []string{"OrchestratorIds"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantRejected(t, s, tc.body, http.StatusBadRequest, tc.code, tc.parts...)
		})
	}
	t.Run("deleted job type", func(t *testing.T) {
		r := s.do(t, http.MethodPost, kf("/JobTypes/Custom"), `{"JobTypeName":"Gone"}`)
		wantJSON(t, r, http.StatusOK)
		id := decodeObject(t, r.Body)["Id"].(string)
		if r := s.do(t, http.MethodDelete, kf("/JobTypes/Custom/"+id), nil); r.Status != http.StatusNoContent {
			t.Fatalf("DELETE = %d", r.Status)
		}
		wantRejected(t, s, `{"AgentId":"`+reboot.AgentId+`","JobTypeName":"Gone"}`, http.StatusBadRequest, codeValidation, "Gone")
	})
}

func TestJobs_Capabilities(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	t.Run("FetchLogs on an agent with LOGS", func(t *testing.T) {
		agent := pickAgent(t, "approved with LOGS", approvedWith("LOGS"))
		r := postJob(t, s, `{"AgentId":"`+agent.AgentId+`","JobTypeName":"FetchLogs"}`)
		id := checkJob(t, r, agent.AgentId, "FetchLogs", `{"Immediate":true}`, []jobField{})
		if m := scheduledJob(t, s, id); m["JobType"] != "FetchLogs" {
			t.Errorf("JobType = %#v, want FetchLogs", m["JobType"])
		}
	})
	t.Run("capability matches the job type name case-insensitively", func(t *testing.T) {
		// An approved agent's capability that no job type is named after.
		var agent fixtureAgent
		var capability string
		names := map[string]bool{"logs": true, "fetchlogs": true}
		for _, jt := range fixtureJobTypes(t) {
			names[strings.ToLower(jt.JobTypeName)] = true
		}
		for _, a := range fixtureAgents(t) {
			for _, c := range a.Capabilities {
				if a.Status == 2 && capability == "" && !names[strings.ToLower(c)] && strings.ToLower(c) != c {
					agent, capability = a, c
				}
			}
		}
		if capability == "" {
			t.Fatal("the fixtures have no approved agent with a spare mixed-case capability")
		}
		name := strings.ToLower(capability)
		wantJSON(t, s.do(t, http.MethodPost, kf("/JobTypes/Custom"), map[string]any{"JobTypeName": name}), http.StatusOK)
		r := postJob(t, s, map[string]any{"AgentId": agent.AgentId, "JobTypeName": name})
		checkJob(t, r, agent.AgentId, name, `{"Immediate":true}`, []jobField{})
	})
	t.Run("job type name in another case", func(t *testing.T) {
		agent := pickAgent(t, "approved with RebootHost", approvedWith("RebootHost"))
		r := postJob(t, s, `{"AgentId":"`+strings.ToUpper(agent.AgentId)+`","JobTypeName":"REBOOTHOST","JobFields":{"Host":"h"}}`)
		checkJob(t, r, agent.AgentId, "RebootHost", `{"Immediate":true}`, expectFields(t, "RebootHost", map[string]string{"Host": "h"}))
	})
}

func TestJobs_ScheduledJobsList(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	a1 := pickAgent(t, "approved with RebootHost", approvedWith("RebootHost"))
	a2 := pickAgent(t, "another approved agent with LOGS", func(a fixtureAgent) bool { return approvedWith("LOGS")(a) && a.AgentId != a1.AgentId })
	if !a1.has("LOGS") {
		t.Fatal("the RebootHost agent needs LOGS too for this test")
	}
	post := func(agent fixtureAgent, jobType, fields string) string {
		t.Helper()
		body := `{"AgentId":"` + agent.AgentId + `","JobTypeName":"` + jobType + `","JobFields":` + fields + `,"Schedule":{"Interval":{"Minutes":15}}}`
		r := postJob(t, s, body)
		wantJSON(t, r, http.StatusOK)
		return decodeObject(t, r.Body)["JobId"].(string)
	}
	j1 := post(a1, "RebootHost", `{"Host":"h"}`)
	j2 := post(a1, "FetchLogs", `{}`)
	j3 := post(a2, "FetchLogs", `{}`)
	all := sortedCopy([]string{j1, j2, j3})

	for _, tc := range []struct {
		name   string
		params url.Values
		want   []string
	}{
		{"all", nil, all},
		{"JobType", q("QueryString", `JobType -eq "fetchlogs"`), sortedCopy([]string{j2, j3})},
		{"ClientMachine", q("QueryString", `ClientMachine -eq "`+strings.ToUpper(a1.machine())+`"`), sortedCopy([]string{j1, j2})},
		{"AgentId", q("pq.queryString", `AgentId -eq "`+a2.AgentId+`"`), []string{j3}},
		{"Id", q("QueryString", `Id -eq "`+j1+`"`), []string{j1}},
		{"combined", q("QueryString", `AgentId -eq "`+a1.AgentId+`" AND JobType -ne "RebootHost"`), []string{j2}},
		{"nothing", q("QueryString", `JobType -eq "RebootHost" AND AgentId -eq "`+a2.AgentId+`"`), []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := sortedCopy(idsOf(t, listJobs(t, s, tc.params), "Id"))
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	t.Run("every item has the Job shape", func(t *testing.T) {
		for _, m := range listJobs(t, s, nil) {
			wantMembers(t, "scheduled job", m, scheduledJobMembers, nil)
			checkSchedule(t, "Schedule", m["Schedule"], `{"Interval":{"Minutes":15}}`)
			wantString(t, "scheduled job", m, "Requested")
			wantString(t, "scheduled job", m, "JobType")
			wantString(t, "scheduled job", m, "ClientMachine")
		}
	})
	t.Run("paging", func(t *testing.T) {
		var got []string
		for page := 1; page <= 4; page++ {
			items := listJobs(t, s, q("PageReturned", fmt.Sprint(page), "ReturnLimit", "1"))
			if page <= 3 && len(items) != 1 {
				t.Fatalf("page %d has %d jobs, want 1", page, len(items))
			}
			got = append(got, idsOf(t, items, "Id")...)
		}
		if !slices.Equal(sortedCopy(got), all) || len(got) != 3 {
			t.Errorf("pages hold %q, want each of %q once", got, all)
		}
	})
	t.Run("sorted by Id by default", func(t *testing.T) {
		if got := idsOf(t, listJobs(t, s, nil), "Id"); !slices.Equal(got, all) {
			t.Errorf("order %q, want %q", got, all)
		}
	})
	t.Run("jobs outlive their job type", func(t *testing.T) {
		rebootID := jobTypeByName(t, s, "RebootHost")["Id"].(string)
		if r := s.do(t, http.MethodDelete, kf("/JobTypes/Custom/"+rebootID), nil); r.Status != http.StatusNoContent {
			t.Fatalf("DELETE RebootHost = %d", r.Status)
		}
		if m := scheduledJob(t, s, j1); m["JobType"] != "RebootHost" {
			t.Errorf("JobType = %#v after the type was deleted, want RebootHost", m["JobType"])
		}
	})
	t.Run("query error", func(t *testing.T) {
		r := s.get(t, withQuery(kf("/OrchestratorJobs/ScheduledJobs"), q("QueryString", `Status -eq 2`)))
		wantError(t, r, http.StatusBadRequest, codeQuery, "position 1", "Status")
	})
	t.Run("bad paging", func(t *testing.T) {
		r := s.get(t, withQuery(kf("/OrchestratorJobs/ScheduledJobs"), q("PageReturned", "-1")))
		wantError(t, r, http.StatusBadRequest, codePaging, "PageReturned")
	})
	t.Run("unknown sort field", func(t *testing.T) {
		r := s.get(t, withQuery(kf("/OrchestratorJobs/ScheduledJobs"), q("SortField", "Priority")))
		wantError(t, r, http.StatusBadRequest, codeSortField, "Priority")
	})
}
