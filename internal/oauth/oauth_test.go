package oauth_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mockcommand/mockcommand/internal/oauth"
)

func token(t *testing.T, s *oauth.Server, form url.Values, basic ...string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest("POST", "/_mock/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if len(basic) == 2 {
		req.SetBasicAuth(basic[0], basic[1])
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("body %q: %v", rec.Body, err)
	}
	return rec.Code, body
}

func TestServer_IssuesExpiringTokens(t *testing.T) {
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	s := oauth.New(oauth.Config{Clients: map[string]string{"ci": "pw"}, TTL: 10 * time.Minute, Now: func() time.Time { return now }})
	code, body := token(t, s, url.Values{"grant_type": {"client_credentials"}, "client_id": {"ci"}, "client_secret": {"pw"}})
	tok, _ := body["access_token"].(string)
	if code != 200 || tok == "" || body["token_type"] != "Bearer" || body["expires_in"] != 600.0 {
		t.Fatalf("token response %d %v", code, body)
	}
	if !s.Valid(tok) || s.Valid(tok+"x") || s.Valid("") {
		t.Error("Valid does not recognise exactly the issued token")
	}
	now = now.Add(10 * time.Minute)
	if s.Valid(tok) {
		t.Error("token still valid at its expiry")
	}
}

func TestServer_Errors(t *testing.T) {
	s := oauth.New(oauth.Config{Clients: map[string]string{"ci": "pw"}, Scope: "kf", Audience: "aud"})
	ok := url.Values{"grant_type": {"client_credentials"}, "scope": {"kf other"}, "audience": {"aud"}}
	if code, body := token(t, s, ok, "ci", "pw"); code != 200 || body["scope"] != "kf other" {
		t.Errorf("valid request: %d %v", code, body)
	}
	tests := []struct {
		name  string
		form  url.Values
		basic []string
		code  int
		err   string
	}{
		{"wrong secret", ok, []string{"ci", "nope"}, 401, "invalid_client"},
		{"unknown client in form", url.Values{"grant_type": {"client_credentials"}, "client_id": {"x"}, "client_secret": {"pw"}}, nil, 401, "invalid_client"},
		{"no grant type", url.Values{"scope": {"kf"}}, []string{"ci", "pw"}, 400, "invalid_request"},
		{"password grant", url.Values{"grant_type": {"password"}}, []string{"ci", "pw"}, 400, "unsupported_grant_type"},
		{"missing scope", url.Values{"grant_type": {"client_credentials"}, "audience": {"aud"}}, []string{"ci", "pw"}, 400, "invalid_scope"},
		{"wrong audience", url.Values{"grant_type": {"client_credentials"}, "scope": {"kf"}, "audience": {"x"}}, []string{"ci", "pw"}, 400, "invalid_request"},
	}
	for _, tt := range tests {
		if code, body := token(t, s, tt.form, tt.basic...); code != tt.code || body["error"] != tt.err || body["error_description"] == "" {
			t.Errorf("%s: %d %v, want %d %s", tt.name, code, body, tt.code, tt.err)
		}
	}
	req := httptest.NewRequest("POST", "/_mock/oauth/token", strings.NewReader(`{"grant_type":"client_credentials"}`))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != 400 {
		t.Errorf("JSON body: %d, want 400 (the endpoint is form-encoded)", rec.Code)
	}
	rec = httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("GET", "/_mock/oauth/token", nil))
	if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "POST" {
		t.Errorf("GET: %d Allow %q", rec.Code, rec.Header().Get("Allow"))
	}
}

// TestServer_BasicCredentialsAreFormEncoded: RFC 6749 §2.3.1, as
// golang.org/x/oauth2 sends them.
func TestServer_BasicCredentialsAreFormEncoded(t *testing.T) {
	s := oauth.New(oauth.Config{Clients: map[string]string{"ci tool": "p@ss+w/rd"}})
	form := url.Values{"grant_type": {"client_credentials"}}
	if code, body := token(t, s, form, url.QueryEscape("ci tool"), url.QueryEscape("p@ss+w/rd")); code != 200 {
		t.Errorf("escaped Basic credentials: %d %v", code, body)
	}
}

// TestServer_BoundsLiveTokens: a client fetching a token per request
// cannot grow memory without limit; the oldest tokens go first.
func TestServer_BoundsLiveTokens(t *testing.T) {
	s := oauth.New(oauth.Config{Clients: map[string]string{"ci": "pw"}})
	form := url.Values{"grant_type": {"client_credentials"}}
	_, first := token(t, s, form, "ci", "pw")
	var last string
	for range 10000 {
		_, b := token(t, s, form, "ci", "pw")
		last, _ = b["access_token"].(string)
	}
	if s.Valid(first["access_token"].(string)) {
		t.Error("the oldest token survived 10000 newer ones")
	}
	if !s.Valid(last) {
		t.Error("the newest token is not valid")
	}
}
