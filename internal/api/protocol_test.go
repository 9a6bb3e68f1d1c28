package api_test

import (
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/mockcommand/mockcommand/internal/api"
)

func TestProtocol_BasePathIsCaseInsensitive(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	want := len(fixtureAgents(t))
	for _, path := range []string{
		"/KeyfactorAPI/Agents",
		"/keyfactorapi/agents",
		"/KEYFACTORAPI/AGENTS",
		"/KeyfactorApi/Agents",
		"/KeyfactorAPI/Agents/",
		"/keyfactorapi/agents/",
	} {
		t.Run(path, func(t *testing.T) {
			r := s.get(t, path)
			wantJSON(t, r, http.StatusOK)
			if got := len(decodeArray(t, r.Body)); got != want {
				t.Errorf("%d agents, want %d", got, want)
			}
		})
	}
	t.Run("job types route in lower case", func(t *testing.T) {
		r := s.get(t, "/keyfactorapi/jobtypes/custom/")
		wantJSON(t, r, http.StatusOK)
		decodeArray(t, r.Body)
	})
}

func TestProtocol_RequestedWithHeaderIsRequired(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	for _, tc := range []struct {
		name string
		opts []reqOpt
	}{
		{"missing", []reqOpt{withoutRequestedWith()}},
		{"blank", []reqOpt{withHeader(requestedWith, "   ")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.get(t, kf("/Agents"), tc.opts...)
			wantError(t, r, http.StatusBadRequest, codeMissingHeader, "x-keyfactor-requested-with")
		})
	}
	t.Run("XMLHttpRequest is accepted", func(t *testing.T) {
		wantJSON(t, s.get(t, kf("/Agents"), withHeader(requestedWith, "XMLHttpRequest")), http.StatusOK)
	})
	t.Run("header name is case-insensitive", func(t *testing.T) {
		r := s.get(t, kf("/Agents"), withoutRequestedWith(), withHeader("X-Keyfactor-Requested-With", "APIClient"))
		wantJSON(t, r, http.StatusOK)
	})
	t.Run("also on POST, and nothing is stored", func(t *testing.T) {
		before := countJobTypes(t, s)
		r := s.do(t, http.MethodPost, kf("/JobTypes/Custom"), map[string]any{"JobTypeName": "NoHeader"}, withoutRequestedWith())
		wantError(t, r, http.StatusBadRequest, codeMissingHeader)
		if after := countJobTypes(t, s); after != before {
			t.Errorf("job types: %d after a rejected POST, want %d", after, before)
		}
	})
}

func TestProtocol_APIVersion(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	for _, v := range []string{"", "1", "1.0"} {
		t.Run("accepts "+quoteName(v), func(t *testing.T) {
			wantJSON(t, s.get(t, kf("/Agents"), withHeader(apiVersion, v)), http.StatusOK)
		})
	}
	for _, v := range []string{"2", "abc", "2.0", "0"} {
		t.Run("rejects "+quoteName(v), func(t *testing.T) {
			r := s.get(t, kf("/Agents"), withHeader(apiVersion, v))
			wantError(t, r, http.StatusBadRequest, codeAPIVersion, v)
		})
	}
}

func quoteName(v string) string {
	if v == "" {
		return "absent"
	}
	return v
}

func TestProtocol_BasicAuthAccepts(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	for _, user := range []string{`DOMAIN\admin`, `admin@domain`, `admin`, `ADMIN`, `corp.example.com\admin`} {
		t.Run(user, func(t *testing.T) {
			wantJSON(t, s.get(t, kf("/Status/Endpoints"), withBasic(user, "password")), http.StatusOK)
		})
	}
}

