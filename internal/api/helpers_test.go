package api_test

import (
	"bytes"
	"context"
	"encoding/base64"
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

	"github.com/mockcommand/mockcommand/internal/api"
	"github.com/mockcommand/mockcommand/internal/app"
	"github.com/mockcommand/mockcommand/internal/mock"
	"github.com/mockcommand/mockcommand/internal/model"
	"github.com/mockcommand/mockcommand/internal/store"
)

// The protocol facts every response is checked against.
const (
	basePath        = "/KeyfactorAPI"
	jsonContentType = "application/json; charset=utf-8"
	productHeader   = "x-keyfactor-product-version"
	requestedWith   = "x-keyfactor-requested-with"
	apiVersion      = "x-keyfactor-api-version"
)

// The error codes of internal/api/errors.go, restated here so that a change
// of the table is a visible test change.
const (
	codeInternal      = "0xA0100001"
	codeValidation    = "0xA0110001"
	codeMalformed     = "0xA0110003"
	codeQuery         = "0xA0110004"
	codePaging        = "0xA0110005"
	codeDuplicate     = "0xA0110006"
	codeMissingHeader = "0xA0110007"
	codeAPIVersion    = "0xA0110008"
	codeBodyTooLarge  = "0xA0110009"
	codeMediaType     = "0xA011000A"
	codeSortField     = "0xA011004A"
	codeNotFound      = "0xA0120001"
	codeNoEndpoint    = "0xA0130001"
	codeMethod        = "0xA0130002"
)

var guidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// testServer is the real handler over a real SQLite store behind a real
// listener, with every response checked against the OpenAPI document.
type testServer struct {
	URL string
	App *app.App
	v   *oaValidator
}

// srvOpt changes the app.Options a test server starts with.
type srvOpt func(*app.Options)

// newServer is the one way the tests of this package start the mock: the
// built-in fixtures over a SQLite file, a real listener, the validator in
// front, the binary's default configuration and a real-time clock, but
// the manual job mode, so that runs wait until a test completes them;
// changed by opts.
func newServer(t testing.TB, opts ...srvOpt) *testServer {
	t.Helper()
	o := app.Options{DBPath: filepath.Join(t.TempDir(), "t.db"), API: api.DefaultConfig(), JobMode: mock.JobMode{Mode: mock.ModeManual}}
	for _, f := range opts {
		f(&o)
	}
	if o.Fixtures == nil {
		copyFile(t, seededTemplate(t), o.DBPath)
		copyFile(t, store.JobsPath(seededTemplate(t)), store.JobsPath(o.DBPath))
	}
	a, err := app.New(context.Background(), o)
	if err != nil {
		t.Fatalf("app.New: %v", err)
	}
	v := newValidator(t, a.Handler, o.API.BasePath)
	srv := httptest.NewServer(v)
	t.Cleanup(func() {
		srv.Close()
		_ = a.Close() // some tests close the store themselves
	})
	return &testServer{URL: srv.URL, App: a, v: v}
}

// template is a database file that app.New has created and seeded with
// the built-in fixtures, once per test binary: most tests start from it,
// as from a persistent database, instead of creating and seeding a new one
// (which costs ten times more under the race detector).
var template struct {
	once sync.Once
	dir  string
	err  error
}

func seededTemplate(t testing.TB) string {
	t.Helper()
	template.once.Do(func() {
		if template.dir, template.err = os.MkdirTemp("", "mockcommand-api-test-"); template.err != nil {
			return
		}
		var a *app.App
		if a, template.err = app.New(context.Background(), app.Options{DBPath: filepath.Join(template.dir, "template.db"), API: api.DefaultConfig()}); template.err == nil {
			template.err = a.Close()
		}
	})
	if template.err != nil {
		t.Fatalf("template database: %v", template.err)
	}
	return filepath.Join(template.dir, "template.db")
}

// TestMain removes the template database after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if template.dir != "" {
		os.RemoveAll(template.dir)
	}
	os.Exit(code)
}

func copyFile(t testing.TB, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err == nil {
		err = os.WriteFile(to, data, 0o600)
	}
	if err != nil {
		t.Fatalf("copy %s: %v", from, err)
	}
}

