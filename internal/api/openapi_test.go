package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/mockcommand/mockcommand/internal/api"
	"github.com/mockcommand/mockcommand/internal/app"
	"github.com/mockcommand/mockcommand/internal/oauth"
)

// The document-serving operations. They are documented, but the routes are
// registered by the owner of routes.go/admin.go; until then the tests that
// need them skip (see oaDocRoutesWired).
const (
	oaSwaggerPath = "/KeyfactorAPI/swagger/v1/swagger.json"
	oaMockDocPath = "/_mock/openapi.json"
)

// oaUnknownGUID is a well-formed id no fixture uses.
const oaUnknownGUID = "00000000-0000-4000-8000-0000000000aa"

func TestOpenAPI_DocumentLoadsAndValidates(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPIDocument)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("validate: %v", err)
	}
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi = %q, want 3.0.3", doc.OpenAPI)
	}
	if len(doc.Servers) != 1 || doc.Servers[0].URL != "/" {
		t.Errorf("servers = %v, want the single url /", doc.Servers)
	}
	for _, name := range []string{"Basic", "Bearer", "MockAdminToken"} {
		if doc.Components.SecuritySchemes[name] == nil {
			t.Errorf("securitySchemes has no %s", name)
		}
	}
	eb := doc.Components.Schemas["ErrorBody"]
	if eb == nil || !slices.Equal(eb.Value.Required, []string{"ErrorCode", "Message"}) {
		t.Errorf("components/schemas/ErrorBody must require exactly ErrorCode and Message")
	}

	// Every schema a response can carry forbids undeclared members, so that
	// a member added to the code without the document is caught.
	visited := map[*openapi3.Schema]bool{}
	var closed func(where string, s *openapi3.SchemaRef)
	closed = func(where string, s *openapi3.SchemaRef) {
		if s == nil || s.Value == nil || visited[s.Value] {
			return
		}
		v := s.Value
		visited[v] = true
		if v.Type.Is("object") && len(v.Properties) > 0 && (v.AdditionalProperties.Has == nil || *v.AdditionalProperties.Has) {
			t.Errorf("%s (%s): a response object schema must set additionalProperties: false", where, s.Ref)
		}
		for name, p := range v.Properties {
			closed(where+"."+name, p)
		}
		closed(where+"[]", v.Items)
		closed(where+"{}", v.AdditionalProperties.Schema)
		for _, x := range append(append(v.AnyOf, v.OneOf...), v.AllOf...) {
			closed(where, x)
		}
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			for code, r := range op.Responses.Map() {
				for _, mt := range r.Value.Content {
					closed(fmt.Sprintf("%s %s %s", method, path, code), mt.Schema)
				}
			}
		}
	}

	// Every Keyfactor operation takes the Keyfactor headers, needs Basic or
	// Bearer credentials and documents the body-less 401.
	for path, item := range doc.Paths.Map() {
		if !strings.HasPrefix(path, oaDocBase+"/") || path == oaSwaggerPath {
			continue
		}
		for method, op := range item.Operations() {
			what := method + " " + path
			var names []string
			for _, p := range op.Parameters {
				names = append(names, p.Value.Name)
			}
			if !slices.Contains(names, "x-keyfactor-requested-with") || !slices.Contains(names, "x-keyfactor-api-version") {
				t.Errorf("%s: parameters %v lack the Keyfactor headers", what, names)
			}
			if op.Security == nil || len(*op.Security) != 2 {
				t.Errorf("%s: security must be Basic or Bearer", what)
			}
			if r := op.Responses.Status(http.StatusUnauthorized); r == nil || len(r.Value.Content) != 0 {
				t.Errorf("%s: must document a 401 without a body", what)
			}
		}
	}
}

// oaDocOps lists the document's operations as "METHOD /path".
func oaDocOps(t testing.TB) []string {
	t.Helper()
	spec, err := oaLoad()
	if err != nil {
		t.Fatal(err)
	}
	var ops []string
	for path, item := range spec.doc.Paths.Map() {
		for method := range item.Operations() {
			ops = append(ops, method+" "+path)
		}
	}
	slices.Sort(ops)
	return ops
}

func TestOpenAPI_DocumentsExactlyTheRoutes(t *testing.T) {
	c := oaNewServer(t, nil)

	// Keyfactor routes: GET /Status/Endpoints lists every one as "METHOD /Path".
	status, body := c.call(http.MethodGet, "/KeyfactorAPI/Status/Endpoints", nil)
	if status != http.StatusOK {
		t.Fatalf("GET /Status/Endpoints: %d %s", status, body)
	}
	var endpoints []string
	if err := json.Unmarshal(body, &endpoints); err != nil {
		t.Fatalf("decode endpoints: %v", err)
	}
	served := map[string]bool{}
	for _, e := range endpoints {
		method, path, _ := strings.Cut(e, " ")
		served[method+" "+oaDocBase+path] = true
	}
	documented := map[string]bool{}
	for _, op := range oaDocOps(t) {
		if _, path, _ := strings.Cut(op, " "); strings.HasPrefix(path, oaDocBase+"/") {
			documented[op] = true
		}
	}
	// The document route may or may not be registered as a Keyfactor route.
	delete(served, "GET "+oaSwaggerPath)
	delete(documented, "GET "+oaSwaggerPath)
	oaSameSet(t, "Keyfactor routes", served, documented)

	// Admin routes: the /_mock/ routes registered in the package's source.
	// A handler registered for every method (r.Handle) counts as serving the
	// methods the document gives its path.
	adminServed := oaAdminRoutesInSource(t)
	adminDocumented := map[string]bool{}
	for _, op := range oaDocOps(t) {
		if _, path, _ := strings.Cut(op, " "); strings.HasPrefix(path, "/_mock/") {
			adminDocumented[op] = true
			if adminServed["ANY "+path] {
				adminServed[op] = true
			}
		}
	}
	for op := range adminServed {
		if method, path, _ := strings.Cut(op, " "); method == "ANY" {
			delete(adminServed, op)
			if !slices.ContainsFunc(oaDocOps(t), func(d string) bool { return strings.HasSuffix(d, " "+path) }) {
				t.Errorf("admin routes: %s (every method) is served but not in the OpenAPI document", path)
			}
		}
	}
	if !adminServed["GET "+oaMockDocPath] {
		delete(adminDocumented, "GET "+oaMockDocPath) // not wired yet
	}
	oaSameSet(t, "admin routes", adminServed, adminDocumented)
}

