package api_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"testing"
	"time"
)

// checkSchedule compares a schedule object with the expected JSON: members
// and numbers exactly, "Time" members as instants in RFC 3339 UTC with Z.
func checkSchedule(t testing.TB, what string, got any, want string) {
	t.Helper()
	var w any
	decodeInto(t, []byte(want), &w)
	if !sameSchedule(t, what, got, w) {
		g, _ := json.Marshal(got)
		t.Errorf("%s = %s, want %s", what, g, want)
	}
}

func sameSchedule(t testing.TB, what string, got, want any) bool {
	t.Helper()
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				return false
			}
			if k == "Time" {
				gs, ok := gv.(string)
				if !ok {
					return false
				}
				wt, _ := time.Parse(time.RFC3339, wv.(string))
				if !parseZ(t, what+".Time", gs).Equal(wt) {
					return false
				}
				continue
			}
			if !sameSchedule(t, what+"."+k, gv, wv) {
				return false
			}
		}
		return true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if !sameSchedule(t, what, g[i], w[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(got, want)
}

// checkJob asserts a JobResponse and returns its JobId.
func TestJobs_Schedules(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	agent := pickAgent(t, "approved with LOGS", approvedWith("LOGS"))
	for _, tc := range []struct {
		name, schedule, want string
	}{
		{"absent means Immediate", ``, `{"Immediate":true}`},
		{"null means Immediate", `null`, `{"Immediate":true}`},
		{"Immediate", `{"Immediate":true}`, `{"Immediate":true}`},
		{"Interval", `{"Interval":{"Minutes":60}}`, `{"Interval":{"Minutes":60}}`},
		{"Daily", `{"Daily":{"Time":"2025-03-15T23:30:00Z"}}`, `{"Daily":{"Time":"2025-03-15T23:30:00Z"}}`},
		{"Weekly with day numbers", `{"Weekly":{"Days":[1,3],"Time":"2025-03-15T06:00:00Z"}}`, `{"Weekly":{"Days":[1,3],"Time":"2025-03-15T06:00:00Z"}}`},
		{"Weekly with day names", `{"Weekly":{"Days":["Monday","Wednesday"],"Time":"2025-03-15T06:00:00Z"}}`, `{"Weekly":{"Days":[1,3],"Time":"2025-03-15T06:00:00Z"}}`},
		{"Weekly Sunday and Saturday", `{"Weekly":{"Days":["Sunday",6],"Time":"2025-03-15T06:00:00Z"}}`, `{"Weekly":{"Days":[0,6],"Time":"2025-03-15T06:00:00Z"}}`},
		{"Monthly", `{"Monthly":{"Day":1,"Time":"2025-04-01T02:00:00Z"}}`, `{"Monthly":{"Day":1,"Time":"2025-04-01T02:00:00Z"}}`},
		{"Monthly day 31", `{"Monthly":{"Day":31,"Time":"2025-04-01T02:00:00Z"}}`, `{"Monthly":{"Day":31,"Time":"2025-04-01T02:00:00Z"}}`},
		{"ExactlyOnce", `{"ExactlyOnce":{"Time":"2025-03-20T12:00:00Z"}}`, `{"ExactlyOnce":{"Time":"2025-03-20T12:00:00Z"}}`},
		{"ExactlyOnce with milliseconds", `{"ExactlyOnce":{"Time":"2025-03-20T12:00:00.000Z"}}`, `{"ExactlyOnce":{"Time":"2025-03-20T12:00:00Z"}}`},
		{"a time without a zone is UTC", `{"ExactlyOnce":{"Time":"2025-03-20T12:00:00"}}`, `{"ExactlyOnce":{"Time":"2025-03-20T12:00:00Z"}}`},
		{"Weekly days are sorted and unique", `{"Weekly":{"Days":[5,"Monday",5],"Time":"2025-03-15T06:00:00Z"}}`, `{"Weekly":{"Days":[1,5],"Time":"2025-03-15T06:00:00Z"}}`},
		{"an offset is echoed in UTC", `{"ExactlyOnce":{"Time":"2025-03-20T14:00:00+02:00"}}`, `{"ExactlyOnce":{"Time":"2025-03-20T12:00:00Z"}}`},
		{"null members are unset", `{"Immediate":null,"Interval":{"Minutes":5},"Daily":null}`, `{"Interval":{"Minutes":5}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := `{"AgentId":"` + agent.AgentId + `","JobTypeName":"FetchLogs"`
			if tc.schedule != "" {
				body += `,"Schedule":` + tc.schedule
			}
			id := checkJob(t, postJob(t, s, body+"}"), agent.AgentId, "FetchLogs", tc.want, []jobField{})
			checkSchedule(t, "ScheduledJobs Schedule", scheduledJob(t, s, id)["Schedule"], tc.want)
		})
	}
}

func TestJobs_InvalidSchedules(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	agent := pickAgent(t, "approved with LOGS", approvedWith("LOGS"))
	const at = `"Time":"2025-03-15T06:00:00Z"`
	for _, tc := range []struct {
		name, schedule, code string
		parts                []string
	}{
		{"two members", `{"Immediate":true,"Interval":{"Minutes":5}}`, codeValidation, []string{"Immediate", "Interval"}},
		{"three members", `{"Daily":{` + at + `},"ExactlyOnce":{` + at + `},"Monthly":{"Day":2,` + at + `}}`, codeValidation, []string{"Daily", "ExactlyOnce", "Monthly"}},
		{"none", `{}`, codeValidation, []string{"Schedule"}},
		{"Immediate false", `{"Immediate":false}`, codeValidation, []string{"Schedule"}},
		{"Interval Minutes 0", `{"Interval":{"Minutes":0}}`, codeValidation, []string{"Minutes"}},
		{"Interval Minutes negative", `{"Interval":{"Minutes":-5}}`, codeValidation, []string{"Minutes"}},
		{"Interval without Minutes", `{"Interval":{}}`, codeValidation, []string{"Minutes"}},
		{"Weekly day 7", `{"Weekly":{"Days":[1,7],` + at + `}}`, codeValidation, []string{"Days", "7"}},
		{"Weekly day -1", `{"Weekly":{"Days":[-1],` + at + `}}`, codeValidation, []string{"Days", "-1"}},
		{"Weekly no days", `{"Weekly":{"Days":[],` + at + `}}`, codeValidation, []string{"Days"}},
		{"Weekly days missing", `{"Weekly":{` + at + `}}`, codeValidation, []string{"Days"}},
		{"Weekly unknown day name", `{"Weekly":{"Days":["Funday"],` + at + `}}`, codeMalformed, []string{"Funday"}},
		{"Monthly day 32", `{"Monthly":{"Day":32,` + at + `}}`, codeValidation, []string{"Day", "32"}},
		{"Monthly day 0", `{"Monthly":{"Day":0,` + at + `}}`, codeValidation, []string{"Day"}},
		{"Daily without Time", `{"Daily":{}}`, codeValidation, []string{"Daily", "Time"}},
		{"Weekly without Time", `{"Weekly":{"Days":[1]}}`, codeValidation, []string{"Weekly", "Time"}},
		{"Monthly without Time", `{"Monthly":{"Day":1}}`, codeValidation, []string{"Monthly", "Time"}},
		{"ExactlyOnce without Time", `{"ExactlyOnce":{}}`, codeValidation, []string{"ExactlyOnce", "Time"}},
		{"bad Time string", `{"Daily":{"Time":"not a date"}}`, codeMalformed, []string{"not a date"}},
		{"Time a number", `{"ExactlyOnce":{"Time":20250315}}`, codeMalformed, nil},
		{"Minutes a string", `{"Interval":{"Minutes":"60"}}`, codeMalformed, []string{"Minutes"}},
		{"unknown schedule type", `{"Hourly":{"Minutes":5}}`, codeMalformed, []string{"Hourly"}},
		{"unknown member inside", `{"Daily":{` + at + `,"Zone":"UTC"}}`, codeMalformed, []string{"Zone"}},
		{"Schedule a string", `"Immediate"`, codeMalformed, []string{"Schedule"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := `{"AgentId":"` + agent.AgentId + `","JobTypeName":"FetchLogs","Schedule":` + tc.schedule + `}`
			wantRejected(t, s, body, http.StatusBadRequest, tc.code, tc.parts...)
		})
	}
}