// withConfig changes the protocol configuration.
func withConfig(configure ...func(*api.Config)) srvOpt {
	return func(o *app.Options) {
		for _, c := range configure {
			c(&o.API)
		}
	}
}

// newTestServer starts the mock with the binary's defaults, the
// configuration changed by each of configure.
func newTestServer(t testing.TB, configure ...func(*api.Config)) *testServer {
	t.Helper()
	return newServer(t, withConfig(configure...))
}

// reqOpt changes a request before it is sent.
type reqOpt func(*http.Request)

// withHeader sets a header; an empty value removes it.
func withHeader(name, value string) reqOpt {
	return func(r *http.Request) {
		if value == "" {
			r.Header.Del(name)
			return
		}
		r.Header.Set(name, value)
	}
}

// withBasic replaces the default credentials.
func withBasic(user, password string) reqOpt {
	return func(r *http.Request) { r.SetBasicAuth(user, password) }
}

// withoutAuth sends no Authorization header.
func withoutAuth() reqOpt { return withHeader("Authorization", "") }

// withoutRequestedWith drops the mandatory Keyfactor header.
func withoutRequestedWith() reqOpt { return withHeader(requestedWith, "") }

// response is a fully read HTTP response.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// do sends method path (relative to the server root) with the headers a
// Keyfactor API client sends: x-keyfactor-requested-with: APIClient and
// Basic admin/password. body is nil (no body), a string or []byte (sent
// as is) or any other value (marshalled to JSON); a body is sent with
// Content-Type application/json unless an option changes it.
func (s *testServer) do(t testing.TB, method, path string, body any, opts ...reqOpt) response {
	t.Helper()
	r, err := s.send(method, path, body, opts...)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return r
}

// bodyReader turns a request body (nil, string, []byte or a value to
// marshal as JSON) into a reader; nil stays nil.
func bodyReader(body any) (io.Reader, error) {
	switch b := body.(type) {
	case nil:
		return nil, nil
	case string:
		return strings.NewReader(b), nil
	case []byte:
		return bytes.NewReader(b), nil
	default:
		data, err := json.Marshal(b)
		if err != nil {
			return nil, fmt.Errorf("marshal request body: %w", err)
		}
		return bytes.NewReader(data), nil
	}
}