// oaAdminRoutesInSource finds the /_mock/ routes registered with chi in the
// package's Go files (r.Get("/_mock/…", …), r.Method(http.MethodGet,
// "/_mock/…", …); r.Handle("/_mock/…", …) gives "ANY /_mock/…").
func oaAdminRoutesInSource(t testing.TB) map[string]bool {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	short := regexp.MustCompile(`\.(Get|Post|Put|Patch|Delete|Handle|HandleFunc)\(\s*"(/_mock/[^"]*)"`)
	long := regexp.MustCompile(`\.Method(?:Func)?\(\s*(?:http\.Method(\w+)|"(\w+)")\s*,\s*"(/_mock/[^"]*)"`)
	out := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range short.FindAllStringSubmatch(string(src), -1) {
			method := strings.ToUpper(m[1])
			if strings.HasPrefix(method, "HANDLE") {
				method = "ANY"
			}
			out[method+" "+m[2]] = true
		}
		for _, m := range long.FindAllStringSubmatch(string(src), -1) {
			out[strings.ToUpper(m[1]+m[2])+" "+m[3]] = true
		}
	}
	if len(out) == 0 {
		t.Fatal("found no /_mock/ route registrations in the package source")
	}
	return out
}

func oaSameSet(t testing.TB, what string, served, documented map[string]bool) {
	t.Helper()
	for op := range served {
		if !documented[op] {
			t.Errorf("%s: %s is served but not in the OpenAPI document", what, op)
		}
	}
	for op := range documented {
		if !served[op] {
			t.Errorf("%s: %s is in the OpenAPI document but not served", what, op)
		}
	}
}

func TestOpenAPI_RewrittenForBasePath(t *testing.T) {
	same, err := api.OpenAPIFor("/KeyfactorAPI/")
	if err != nil || !bytes.Equal(same, api.OpenAPIDocument) {
		t.Errorf("OpenAPIFor(/KeyfactorAPI/) must return the embedded document unchanged (err %v)", err)
	}
	b, err := api.OpenAPIFor("/kf/api/")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(b)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("validate: %v", err)
	}
	orig, _ := oaLoad()
	if doc.Paths.Len() != orig.doc.Paths.Len() {
		t.Errorf("%d paths, want %d", doc.Paths.Len(), orig.doc.Paths.Len())
	}
	for path := range orig.doc.Paths.Map() {
		want := path
		if rest, ok := strings.CutPrefix(path, oaDocBase+"/"); ok {
			want = "/kf/api/" + rest
		}
		if doc.Paths.Value(want) == nil {
			t.Errorf("path %s is missing (want it as %s)", path, want)
		}
	}
	again, _ := api.OpenAPIFor("/kf/api")
	if !bytes.Equal(again, b) {
		t.Error("OpenAPIFor(/kf/api) differs from OpenAPIFor(/kf/api/)")
	}
}

// oaDocRoutesWired reports whether the document-serving routes answer yet
// (the owner registers them); asked of the bare handler, not the validator.
func oaDocRoutesWired(h http.Handler, basePath string) bool {
	for _, p := range []string{basePath + "/swagger/v1/swagger.json", oaMockDocPath} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, p, nil))
		if rec.Code == http.StatusNotFound {
			return false
		}
	}
	return true
}

