package api

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"
)

// statusRecorder remembers the status and size of a response.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (r *statusRecorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// logRequests logs one line per request, stamps x-keyfactor-product-version
// on every response, and turns a panic into a Command-shaped 500.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		r, n := withNote(r)
		rec := &statusRecorder{ResponseWriter: w}
		rec.Header().Set("x-keyfactor-product-version", s.cfg.ProductVersion)
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.logger.LogAttrs(r.Context(), slog.LevelError, "panic serving request",
					slog.String("method", r.Method), slog.String("path", r.URL.Path),
					slog.String("panic", fmt.Sprint(v)), slog.String("stack", string(debug.Stack())))
				if rec.status == 0 {
					writeError(rec, r, s.logger, fmt.Errorf("panic: %v", v))
				}
			}
			if !s.logger.Enabled(r.Context(), slog.LevelInfo) {
				return
			}
			attrs := []slog.Attr{slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.String("query", r.URL.RawQuery), slog.Int("status", rec.status),
				slog.Int("bytes", rec.bytes), slog.Duration("duration", time.Since(start)),
				slog.String("remote", r.RemoteAddr)}
			warnings, fault, authFail := n.snapshot()
			if authFail != "" {
				attrs = append(attrs, slog.String("auth_error", authFail))
			}
			if fault != 0 {
				attrs = append(attrs, slog.Int64("fault_rule", fault))
			}
			if len(warnings) > 0 {
				attrs = append(attrs, slog.Any("warnings", warnings))
			}
			s.logger.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
		}()
		next.ServeHTTP(rec, r)
	})
}

// requireAuth answers 401 with WWW-Authenticate challenges and no body
// when the credentials are missing or wrong, as Command under IIS does:
// Basic credentials, or a bearer token from the mock's token endpoint, as
// the auth mode allows.
func (s *Server) requireAuth(next http.Handler) http.Handler {
	if s.cfg.Auth == AuthNone {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, _, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		problem := s.authProblem(r, scheme)
		if problem == "" {
			next.ServeHTTP(w, r)
			return
		}
		n := noteOf(r)
		n.mu.Lock()
		n.authFail = problem
		n.mu.Unlock()
		if s.cfg.Auth.basic() {
			w.Header().Add("WWW-Authenticate", `Basic realm="Keyfactor Command"`)
		}
		if s.cfg.Auth.oauth() {
			challenge := `Bearer realm="Keyfactor Command"`
			if strings.EqualFold(scheme, "Bearer") {
				challenge += `, error="invalid_token"`
			}
			w.Header().Add("WWW-Authenticate", challenge)
		}
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusUnauthorized)
	})
}

// authProblem says why a request is not authenticated, or "" when it is.
// The reason goes to the request log, never to the client, which gets
// Command's bare 401.
func (s *Server) authProblem(r *http.Request, scheme string) string {
	switch {
	case r.Header.Get("Authorization") == "":
		return "no Authorization header"
	case s.cfg.Auth.basic() && strings.EqualFold(scheme, "Basic"):
		return authenticate(r, s.cfg.Users)
	case s.cfg.Auth.oauth() && strings.EqualFold(scheme, "Bearer"):
		token, _ := bearerToken(r)
		if !s.oauth.Valid(token) {
			return "the bearer token is unknown or expired (tokens come from POST /_mock/oauth/token)"
		}
		return ""
	}
	return fmt.Sprintf("the %s scheme is not enabled (--auth %s)", scheme, s.cfg.Auth)
}

// requireKeyfactorHeaders enforces the mandatory x-keyfactor-requested-with
// header and the API version: absent, 1 or 1.0 mean v1, the only version
// these endpoints have in Command but POST /Enrollment/PFX, which also has
// version 2 (Terraform's).
func (s *Server) requireKeyfactorHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.TrimSpace(r.Header.Get("x-keyfactor-requested-with")) == "" {
			writeError(w, r, s.logger, newError(http.StatusBadRequest, codeMissingHeader,
				"You must supply a value in the 'x-keyfactor-requested-with' header of the request (APIClient or XMLHttpRequest)."))
			return
		}
		switch v := strings.TrimSpace(r.Header.Get("x-keyfactor-api-version")); v {
		case "", "1", "1.0":
		case "2", "2.0":
			if !isPFXEnrollment(r) {
				writeError(w, r, s.logger, newError(http.StatusBadRequest, codeAPIVersion,
					fmt.Sprintf("API version %q is not supported for this endpoint; it exists only in version 1 (send x-keyfactor-api-version: 1 or omit the header).", v)))
				return
			}
		default:
			writeError(w, r, s.logger, newError(http.StatusBadRequest, codeAPIVersion,
				fmt.Sprintf("API version %q is not supported for this endpoint; it exists only in version 1 (send x-keyfactor-api-version: 1 or omit the header).", v)))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// isPFXEnrollment reports whether r is POST /Enrollment/PFX.
func isPFXEnrollment(r *http.Request) bool {
	return r.Method == http.MethodPost && strings.HasSuffix(strings.ToLower(strings.TrimSuffix(r.URL.Path, "/")), "/enrollment/pfx")
}

// bearerToken returns the token of an "Authorization: Bearer <token>"
// header, and whether the header has that scheme.
func bearerToken(r *http.Request) (string, bool) {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	return strings.TrimSpace(token), strings.EqualFold(scheme, "Bearer")
}