func TestProtocol_BasicAuthRejects(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	for _, tc := range []struct {
		name string
		auth string // raw Authorization header; "" sends none
	}{
		{"wrong password", basicHeader("admin:wrong")},
		{"password differs in case", basicHeader("admin:PASSWORD")},
		{"unknown user", basicHeader("root:password")},
		{"domain user unknown", basicHeader(`DOMAIN\root:password`)},
		{"missing header", ""},
		{"not base64", "Basic !!!not-base64!!!"},
		{"no colon", basicHeader("adminpassword")},
		{"bearer scheme", "Bearer eyJhbGciOiJub25lIn0.e30."},
		{"scheme only", "Basic"},
		{"empty credentials", basicHeader(":")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.get(t, kf("/Agents"), withHeader("Authorization", tc.auth))
			wantUnauthorized(t, r)
		})
	}
	t.Run("checked before the Keyfactor headers", func(t *testing.T) {
		r := s.get(t, kf("/Agents"), withoutAuth(), withoutRequestedWith(), withHeader(apiVersion, "2"))
		wantUnauthorized(t, r)
	})
	t.Run("checked on unknown paths too", func(t *testing.T) {
		wantUnauthorized(t, s.get(t, kf("/NoSuchThing"), withoutAuth()))
	})
	t.Run("checked before the body is read", func(t *testing.T) {
		before := countJobTypes(t, s)
		r := s.do(t, http.MethodPost, kf("/JobTypes/Custom"), map[string]any{"JobTypeName": "Unauthorized"}, withBasic("admin", "nope"))
		wantUnauthorized(t, r)
		if after := countJobTypes(t, s); after != before {
			t.Errorf("job types: %d after an unauthorized POST, want %d", after, before)
		}
	})
}

// wantUnauthorized asserts Command's IIS-style 401: a Basic challenge and
// no body.
func wantUnauthorized(t *testing.T, r response) {
	t.Helper()
	if r.Status != http.StatusUnauthorized {
		t.Fatalf("status = %d, want 401; body: %s", r.Status, r.Body)
	}
	if got := r.Header.Get("WWW-Authenticate"); !strings.HasPrefix(strings.ToLower(got), "basic") {
		t.Errorf("WWW-Authenticate = %q, want a Basic challenge", got)
	}
	if len(r.Body) != 0 {
		t.Errorf("401 body = %q, want none", r.Body)
	}
	wantProductVersion(t, r)
}

func TestProtocol_AuthNone(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, func(c *api.Config) { c.Auth = api.AuthNone })
	t.Run("no credentials", func(t *testing.T) {
		wantJSON(t, s.get(t, kf("/Agents"), withoutAuth()), http.StatusOK)
	})
	t.Run("any credentials", func(t *testing.T) {
		wantJSON(t, s.get(t, kf("/Agents"), withBasic("nobody", "whatever")), http.StatusOK)
	})
	t.Run("Keyfactor headers are still required", func(t *testing.T) {
		r := s.get(t, kf("/Agents"), withoutAuth(), withoutRequestedWith())
		wantError(t, r, http.StatusBadRequest, codeMissingHeader)
	})
}

func TestProtocol_UserWithDomain(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, func(c *api.Config) {
		c.Users = []api.User{{Domain: "CORP", Name: "alice", Password: "s3cret"}}
	})
	for _, tc := range []struct {
		user string
		ok   bool
	}{
		{`CORP\alice`, true},
		{`corp\ALICE`, true},
		{`alice@corp`, true},
		{`alice@CORP`, true},
		{`OTHER\alice`, false},
		{`alice@other`, false},
		{`CORP\bob`, false},
		{`admin`, false},
	} {
		t.Run(tc.user, func(t *testing.T) {
			pw := "s3cret"
			if tc.user == "admin" {
				pw = "password"
			}
			r := s.get(t, kf("/Agents"), withBasic(tc.user, pw))
			if tc.ok {
				wantJSON(t, r, http.StatusOK)
			} else {
				wantUnauthorized(t, r)
			}
		})
	}
}

func TestProtocol_UnknownPath(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	for _, path := range []string{
		kf("/NoSuchThing"),
		kf("/Agents/" + fixtureAgents(t)[0].AgentId + "/Nope"),
		kf("/JobTypes"),
		kf(""),
		"/KeyfactorAPIX/Agents",
		"/Other/Agents",
	} {
		t.Run(path, func(t *testing.T) {
			wantError(t, s.get(t, path), http.StatusNotFound, codeNoEndpoint)
		})
	}
}

