package api_test

import (
	"bytes"
	"encoding/base64"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/mockcommand/mockcommand/internal/api"
	"github.com/mockcommand/mockcommand/internal/app"
	"github.com/mockcommand/mockcommand/internal/oauth"
)

// The bad-input corpus of issue 4: malformed and hostile requests against
// every route, each answered with the status and Command error body the
// README documents, after which the server is healthy and its state is
// byte for byte what it was.

// Fixture ids the corpus uses (fixtures/agents.json, fixtures/jobtypes.json).
const (
	biProd01    = "c6f87718-6d76-407e-881e-d162ae2eb154" // approved, LOGS, RebootHost
	biDmz01     = "f341e07a-83f7-4f16-9bf4-a8b2b0c4312d" // approved, FlushDnsCache
	biJava      = "d58dcdb4-6b44-4806-8b5a-b3ee4265bb31" // approved, no LOGS
	biLab01     = "3a828159-c9d2-4950-ab25-f8a1fc2e6a59" // New (not approved)
	biReboot    = "261f40df-ef82-41a3-a28c-f7b1491e99f5" // RebootHost
	biFetchLogs = "0c6f6a5e-6b5f-4f0e-9d52-1a7c3f8f0e01" // built-in FetchLogs
	biToken     = "corpus-admin-token"
)

// The servers of the corpus: the main one, one with a 4 KiB body limit,
// one whose admin routes need a bearer token, and one that takes Basic
// credentials or OAuth bearer tokens from its token endpoint.
const (
	srvMain  = ""
	srvSmall = "small"
	srvToken = "token"
	srvOAuth = "oauth"
)

// badRow is one request of the corpus and the answer it must get.
type badRow struct {
	name   string
	srv    string
	method string
	path   string
	body   any // nil, string or []byte
	opts   []reqOpt
	status int
	code   string   // "" with 401: a Keyfactor challenge (no body); "" with 200: the body is []
	parts  []string // the Message mentions each (case-insensitively)
	allow  string   // 405: a method Allow must list
	oauth  string   // the RFC 6749 error of a token endpoint row (its body is not Command's)
	chall  string   // 401: a WWW-Authenticate challenge that must be among those sent
}

// biStatusOf is the README's status for each error code.
var biStatusOf = map[string]int{
	codeValidation: 400, codeMalformed: 400, codeQuery: 400, codePaging: 400, codeDuplicate: 400,
	codeMissingHeader: 400, codeAPIVersion: 400, codeSortField: 400, codeBodyTooLarge: 413,
	codeMediaType: 415, codeNotFound: 404, codeNoEndpoint: 404, codeMethod: 405, codeUnauthenticated: 401,
}

// biBad is a row answered with a Command error body.
func biBad(name, method, path string, body any, code string, parts ...string) badRow {
	return badRow{name: name, method: method, path: path, body: body, status: biStatusOf[code], code: code, parts: parts}
}

// biUnauth is a Keyfactor row answered with 401, a challenge and no body.
func biUnauth(name, method, path string, opts ...reqOpt) badRow {
	return badRow{name: name, method: method, path: path, status: http.StatusUnauthorized, opts: opts}
}

// biHarmless is a hostile but well-formed list query that must match nothing.
func biHarmless(name, path string) badRow {
	return badRow{name: name, method: http.MethodGet, path: path, status: http.StatusOK}
}

// biWrongMethod is a 405 row; allow is a method the path does have.
func biWrongMethod(method, path, allow string) badRow {
	r := biBad("method "+method+" "+path, method, path, nil, codeMethod, method)
	r.allow = allow
	return r
}

// biOAuth is a token endpoint row: a form body answered with an RFC 6749
// error, as the README documents for /_mock/oauth/token.
func biOAuth(name, method, form string, status int, oauthErr string, opts ...reqOpt) badRow {
	r := badRow{name: name, srv: srvOAuth, method: method, path: "/_mock/oauth/token", status: status, oauth: oauthErr}
	if form != "" {
		r.body = form
	}
	r.opts = append([]reqOpt{biContentType("application/x-www-form-urlencoded")}, opts...)
	return r
}

func (r badRow) with(opts ...reqOpt) badRow { r.opts = append(slices.Clone(r.opts), opts...); return r }
func (r badRow) on(srv string) badRow       { r.srv = srv; return r }
func (r badRow) challenge(c string) badRow  { r.chall = c; return r }

// biEmptyHeader sends a header with an empty value.
func biEmptyHeader(name string) reqOpt {
	return func(r *http.Request) { r.Header[http.CanonicalHeaderKey(name)] = []string{""} }
}

// biContentType sets the Content-Type; "" sends none.
func biContentType(ct string) reqOpt { return withHeader("Content-Type", ct) }

// Body builders for the routes that take the richest bodies.
func biJob(schedule string) string {
	return `{"AgentId":"` + biProd01 + `","JobTypeName":"RebootHost","JobFields":{"Host":"web01"},"Schedule":` + schedule + `}`
}

func biFields(fields string) string {
	return `{"AgentId":"` + biProd01 + `","JobTypeName":"RebootHost","JobFields":` + fields + `}`
}

func biType(fields string) string {
	return `{"JobTypeName":"CorpusType","JobTypeFields":[` + fields + `]}`
}

func biSeed(agent string) string {
	return `{"Agents":[{"ClientMachine":"corpus-agent","Status":2,"AgentPlatform":7,` + agent + `}]}`
}

func biQuery(path, query string) string { return withQuery(kf(path), q("QueryString", query)) }

// biNested builds n levels of parentheses around a clause.
func biNested(n int) string {
	return strings.Repeat("(", n) + `ClientMachine -eq "x"` + strings.Repeat(")", n)
}