// send is do without a testing.TB, for use from other goroutines.
func (s *testServer) send(method, path string, body any, opts ...reqOpt) (response, error) {
	rd, err := bodyReader(body)
	if err != nil {
		return response{}, err
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		return response{}, err
	}
	req.Header.Set(requestedWith, "APIClient")
	req.SetBasicAuth("admin", "password")
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, o := range opts {
		o(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return response{}, err
	}
	return response{Status: resp.StatusCode, Header: resp.Header, Body: data}, nil
}

// get is do with GET and no body.
func (s *testServer) get(t testing.TB, path string, opts ...reqOpt) response {
	t.Helper()
	return s.do(t, http.MethodGet, path, nil, opts...)
}

// kf prefixes a Keyfactor path with the base path.
func kf(path string) string { return basePath + path }

// withQuery appends url-encoded parameters (sorted, spaces as '+', as the
// Go SDK sends them) to path.
func withQuery(path string, params url.Values) string {
	if len(params) == 0 {
		return path
	}
	return path + "?" + params.Encode()
}

// q builds url.Values from key/value pairs.
func q(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

// wantJSON asserts the status, the JSON Content-Type and the product
// version header of r.
func wantJSON(t testing.TB, r response, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status = %d, want %d; body: %s", r.Status, status, r.Body)
	}
	if got := r.Header.Get("Content-Type"); got != jsonContentType {
		t.Errorf("Content-Type = %q, want %q", got, jsonContentType)
	}
	wantProductVersion(t, r)
}

// wantProductVersion asserts the x-keyfactor-product-version header.
func wantProductVersion(t testing.TB, r response) {
	t.Helper()
	if got, want := r.Header.Get(productHeader), api.DefaultConfig().ProductVersion; got == "" || got != want {
		t.Errorf("%s = %q, want %q", productHeader, got, want)
	}
}

// wantError asserts a Command error body: status, JSON, exactly the members
// ErrorCode and Message, the code, and a message containing each of parts
// (case-insensitively). It returns the message.
func wantError(t testing.TB, r response, status int, code string, parts ...string) string {
	t.Helper()
	wantJSON(t, r, status)
	m := decodeObject(t, r.Body)
	if len(m) != 2 {
		t.Errorf("error body has members %v, want exactly ErrorCode and Message; body: %s", keys(m), r.Body)
	}
	gotCode, ok := m["ErrorCode"].(string)
	if !ok || gotCode != code {
		t.Errorf("ErrorCode = %#v, want %q; body: %s", m["ErrorCode"], code, r.Body)
	}
	msg, ok := m["Message"].(string)
	if !ok || strings.TrimSpace(msg) == "" {
		t.Fatalf("Message = %#v, want a non-empty string; body: %s", m["Message"], r.Body)
	}
	for _, p := range parts {
		if !strings.Contains(strings.ToLower(msg), strings.ToLower(p)) {
			t.Errorf("Message = %q, want it to mention %q", msg, p)
		}
	}
	noLeak(t, msg)
	return msg
}

// noLeak fails when a message shows Go or SQL internals.
func noLeak(t testing.TB, msg string) {
	t.Helper()
	for _, bad := range []string{"sql:", "sqlite", "SELECT ", "json: cannot", "runtime error", "goroutine", "*model.", "main.", "panic"} {
		if strings.Contains(msg, bad) {
			t.Errorf("Message %q leaks implementation text %q", msg, bad)
		}
	}
}

// decodeObject decodes a JSON object, numbers as json.Number.
func decodeObject(t testing.TB, body []byte) map[string]any {
	t.Helper()
	var m map[string]any
	decodeInto(t, body, &m)
	if m == nil {
		t.Fatalf("body is not a JSON object: %s", body)
	}
	return m
}

// decodeArray decodes a JSON array of objects, numbers as json.Number. A
// JSON null is an error: Command answers an empty list with [].
func decodeArray(t testing.TB, body []byte) []map[string]any {
	t.Helper()
	var a []map[string]any
	decodeInto(t, body, &a)
	if a == nil {
		t.Fatalf("body is not a JSON array: %s", body)
	}
	return a
}

func decodeInto(t testing.TB, body []byte, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("decode %T: %v; body: %s", v, err, body)
	}
	if dec.More() {
		t.Fatalf("trailing data after the JSON value: %s", body)
	}
}

// keys lists a map's keys, sorted.
func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// wantMembers asserts that m has every member of required and nothing
// outside required+optional.
func wantMembers(t testing.TB, what string, m map[string]any, required, optional []string) {
	t.Helper()
	for _, k := range required {
		if _, ok := m[k]; !ok {
			t.Errorf("%s: member %q missing (has %v)", what, k, keys(m))
		}
	}
	for k := range m {
		if !slices.Contains(required, k) && !slices.Contains(optional, k) {
			t.Errorf("%s: unexpected member %q", what, k)
		}
	}
}

// wantString asserts that m[k] is a JSON string and returns it.
func wantString(t testing.TB, what string, m map[string]any, k string) string {
	t.Helper()
	s, ok := m[k].(string)
	if !ok {
		t.Errorf("%s.%s = %#v (%T), want a JSON string", what, k, m[k], m[k])
	}
	return s
}

// wantStringOrNull asserts that m[k] is present and a JSON string or null.
func wantStringOrNull(t testing.TB, what string, m map[string]any, k string) {
	t.Helper()
	v, ok := m[k]
	if !ok {
		t.Errorf("%s.%s missing, want a string or null", what, k)
		return
	}
	if _, isStr := v.(string); v != nil && !isStr {
		t.Errorf("%s.%s = %#v (%T), want a JSON string or null", what, k, v, v)
	}
}

// wantInt asserts that m[k] is a JSON integer and returns it.
func wantInt(t testing.TB, what string, m map[string]any, k string) int64 {
	t.Helper()
	n, ok := m[k].(json.Number)
	if !ok {
		t.Errorf("%s.%s = %#v (%T), want a JSON number", what, k, m[k], m[k])
		return 0
	}
	i, err := n.Int64()
	if err != nil {
		t.Errorf("%s.%s = %s, want an integer", what, k, n)
	}
	return i
}