func TestProtocol_WrongMethod(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	for _, tc := range []struct {
		method, path string
		allow        []string
	}{
		{http.MethodDelete, kf("/Agents"), []string{"GET"}},
		{http.MethodPost, kf("/Agents"), []string{"GET"}},
		{http.MethodPut, "/keyfactorapi/agents", []string{"GET"}},
		{http.MethodDelete, kf("/JobTypes/Custom"), []string{"GET", "POST", "PUT"}},
		{http.MethodGet, kf("/OrchestratorJobs/Custom"), []string{"POST"}},
		{http.MethodPost, kf("/Status/Endpoints"), []string{"GET"}},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			r := s.do(t, tc.method, tc.path, nil)
			wantError(t, r, http.StatusMethodNotAllowed, codeMethod, tc.method)
			var got []string
			for _, m := range strings.Split(r.Header.Get("Allow"), ",") {
				if m = strings.TrimSpace(m); m != "" {
					got = append(got, m)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.allow) {
				t.Errorf("Allow = %q, want %v", r.Header.Get("Allow"), tc.allow)
			}
		})
	}
}

func TestProtocol_StatusEndpoints(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	r := s.get(t, kf("/Status/Endpoints"), withHeader(apiVersion, "1"))
	wantJSON(t, r, http.StatusOK)
	var endpoints []string
	decodeInto(t, r.Body, &endpoints)
	if len(endpoints) == 0 {
		t.Fatal("no endpoints listed")
	}
	for _, want := range []string{"GET /Agents", "GET /Agents/{id}", "GET /JobTypes/Custom", "POST /JobTypes/Custom",
		"PUT /JobTypes/Custom", "DELETE /JobTypes/Custom/{id}", "POST /OrchestratorJobs/Custom",
		"GET /OrchestratorJobs/ScheduledJobs", "GET /Status/Endpoints"} {
		if !slices.ContainsFunc(endpoints, func(e string) bool { return strings.EqualFold(e, want) }) {
			t.Errorf("endpoints %q lack %q", endpoints, want)
		}
	}
}

func TestProtocol_Health(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	r := s.get(t, "/_mock/health", withoutAuth(), withoutRequestedWith(), withHeader(apiVersion, "2"))
	wantJSON(t, r, http.StatusOK)
}

func TestProtocol_CustomBasePath(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, func(c *api.Config) { c.BasePath = "/Custom/Path" })
	for _, path := range []string{"/Custom/Path/Agents", "/custom/path/agents", "/CUSTOM/PATH/Status/Endpoints"} {
		t.Run(path, func(t *testing.T) {
			wantJSON(t, s.get(t, path), http.StatusOK)
		})
	}
	t.Run("default path is gone", func(t *testing.T) {
		wantError(t, s.get(t, "/KeyfactorAPI/Agents"), http.StatusNotFound, codeNoEndpoint)
	})
	t.Run("health stays put", func(t *testing.T) {
		wantJSON(t, s.get(t, "/_mock/health", withoutAuth()), http.StatusOK)
	})
}

func TestProtocol_BodyTooLarge(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, func(c *api.Config) { c.MaxBodyBytes = 256 })
	before := countJobTypes(t, s)
	body := map[string]any{"JobTypeName": "TooBig", "Description": strings.Repeat("x", 1000)}
	r := s.do(t, http.MethodPost, kf("/JobTypes/Custom"), body)
	wantError(t, r, http.StatusRequestEntityTooLarge, codeBodyTooLarge, "256")
	if after := countJobTypes(t, s); after != before {
		t.Errorf("job types: %d after a rejected POST, want %d", after, before)
	}
	t.Run("a body under the limit is fine", func(t *testing.T) {
		r := s.do(t, http.MethodPost, kf("/JobTypes/Custom"), map[string]any{"JobTypeName": "Small"})
		wantJSON(t, r, http.StatusOK)
	})
	t.Run("exactly the limit is fine, one byte more is not", func(t *testing.T) {
		body := func(name string, size int) string {
			head := `{"JobTypeName":"` + name + `","Description":"`
			return head + strings.Repeat("d", size-len(head)-2) + `"}`
		}
		exact := body("Exact", 256)
		if len(exact) != 256 {
			t.Fatalf("body is %d bytes", len(exact))
		}
		wantJSON(t, s.do(t, http.MethodPost, kf("/JobTypes/Custom"), exact), http.StatusOK)
		wantError(t, s.do(t, http.MethodPost, kf("/JobTypes/Custom"), body("Over", 257)), http.StatusRequestEntityTooLarge, codeBodyTooLarge)
	})
}