// biCorpus lists every row. jobID is a job whose run waits on the main
// server (a daily job that is not due under the frozen clock).
func biCorpus(jobID string) []badRow {
	const post, get, put, del, patch = http.MethodPost, http.MethodGet, http.MethodPut, http.MethodDelete, http.MethodPatch
	custom, types, approve := kf("/OrchestratorJobs/Custom"), kf("/JobTypes/Custom"), kf("/Agents/Approve")
	deep := strings.Repeat("[", 100000)
	tenMB := append(append([]byte(`{"JobTypeName":"Huge","Description":"`), bytes.Repeat([]byte("x"), 10<<20)...), `"}`...)
	over := func(n int) string { // a job type body of exactly n bytes
		head := `{"JobTypeName":"Limit","Description":"`
		return head + strings.Repeat("d", n-len(head)-2) + `"}`
	}
	sqlA, sqlB, sqlC := `' OR 1=1 --`, `"; DROP TABLE agents; --`, `%' --`
	return []badRow{
		// Broken JSON.
		biBad("json truncated", post, custom, `{"AgentId":"c6f87718-6d76`, codeMalformed, "ends before"),
		biBad("json truncated object", post, types, `{"JobTypeName":"X",`, codeMalformed, "ends before"),
		biBad("json trailing garbage", post, types, `{"JobTypeName":"X"} garbage`, codeMalformed, "after the JSON value"),
		biBad("json two values", post, approve, `[] []`, codeMalformed, "after the JSON value"),
		biBad("json single quotes", post, types, `{'JobTypeName':'X'}`, codeMalformed, "line 1, column 2"),
		biBad("json block comment", post, custom, `{/* c */"AgentId":"`+biProd01+`"}`, codeMalformed, "line 1, column 2"),
		biBad("json line comment", post, approve, "// ids\n[\""+biProd01+"\"]", codeMalformed, "line 1, column 1"),
		biBad("json trailing comma", post, types, `{"JobTypeName":"X",}`, codeMalformed, "line 1, column 20"),
		biBad("json NaN", post, custom, biJob(`{"Interval":{"Minutes":NaN}}`), codeMalformed, "Malformed JSON"),
		// A byte-order mark is skipped (ASP.NET accepts one); what follows must still be JSON.
		biBad("json byte order mark then broken JSON", post, types, "\xef\xbb\xbf{\"JobTypeName\":", codeMalformed, "ends before"),
		biBad("json empty body", post, approve, nil, codeMalformed, "body is required"),
		biBad("json whitespace body", post, custom, " \n\t ", codeMalformed, "body is required"),
		biBad("json raw NUL in string", post, types, "{\"JobTypeName\":\"a\x00b\"}", codeMalformed, "line 1, column 18"),
		biBad("json invalid UTF-8 in string", post, types, "{\"JobTypeName\":\"bad\xff\xfe\"}", codeMalformed, "UTF-8"),
		biBad("json invalid UTF-8 in job field", post, custom, biFields("{\"Host\":\"web\xc3\x28\"}"), codeMalformed, "UTF-8"),
		biBad("json invalid UTF-8 in id array", post, approve, "[\"\xff\"]", codeMalformed, "UTF-8"),
		biBad("json invalid UTF-8 in admin body", post, "/_mock/seed", biSeed("\"Version\":\"\xed\xa0\x80\""), codeMalformed, "UTF-8"),

		// Wrong JSON types, every kind of member.
		biBad("type string for int32", post, custom, biJob(`{"Interval":{"Minutes":"5"}}`), codeMalformed, "Schedule.Interval.Minutes", "string"),
		biBad("type number for string", post, types, `{"JobTypeName":5}`, codeMalformed, "JobTypeName", "number"),
		biBad("type bool for GUID string", post, custom, `{"AgentId":true,"JobTypeName":"RebootHost"}`, codeMalformed, "AgentId"),
		biBad("type object for array", post, kf("/OrchestratorJobs/Custom/Bulk"), `{"OrchestratorIds":{},"JobTypeName":"RebootHost"}`, codeMalformed, "OrchestratorIds", "object"),
		biBad("type array for object", post, custom, biJob(`[]`), codeMalformed, "Schedule", "array"),
		biBad("type array for map", post, custom, biFields(`["Host","web01"]`), codeMalformed, "JobFields", "array"),
		biBad("type object for body array", post, kf("/Agents/Disapprove"), `{"ids":["`+biProd01+`"]}`, codeMalformed, "expected an array"),
		biBad("type array for body object", post, custom, `[{"AgentId":"`+biProd01+`"}]`, codeMalformed, "expected an object"),
		biBad("type number in id array", post, kf("/Agents/Reset"), `[1]`, codeMalformed, "string"),
		biBad("type string in int64 array", post, kf("/OrchestratorJobs/Acknowledge"), `{"JobAuditIds":["1"]}`, codeMalformed, "JobAuditIds"),
		biBad("type fraction in int64 array", post, kf("/OrchestratorJobs/Reschedule"), `{"JobAuditIds":[1.5]}`, codeMalformed, "JobAuditIds", "1.5"),
		biBad("type number for query", post, kf("/OrchestratorJobs/Unschedule"), `{"Query":5}`, codeMalformed, "Query"),
		biBad("type string for days array", post, custom, biJob(`{"Weekly":{"Days":"Monday","Time":"2026-12-01T08:00:00Z"}}`), codeMalformed, "Days"),
		biBad("type string for bool", post, types, `{"JobTypeName":"X","JobTypeFields":[{"Name":"F","Type":1,"Required":"yes"}]}`, codeMalformed, "Required"),
		biBad("type object for scalar status", post, kf("/Agents/SetAuthCertificateReenrollment"), `{"OrchestratorIds":[],"Status":{}}`, codeMalformed, "line 1, column 35", "string, number or boolean"),
		biBad("type object for job field value", post, custom, biFields(`{"Host":{"name":"web01"}}`), codeValidation, "JobFields.Host", "object"),
		biBad("type array for seed agents", post, "/_mock/seed", `{"Agents":{}}`, codeMalformed, "Agents"),
		biBad("type string for fault status", post, "/_mock/faults", `{"Path":"/x","Status":"500"}`, codeMalformed, "Status"),
		biBad("type number for time", post, custom, biJob(`{"ExactlyOnce":{"Time":1733040000}}`), codeMalformed, "date-time"),

		// Huge and out-of-range numbers.
		biBad("number 1e400 minutes", post, custom, biJob(`{"Interval":{"Minutes":1e400}}`), codeMalformed, "Minutes", "1e400"),
		biBad("number 2^64 minutes", post, custom, biJob(`{"Interval":{"Minutes":99999999999999999999}}`), codeMalformed, "Minutes", "99999999999999999999"),
		biBad("number 2^31 minutes", post, custom, biJob(`{"Interval":{"Minutes":2147483648}}`), codeMalformed, "Minutes", "2147483648"),
		biBad("number fraction minutes", post, custom, biJob(`{"Interval":{"Minutes":1.5}}`), codeMalformed, "Minutes", "1.5"),
		biBad("number -1 minutes", post, custom, biJob(`{"Interval":{"Minutes":-1}}`), codeValidation, "Minutes", "-1"),
		biBad("number 0 minutes", post, custom, biJob(`{"Interval":{"Minutes":0}}`), codeValidation, "Minutes", "from 1 to 52560000"),
		biBad("number 2^64 day", post, custom, biJob(`{"Monthly":{"Day":99999999999999999999,"Time":"2026-12-01T08:00:00Z"}}`), codeMalformed, "Monthly.Day"),
		biBad("number 0 day", post, custom, biJob(`{"Monthly":{"Day":0,"Time":"2026-12-01T08:00:00Z"}}`), codeValidation, "Monthly.Day", "1 to 31"),
		biBad("number -1 day", post, custom, biJob(`{"Monthly":{"Day":-1,"Time":"2026-12-01T08:00:00Z"}}`), codeValidation, "Monthly.Day", "-1"),
		biBad("number 32 day", post, custom, biJob(`{"Monthly":{"Day":32,"Time":"2026-12-01T08:00:00Z"}}`), codeValidation, "Monthly.Day", "32"),
		biBad("number weekday 7", post, custom, biJob(`{"Weekly":{"Days":[7],"Time":"2026-12-01T08:00:00Z"}}`), codeValidation, "Weekly.Days", "7"),
		biBad("number weekday 2^64", post, custom, biJob(`{"Weekly":{"Days":[99999999999999999999],"Time":"2026-12-01T08:00:00Z"}}`), codeMalformed, "day"),
		biBad("number 2^64 job field", post, custom, biFields(`{"Host":"web01","DelaySeconds":99999999999999999999}`), codeValidation, "DelaySeconds", "99999999999999999999"),
		biBad("number 1e400 job field", post, custom, biFields(`{"Host":"web01","DelaySeconds":1e400}`), codeValidation, "DelaySeconds", "1e400"),
		biBad("number 2^64 run id", post, kf("/OrchestratorJobs/Acknowledge"), `{"JobAuditIds":[99999999999999999999]}`, codeMalformed, "JobAuditIds"),
		biBad("number -1 run id", post, kf("/OrchestratorJobs/Acknowledge"), `{"JobAuditIds":[-1]}`, codeValidation, "-1"),
		biBad("number field type 99", post, types, biType(`{"Name":"F","Type":99}`), codeValidation, "Type 99"),
		biBad("number field type 1e400", post, types, biType(`{"Name":"F","Type":1e400}`), codeMalformed, "field type"),
		biBad("number reenrollment 2^64", post, kf("/Agents/SetAuthCertificateReenrollment"), `{"OrchestratorIds":[],"Status":99999999999999999999}`, codeValidation, "99999999999999999999"),
		biBad("number seed status 2^64", post, "/_mock/seed", biSeed(`"Status":99999999999999999999`), codeMalformed, "Status"),
		biBad("number seed platform -1", post, "/_mock/seed", `{"Agents":[{"ClientMachine":"corpus-agent","Status":2,"AgentPlatform":-1}]}`, codeValidation, "AgentPlatform"),
		biBad("number fault probability 1e400", post, "/_mock/faults", `{"Path":"/x","Status":500,"Probability":1e400}`, codeMalformed, "Probability"),
		biBad("number clock advance 1e400", post, "/_mock/clock", `{"Advance":1e400}`, codeMalformed, "duration"),
		biBad("number result 99", put, "/_mock/jobs/mode", `{"Mode":"manual","Scripts":{"RebootHost":{"Result":99}}}`, codeValidation, "Result 99"),

		// Deep nesting.
		biBad("nesting 100000 [ as id array", post, approve, deep, codeMalformed, "depth"),
		biBad("nesting 100000 [ in job field", post, custom, biFields(`{"Host":`+deep), codeMalformed, "depth"),
		biBad("nesting 100000 { in schedule", post, custom, biJob(strings.Repeat(`{"Daily":`, 100000)), codeMalformed, "depth"),
		biBad("nesting 100000 [ in seed", post, "/_mock/seed", `{"Agents":`+deep, codeMalformed, "depth"),
		biBad("nesting 5000 [ in job field", post, custom, biFields(`{"Host":`+strings.Repeat("[", 5000)+strings.Repeat("]", 5000)+`}`), codeValidation, "JobFields.Host"),

		// Body size.
		biBad("size 10 MB job type", post, types, tenMB, codeBodyTooLarge, "1048576"),
		biBad("size 10 MB seed", post, "/_mock/seed", tenMB, codeBodyTooLarge, "1048576"),
		biBad("size 4097 bytes", post, types, over(4097), codeBodyTooLarge, "4096").on(srvSmall),
		biBad("size over 4096 bytes admin", put, "/_mock/jobs/mode", `{"Mode":"manual","Scripts":{"`+strings.Repeat("x", 4100)+`":{}}}`, codeBodyTooLarge, "4096").on(srvSmall),
		biBad("size over 4096 bytes ids", post, approve, `[`+strings.Repeat(`"`+biProd01+`",`, 120)+`"x"]`, codeBodyTooLarge, "4096").on(srvSmall),
		biBad("size 4096 bytes broken", post, types, over(4096)[:4095]+"!", codeMalformed, "Malformed JSON").on(srvSmall),

		// NUL bytes.
		biBad("NUL in query string", get, kf("/Agents?QueryString=%00"), nil, codeQuery, "position"),
		biBad("NUL in path id", get, kf("/Agents/%00"), nil, codeNotFound),
		biBad("NUL in job type id", del, kf("/JobTypes/Custom/"+biReboot+"%00"), nil, codeNotFound),
		biBad("NUL in sort field", get, kf("/JobTypes/Custom?SortField=JobTypeName%00"), nil, codeSortField, "sort field", "JobTypeName"),

		// SQL injection.
		biBad("sql query or 1=1", get, biQuery("/Agents", sqlA), nil, codeQuery, "position"),
		biBad("sql query drop table", get, biQuery("/Agents", `ClientMachine -eq "x"; DROP TABLE agents; --`), nil, codeQuery, "position"),
		biBad("sql query percent quote", get, biQuery("/OrchestratorJobs/JobHistory", sqlC), nil, codeQuery, "position"),
		biBad("sql query union", get, biQuery("/JobTypes/Custom", `JobTypeName -eq "x" union select * from agents --`), nil, codeQuery, "position"),
		biBad("sql query field name", get, biQuery("/OrchestratorJobs/ScheduledJobs", `Id;DROP -eq 1`), nil, codeQuery, "position"),
		biBad("sql sort field", get, withQuery(kf("/Agents"), q("SortField", "a;drop")), nil, codeSortField, "a;drop"),
		biBad("sql sort field drop", get, withQuery(kf("/OrchestratorJobs/JobHistory"), q("SortField", sqlB)), nil, codeSortField, "DROP TABLE"),
		biBad("sql agent id in body", post, custom, `{"AgentId":"`+sqlA+`","JobTypeName":"RebootHost"}`, codeValidation, "AgentId"),
		biBad("sql job type name in body", post, custom, `{"AgentId":"`+biProd01+`","JobTypeName":"\"; DROP TABLE agents; --"}`, codeValidation, "DROP TABLE"),
		biBad("sql ids in array", post, approve, `["`+biProd01+`","' OR 1=1 --"]`, codeValidation, "OR 1=1"),
		biBad("sql ids in unschedule", post, kf("/OrchestratorJobs/Unschedule"), `{"JobIds":["%' --"]}`, codeValidation, "JobIds"),
		biBad("sql query in acknowledge", post, kf("/OrchestratorJobs/Acknowledge"), `{"Query":"' OR 1=1 --"}`, codeQuery, "position"),
		biBad("sql query in reschedule", post, kf("/OrchestratorJobs/Reschedule"), `{"Query":"JobId -eq \"x\"; DROP TABLE agents; --"}`, codeQuery, "position"),
		biBad("sql job type id in update", put, types, `{"Id":"' OR 1=1 --","JobTypeName":"RebootHost"}`, codeValidation, "Id"),
		biBad("sql path agent id", get, kf("/Agents/%27%20OR%201%3D1%20--"), nil, codeNotFound),
		biBad("sql path delete agent", del, kf("/Agents/%22%3B%20DROP%20TABLE%20agents%3B%20--"), nil, codeNotFound),
		biBad("sql path job type id", del, kf("/JobTypes/Custom/%25%27%20--"), nil, codeNotFound),
		biBad("sql path agent reset", post, kf("/Agents/1%20OR%201=1/Reset"), nil, codeNotFound),
		biBad("sql path admin agent", del, "/_mock/agents/%27%20OR%201%3D1%20--", nil, codeNotFound),
		biBad("sql path admin job", post, "/_mock/jobs/%27%3B--/complete", nil, codeNotFound),
		biBad("sql path fault id", del, "/_mock/faults/1%20OR%201=1", nil, codeNotFound, "1 OR 1=1"),
		biBad("sql seed agent id", post, "/_mock/seed", biSeed(`"AgentId":"`+sqlA+`"`), codeValidation, "AgentId"),
		biHarmless("sql quoted value matches nothing", biQuery("/Agents", `ClientMachine -eq "' OR 1=1 --"`)),
		biHarmless("sql percent is literal", biQuery("/Agents", `ClientMachine -contains "%"`)),
		biHarmless("sql underscore is literal", biQuery("/Agents", `ClientMachine -startswith "_"`)),
		biHarmless("sql drop in job type name", biQuery("/JobTypes/Custom", `JobTypeName -eq "\"; DROP TABLE agents; --"`)),

		// Unknown members.
		biBad("unknown member", post, custom, `{"AgentId":"`+biProd01+`","JobTypeName":"RebootHost","AgentID2":"x"}`, codeMalformed, "AgentID2"),
		biBad("unknown member typo", post, types, `{"JobTypeName":"X","Capabilites":[]}`, codeMalformed, "Capabilites"),
		biBad("unknown schedule member", post, custom, biJob(`{"Hourly":{"Minutes":5}}`), codeMalformed, "Hourly"),
		biBad("unknown seed member", post, "/_mock/seed", biSeed(`"Capabilites":["LOGS"]`), codeMalformed, "Capabilites"),
		biBad("unknown patch member", patch, "/_mock/agents/"+biProd01, `{"Nope":1}`, codeMalformed, "Nope"),
		biBad("unknown patch JobTypes", patch, "/_mock/agents/"+biProd01, `{"JobTypes":[]}`, codeMalformed, "JobTypes"),
		biBad("unknown fault member", post, "/_mock/faults", `{"Path":"/x","Statuss":500}`, codeMalformed, "Statuss"),
		biBad("unknown clock member", post, "/_mock/clock", `{"Now2":"2026-12-01T00:00:00Z"}`, codeMalformed, "Now2"),
		biBad("unknown complete member", post, "/_mock/jobs/"+jobID+"/complete", `{"Result":"Failure","Reason":"x"}`, codeMalformed, "Reason"),

		// Bad GUIDs.
		biBad("guid path agent", get, kf("/Agents/not-a-guid"), nil, codeNotFound),
		biBad("guid path job type", get, kf("/JobTypes/Custom/1234"), nil, codeNotFound),
		biBad("guid path too long", get, kf("/Agents/"+biProd01+"0"), nil, codeNotFound),
		biBad("guid path invalid UTF-8", get, kf("/Agents/%FF%FE"), nil, codeNotFound),
		biBad("guid path fetch logs", post, kf("/Agents/xyz/FetchLogs"), nil, codeNotFound),
		biBad("guid path admin start", post, "/_mock/jobs/not-a-guid/start", nil, codeNotFound),
		biBad("guid path admin put", put, "/_mock/agents/zzz", `{"ClientMachine":"x","Status":2}`, codeNotFound),
		biBad("guid body agent", post, custom, `{"AgentId":"c6f87718-6d76-407e-881e","JobTypeName":"RebootHost"}`, codeValidation, "AgentId"),
		biBad("guid body update", put, types, `{"Id":"123","JobTypeName":"RebootHost"}`, codeValidation, "Id"),
		biBad("guid array approve", post, approve, `["`+biProd01+`","nope"]`, codeValidation, "nope"),
		biBad("guid array bulk", post, kf("/OrchestratorJobs/Custom/Bulk"), `{"OrchestratorIds":["nope"],"JobTypeName":"RebootHost","JobFields":{"Host":"h"}}`, codeValidation, "nope"),
		biBad("guid array unschedule", post, kf("/OrchestratorJobs/Unschedule"), `{"JobIds":["`+biProd01+`x"]}`, codeValidation, "JobIds"),
		biBad("guid admin body differs", put, "/_mock/agents/"+biProd01, `{"AgentId":"`+biJava+`","ClientMachine":"x","Status":2}`, codeValidation, "AgentId"),
		biBad("guid update unknown", put, types, `{"Id":"`+unknownGUID+`","JobTypeName":"Ghost"}`, codeNotFound),

		// Bad dates.
		biBad("date exactly once word", post, custom, biJob(`{"ExactlyOnce":{"Time":"tomorrow"}}`), codeMalformed, "tomorrow", "ISO 8601"),
		biBad("date daily month 13", post, custom, biJob(`{"Daily":{"Time":"2026-13-45T00:00:00Z"}}`), codeMalformed, "2026-13-45", "ISO 8601"),
		biBad("date weekly hour 25", post, custom, biJob(`{"Weekly":{"Days":[1],"Time":"2026-12-01T25:00:00Z"}}`), codeMalformed, "25:00", "ISO 8601"),
		biBad("date missing daily time", post, custom, biJob(`{"Daily":{}}`), codeValidation, "Schedule.Daily.Time"),
		biBad("date job field", post, custom, biFields(`{"Host":"h","MaintenanceWindowStart":"next tuesday"}`), codeValidation, "MaintenanceWindowStart"),
		biBad("date job type default", post, types, biType(`{"Name":"When","Type":"DateTime","DefaultValue":"someday"}`), codeValidation, "someday"),
		biBad("date seed LastSeen", post, "/_mock/seed", biSeed(`"LastSeen":"yesterday"`), codeMalformed, "yesterday", "ISO 8601"),
		biBad("date clock now", post, "/_mock/clock", `{"Now":"2026-99-99"}`, codeMalformed, "2026-99-99", "ISO 8601"),
		biBad("date journal since", get, "/_mock/requests?since=last+week", nil, codeValidation, "since"),
		biBad("date in query", get, biQuery("/OrchestratorJobs/JobHistory", `OperationStart -gt "2026-99-99"`), nil, codeQuery, "position"),
		biBad("duration clock advance", post, "/_mock/clock", `{"Advance":"forever"}`, codeMalformed, "forever", "duration"),
		biBad("duration overflow", post, "/_mock/clock", `{"Advance":"9999999999h"}`, codeMalformed, "9999999999h", "duration"),

		// Header abuse.
		biBad("header requested-with missing", get, kf("/Agents"), nil, codeMissingHeader, "x-keyfactor-requested-with").with(withoutRequestedWith()),
		biBad("header requested-with empty", post, approve, `[]`, codeMissingHeader, "x-keyfactor-requested-with").with(biEmptyHeader(requestedWith)),
		biBad("header requested-with blank", get, kf("/Status/Endpoints"), nil, codeMissingHeader, "x-keyfactor-requested-with").with(withHeader(requestedWith, "   ")),
		biBad("header api-version 2", get, kf("/Agents"), nil, codeAPIVersion, `"2"`).with(withHeader(apiVersion, "2")),
		biBad("header api-version 1.0.0", post, custom, biFields(`{}`), codeAPIVersion, "1.0.0").with(withHeader(apiVersion, "1.0.0")),
		biBad("header api-version v1", get, kf("/JobTypes/Custom"), nil, codeAPIVersion, "v1").with(withHeader(apiVersion, "v1")),
		biUnauth("auth missing", get, kf("/Agents"), withoutAuth()),
		biUnauth("auth missing before headers", post, custom, withoutAuth(), withoutRequestedWith(), withHeader(apiVersion, "2")),
		biUnauth("auth basic !!!", get, kf("/Agents"), withHeader("Authorization", "Basic !!!")),
		biUnauth("auth basic without colon", get, kf("/Agents"), withHeader("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("adminpassword")))),
		biUnauth("auth basic empty", get, kf("/Agents"), withHeader("Authorization", "Basic ")),
		biUnauth("auth bearer on basic server", get, kf("/Agents"), withHeader("Authorization", "Bearer x")),
		biUnauth("auth 8 KB header", get, kf("/Agents"), withHeader("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("admin:"+strings.Repeat("p", 6000))))),
		biUnauth("auth wrong password", del, kf("/JobTypes/Custom/"+biReboot), withBasic("admin", "' OR 1=1 --")),
		biUnauth("auth NUL in password", get, kf("/Agents"), withBasic("admin", "password\x00")),
		biUnauth("auth unknown path", get, kf("/Nope"), withoutAuth()),
		biBad("auth admin token missing", get, "/_mock/agents", nil, codeUnauthenticated, "Bearer").on(srvToken),
		biBad("auth admin token wrong", post, "/_mock/reset", nil, codeUnauthenticated, "Bearer").on(srvToken).with(bearer("wrong")),
		biBad("auth admin basic", post, "/_mock/seed", `{}`, codeUnauthenticated, "Bearer").on(srvToken).with(withHeader("Authorization", basicHeader("admin:password"))),
		biBad("auth admin 8 KB token", del, "/_mock/faults", nil, codeUnauthenticated, "Bearer").on(srvToken).with(bearer(strings.Repeat("t", 8192))),

		// Content-Type.
		biBad("content-type text/plain", post, custom, biFields(`{"Host":"h"}`), codeMediaType, "text/plain").with(biContentType("text/plain")),
		biBad("content-type application/xml", post, types, `<JobTypeName>X</JobTypeName>`, codeMediaType, "application/xml").with(biContentType("application/xml")),
		biBad("content-type multipart", post, approve, "--b\r\n\r\n[]\r\n--b--", codeMediaType, "multipart/form-data").with(biContentType("multipart/form-data; boundary=b")),
		biBad("content-type form", post, kf("/OrchestratorJobs/Unschedule"), `JobIds=x`, codeMediaType, "x-www-form-urlencoded").with(biContentType("application/x-www-form-urlencoded")),
		biBad("content-type malformed", put, types, `{}`, codeMediaType, "application/json;").with(biContentType("application/json; charset")),

		// Wrong methods on every route.
		biWrongMethod(patch, kf("/Status/Endpoints"), "GET"),
		biWrongMethod(post, kf("/Agents"), "GET"),
		biWrongMethod(put, kf("/Agents/"+biProd01), "DELETE"),
		biWrongMethod(patch, kf("/Agents/Approve"), "POST"),
		biWrongMethod(put, kf("/Agents/Disapprove"), "POST"),
		biWrongMethod(put, kf("/Agents/Reset"), "POST"),
		biWrongMethod(get, kf("/Agents/"+biProd01+"/Reset"), "POST"),
		biWrongMethod(del, kf("/Agents/"+biProd01+"/FetchLogs"), "POST"),
		biWrongMethod(put, kf("/Agents/SetAuthCertificateReenrollment"), "POST"),
		biWrongMethod(patch, types, "PUT"),
		biWrongMethod(post, kf("/JobTypes/Custom/"+biReboot), "DELETE"),
		biWrongMethod(get, custom, "POST"),
		biWrongMethod(put, kf("/OrchestratorJobs/Custom/Bulk"), "POST"),
		biWrongMethod(post, kf("/OrchestratorJobs/ScheduledJobs"), "GET"),
		biWrongMethod(del, kf("/OrchestratorJobs/JobHistory"), "GET"),
		biWrongMethod(post, kf("/OrchestratorJobs/JobStatus/Data"), "GET"),
		biWrongMethod(get, kf("/OrchestratorJobs/Acknowledge"), "POST"),
		biWrongMethod(get, kf("/OrchestratorJobs/Reschedule"), "POST"),
		biWrongMethod(put, kf("/OrchestratorJobs/Unschedule"), "POST"),
		biWrongMethod("PROPFIND", kf("/Agents"), "GET"),
		biWrongMethod(http.MethodOptions, types, "POST"),
		biWrongMethod(post, "/_mock/health", "GET"),
		biWrongMethod(get, "/_mock/reset", "POST"),
		biWrongMethod(put, "/_mock/seed", "POST"),
		biWrongMethod(del, "/_mock/clock", "GET"),
		biWrongMethod(put, "/_mock/agents", "POST"),
		biWrongMethod(post, "/_mock/agents/"+biProd01, "PATCH"),
		biWrongMethod(post, "/_mock/jobs/mode", "PUT"),
		biWrongMethod(get, "/_mock/jobs/"+jobID+"/start", "POST"),
		biWrongMethod(put, "/_mock/jobs/"+jobID+"/complete", "POST"),
		biWrongMethod(post, "/_mock/requests", "DELETE"),
		biWrongMethod(put, "/_mock/faults", "POST"),
		biWrongMethod(get, "/_mock/faults/1", "DELETE"),

		// Unknown paths.
		biBad("path unknown", get, kf("/Nope"), nil, codeNoEndpoint, "/Nope"),
		biBad("path too deep", get, kf("/Agents/"+biProd01+"/x/y/z"), nil, codeNoEndpoint),
		biBad("path traversal", get, kf("/../etc/passwd"), nil, codeNoEndpoint),
		biBad("path base prefix", get, "/KeyfactorAPIX/Agents", nil, codeNoEndpoint),
		biBad("path root", get, "/", nil, codeNoEndpoint),
		biBad("path admin unknown", post, "/_mock/nope", `{}`, codeNoEndpoint),
		biBad("path admin bare", get, "/_mock", nil, codeNoEndpoint),
		biBad("path 10000 characters", get, kf("/"+strings.Repeat("a", 10000)), nil, codeNoEndpoint),

		// Query strings, paging and sorting.
		biBad("query 10000 characters", get, biQuery("/Agents", `ClientMachine -eq "`+strings.Repeat("a", 10000)+`"`), nil, codeQuery, "8000"),
		biBad("query 40 nested parentheses", get, biQuery("/Agents", biNested(40)), nil, codeQuery, "nested too deeply"),
		biBad("query invalid UTF-8", get, kf("/Agents?QueryString=%FF%FE"), nil, codeQuery, "position"),
		biBad("query unknown field", get, biQuery("/JobTypes/Custom", `Nope -eq 1`), nil, codeQuery, "Nope"),
		biBad("query unterminated string", get, biQuery("/OrchestratorJobs/ScheduledJobs", `JobType -eq "abc`), nil, codeQuery, "position"),
		biBad("query int overflow", get, biQuery("/OrchestratorJobs/JobHistory", `JobHistoryId -eq 99999999999999999999`), nil, codeQuery, "99999999999999999999"),
		biBad("query pq form", get, kf("/Agents?pq.queryString=%29"), nil, codeQuery, "position"),
		biBad("paging page 0", get, kf("/Agents?PageReturned=0"), nil, codePaging, "PageReturned"),
		biBad("paging page -5", get, kf("/JobTypes/Custom?PageReturned=-5"), nil, codePaging, "PageReturned"),
		biBad("paging page 1e3", get, kf("/OrchestratorJobs/ScheduledJobs?PageReturned=1e3"), nil, codePaging, "1e3"),
		biBad("paging page 2^31", get, kf("/OrchestratorJobs/JobHistory?PageReturned=2147483648"), nil, codePaging, "2147483648"),
		biBad("paging limit 0", get, kf("/Agents?ReturnLimit=0"), nil, codePaging, "ReturnLimit"),
		biBad("paging limit 2^64", get, kf("/Agents?ReturnLimit=99999999999999999999"), nil, codePaging, "ReturnLimit"),
		biBad("paging pq limit", get, kf("/JobTypes/Custom?pq.returnLimit=-1"), nil, codePaging, "ReturnLimit"),
		biBad("paging sort ascending 2", get, kf("/Agents?SortAscending=2"), nil, codePaging, "SortAscending"),
		biBad("paging sort ascending yes", get, kf("/OrchestratorJobs/JobHistory?SortAscending=yes"), nil, codePaging, "SortAscending"),
		biBad("paging invalid UTF-8 sort field", get, kf("/Agents?SortField=%FF"), nil, codeSortField, "sort field", "ClientMachine"),
		biBad("job data missing id", get, kf("/OrchestratorJobs/JobStatus/Data"), nil, codeValidation, "jobHistoryId"),
		biBad("job data id abc", get, kf("/OrchestratorJobs/JobStatus/Data?jobHistoryId=abc"), nil, codeValidation, "abc"),
		biBad("job data id 1e3", get, kf("/OrchestratorJobs/JobStatus/Data?jobHistoryId=1e3"), nil, codeValidation, "1e3"),
		biBad("job data id 2^64", get, kf("/OrchestratorJobs/JobStatus/Data?jobHistoryId=99999999999999999999"), nil, codeValidation, "99999999999999999999"),
		biBad("job data sql id", get, kf("/OrchestratorJobs/JobStatus/Data?jobHistoryId=1%20OR%201=1"), nil, codeValidation, "1 OR 1=1"),
		biBad("delete force maybe", del, kf("/Agents/"+biProd01+"?force=maybe"), nil, codeValidation, "force"),
		biBad("admin reset all perhaps", post, "/_mock/reset?all=perhaps", nil, codeValidation, "all"),
		biBad("admin journal limit 0", get, "/_mock/requests?limit=0", nil, codeValidation, "limit"),
		biBad("admin journal offset -1", get, "/_mock/requests?offset=-1", nil, codeValidation, "offset"),
		biBad("admin journal status sql", get, "/_mock/requests?status=200%20OR%201=1", nil, codeValidation, "status"),

		// Values that are wrong for the entity.
		biBad("value unknown job type", post, custom, `{"AgentId":"`+biProd01+`","JobTypeName":"NoSuchType"}`, codeValidation, "NoSuchType"),
		biBad("value agent not approved", post, custom, `{"AgentId":"`+biLab01+`","JobTypeName":"RebootHost","JobFields":{"Host":"h"}}`, codeValidation, "approved"),
		biBad("value job field unknown", post, custom, biFields(`{"Host":"h","Hots":"x"}`), codeValidation, "Hots"),
		biBad("value fetch logs without LOGS", post, kf("/Agents/"+biJava+"/FetchLogs"), nil, codeValidation, "LOGS"),
		biBad("value delete agent with jobs", del, kf("/Agents/"+biProd01), nil, codeValidation, "force"),
		biBad("value duplicate job type", post, types, `{"JobTypeName":"rebootHOST"}`, codeDuplicate, "rebootHOST"),
		biBad("value job type name 401 chars", post, types, `{"JobTypeName":"`+strings.Repeat("n", 401)+`"}`, codeValidation, "400 characters"),
		biBad("value duplicate field names", post, types, biType(`{"Name":"F","Type":1},{"Name":"f","Type":2}`), codeValidation, "more than once"),
		biBad("value field type name", post, types, biType(`{"Name":"F","Type":"Strnig"}`), codeMalformed, "Strnig"),
		biBad("value change FetchLogs", put, types, `{"Id":"`+biFetchLogs+`","JobTypeName":"FetchLogs"}`, codeValidation, "FetchLogs"),
		biBad("value delete FetchLogs", del, kf("/JobTypes/Custom/"+biFetchLogs), nil, codeValidation, "FetchLogs"),
		biBad("value reenrollment status 7", post, kf("/Agents/SetAuthCertificateReenrollment"), `{"OrchestratorIds":["`+biProd01+`"],"Status":"7"}`, codeValidation, "7"),
		biBad("value reenrollment no status", post, kf("/Agents/SetAuthCertificateReenrollment"), `{"OrchestratorIds":["`+biProd01+`"]}`, codeValidation, "Status is required"),
		biBad("value unschedule nothing", post, kf("/OrchestratorJobs/Unschedule"), `{}`, codeValidation, "JobIds"),
		biBad("value job mode fast", put, "/_mock/jobs/mode", `{"Mode":"fast"}`, codeValidation, "fast"),
		biBad("value script result name", put, "/_mock/jobs/mode", `{"Mode":"manual","Scripts":{"RebootHost":{"Result":"Great"}}}`, codeMalformed, "Great"),
		biBad("value complete result name", post, "/_mock/jobs/"+jobID+"/complete", `{"Result":"Great"}`, codeMalformed, "Great"),
		biBad("value clock empty", post, "/_mock/clock", `{}`, codeValidation, "Give Now"),
		biBad("value clock real and now", post, "/_mock/clock", `{"Real":true,"Now":"2026-12-01T00:00:00Z"}`, codeValidation, "Real cannot"),
		biBad("value fault probability 2", post, "/_mock/faults", `{"Path":"/x","Status":500,"Probability":2}`, codeValidation, "Probability"),
		biBad("value seed status 99", post, "/_mock/seed", `{"Agents":[{"ClientMachine":"corpus-agent","Status":99}]}`, codeValidation, "Status 99"),
		biBad("value patch status", patch, "/_mock/agents/"+biProd01, `{"Status":0}`, codeValidation, "Status 0"),
		biBad("value patch wrong type", patch, "/_mock/agents/"+biProd01, `{"Status":"2"}`, codeMalformed, "Status", "string"),
		biBad("value patch broken JSON", patch, "/_mock/agents/"+biProd01, `{"Status":`, codeMalformed, "ends before"),
		biBad("value patch unknown agent", patch, "/_mock/agents/"+unknownGUID, `{"Status":1}`, codeNotFound),
		biBad("value create existing agent", post, "/_mock/agents", `{"AgentId":"`+biProd01+`","ClientMachine":"x","Status":2}`, codeDuplicate, biProd01),
		biBad("value seed FetchLogs", post, "/_mock/seed", `{"JobTypes":[{"JobTypeName":"fetchlogs"}]}`, codeValidation, "FetchLogs"),
		biBad("value seed field type 99", post, "/_mock/seed", `{"JobTypes":[{"JobTypeName":"T","JobTypeFields":[{"Name":"F","Type":99}]}]}`, codeValidation, "Type 99"),
		biBad("value empty job request", post, custom, `{}`, codeValidation, "JobTypeName is required"),
		biBad("value null job request", post, custom, `null`, codeValidation, "JobTypeName is required"),
		biBad("value weekday name", post, custom, biJob(`{"Weekly":{"Days":["Funday"],"Time":"2026-12-01T08:00:00Z"}}`), codeMalformed, "Funday"),
		biBad("value immediate as string", post, custom, biJob(`{"Immediate":"true"}`), codeMalformed, "Schedule.Immediate"),
		biBad("value two schedules", post, custom, biJob(`{"Immediate":true,"Interval":{"Minutes":5}}`), codeValidation, "Immediate and Interval"),
		biBad("value update without id", put, types, `{"JobTypeName":"RebootHost"}`, codeValidation, "Id is required"),
		biBad("value reset unknown agent", post, kf("/Agents/"+unknownGUID+"/Reset"), nil, codeNotFound),
		biBad("value delete unknown agent", del, kf("/Agents/"+unknownGUID+"?force=true"), nil, codeNotFound),
		biBad("value get unknown job type", get, kf("/JobTypes/Custom/"+unknownGUID), nil, codeNotFound),
		biBad("value job data id -1", get, kf("/OrchestratorJobs/JobStatus/Data?jobHistoryId=-1"), nil, codeNotFound),
		biBad("value query enum name", get, biQuery("/Agents", `Status -eq Approvedd`), nil, codeQuery, "Approvedd"),
		biBad("value query operator type", get, biQuery("/Agents", `LastSeen -contains "2026"`), nil, codeQuery, "-contains"),
		biBad("value query today alone", get, biQuery("/OrchestratorJobs/ScheduledJobs", `%TODAY%`), nil, codeQuery, "position"),

		// The OAuth token endpoint and bearer tokens on Keyfactor routes.
		biOAuth("oauth GET", get, "", 405, "invalid_request"),
		biOAuth("oauth JSON body", post, `{"grant_type":"client_credentials"}`, 400, "invalid_request", biContentType("application/json")),
		biOAuth("oauth no grant type", post, "client_id=mockcommand&client_secret=mockcommand-secret", 400, "invalid_request"),
		biOAuth("oauth password grant", post, "grant_type=password&username=admin&password=password", 400, "unsupported_grant_type"),
		biOAuth("oauth sql secret", post, "grant_type=client_credentials&client_id=mockcommand&client_secret=%27%20OR%201%3D1%20--", 401, "invalid_client"),
		biOAuth("oauth invalid UTF-8 client", post, "grant_type=client_credentials&client_id=%FF%00&client_secret=x", 401, "invalid_client"),
		biOAuth("oauth basic !!!", post, "grant_type=client_credentials", 401, "invalid_client", withHeader("Authorization", "Basic !!!")),
		biOAuth("oauth bad escape", post, "grant_type=%ZZ", 400, "invalid_request"),
		biOAuth("oauth 10 MB form", post, "grant_type=client_credentials&pad="+strings.Repeat("x", 10<<20), 400, "invalid_request"),
		biUnauth("oauth forged bearer", get, kf("/Agents"), withHeader("Authorization", "Bearer forged")).on(srvOAuth).challenge(`error="invalid_token"`),
		biUnauth("oauth empty bearer", get, kf("/Agents"), withHeader("Authorization", "Bearer ")).on(srvOAuth).challenge(`Bearer realm="Keyfactor Command"`),
		biUnauth("oauth 8 KB bearer", post, custom, withHeader("Authorization", "Bearer "+strings.Repeat("A", 8192))).on(srvOAuth).challenge(`error="invalid_token"`),
	}
}

// biLeaks are texts that would show Go or SQL internals in a message.
var biLeaks = []string{"json:", "sql:", "sqlite", "runtime error", "strconv.", "Go struct", "Go value", "invalid UUID",
	"mime:", "reflect", "goroutine", "panic", "[]string", "map[string]", "int64", "float64", "model.", "unexpected EOF"}

// checkBadAnswer asserts the answer a row documents.
func checkBadAnswer(t *testing.T, row badRow, r response) {
	t.Helper()
	if r.Status >= 500 {
		t.Fatalf("status %d (a server error) for a bad request; body: %s", r.Status, r.Body)
	}
	switch {
	case row.oauth != "":
		checkOAuthAnswer(t, row, r)
		return
	case row.status == http.StatusOK:
		wantJSON(t, r, http.StatusOK)
		if string(r.Body) != "[]" {
			t.Errorf("body = %.300s, want [] (a hostile value must match nothing)", r.Body)
		}
		return
	case row.status == http.StatusUnauthorized && row.code == "":
		if r.Status != http.StatusUnauthorized {
			t.Fatalf("status = %d, want 401; body: %.300s", r.Status, r.Body)
		}
		if len(r.Body) != 0 {
			t.Errorf("401 body = %.300q, want none", r.Body)
		}
		got := r.Header.Values("WWW-Authenticate")
		if !slices.Contains(got, `Basic realm="Keyfactor Command"`) {
			t.Errorf("WWW-Authenticate = %q, want the Basic challenge", got)
		}
		if row.chall != "" && !slices.ContainsFunc(got, func(c string) bool { return strings.Contains(c, row.chall) }) {
			t.Errorf("WWW-Authenticate = %q, want a challenge with %s", got, row.chall)
		}
		wantProductVersion(t, r)
		return
	}
	msg := wantError(t, r, row.status, row.code, row.parts...)
	for _, leak := range biLeaks {
		if strings.Contains(msg, leak) {
			t.Errorf("Message %q shows implementation text %q", msg, leak)
		}
	}
	if row.allow != "" && !slices.Contains(strings.Split(strings.ReplaceAll(r.Header.Get("Allow"), " ", ""), ","), row.allow) {
		t.Errorf("Allow = %q, want it to list %s", r.Header.Get("Allow"), row.allow)
	}
	if row.status == http.StatusUnauthorized && r.Header.Get("WWW-Authenticate") == "" {
		t.Error("401 without a WWW-Authenticate challenge")
	}
}

// checkOAuthAnswer asserts an RFC 6749 error: exactly error and
// error_description, as JSON.
func checkOAuthAnswer(t *testing.T, row badRow, r response) {
	t.Helper()
	if r.Status != row.status {
		t.Fatalf("status = %d, want %d; body: %.300s", r.Status, row.status, r.Body)
	}
	if got := r.Header.Get("Content-Type"); got != jsonContentType {
		t.Errorf("Content-Type = %q, want %q", got, jsonContentType)
	}
	m := decodeObject(t, r.Body)
	if len(m) != 2 || m["error"] != row.oauth {
		t.Errorf("body = %s, want exactly error %q and error_description", r.Body, row.oauth)
	}
	if d, _ := m["error_description"].(string); strings.TrimSpace(d) == "" {
		t.Errorf("error_description is empty: %s", r.Body)
	}
	if row.status == http.StatusMethodNotAllowed && r.Header.Get("Allow") != http.MethodPost {
		t.Errorf("Allow = %q, want POST", r.Header.Get("Allow"))
	}
}

// biSnapshotPaths are the listings whose bodies must not change.
var biSnapshotPaths = []string{
	kf("/Agents?ReturnLimit=1000"), kf("/JobTypes/Custom?ReturnLimit=1000"),
	kf("/OrchestratorJobs/ScheduledJobs?ReturnLimit=1000"), kf("/OrchestratorJobs/JobHistory?ReturnLimit=1000"),
	kf("/CertificateStoreTypes?ReturnLimit=1000"), kf("/CertificateStoreContainers?ReturnLimit=1000"), kf("/CertificateStores?ReturnLimit=1000"),
	"/_mock/discovery", kf("/Certificates?includeRevoked=true&includeExpired=true&ReturnLimit=1000"), kf("/MetadataFields"),
	"/_mock/jobs/mode", "/_mock/clock", "/_mock/faults",
}

// biSnapshot reads every listing of a server; admin carries its admin token.
func biSnapshot(t *testing.T, s *testServer, admin ...reqOpt) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, p := range biSnapshotPaths {
		var r response
		if strings.HasPrefix(p, "/_mock/") {
			r = s.admin(t, http.MethodGet, p, nil, admin...)
		} else {
			r = s.get(t, p)
		}
		wantJSON(t, r, http.StatusOK)
		out[p] = string(r.Body)
	}
	return out
}

func TestBadInputCorpus(t *testing.T) {
	t.Parallel()
	servers := map[string]*testServer{
		srvMain:  newHarness(t, immediateMode()),
		srvSmall: newHarness(t, immediateMode(), func(o *app.Options) { o.API.MaxBodyBytes = 4096 }),
		srvToken: newHarness(t, immediateMode(), adminToken(biToken)),
		srvOAuth: newHarness(t, immediateMode(), func(o *app.Options) {
			o.API.Auth = api.AuthBasicOAuth
			o.OAuth = oauth.Config{Clients: map[string]string{"mockcommand": "mockcommand-secret"}}
		}),
	}
	adminOpts := map[string][]reqOpt{srvToken: {bearer(biToken)}}

	// State worth protecting on the main server: a waiting daily job, a
	// finished run, a fault rule that matches nothing.
	mainSrv := servers[srvMain]
	jobID := schedule(t, mainSrv, biProd01, "RebootHost", map[string]any{"Daily": map[string]any{"Time": "2026-12-01T23:00:00Z"}},
		map[string]string{"Host": "web01"})
	flushDNS(t, mainSrv, biDmz01)
	addFault(t, mainSrv, map[string]any{"Path": "/never/*", "Status": 503})

	before := map[string]map[string]string{}
	for name, s := range servers {
		before[name] = biSnapshot(t, s, adminOpts[name]...)
	}

	rows := append(append(biCorpus(jobID), biStoreCorpus()...), biCertificateCorpus()...)
	if len(rows) < 60 {
		t.Fatalf("the corpus has %d rows, want at least 60", len(rows))
	}
	seen := map[string]bool{}
	for _, row := range rows {
		if seen[row.name] {
			t.Fatalf("two rows are named %q", row.name)
		}
		seen[row.name] = true
		t.Run(row.name, func(t *testing.T) {
			s := servers[row.srv]
			opts := row.opts
			if strings.HasPrefix(row.path, "/_mock") {
				opts = append([]reqOpt{withoutAuth(), withoutRequestedWith()}, opts...)
			}
			r, err := s.send(row.method, row.path, row.body, opts...)
			if err != nil {
				t.Fatalf("%s %.200s: %v", row.method, row.path, err)
			}
			checkBadAnswer(t, row, r)
		})
	}

	t.Run("size 10 MB chunked", func(t *testing.T) { // no Content-Length: the limit must hold while reading
		body := io.MultiReader(strings.NewReader(`{"JobTypeName":"Chunked","Description":"`), bytes.NewReader(bytes.Repeat([]byte("x"), 10<<20)))
		req, err := http.NewRequest(http.MethodPost, mainSrv.URL+kf("/JobTypes/Custom"), body)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set(requestedWith, "APIClient")
		req.Header.Set("Content-Type", "application/json")
		req.SetBasicAuth("admin", "password")
		if req.ContentLength != 0 {
			t.Fatalf("the request would not be chunked (ContentLength %d)", req.ContentLength)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("POST chunked: %v", err)
		}
		defer resp.Body.Close()
		data, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		checkBadAnswer(t, biBad("chunked", "", "", nil, codeBodyTooLarge, "1048576"), response{Status: resp.StatusCode, Header: resp.Header, Body: data})
	})

	t.Run("afterwards healthy and unchanged", func(t *testing.T) {
		for name, s := range servers {
			r := s.admin(t, http.MethodGet, "/_mock/health", nil)
			wantJSON(t, r, http.StatusOK)
			if string(r.Body) != `{"Status":"Healthy"}` {
				t.Errorf("server %q: health body %s", name, r.Body)
			}
			after := biSnapshot(t, s, adminOpts[name]...)
			for _, p := range biSnapshotPaths {
				if b, a := before[name][p], after[p]; a != b {
					i := 0 // show the bodies from shortly before the first difference
					for i < len(a) && i < len(b) && a[i] == b[i] {
						i++
					}
					i = max(i-200, 0)
					t.Errorf("server %q: GET %s changed (%d bytes, then %d):\nbefore: …%.1000s\nafter:  …%.1000s", name, p, len(b), len(a), b[i:], a[i:])
				}
			}
		}
	})
}
