package api_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mockcommand/mockcommand/internal/app"
)

// The request journal: GET and DELETE /_mock/requests.

var journalMembers = []string{"Id", "Time", "Method", "Path", "Query", "Headers", "Body", "Status", "ResponseBody", "DurationMs", "Truncated", "Fault", "Warnings"}

// header reads a journaled header case-insensitively.
func header(t testing.TB, e map[string]any, name string) []string {
	t.Helper()
	h, ok := e["Headers"].(map[string]any)
	if !ok {
		t.Fatalf("Headers = %#v, want an object", e["Headers"])
	}
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return stringList(t, "Headers."+k, v)
		}
	}
	return nil
}

func TestJournal_Entries(t *testing.T) {
	t.Parallel()
	s := newHarness(t)
	a := pickAgent(t, "approved with FlushDnsCache", approvedWith("FlushDnsCache"))
	body := `{"AgentId":"` + a.AgentId + `","JobTypeName":"FlushDnsCache"}`
	posted := postJob(t, s, body)
	wantJSON(t, posted, http.StatusOK)
	advance(t, s, time.Minute)
	listed := s.get(t, withQuery(kf("/Agents"), q("ReturnLimit", "1")))
	wantJSON(t, listed, http.StatusOK)
	unauth := s.get(t, kf("/JobTypes/Custom"), withBasic("admin", "hunter2"))
	if unauth.Status != http.StatusUnauthorized {
		t.Fatalf("wrong password: status %d, want 401", unauth.Status)
	}
	s.get(t, kf("/JobTypes/Custom"), bearer("tok-123"))
	wantError(t, s.get(t, kf("/NoSuchThing")), http.StatusNotFound, codeNoEndpoint)

	r := s.admin(t, http.MethodGet, "/_mock/requests", nil)
	wantJSON(t, r, http.StatusOK)
	for _, secret := range []string{"password", "hunter2", "tok-123", basicHeader("admin:password")[6:]} {
		if mentions(r.Body, secret) {
			t.Errorf("the journal shows the credential %q: %s", secret, r.Body)
		}
	}
	total, entries := journalPage(t, s, nil)
	if total != 5 || len(entries) != 5 {
		t.Fatalf("journal has Total %d and %d entries, want 5 Keyfactor requests", total, len(entries))
	}
	for i, e := range entries {
		wantMembers(t, "entry", e, journalMembers, nil)
		if i > 0 && wantInt(t, "entry", e, "Id") <= wantInt(t, "entry", entries[i-1], "Id") {
			t.Errorf("entries are not oldest first: %v", idsOfEntries(t, entries))
		}
	}

	p := entries[0]
	if got := wantTime(t, "entry", p, "Time"); !got.Equal(t0) {
		t.Errorf("Time = %v, want the clock's %v", got, t0)
	}
	for k, want := range map[string]any{"Method": "POST", "Path": "/KeyfactorAPI/OrchestratorJobs/Custom", "Query": "",
		"Body": body, "ResponseBody": string(posted.Body)} {
		if p[k] != want {
			t.Errorf("POST entry %s = %#v, want %#v", k, p[k], want)
		}
	}
	if wantInt(t, "entry", p, "Status") != 200 {
		t.Errorf("POST entry Status = %v, want 200", p["Status"])
	}
	if got := header(t, p, "Authorization"); !slices.Equal(got, []string{"Basic admin:[redacted]"}) {
		t.Errorf("Authorization = %q, want [\"Basic admin:[redacted]\"]", got)
	}
	if got := header(t, p, requestedWith); !slices.Equal(got, []string{"APIClient"}) {
		t.Errorf("%s = %q, want [APIClient]", requestedWith, got)
	}
	if got := header(t, p, "Content-Type"); !slices.Equal(got, []string{"application/json"}) {
		t.Errorf("Content-Type = %q", got)
	}

	g := entries[1]
	if got := wantTime(t, "entry", g, "Time"); !got.Equal(t0.Add(time.Minute)) {
		t.Errorf("Time = %v, want %v", got, t0.Add(time.Minute))
	}
	if g["Method"] != "GET" || g["Path"] != "/KeyfactorAPI/Agents" || g["Query"] != "ReturnLimit=1" || g["Body"] != "" {
		t.Errorf("GET entry = %s", jsonText(g))
	}
	if g["ResponseBody"] != string(listed.Body) {
		t.Errorf("GET entry ResponseBody differs from what the client got")
	}
	u := entries[2]
	if wantInt(t, "entry", u, "Status") != 401 {
		t.Errorf("unauthenticated entry Status = %v, want 401", u["Status"])
	}
	if got := header(t, u, "Authorization"); !slices.Equal(got, []string{"Basic admin:[redacted]"}) {
		t.Errorf("wrong-password Authorization = %q, want it redacted", got)
	}
	if got := header(t, entries[3], "Authorization"); !slices.Equal(got, []string{"Bearer [redacted]"}) {
		t.Errorf("bearer Authorization = %q, want [\"Bearer [redacted]\"]", got)
	}
	if wantInt(t, "entry", entries[4], "Status") != 404 || entries[4]["Path"] != "/KeyfactorAPI/NoSuchThing" {
		t.Errorf("unknown-path entry = %s", jsonText(entries[4]))
	}
}