func TestProtocol_ContentType(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	for _, tc := range []struct {
		ct     string
		status int
	}{
		{"text/plain", http.StatusUnsupportedMediaType},
		{"application/xml", http.StatusUnsupportedMediaType},
		{"application/x-www-form-urlencoded", http.StatusUnsupportedMediaType},
		{"application/json", http.StatusOK},
		{"application/json; charset=utf-8", http.StatusOK},
		{"text/json", http.StatusOK},
		{"application/json-patch+json", http.StatusOK},
		{"application/vnd.example+json", http.StatusOK},
		{"", http.StatusOK}, // no Content-Type: read as JSON
	} {
		t.Run(tc.ct, func(t *testing.T) {
			name := "CT" + strings.NewReplacer("/", "", ";", "", " ", "", "=", "", "-", "", "+", "", ".", "").Replace(tc.ct)
			before := countJobTypes(t, s)
			r := s.do(t, http.MethodPost, kf("/JobTypes/Custom"), `{"JobTypeName":"`+name+`"}`, withHeader("Content-Type", tc.ct))
			if tc.status != http.StatusOK {
				wantError(t, r, tc.status, codeMediaType, tc.ct)
				if after := countJobTypes(t, s); after != before {
					t.Errorf("job types: %d after a rejected POST, want %d", after, before)
				}
				return
			}
			wantJSON(t, r, http.StatusOK)
		})
	}
}

func TestProtocol_ProductVersionOnEveryResponse(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	for _, r := range []response{
		s.get(t, kf("/Agents")),
		s.get(t, kf("/Agents"), withoutAuth()),
		s.get(t, kf("/Agents"), withoutRequestedWith()),
		s.get(t, kf("/Nope")),
		s.do(t, http.MethodDelete, kf("/Agents"), nil),
		s.get(t, "/_mock/health"),
		s.get(t, "/elsewhere"),
	} {
		wantProductVersion(t, r)
	}
}

func TestProtocol_StoreFailureIsAGeneric500(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	if err := s.App.Mock.Store().Close(); err != nil {
		t.Fatalf("close store: %v", err)
	}
	r := s.get(t, kf("/Agents"))
	wantError(t, r, http.StatusInternalServerError, codeInternal)
	if h := s.get(t, "/_mock/health", withoutAuth()); h.Status != http.StatusServiceUnavailable {
		t.Errorf("health with a closed store = %d, want 503", h.Status)
	}
}

// countJobTypes counts the job types GET /JobTypes/Custom lists.
func countJobTypes(t testing.TB, s *testServer) int {
	t.Helper()
	r := s.get(t, withQuery(kf("/JobTypes/Custom"), q("ReturnLimit", "1000")))
	wantJSON(t, r, http.StatusOK)
	return len(decodeArray(t, r.Body))
}

func TestProtocol_ParseUsers(t *testing.T) {
	t.Parallel()
	users, err := api.ParseUsers(` admin:password , CORP\alice:s3cret,bob@lab:pa:ss `)
	if err != nil {
		t.Fatalf("ParseUsers: %v", err)
	}
	want := []api.User{{Name: "admin", Password: "password"}, {Domain: "CORP", Name: "alice", Password: "s3cret"}, {Domain: "lab", Name: "bob", Password: "pa:ss"}}
	if !reflect.DeepEqual(users, want) {
		t.Errorf("ParseUsers = %+v, want %+v", users, want)
	}
	for _, bad := range []string{"", " , ", "nopassword", ":pw", `CORP\:pw`} {
		if _, err := api.ParseUsers(bad); err == nil {
			t.Errorf("ParseUsers(%q) succeeded, want an error", bad)
		}
	}
	s := newTestServer(t, func(c *api.Config) { c.Users = users })
	for _, tc := range []struct {
		user, password string
		ok             bool
	}{
		{`ANY\admin`, "password", true},
		{`CORP\alice`, "s3cret", true},
		{`bob@LAB`, "pa:ss", true},
		{`LAB\bob`, "pa:ss", true},
		{`LAB\bob`, "pa", false},
		{`OTHER\bob`, "pa:ss", false},
		{`CORP\admin`, "s3cret", false},
	} {
		t.Run(tc.user+":"+tc.password, func(t *testing.T) {
			r := s.get(t, kf("/Status/Endpoints"), withBasic(tc.user, tc.password))
			if tc.ok {
				wantJSON(t, r, http.StatusOK)
			} else {
				wantUnauthorized(t, r)
			}
		})
	}
}