func TestOpenAPI_ServedDocument(t *testing.T) {
	for _, base := range []string{"/KeyfactorAPI", "/custom/base"} {
		cfg := api.DefaultConfig()
		cfg.BasePath = base
		c := oaNewServer(t, &cfg)
		if !oaDocRoutesWired(c.app.Handler, base) {
			t.Fatal("GET <base>/swagger/v1/swagger.json or GET /_mock/openapi.json is not served")
		}
		want, err := api.OpenAPIFor(base)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{base + "/swagger/v1/swagger.json", oaMockDocPath} {
			resp, err := c.raw(http.MethodGet, p, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if resp.status != http.StatusOK || resp.header.Get("Content-Type") != "application/json; charset=utf-8" || !bytes.Equal(resp.body, want) {
				t.Errorf("GET %s (base %s): %d %q, %d bytes; want 200 application/json; charset=utf-8 with the document",
					p, base, resp.status, resp.header.Get("Content-Type"), len(resp.body))
			}
		}
	}
}

// oaClient talks to a mock wrapped in the validator.
type oaClient struct {
	t   testing.TB
	url string
	v   *oaValidator
	app *app.App
}

// oaNewServer starts the mock (newServer, in the manual job mode); cfg
// nil means api.DefaultConfig(), and opts change the app options.
func oaNewServer(t testing.TB, cfg *api.Config, opts ...srvOpt) *oaClient {
	t.Helper()
	var all []srvOpt
	if cfg != nil {
		c := *cfg
		all = append(all, func(o *app.Options) { o.API = c })
	}
	s := newServer(t, append(all, opts...)...)
	return &oaClient{t: t, url: s.URL, v: s.v, app: s.App}
}

type oaResponse struct {
	status int
	header http.Header
	body   []byte
}

// raw sends a request as is (body: nil, string, []byte or a value to
// marshal); set adds or, with an empty value, removes headers.
func (c *oaClient) raw(method, path string, body any, set map[string]string) (oaResponse, error) {
	rd, err := bodyReader(body)
	if err != nil {
		return oaResponse{}, err
	}
	req, err := http.NewRequest(method, c.url+path, rd)
	if err != nil {
		return oaResponse{}, err
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range set {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return oaResponse{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return oaResponse{status: resp.StatusCode, header: resp.Header, body: data}, err
}

// oaKeyfactorHeaders are what a Keyfactor client sends.
var oaKeyfactorHeaders = map[string]string{
	"x-keyfactor-requested-with": "APIClient",
	"Authorization":              "Basic YWRtaW46cGFzc3dvcmQ=", // admin:password
}

// call sends a request with the Keyfactor headers and credentials for
// paths outside /_mock/ (extra headers in set override them).
func (c *oaClient) call(method, path string, body any, set ...map[string]string) (int, []byte) {
	c.t.Helper()
	h := map[string]string{}
	if !strings.HasPrefix(path, "/_mock/") {
		for k, v := range oaKeyfactorHeaders {
			h[k] = v
		}
	}
	for _, m := range set {
		for k, v := range m {
			h[k] = v
		}
	}
	r, err := c.raw(method, path, body, h)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	return r.status, r.body
}

// want sends a request and fails unless it answers status; it returns the
// body decoded (numbers as json.Number), nil for an empty body.
func (c *oaClient) want(status int, method, path string, body any, set ...map[string]string) any {
	c.t.Helper()
	got, data := c.call(method, path, body, set...)
	if got != status {
		c.t.Fatalf("%s %s: status %d, want %d; body: %s", method, path, got, status, data)
	}
	if len(data) == 0 || data[0] == '<' { // none, or the dashboard's HTML (the validator checked its type)
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		c.t.Fatalf("%s %s: decode: %v; body: %s", method, path, err, data)
	}
	return v
}

// oaObj and oaList convert decoded JSON.
func oaObj(t testing.TB, v any) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("not a JSON object: %#v", v)
	}
	return m
}

func oaList(t testing.TB, v any) []map[string]any {
	t.Helper()
	a, ok := v.([]any)
	if !ok {
		t.Fatalf("not a JSON array: %#v", v)
	}
	out := make([]map[string]any, len(a))
	for i, x := range a {
		out[i] = oaObj(t, x)
	}
	return out
}

func oaStr(t testing.TB, m map[string]any, k string) string {
	t.Helper()
	s, ok := m[k].(string)
	if !ok {
		t.Fatalf("%s = %#v, want a string", k, m[k])
	}
	return s
}

// oaFirstAgent returns the id of the first agent matching query.
func (c *oaClient) firstAgent(query string) string {
	c.t.Helper()
	list := oaList(c.t, c.want(http.StatusOK, http.MethodGet, "/KeyfactorAPI/Agents?"+url.Values{"QueryString": {query}}.Encode(), nil))
	if len(list) == 0 {
		c.t.Fatalf("no fixture agent matches %s", query)
	}
	return oaStr(c.t, list[0], "AgentId")
}

// TestOpenAPI_ValidatorExercisesEveryOperation calls every documented
// operation, its success and its errors, through the validator, so every
// schema of the document is checked against what the mock really sends.
func TestOpenAPI_ValidatorExercisesEveryOperation(t *testing.T) {
	c := oaNewServer(t, nil)
	const kf = "/KeyfactorAPI"
	future := time.Now().UTC().Add(72 * time.Hour).Format(time.RFC3339)
	at := "2026-12-01T08:30:00Z"

	logsAgent := c.firstAgent(`Status -eq 2 AND Capabilities -contains "LOGS"`)
	rebootAgent := c.firstAgent(`Status -eq 2 AND Capabilities -contains "RebootHost"`)
	newAgent := c.firstAgent(`Status -eq 1`)
	oaExerciseStores(t, c)
	oaExerciseCertificates(t, c)
	oaExerciseMetadata(t, c)

	// --- Status, agents.
	c.want(200, "GET", kf+"/Status/Endpoints", nil)
	for path, want := range map[string]int{"/_mock/debug/pprof/": 200, "/_mock/debug/pprof/heap": 200, "/_mock/debug/pprof/no-such-profile": 404} {
		if got, body := c.call("GET", path, nil); got != want { // not JSON: the validator checks their type
			t.Errorf("GET %s = %d, want %d: %.200s", path, got, want, body)
		}
	}
	c.want(401, "GET", kf+"/Status/Endpoints", nil, map[string]string{"Authorization": ""})
	c.want(200, "GET", kf+"/Agents?"+url.Values{"QueryString": {"Status -eq 2"}, "PageReturned": {"1"},
		"ReturnLimit": {"5"}, "SortField": {"ClientMachine"}, "SortAscending": {"1"}}.Encode(), nil)
	c.want(200, "GET", kf+"/Agents?"+url.Values{"pq.queryString": {"Status -ne 3"}, "pq.pageReturned": {"2"},
		"pq.returnLimit": {"3"}, "pq.sortField": {"LastSeen"}, "pq.sortAscending": {"0"}}.Encode(), nil)
	c.want(200, "GET", kf+"/Agents?ReturnLimit=500", nil)
	c.want(400, "GET", kf+"/Agents?QueryString=Status+-eq", nil)
	c.want(400, "GET", kf+"/Agents?SortField=Colour", nil)
	c.want(400, "GET", kf+"/Agents?PageReturned=0", nil)
	c.want(200, "GET", kf+"/Agents/"+logsAgent, nil)
	c.want(200, "GET", "/keyfactorapi/AGENTS/"+strings.ToUpper(logsAgent)+"/", nil) // case-insensitive, trailing slash
	c.want(404, "GET", kf+"/Agents/"+oaUnknownGUID, nil)
	c.want(404, "GET", kf+"/Agents/not-a-guid", nil)
	c.want(404, "GET", kf+"/Agents/Approve", nil) // GET /Agents/{id}, as chi routes it
	reenr := oaObj(t, c.want(200, "POST", kf+"/Agents/SetAuthCertificateReenrollment",
		map[string]any{"OrchestratorIds": []string{logsAgent, oaUnknownGUID, "nonsense"}, "Status": "1"}))
	if len(reenr["FailedOrchestratorIds"].([]any)) != 2 {
		t.Errorf("reenrollment: %v", reenr)
	}
	c.want(200, "POST", kf+"/Agents/SetAuthCertificateReenrollment", map[string]any{"OrchestratorIds": []string{newAgent}, "Status": 2})
	c.want(400, "POST", kf+"/Agents/SetAuthCertificateReenrollment", map[string]any{"OrchestratorIds": []string{logsAgent}})
	c.want(200, "GET", kf+"/Agents/"+logsAgent, nil)

	// --- Custom job types.
	c.want(200, "GET", kf+"/JobTypes/Custom", nil)
	c.want(200, "GET", kf+"/JobTypes/Custom?pq.sortField=JobTypeName&pq.sortAscending=1&pq.returnLimit=2", nil)
	c.want(400, "GET", kf+"/JobTypes/Custom?SortField=Colour", nil)
	types := oaList(t, c.want(200, "GET", kf+"/JobTypes/Custom?ReturnLimit=100", nil))
	var fetchLogsID string
	for _, jt := range types {
		c.want(200, "GET", kf+"/JobTypes/Custom/"+oaStr(t, jt, "Id"), nil)
		if jt["JobTypeName"] == "FetchLogs" {
			fetchLogsID = oaStr(t, jt, "Id")
		}
	}
	c.want(404, "GET", kf+"/JobTypes/Custom/"+oaUnknownGUID, nil)
	created := oaObj(t, c.want(200, "POST", kf+"/JobTypes/Custom", map[string]any{
		"JobTypeName": "OATest", "Description": "made by the OpenAPI test",
		"JobTypeFields": []map[string]any{
			{"Name": "Text", "Type": "String", "Required": true},
			{"Name": "Count", "Type": 2, "DefaultValue": 5},
			{"Name": "When", "Type": 3, "DefaultValue": "2026-12-01T08:00:00Z"},
			{"Name": "Flag", "Type": "Bool", "DefaultValue": true, "Required": false},
			{"Name": "Other", "Type": 5},
		},
	}))
	oaTypeID := oaStr(t, created, "Id")
	c.want(200, "POST", kf+"/JobTypes/Custom", map[string]any{"JobTypeName": "OABare"})
	c.want(400, "POST", kf+"/JobTypes/Custom", map[string]any{"JobTypeName": "oatest"})
	c.want(200, "PUT", kf+"/JobTypes/Custom", map[string]any{"Id": oaTypeID, "JobTypeName": "OATest2", "Description": nil,
		"JobTypeFields": []map[string]any{{"Name": "Text", "Type": 1}}})
	c.want(404, "PUT", kf+"/JobTypes/Custom", map[string]any{"Id": oaUnknownGUID, "JobTypeName": "Ghost"})
	c.want(400, "PUT", kf+"/JobTypes/Custom", map[string]any{"JobTypeName": "NoId"})

	// --- Custom jobs with every schedule type.
	job := func(schedule any) map[string]any {
		body := map[string]any{"AgentId": rebootAgent, "JobTypeName": "RebootHost", "JobFields": map[string]any{"Host": "web01", "DelaySeconds": 5}}
		if schedule != nil {
			body["Schedule"] = schedule
		}
		return oaObj(t, c.want(200, "POST", kf+"/OrchestratorJobs/Custom", body))
	}
	immediate := oaStr(t, job(nil), "JobId")
	job(map[string]any{"Immediate": true})
	job(map[string]any{"Interval": map[string]any{"Minutes": 60}})
	job(map[string]any{"Daily": map[string]any{"Time": at}})
	job(map[string]any{"Weekly": map[string]any{"Days": []any{5, "Monday", 1}, "Time": at}})
	job(map[string]any{"Monthly": map[string]any{"Day": 15, "Time": at}})
	once := oaStr(t, job(map[string]any{"ExactlyOnce": map[string]any{"Time": future}}), "JobId")
	c.want(400, "POST", kf+"/OrchestratorJobs/Custom", map[string]any{"AgentId": rebootAgent, "JobTypeName": "NoSuchType"})
	c.want(400, "POST", kf+"/OrchestratorJobs/Custom", map[string]any{"AgentId": rebootAgent, "JobTypeName": "RebootHost",
		"JobFields": map[string]any{"DelaySeconds": "soon"}})
	bulk := oaObj(t, c.want(200, "POST", kf+"/OrchestratorJobs/Custom/Bulk", map[string]any{
		"OrchestratorIds": []string{rebootAgent, newAgent, oaUnknownGUID}, "JobTypeName": "RebootHost",
		"Schedule": map[string]any{"Weekly": map[string]any{"Days": []int{0, 6}, "Time": at}}, "JobFields": map[string]any{"Host": "h"},
	}))
	if len(bulk["FailedOrchestratorIds"].([]any)) != 2 {
		t.Errorf("bulk: %v", bulk)
	}
	c.want(400, "POST", kf+"/OrchestratorJobs/Custom/Bulk", map[string]any{"OrchestratorIds": []string{rebootAgent}})
	c.want(200, "GET", kf+"/OrchestratorJobs/ScheduledJobs", nil)
	c.want(200, "GET", kf+"/OrchestratorJobs/ScheduledJobs?"+url.Values{"pq.queryString": {`JobType -eq "RebootHost"`},
		"pq.sortField": {"Requested"}, "pq.sortAscending": {"1"}}.Encode(), nil)
	c.want(400, "GET", kf+"/OrchestratorJobs/ScheduledJobs?QueryString=Colour+-eq+1", nil)

	// --- The job lifecycle (manual mode): start, complete with data,
	// acknowledge, reschedule, unschedule.
	c.want(200, "GET", kf+"/OrchestratorJobs/JobHistory", nil)
	c.want(400, "GET", kf+"/OrchestratorJobs/JobHistory?SortAscending=sideways", nil)
	c.want(200, "POST", "/_mock/jobs/"+immediate+"/start", nil)
	c.want(400, "POST", "/_mock/jobs/"+immediate+"/start", nil)
	c.want(404, "POST", "/_mock/jobs/"+oaUnknownGUID+"/start", nil)
	run := oaObj(t, c.want(200, "POST", "/_mock/jobs/"+immediate+"/complete",
		map[string]any{"Result": "Failure", "Message": "host unreachable", "Data": `{"ping":false}`}))
	hid, ok := run["JobHistoryId"].(json.Number)
	if !ok {
		t.Fatalf("JobHistoryId = %#v", run["JobHistoryId"])
	}
	historyID := hid.String()
	c.want(400, "POST", "/_mock/jobs/"+immediate+"/complete", nil)
	c.want(404, "POST", "/_mock/jobs/"+oaUnknownGUID+"/complete", map[string]any{"Result": 2})
	c.want(400, "POST", "/_mock/jobs/"+once+"/complete", map[string]any{"Result": 7})
	c.want(200, "POST", "/_mock/jobs/"+once+"/complete", "") // empty body: Success
	c.want(200, "GET", kf+"/OrchestratorJobs/JobHistory?"+url.Values{"QueryString": {"Result -eq Failure"}, "SortField": {"OperationStart"}}.Encode(), nil)
	c.want(200, "GET", kf+"/OrchestratorJobs/JobStatus/Data?jobHistoryId="+historyID, nil)
	c.want(400, "GET", kf+"/OrchestratorJobs/JobStatus/Data?jobHistoryId=abc", nil)
	c.want(400, "GET", kf+"/OrchestratorJobs/JobStatus/Data", nil)
	c.want(404, "GET", kf+"/OrchestratorJobs/JobStatus/Data?jobHistoryId=999999", nil)
	c.want(204, "POST", kf+"/OrchestratorJobs/Acknowledge", map[string]any{"JobAuditIds": []any{hid}})
	c.want(400, "POST", kf+"/OrchestratorJobs/Acknowledge", map[string]any{"JobAuditIds": []int{999999}})
	c.want(204, "POST", kf+"/OrchestratorJobs/Reschedule", map[string]any{"JobAuditIds": []any{hid}, "Query": "Result -eq Failure"})
	c.want(400, "POST", kf+"/OrchestratorJobs/Reschedule", map[string]any{})
	c.want(204, "POST", kf+"/OrchestratorJobs/Unschedule", map[string]any{"JobIds": []string{immediate}})
	c.want(204, "POST", kf+"/OrchestratorJobs/Unschedule", map[string]any{"Query": `JobType -eq "NoSuchType"`})
	c.want(400, "POST", kf+"/OrchestratorJobs/Unschedule", map[string]any{"JobIds": []string{"not-a-guid"}})

	// --- Job mode and scripts.
	c.want(200, "GET", "/_mock/jobs/mode", nil)
	mode := oaObj(t, c.want(200, "PUT", "/_mock/jobs/mode", map[string]any{"Mode": "manual",
		"Scripts": map[string]any{"OATest2": map[string]any{"Result": "Warning", "Message": "late", "Retry": true}}}))
	if len(mode["Scripts"].(map[string]any)) != 1 {
		t.Errorf("job mode: %v", mode)
	}
	c.want(200, "GET", "/_mock/jobs/mode", nil)
	c.want(400, "PUT", "/_mock/jobs/mode", map[string]any{"Mode": "sometimes"})
	c.want(200, "PUT", "/_mock/jobs/mode", map[string]any{"Mode": "immediate"})
	c.want(200, "POST", kf+"/OrchestratorJobs/Custom", map[string]any{"AgentId": logsAgent, "JobTypeName": "FetchLogs"})
	c.want(200, "GET", kf+"/OrchestratorJobs/JobHistory?ReturnLimit=200", nil)
	c.want(200, "PUT", "/_mock/jobs/mode", map[string]any{"Mode": "manual"})

	// --- Agent actions.
	c.want(204, "POST", kf+"/Agents/"+logsAgent+"/FetchLogs", nil)
	c.want(400, "POST", kf+"/Agents/"+newAgent+"/FetchLogs", nil)
	c.want(404, "POST", kf+"/Agents/"+oaUnknownGUID+"/FetchLogs", nil)
	c.want(204, "POST", kf+"/Agents/Approve", []string{newAgent})
	c.want(400, "POST", kf+"/Agents/Approve", []string{oaUnknownGUID})
	c.want(204, "POST", kf+"/Agents/Disapprove", []string{newAgent})
	c.want(400, "POST", kf+"/Agents/Disapprove", []string{"nonsense"})
	c.want(204, "POST", kf+"/Agents/Reset", []string{newAgent})
	c.want(400, "POST", kf+"/Agents/Reset", []string{})
	c.want(204, "POST", kf+"/Agents/"+newAgent+"/Reset", nil)
	c.want(404, "POST", kf+"/Agents/"+oaUnknownGUID+"/Reset", nil)
	c.want(400, "DELETE", kf+"/Agents/"+rebootAgent, nil) // has jobs
	c.want(400, "DELETE", kf+"/Agents/"+rebootAgent+"?force=maybe", nil)
	c.want(204, "DELETE", kf+"/Agents/"+rebootAgent+"?force=true", nil)
	c.want(404, "DELETE", kf+"/Agents/"+rebootAgent, nil)

	// --- Deleting job types.
	c.want(204, "DELETE", kf+"/JobTypes/Custom/"+oaTypeID, nil)
	c.want(404, "DELETE", kf+"/JobTypes/Custom/"+oaTypeID, nil)
	c.want(400, "DELETE", kf+"/JobTypes/Custom/"+fetchLogsID, nil)

	// --- Protocol errors.
	c.want(400, "GET", kf+"/Agents", nil, map[string]string{"x-keyfactor-requested-with": ""})
	c.want(400, "GET", kf+"/Agents", nil, map[string]string{"x-keyfactor-api-version": "2"})
	c.want(200, "GET", kf+"/Agents", nil, map[string]string{"x-keyfactor-api-version": "1.0"})
	c.want(404, "GET", kf+"/NoSuchThing", nil)
	c.want(401, "GET", kf+"/NoSuchThing", nil, map[string]string{"Authorization": ""})
	c.want(405, "PUT", kf+"/Agents", nil)
	c.want(405, "PATCH", kf+"/agents/"+logsAgent, nil)
	c.want(404, "GET", "/nowhere", nil)
	c.want(404, "GET", "/_mock/nowhere", nil)
	c.want(405, "PUT", "/_mock/clock", nil)
	c.want(415, "POST", kf+"/Agents/Approve", "[]", map[string]string{"Content-Type": "text/plain"})

	// --- Admin: arrange.
	c.want(200, "GET", "/_mock/health", nil)
	c.want(200, "GET", "/_mock/clock", nil)
	c.want(200, "POST", "/_mock/clock", map[string]any{"Advance": "1s"})
	c.want(200, "POST", "/_mock/clock", map[string]any{"Now": "2026-12-01T08:00:00Z", "Freeze": false})
	c.want(200, "POST", "/_mock/clock", map[string]any{"Real": true})
	c.want(400, "POST", "/_mock/clock", map[string]any{})
	c.want(200, "POST", "/_mock/seed", map[string]any{
		"Agents":   []map[string]any{{"ClientMachine": "oa-seed", "Status": 2, "AgentPlatform": 7, "Capabilities": []string{"LOGS", "OASeed"}}},
		"JobTypes": []map[string]any{{"JobTypeName": "OASeed", "JobTypeFields": []map[string]any{{"Name": "X", "Type": "Int", "DefaultValue": 3}}}},
	})
	c.want(200, "POST", "/_mock/seed", map[string]any{})
	c.want(400, "POST", "/_mock/seed", map[string]any{"Agents": []map[string]any{{"Status": 9}}})
	c.want(200, "GET", "/_mock/agents?ReturnLimit=3&SortField=ClientMachine", nil)
	c.want(400, "GET", "/_mock/agents?QueryString=Colour+-eq+1", nil)
	adminID := "9d6f3c1e-0000-4000-8000-000000000042"
	c.want(201, "POST", "/_mock/agents", map[string]any{"AgentId": adminID, "ClientMachine": "oa-new", "Status": 1, "AgentPlatform": 7,
		"LastSeen": "2026-11-28T09:41:12Z", "Capabilities": []string{"LOGS"}, "LastErrorCode": 42, "LastErrorMessage": "boom"})
	c.want(400, "POST", "/_mock/agents", map[string]any{"AgentId": adminID, "Status": 1})
	c.want(200, "GET", "/_mock/agents/"+adminID, nil)
	c.want(404, "GET", "/_mock/agents/"+oaUnknownGUID, nil)
	c.want(200, "PUT", "/_mock/agents/"+adminID, map[string]any{"ClientMachine": "oa-new2", "Status": 2, "AgentPlatform": 6})
	c.want(400, "PUT", "/_mock/agents/"+adminID, map[string]any{"Status": 9})
	c.want(404, "PUT", "/_mock/agents/"+oaUnknownGUID, map[string]any{"Status": 2})
	c.want(200, "PATCH", "/_mock/agents/"+adminID, map[string]any{"Status": 1, "Capabilities": []string{"OASeed"}})
	c.want(400, "PATCH", "/_mock/agents/"+adminID, map[string]any{"JobTypes": []any{}})
	c.want(404, "PATCH", "/_mock/agents/"+oaUnknownGUID, map[string]any{"Status": 1})
	c.want(204, "DELETE", "/_mock/agents/"+adminID, nil)
	c.want(404, "DELETE", "/_mock/agents/"+adminID, nil)

	// --- Admin: check and break.
	c.want(200, "GET", "/_mock/requests?method=POST&path=*/Custom&limit=5&offset=1", nil)
	c.want(200, "GET", "/_mock/requests?status=404&since=2000-01-01&until=2100-01-01", nil)
	c.want(400, "GET", "/_mock/requests?limit=0", nil)
	c.want(204, "DELETE", "/_mock/requests", nil)
	rule := oaObj(t, c.want(201, "POST", "/_mock/faults", map[string]any{"Method": "GET", "Path": "*/Status/Endpoints",
		"Status": 503, "Headers": map[string]string{"Retry-After": "2"}, "Times": 1}))
	c.want(201, "POST", "/_mock/faults", map[string]any{"Path": "*/JobHistory", "Delay": "1ms", "DelayMax": 2, "Probability": 0.5, "Seed": 7})
	c.want(503, "GET", kf+"/Status/Endpoints", nil) // faulted: checked as an ErrorBody
	c.want(200, "GET", kf+"/OrchestratorJobs/JobHistory", nil)
	c.want(200, "GET", "/_mock/faults", nil)
	c.want(400, "POST", "/_mock/faults", map[string]any{})
	c.want(204, "DELETE", "/_mock/faults/"+fmt.Sprint(rule["Id"]), nil)
	c.want(404, "DELETE", "/_mock/faults/"+fmt.Sprint(rule["Id"]), nil)
	c.want(404, "DELETE", "/_mock/faults/x", nil)
	c.want(204, "DELETE", "/_mock/faults", nil)
	c.want(400, "POST", "/_mock/reset?all=maybe", nil)
	c.want(204, "POST", "/_mock/reset", nil)
	c.want(204, "POST", "/_mock/reset?all=true", nil)

	// --- OAuth: without it there is no token endpoint; with it, tokens.
	c.want(404, "POST", "/_mock/oauth/token", "grant_type=client_credentials",
		map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	ocfg := api.DefaultConfig()
	ocfg.Auth = api.AuthBasicOAuth
	withClient := func(o *app.Options) {
		o.OAuth = oauth.Config{Clients: map[string]string{"ci": "s3cret"}, Scope: "kf", TTL: time.Hour}
	}
	oc := oaNewServer(t, &ocfg, withClient)
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	tok := oaObj(t, oc.want(200, "POST", "/_mock/oauth/token",
		url.Values{"grant_type": {"client_credentials"}, "client_id": {"ci"}, "client_secret": {"s3cret"}, "scope": {"kf"}}.Encode(), form))
	oc.want(200, "POST", "/_mock/oauth/token", url.Values{"grant_type": {"client_credentials"}, "scope": {"kf other"}}.Encode(),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Authorization": "Basic Y2k6czNjcmV0"}) // ci:s3cret
	oc.want(401, "POST", "/_mock/oauth/token", url.Values{"grant_type": {"client_credentials"}, "scope": {"kf"}}.Encode(),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Authorization": "Basic Y2k6d3Jvbmc="}) // ci:wrong
	oc.want(401, "POST", "/_mock/oauth/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {"nobody"}}.Encode(), form)
	oc.want(400, "POST", "/_mock/oauth/token", url.Values{"grant_type": {"password"}}.Encode(), form)
	oc.want(400, "POST", "/_mock/oauth/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {"ci"}, "client_secret": {"s3cret"}}.Encode(), form)
	oc.want(400, "POST", "/_mock/oauth/token", `{"grant_type":"client_credentials"}`)
	oc.want(405, "GET", "/_mock/oauth/token", nil)
	bearer := map[string]string{"Authorization": "Bearer " + oaStr(t, tok, "access_token")}
	oc.want(200, "GET", kf+"/Agents?ReturnLimit=2", nil, bearer)
	oc.want(200, "GET", kf+"/Status/Endpoints", nil)
	oc.want(401, "GET", kf+"/Agents", nil, map[string]string{"Authorization": "Bearer expired-or-forged"})
	oc.want(401, "GET", kf+"/Agents", nil, map[string]string{"Authorization": ""})

	// --- The dashboard (HTML; internal/ui's browser tests drive it). The
	// client follows redirects: the validator saw the 301 and the 303.
	c.want(200, "GET", "/_mock/ui", nil)
	c.want(404, "GET", "/_mock/ui/nope", nil)
	c.want(200, "POST", "/_mock/ui/clock", "advance=1s", form)
	c.want(403, "POST", "/_mock/ui/reset", "", map[string]string{"Sec-Fetch-Site": "cross-site"})
	c.want(404, "POST", "/_mock/ui/nope", "advance=1s", form)

	// --- Every operation: without credentials (Keyfactor) and, with a
	// JSON body, as text/plain and over the size limit.
	docWired := oaDocRoutesWired(c.app.Handler, oaDocBase)
	spec, _ := oaLoad()
	big := "[" + strings.Repeat(" ", 1<<20+10) + "]"
	for path, item := range spec.doc.Paths.Map() {
		if !docWired && (path == oaSwaggerPath || path == oaMockDocPath) {
			continue
		}
		concrete := strings.NewReplacer("{id}", oaUnknownGUID).Replace(path)
		if strings.HasPrefix(path, "/_mock/faults/") {
			concrete = "/_mock/faults/999999"
		}
		for method, op := range item.Operations() {
			if strings.HasPrefix(path, oaDocBase+"/") && path != oaSwaggerPath {
				c.want(401, method, concrete, nil, map[string]string{"Authorization": ""})
				c.want(400, method, concrete, nil, map[string]string{"x-keyfactor-requested-with": ""})
			}
			if op.RequestBody != nil && op.RequestBody.Value.Content.Get("application/json") != nil {
				if strings.HasPrefix(path, oaDocBase+"/") { // the admin API reads any body as JSON
					c.want(415, method, concrete, "{}", map[string]string{"Content-Type": "text/plain"})
				}
				c.want(413, method, concrete, big)
			}
			if docWired && (path == oaSwaggerPath || path == oaMockDocPath) {
				c.want(200, method, concrete, nil)
			}
		}
	}

	// --- The admin token: every admin route but health answers 401 without it.
	cfg := api.DefaultConfig()
	cfg.AdminToken = "s3cret"
	guarded := oaNewServer(t, &cfg)
	guarded.want(200, "GET", "/_mock/health", nil)
	guarded.want(200, "GET", "/_mock/clock", nil, map[string]string{"Authorization": "Bearer s3cret"})
	for path, item := range spec.doc.Paths.Map() {
		// Open: health, the token endpoint, and /_mock/ui, which only
		// redirects to the dashboard (whose pages ask for the token).
		if !strings.HasPrefix(path, "/_mock/") || path == "/_mock/health" || path == "/_mock/oauth/token" || path == "/_mock/ui" ||
			(!docWired && path == oaMockDocPath) {
			continue
		}
		concrete := strings.NewReplacer("{id}", oaUnknownGUID).Replace(path)
		for method := range item.Operations() {
			guarded.want(401, method, concrete, nil, map[string]string{"Authorization": "Bearer wrong"})
		}
	}

	// --- Failures: with its store closed the mock answers 500 (and the
	// health check 503); the validator checks every GET's answer.
	broken := oaNewServer(t, nil)
	if err := broken.app.Mock.Store().Close(); err != nil {
		t.Fatalf("close store: %v", err)
	}
	broken.want(503, "GET", "/_mock/health", nil)
	for path, item := range spec.doc.Paths.Map() {
		if item.Get == nil || path == "/_mock/health" || (!docWired && (path == oaSwaggerPath || path == oaMockDocPath)) {
			continue
		}
		concrete := strings.NewReplacer("{id}", logsAgent).Replace(path)
		if path == oaDocBase+"/OrchestratorJobs/JobStatus/Data" {
			concrete += "?jobHistoryId=1"
		}
		broken.call("GET", concrete, nil) // any documented answer will do
	}
	broken.want(500, "POST", kf+"/OrchestratorJobs/Custom", map[string]any{"AgentId": logsAgent, "JobTypeName": "FetchLogs"})

	// Every documented operation answered at least one success and, unless
	// its only documented error is the unexpected 500, one error.
	seen := map[string]map[int]int{}
	for _, v := range []*oaValidator{c.v, oc.v, guarded.v, broken.v} {
		for op, statuses := range v.statuses() {
			if seen[op] == nil {
				seen[op] = map[int]int{}
			}
			for s, n := range statuses {
				seen[op][s] += n
			}
		}
	}
	var untested []string
	for _, op := range oaDocOps(t) {
		method, path, _ := strings.Cut(op, " ")
		if !docWired && (path == oaSwaggerPath || path == oaMockDocPath) {
			t.Logf("%s: not registered yet, skipped (wired by the owner)", op)
			continue
		}
		ok, bad := false, true
		for code := range spec.doc.Paths.Value(path).GetOperation(method).Responses.Map() {
			if code >= "400" && code != "500" {
				bad = false // it has errors to provoke
			}
		}
		for s := range seen[strings.ToUpper(method)+" "+path] {
			ok = ok || s < 400
			bad = bad || s >= 400
		}
		if !ok || !bad {
			t.Errorf("%s: answered %v; want at least one success and one error", op, seen[op])
		}
		// Which documented statuses were never seen (for information).
		item := spec.doc.Paths.Value(path)
		for code := range item.GetOperation(method).Responses.Map() {
			var n int
			if _, err := fmt.Sscan(code, &n); err == nil && seen[op][n] == 0 {
				untested = append(untested, op+" "+code)
			}
		}
	}
	slices.Sort(untested)
	t.Logf("documented responses not exercised (%d): %s", len(untested), strings.Join(untested, ", "))
}

// oaCapture is a testing.TB that collects Errorf calls, to test the
// validator itself.
type oaCapture struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (c *oaCapture) Errorf(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.errs = append(c.errs, fmt.Sprintf(format, args...))
}

func (c *oaCapture) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.errs
	c.errs = nil
	return e
}

func TestValidating_CatchesDrift(t *testing.T) {
	agent := `{"AgentId":"57b6fb7e-0000-4000-8000-000000000001","ClientMachine":"m","Username":null,"AgentPlatform":7,"Version":null,` +
		`"Status":2,"LastSeen":"2026-11-28T09:41:12.204Z","Capabilities":[],"Blueprint":null,"Thumbprint":null,"LegacyThumbprint":null,` +
		`"AuthCertificateReenrollment":null,"LastThumbprintUsed":null,"LastErrorCode":null,"LastErrorMessage":null,"JobTypes":[]}`
	errBody := `{"ErrorCode":"0xA0130001","Message":"No endpoint."}`
	type answer struct {
		status  int
		body    string
		headers map[string]string
	}
	cases := []struct {
		name, method, path string
		answer             answer
		wantErr            bool
	}{
		{"valid agent list", "GET", "/KeyfactorAPI/Agents", answer{200, "[" + agent + "]", nil}, false},
		{"case-insensitive path, trailing slash", "GET", "/keyfactorapi/AGENTS/", answer{200, "[" + agent + "]", nil}, false},
		{"valid agent", "GET", "/KeyfactorAPI/Agents/57b6fb7e-0000-4000-8000-000000000001", answer{200, agent, nil}, false},
		{"undeclared member", "GET", "/KeyfactorAPI/Agents", answer{200, "[" + strings.Replace(agent, `"Version"`, `"Colour":1,"Version"`, 1) + "]", nil}, true},
		{"wrong JSON type", "GET", "/KeyfactorAPI/Agents", answer{200, "[" + strings.Replace(agent, `"Status":2`, `"Status":"2"`, 1) + "]", nil}, true},
		{"null where not nullable", "GET", "/KeyfactorAPI/Agents", answer{200, "[" + strings.Replace(agent, `"Status":2`, `"Status":null`, 1) + "]", nil}, true},
		{"missing member", "GET", "/KeyfactorAPI/Agents", answer{200, "[" + strings.Replace(agent, `"Version":null,`, "", 1) + "]", nil}, true},
		{"time without zone", "GET", "/KeyfactorAPI/Agents", answer{200, "[" + strings.Replace(agent, `09:41:12.204Z`, `09:41:12.204`, 1) + "]", nil}, true},
		{"upper-case GUID", "GET", "/KeyfactorAPI/Agents", answer{200, "[" + strings.Replace(agent, `57b6fb7e`, `57B6FB7E`, 1) + "]", nil}, true},
		{"undocumented status", "GET", "/KeyfactorAPI/Agents", answer{418, errBody, nil}, true},
		{"401 without body", "GET", "/KeyfactorAPI/Agents", answer{401, "", map[string]string{"WWW-Authenticate": "Basic"}}, false},
		{"401 with a body", "GET", "/KeyfactorAPI/Agents", answer{401, errBody, map[string]string{"WWW-Authenticate": "Basic"}}, true},
		{"401 without challenge", "GET", "/KeyfactorAPI/Agents", answer{401, "", nil}, true},
		{"204 with a body", "POST", "/KeyfactorAPI/Agents/Approve", answer{204, "{}", nil}, true},
		{"GET /Agents/Approve is /Agents/{id}", "GET", "/KeyfactorAPI/Agents/Approve", answer{404, errBody, nil}, false},
		{"unknown path 404", "GET", "/KeyfactorAPI/Nope", answer{404, errBody, nil}, false},
		{"unknown path 200", "GET", "/KeyfactorAPI/Nope", answer{200, "[]", nil}, true},
		{"unknown path, bad error body", "GET", "/elsewhere", answer{404, `{"error":"x"}`, nil}, true},
		{"unknown method 405", "PUT", "/KeyfactorAPI/Agents", answer{405, errBody, map[string]string{"Allow": "GET"}}, false},
		{"admin paths are case-sensitive", "GET", "/_mock/Health", answer{200, `{"Status":"Healthy"}`, nil}, true},
		{"admin 401 has an ErrorBody", "GET", "/_mock/clock", answer{401, errBody, map[string]string{"WWW-Authenticate": "Bearer"}}, false},
		{"injected fault", "GET", "/KeyfactorAPI/Agents", answer{429, errBody, map[string]string{"x-mockcommand-fault": "1"}}, false},
		{"injected fault, not an ErrorBody", "GET", "/KeyfactorAPI/Agents", answer{429, "{}", map[string]string{"x-mockcommand-fault": "1"}}, true},
		{"wrong Content-Type", "GET", "/KeyfactorAPI/Agents", answer{200, "[]", map[string]string{"Content-Type": "text/plain"}}, true},
		{"no product version", "GET", "/KeyfactorAPI/Agents", answer{200, "[]", map[string]string{"x-keyfactor-product-version": ""}}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			capture := &oaCapture{TB: t}
			h := validating(capture, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("x-keyfactor-product-version", "25.1.0.0")
				if tc.answer.body != "" {
					w.Header().Set("Content-Type", "application/json; charset=utf-8")
				}
				for k, v := range tc.answer.headers {
					if v == "" {
						w.Header().Del(k)
					} else {
						w.Header().Set(k, v)
					}
				}
				w.WriteHeader(tc.answer.status)
				_, _ = io.WriteString(w, tc.answer.body)
			}))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, nil))
			errs := capture.take()
			if tc.wantErr && len(errs) == 0 {
				t.Errorf("the validator accepted a drifted response")
			}
			if !tc.wantErr && len(errs) > 0 {
				t.Errorf("the validator rejected a valid response: %s", strings.Join(errs, "\n"))
			}
			for _, e := range errs {
				if !strings.Contains(e, tc.method+" "+tc.path) || !strings.Contains(e, fmt.Sprint(tc.answer.status)) {
					t.Errorf("the report does not name the method, path and status: %s", e)
				}
			}
		})
	}
}

func TestValidating_OtherBasePath(t *testing.T) {
	capture := &oaCapture{TB: t}
	h := validatingAt(capture, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("x-keyfactor-product-version", "25.1.0.0")
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = io.WriteString(w, `["GET /Agents"]`)
	}), "/Custom/Base/")
	for path, wantErr := range map[string]bool{
		"/custom/base/Status/Endpoints":  false, // the base path is matched case-insensitively too
		"/KeyfactorAPI/Status/Endpoints": true,  // not the base path: an unknown path must be a 404
	} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, path, nil))
		if errs := capture.take(); (len(errs) > 0) != wantErr {
			t.Errorf("GET %s: errors %v, want errors: %t", path, errs, wantErr)
		}
	}
}