func idsOfEntries(t testing.TB, entries []map[string]any) []int64 {
	t.Helper()
	out := make([]int64, len(entries))
	for i, e := range entries {
		out[i] = wantInt(t, "entry", e, "Id")
	}
	return out
}

func TestJournal_AdminRequestsAreNotJournaled(t *testing.T) {
	t.Parallel()
	s := newHarness(t)
	s.admin(t, http.MethodGet, "/_mock/clock", nil)
	s.admin(t, http.MethodGet, "/_mock/agents", nil)
	s.admin(t, http.MethodGet, "/_mock/health", nil)
	s.admin(t, http.MethodPost, "/_mock/seed", map[string]any{})
	advance(t, s, time.Second)
	if total, _ := journalPage(t, s, nil); total != 0 {
		t.Errorf("journal Total = %d after only admin requests, want 0", total)
	}
	s.get(t, kf("/Status/Endpoints"))
	total, entries := journalPage(t, s, nil)
	if total != 1 || entries[0]["Path"] != "/KeyfactorAPI/Status/Endpoints" {
		t.Errorf("journal = %d %s, want the one Keyfactor request", total, jsonText(entries))
	}
}

func TestJournal_FiltersAndPaging(t *testing.T) {
	t.Parallel()
	s := newHarness(t)
	a := pickAgent(t, "approved with FlushDnsCache", approvedWith("FlushDnsCache"))
	s.get(t, kf("/Agents"))                                                             // 1 t0 GET 200
	postJob(t, s, map[string]any{"AgentId": a.AgentId, "JobTypeName": "FlushDnsCache"}) // 2 t0 POST 200
	advance(t, s, 10*time.Minute)
	postJob(t, s, map[string]any{"AgentId": a.AgentId}) // 3 t0+10m POST 400
	s.get(t, kf("/OrchestratorJobs/ScheduledJobs"))     // 4 t0+10m GET 200
	advance(t, s, 10*time.Minute)
	s.get(t, kf("/JobTypes/Custom"))       // 5 t0+20m GET 200
	s.get(t, kf("/Agents"), withoutAuth()) // 6 t0+20m GET 401
	at := func(d time.Duration) string { return t0.Add(d).Format(time.RFC3339) }

	for _, tc := range []struct {
		name   string
		params url.Values
		total  int64
		want   []int // positions (1-based) of the entries on the page
	}{
		{"none", nil, 6, []int{1, 2, 3, 4, 5, 6}},
		{"method", q("method", "POST"), 2, []int{2, 3}},
		{"method any case", q("method", "post"), 2, []int{2, 3}},
		{"exact path", q("path", "/KeyfactorAPI/Agents"), 2, []int{1, 6}},
		{"path any case", q("path", "/keyfactorapi/agents"), 2, []int{1, 6}},
		{"path prefix", q("path", "/KeyfactorAPI/OrchestratorJobs/*"), 3, []int{2, 3, 4}},
		{"path suffix", q("path", "*/Custom"), 3, []int{2, 3, 5}},
		{"since", q("since", at(10*time.Minute)), 4, []int{3, 4, 5, 6}},
		{"until", q("until", at(10*time.Minute)), 2, []int{1, 2}},
		{"since and until", q("since", at(5*time.Minute), "until", at(20*time.Minute)), 2, []int{3, 4}},
		{"status", q("status", "400"), 1, []int{3}},
		{"status 401", q("status", "401"), 1, []int{6}},
		{"combined", q("method", "GET", "status", "200"), 3, []int{1, 4, 5}},
		{"limit", q("limit", "2"), 6, []int{1, 2}},
		{"offset and limit", q("offset", "2", "limit", "3"), 6, []int{3, 4, 5}},
		{"offset past the end", q("offset", "10"), 6, []int{}},
		{"filtered page", q("method", "GET", "offset", "1", "limit", "2"), 4, []int{4, 5}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, all := journalPage(t, s, nil)
			total, page := journalPage(t, s, tc.params)
			if total != tc.total {
				t.Errorf("Total = %d, want %d", total, tc.total)
			}
			var want []int64
			for _, p := range tc.want {
				want = append(want, wantInt(t, "entry", all[p-1], "Id"))
			}
			if got := idsOfEntries(t, page); !slices.Equal(got, want) {
				t.Errorf("page ids = %v, want %v", got, want)
			}
		})
	}
	for _, bad := range []url.Values{
		q("limit", "0"), q("limit", "x"), q("offset", "-1"), q("offset", "two"),
		q("status", "abc"), q("status", "-1"), q("since", "soon"), q("until", "yesterday"),
	} {
		t.Run("rejects "+bad.Encode(), func(t *testing.T) {
			wantError(t, s.admin(t, http.MethodGet, withQuery("/_mock/requests", bad), nil), http.StatusBadRequest, codeValidation)
		})
	}
	t.Run("clear", func(t *testing.T) {
		_, all := journalPage(t, s, nil)
		last := wantInt(t, "entry", all[len(all)-1], "Id")
		s.adminOK(t, http.MethodDelete, "/_mock/requests", nil, http.StatusNoContent)
		if total, entries := journalPage(t, s, nil); total != 0 || len(entries) != 0 {
			t.Fatalf("journal after DELETE: Total %d, %d entries", total, len(entries))
		}
		s.get(t, kf("/Agents"))
		total, entries := journalPage(t, s, nil)
		if total != 1 {
			t.Fatalf("Total = %d after one new request, want 1", total)
		}
		if id := wantInt(t, "entry", entries[0], "Id"); id <= last {
			t.Errorf("Id %d after a clear reuses an old id (last was %d)", id, last)
		}
	})
}

