package api_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mockcommand/mockcommand/internal/api"
	"github.com/mockcommand/mockcommand/internal/app"
)

// What a newcomer could not work out before: each answer or log line now
// says what is wrong and what to do.

// A query parameter the route does not read is ignored, as Command ignores
// it, but named in a warning header and in the journal entry.
func TestIgnoredQueryParameterIsNamed(t *testing.T) {
	t.Parallel()
	s := newHarness(t)
	all := decodeArray(t, s.get(t, kf("/Agents")).Body)
	r := s.get(t, withQuery(kf("/Agents"), q("QeuryString", "Status -eq 99", "returnlimt", "1")))
	wantJSON(t, r, http.StatusOK)
	if got := decodeArray(t, r.Body); len(got) != len(all) {
		t.Errorf("with a misspelled QueryString: %d agents, want the unfiltered %d (Command ignores unknown parameters)", len(got), len(all))
	}
	warnings := r.Header.Values("x-mockcommand-warning")
	if len(warnings) != 2 || !strings.Contains(warnings[0], `"QeuryString"`) || !strings.Contains(warnings[1], `"returnlimt"`) ||
		!strings.Contains(warnings[0], "GET /Agents does not read it") {
		t.Errorf("x-mockcommand-warning = %q; want one warning per ignored parameter, naming it and the route", warnings)
	}
	_, entries := journalPage(t, s, q("afterId", "1"))
	if len(entries) != 1 {
		t.Fatalf("journal after the first request: %d entries, want 1", len(entries))
	}
	if got := entries[0]["Warnings"]; len(got.([]any)) != 2 {
		t.Errorf("journal Warnings = %v, want the two warnings", got)
	}

	// Every spelling clients send binds, with no warning: bare, pq.,
	// cstquery., certificateStoreQuery., any case.
	for _, key := range []string{"ReturnLimit", "pq.returnLimit", "cstquery.ReturnLimit", "certificateStoreQuery.returnlimit", "query.RETURNLIMIT"} {
		r := s.get(t, withQuery(kf("/Agents"), q(key, "2")))
		if got := decodeArray(t, r.Body); len(got) != 2 || r.Header.Get("x-mockcommand-warning") != "" {
			t.Errorf("%s=2: %d agents, warning %q; want 2 and none", key, len(got), r.Header.Get("x-mockcommand-warning"))
		}
	}
	if r := s.get(t, withQuery(kf("/Agents/"+pickAgent(t, "any", func(fixtureAgent) bool { return true }).AgentId), q("pq.queryString", "x"))); r.Header.Get("x-mockcommand-warning") == "" {
		t.Error("GET /Agents/{id} does not page: a pq.queryString there must be reported as ignored")
	}
}

// A Keyfactor route asked for without the base path says where it lives.
func TestOutsideTheBasePath(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	msg := wantError(t, s.get(t, "/Agents"), http.StatusNotFound, codeNoEndpoint, "No endpoint matches GET /Agents.")
	if !strings.Contains(msg, "GET /KeyfactorAPI/Agents") || !strings.Contains(msg, "--base-path") {
		t.Errorf("message %q does not point at GET /KeyfactorAPI/Agents and --base-path", msg)
	}
	msg = wantError(t, s.get(t, "/nowhere"), http.StatusNotFound, codeNoEndpoint)
	if !strings.Contains(msg, "/KeyfactorAPI") || !strings.Contains(msg, "/_mock/") {
		t.Errorf("message %q does not say where the API and the admin routes live", msg)
	}
}

// The token endpoint of a mock without OAuth names the flag.
func TestTokenEndpointWithoutOAuth(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	r := s.do(t, http.MethodPost, "/_mock/oauth/token", "grant_type=client_credentials", withHeader("Content-Type", "application/x-www-form-urlencoded"))
	wantError(t, r, http.StatusNotFound, codeNoEndpoint, "--auth oauth")
}

// logBuffer is a log destination safe for the server's goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// A 401 carries no body, as in Command, but the request log says why.
func TestUnauthorizedReasonIsLogged(t *testing.T) {
	t.Parallel()
	logs := &logBuffer{}
	s := newServer(t, func(o *app.Options) {
		o.Logger = slog.New(slog.NewTextHandler(logs, nil))
		o.API.Auth = api.AuthBasic
	})
	for _, tc := range []struct {
		opts []reqOpt
		want string
	}{
		{[]reqOpt{withoutAuth()}, `auth_error="no Authorization header"`},
		{[]reqOpt{withBasic("admin", "hunter2")}, `auth_error="wrong password for user \"admin\""`},
		{[]reqOpt{withBasic(`CORP\eve`, "password")}, `auth_error="unknown user \"CORP\\\\eve\" (--users)"`},
		{[]reqOpt{bearer("tok")}, `auth_error="the Bearer scheme is not enabled (--auth basic)"`},
		{[]reqOpt{withHeader("Authorization", "Basic !!!")}, `auth_error="the Basic credentials are not valid base64 of user:password"`},
	} {
		r := s.get(t, kf("/Agents"), tc.opts...)
		if r.Status != http.StatusUnauthorized || len(r.Body) != 0 {
			t.Errorf("%s: %d %q, want 401 with no body", tc.want, r.Status, r.Body)
		}
		if !strings.Contains(logs.String(), tc.want) {
			t.Errorf("the request log lacks %s:\n%s", tc.want, logs)
		}
	}
}