// wantTime asserts that m[k] is an RFC 3339 UTC string ending in Z and
// returns the instant.
func wantTime(t testing.TB, what string, m map[string]any, k string) time.Time {
	t.Helper()
	s := wantString(t, what, m, k)
	return parseZ(t, what+"."+k, s)
}

// parseZ parses an RFC 3339 time that must end in Z.
func parseZ(t testing.TB, what, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Errorf("%s = %q: not RFC 3339: %v", what, s, err)
	}
	if !strings.HasSuffix(s, "Z") {
		t.Errorf("%s = %q, want a UTC time ending in Z", what, s)
	}
	return tm
}

// wantGUID asserts a lower-case canonical GUID.
func wantGUID(t testing.TB, what, s string) {
	t.Helper()
	if !guidRE.MatchString(s) {
		t.Errorf("%s = %q, want a GUID", what, s)
	}
}

// basicHeader builds an Authorization header value from raw user:password.
func basicHeader(userPass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(userPass))
}

// fixtureAgent is an entry of fixtures/agents.json.
type fixtureAgent struct {
	AgentId                     string
	ClientMachine               *string
	Username                    *string
	AgentPlatform               int
	Version                     *string
	Status                      int
	LastSeen                    time.Time
	Capabilities                []string
	Blueprint                   *string
	Thumbprint                  *string
	AuthCertificateReenrollment *string
}

func (a fixtureAgent) machine() string { return model.Deref(a.ClientMachine) }

func (a fixtureAgent) has(capability string) bool {
	return slices.ContainsFunc(a.Capabilities, func(c string) bool { return strings.EqualFold(c, capability) })
}

// fixtureJobType is an entry of fixtures/jobtypes.json.
type fixtureJobType struct {
	Id            string
	JobTypeName   string
	Description   *string
	JobTypeFields []struct {
		Name         string
		Type         json.RawMessage
		DefaultValue json.RawMessage
		Required     bool
	}
}

func readFixture(t testing.TB, name string, v any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "fixtures", name))
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("decode fixture %s: %v", name, err)
	}
}

// fixtureAgents reads the built-in agents with canonical (lower-case) ids.
func fixtureAgents(t testing.TB) []fixtureAgent {
	t.Helper()
	var agents []fixtureAgent
	readFixture(t, "agents.json", &agents)
	for i, a := range agents {
		if a.AgentId == "" {
			t.Fatalf("fixtures/agents.json entry %d has no AgentId; these tests need fixed ids", i)
		}
		agents[i].AgentId = strings.ToLower(a.AgentId)
	}
	if len(agents) == 0 {
		t.Fatal("fixtures/agents.json is empty")
	}
	return agents
}

// fixtureJobTypes reads the built-in custom job types.
func fixtureJobTypes(t testing.TB) []fixtureJobType {
	t.Helper()
	var types []fixtureJobType
	readFixture(t, "jobtypes.json", &types)
	return types
}

// pickAgent returns the first fixture agent that satisfies ok.
func pickAgent(t testing.TB, what string, ok func(fixtureAgent) bool) fixtureAgent {
	t.Helper()
	for _, a := range fixtureAgents(t) {
		if ok(a) {
			return a
		}
	}
	t.Fatalf("the built-in fixtures have no agent that is %s", what)
	return fixtureAgent{}
}

// matching lists the ids of the fixture agents that satisfy ok, sorted.
func matching(agents []fixtureAgent, ok func(fixtureAgent) bool) []string {
	ids := []string{}
	for _, a := range agents {
		if ok(a) {
			ids = append(ids, a.AgentId)
		}
	}
	slices.Sort(ids)
	return ids
}

// idsOf returns the member k of every object, in order.
func idsOf(t testing.TB, list []map[string]any, k string) []string {
	t.Helper()
	out := make([]string, len(list))
	for i, m := range list {
		out[i] = strings.ToLower(wantString(t, "item", m, k))
	}
	return out
}

// sortedCopy returns a sorted copy of s.
func sortedCopy(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}