func TestJournal_Bounded(t *testing.T) {
	t.Parallel()
	if app.DefaultJournalSize < 1000 || app.DefaultJournalSize > 10000 {
		t.Errorf("DefaultJournalSize = %d, want a few thousand", app.DefaultJournalSize)
	}
	s := newHarness(t, journalSize(3))
	for i := 1; i <= 5; i++ {
		wantJSON(t, s.get(t, withQuery(kf("/Agents"), q("n", itoa(int64(i))))), http.StatusOK)
	}
	total, entries := journalPage(t, s, nil)
	if total != 3 || len(entries) != 3 {
		t.Fatalf("journal of size 3 has Total %d and %d entries after 5 requests, want 3", total, len(entries))
	}
	var got []string
	for _, e := range entries {
		got = append(got, wantString(t, "entry", e, "Query"))
	}
	if want := []string{"n=3", "n=4", "n=5"}; !slices.Equal(got, want) {
		t.Errorf("journal keeps %q, want the newest three %q", got, want)
	}
}

// Whatever form a credential takes, the journal must not show it.
func TestJournal_RedactsCredentials(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, header, value, secret, want string
	}{
		{"basic", "Authorization", basicHeader("admin:pa55word"), "pa55word", "Basic admin:[redacted]"},
		{"basic without colon", "Authorization", basicHeader("sekrit-value"), "sekrit-value", "Basic [redacted]"},
		{"bearer", "Authorization", "Bearer eyJhbGciOi.tok", "eyJhbGciOi", "Bearer [redacted]"},
		{"digest", "Authorization", `Digest username="admin", response="6629fae49393a053"`, "6629fae49393a053", "Digest [redacted]"},
		{"raw token without a scheme", "Authorization", "s3cr3t-raw-token", "s3cr3t-raw-token", ""},
		{"proxy", "Proxy-Authorization", "Basic " + basicHeader("p:proxy-pw")[6:], "proxy-pw", ""},
		{"cookie", "Cookie", "session=c00kie-val", "c00kie-val", ""},
		{"api key", "X-Api-Key", "k3y-value", "k3y-value", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newHarness(t)
			s.get(t, kf("/Agents"), withHeader(tc.header, tc.value))
			r := s.admin(t, http.MethodGet, "/_mock/requests", nil)
			wantJSON(t, r, http.StatusOK)
			if mentions(r.Body, tc.secret) {
				t.Errorf("the journal shows the credential %q: %s", tc.secret, r.Body)
			}
			_, entries := journalPage(t, s, nil)
			if len(entries) != 1 {
				t.Fatalf("%d entries, want 1", len(entries))
			}
			got := header(t, entries[0], tc.header)
			if len(got) != 1 {
				t.Fatalf("%s = %q, want it recorded (redacted)", tc.header, got)
			}
			if tc.want != "" && got[0] != tc.want {
				t.Errorf("%s = %q, want %q", tc.header, got[0], tc.want)
			}
		})
	}
}

// The journal keeps the first 64 KiB of a request body and the first 8 KiB
// of a response body, and capturing them does not change what the handler
// reads or the client gets.
func TestJournal_LongBodies(t *testing.T) {
	t.Parallel()
	s := newHarness(t)
	a := pickAgent(t, "approved with RebootHost", approvedWith("RebootHost"))
	host := strings.Repeat("h", 70<<10)
	r := postJob(t, s, map[string]any{"AgentId": a.AgentId, "JobTypeName": "RebootHost", "JobFields": map[string]string{"Host": host}})
	wantJSON(t, r, http.StatusOK)
	if !strings.Contains(string(r.Body), host) {
		t.Fatal("the job does not hold the whole 70 KiB field value: the journal capture cut the request body")
	}
	_, entries := journalPage(t, s, nil)
	if len(entries) != 1 {
		t.Fatalf("%d entries, want 1", len(entries))
	}
	e := entries[0]
	body, _ := e["Body"].(string)
	resp, _ := e["ResponseBody"].(string)
	if len(body) != 64<<10 || len(resp) != 8<<10 || e["Truncated"] != true {
		t.Errorf("journaled Body %d bytes, ResponseBody %d bytes, Truncated %v; want 65536, 8192, true", len(body), len(resp), e["Truncated"])
	}
	if !strings.HasPrefix(string(r.Body), resp) {
		t.Error("ResponseBody is not the start of what the client got")
	}
}