// A reset whose fixture files broke since start-up is a 500 that says
// why, and changes nothing, journal included.
func TestResetWithBrokenFixtures(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	agents := filepath.Join(dir, "agents.json")
	if err := os.WriteFile(agents, []byte(`[{"ClientMachine":"a","Status":2}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	s := newHarness(t, func(o *app.Options) { o.Fixtures, o.FixturesLabel = os.DirFS(dir), dir })
	s.get(t, kf("/Agents"))
	if err := os.WriteFile(agents, []byte(`[{"ClientMachine":"a","Status":9}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	r := s.admin(t, http.MethodPost, "/_mock/reset?all=true", nil)
	wantError(t, r, http.StatusInternalServerError, codeInternal, "nothing was reset", "agents.json: entry 0 (line 1): Status 9")
	if total, _ := journalPage(t, s, nil); total != 1 {
		t.Errorf("journal Total = %d after the failed reset, want the 1 entry from before", total)
	}
}

// The journal can list only what is new, or only what a fault touched,
// and names the rule.
func TestJournal_AfterIdAndFaulted(t *testing.T) {
	t.Parallel()
	s := newHarness(t)
	rule := s.adminOK(t, http.MethodPost, "/_mock/faults", map[string]any{"Path": "*/JobTypes/Custom", "Status": 503}, http.StatusCreated)
	s.get(t, kf("/Agents"))
	s.get(t, kf("/JobTypes/Custom"))
	s.get(t, kf("/Status/Endpoints"))
	_, faulted := journalPage(t, s, q("faulted", "true"))
	if len(faulted) != 1 || faulted[0]["Path"] != "/KeyfactorAPI/JobTypes/Custom" || wantInt(t, "entry", faulted[0], "Fault") != wantInt(t, "rule", rule, "Id") {
		t.Errorf("faulted entries = %s, want the one JobTypes request with the rule's Id", jsonText(faulted))
	}
	_, newer := journalPage(t, s, q("afterId", "2"))
	if len(newer) != 1 || newer[0]["Path"] != "/KeyfactorAPI/Status/Endpoints" || wantInt(t, "entry", newer[0], "Fault") != 0 {
		t.Errorf("entries after Id 2 = %s, want only the third request, untouched by faults", jsonText(newer))
	}
	wantError(t, s.admin(t, http.MethodGet, "/_mock/requests?faulted=maybe", nil), http.StatusBadRequest, codeValidation, "faulted")
}

// Fault rules are bounded: every request is matched against each.
func TestFaults_AtMost100(t *testing.T) {
	t.Parallel()
	s := newHarness(t)
	for i := range 100 {
		if r := s.admin(t, http.MethodPost, "/_mock/faults", map[string]any{"Path": "/x" + url.PathEscape(string(rune('a'+i%26))), "Status": 500}); r.Status != http.StatusCreated {
			t.Fatalf("rule %d: %d %s", i, r.Status, r.Body)
		}
	}
	wantError(t, s.admin(t, http.MethodPost, "/_mock/faults", map[string]any{"Status": 500}), http.StatusBadRequest, codeValidation, "already 100 fault rules")
}

// A method in another case reaches its route, as on IIS: Keyfactor's Go
// client (kfutil, Terraform) sends its store updates as "Put".
func TestMethodCaseIsIgnored(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	jt := decodeArray(t, s.get(t, withQuery(kf("/JobTypes/Custom"), q("QueryString", `JobTypeName -eq "RebootHost"`))).Body)[0]
	jt["Description"] = "changed with Put"
	r := s.do(t, "Put", kf("/JobTypes/Custom"), jt)
	wantJSON(t, r, http.StatusOK)
	if got := decodeObject(t, r.Body)["Description"]; got != "changed with Put" {
		t.Errorf("Description after Put = %v", got)
	}
	wantJSON(t, s.do(t, "get", kf("/Status/Endpoints"), nil), http.StatusOK)
}

// The admin API reads bodies as JSON whatever their Content-Type says, so
// curl -d works without a header; Keyfactor routes still answer 415.
func TestAdminBodiesAreJSONWhateverTheContentType(t *testing.T) {
	t.Parallel()
	s := newHarness(t)
	r := s.admin(t, http.MethodPost, "/_mock/clock", `{"Advance":"1h"}`, withHeader("Content-Type", "application/x-www-form-urlencoded"))
	wantJSON(t, r, http.StatusOK)
	if got := wantTime(t, "clock", decodeObject(t, r.Body), "Now"); !got.Equal(t0.Add(time.Hour)) {
		t.Errorf("clock after a form-typed Advance = %v, want %v", got, t0.Add(time.Hour))
	}
	wantError(t, s.do(t, http.MethodPost, kf("/Agents/Approve"), `[]`, withHeader("Content-Type", "application/x-www-form-urlencoded")),
		http.StatusUnsupportedMediaType, "0xA011000A", "application/json")
}
