// Package oauth is the mock's OAuth 2.0 authorization server for the
// client-credentials grant (RFC 6749 §4.4): it issues opaque bearer tokens
// that expire by the mock's clock, and checks them on Keyfactor routes.
package oauth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Config configures the token service.
type Config struct {
	Clients  map[string]string // client id → secret
	Scope    string            // when set, a token request must ask for this scope
	Audience string            // when set, a token request must name this audience
	TTL      time.Duration     // token lifetime
	Now      func() time.Time  // the mock's clock
}

// maxTokens bounds the live tokens kept; the oldest go first.
const maxTokens = 10000

// Server issues and checks tokens. It is safe for concurrent use.
type Server struct {
	cfg    Config
	mu     sync.Mutex
	tokens map[string]time.Time // token → expiry
	order  []string             // issue order, for bounding
}

// New returns a token service.
func New(cfg Config) *Server {
	if cfg.TTL <= 0 {
		cfg.TTL = time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Server{cfg: cfg, tokens: map[string]time.Time{}}
}

// ParseClients reads "id:secret,id2:secret2".
func ParseClients(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, e := range strings.Split(s, ",") {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		id, secret, ok := strings.Cut(e, ":")
		if !ok || id == "" || secret == "" {
			return nil, fmt.Errorf("client %q must be written id:secret", e)
		}
		out[id] = secret
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no clients given")
	}
	return out, nil
}

// tokenResponse is RFC 6749 §5.1's successful response.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope,omitempty"`
}

// errorResponse is RFC 6749 §5.2's error response.
type errorResponse struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// ServeHTTP is the token endpoint: POST, form-encoded, grant_type
// client_credentials, client credentials in HTTP Basic or in the form.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		s.fail(w, http.StatusMethodNotAllowed, "invalid_request", "The token endpoint takes POST.")
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		s.fail(w, http.StatusBadRequest, "invalid_request", "The request must be form-encoded (application/x-www-form-urlencoded).")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.fail(w, http.StatusBadRequest, "invalid_request", "The form cannot be read.")
		return
	}
	if gt := r.PostForm.Get("grant_type"); gt != "client_credentials" {
		if gt == "" {
			s.fail(w, http.StatusBadRequest, "invalid_request", "grant_type is required.")
		} else {
			s.fail(w, http.StatusBadRequest, "unsupported_grant_type", fmt.Sprintf("grant_type %q is not supported; use client_credentials.", gt))
		}
		return
	}
	id, secret, basic := r.BasicAuth()
	if basic { // RFC 6749 §2.3.1: both are form-encoded before Basic encoding
		id, secret = unescape(id), unescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	want, known := s.cfg.Clients[id]
	if !known || subtle.ConstantTimeCompare([]byte(want), []byte(secret)) != 1 {
		if basic {
			w.Header().Set("WWW-Authenticate", `Basic realm="mockcommand token endpoint"`)
		}
		s.fail(w, http.StatusUnauthorized, "invalid_client", "Unknown client or wrong secret.")
		return
	}
	scopes := strings.Fields(r.PostForm.Get("scope"))
	if s.cfg.Scope != "" && !slices.Contains(scopes, s.cfg.Scope) {
		s.fail(w, http.StatusBadRequest, "invalid_scope", fmt.Sprintf("The scope %q is required.", s.cfg.Scope))
		return
	}
	if s.cfg.Audience != "" && r.PostForm.Get("audience") != s.cfg.Audience {
		s.fail(w, http.StatusBadRequest, "invalid_request", fmt.Sprintf("The audience %q is required.", s.cfg.Audience))
		return
	}
	token, err := s.issue()
	if err != nil {
		s.fail(w, http.StatusInternalServerError, "server_error", "No token could be made.")
		return
	}
	writeJSON(w, http.StatusOK, tokenResponse{AccessToken: token, TokenType: "Bearer", ExpiresIn: int(s.cfg.TTL.Seconds()), Scope: strings.Join(scopes, " ")})
}

func unescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

func (s *Server) issue() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	// Drop expired tokens from the front, and the oldest beyond the bound.
	for len(s.order) > 0 && (len(s.order) >= maxTokens || !now.Before(s.tokens[s.order[0]])) {
		delete(s.tokens, s.order[0])
		s.order = s.order[1:]
	}
	s.tokens[token] = now.Add(s.cfg.TTL)
	s.order = append(s.order, token)
	return token, nil
}

// Valid reports whether token was issued here and has not expired by the
// mock's clock.
func (s *Server) Valid(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.tokens[token]
	return ok && s.cfg.Now().Before(exp)
}

func (s *Server) fail(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, errorResponse{Error: code, Description: desc})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
