package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/go-chi/chi/v5"

	"github.com/mockcommand/mockcommand/internal/fault"
	"github.com/mockcommand/mockcommand/internal/journal"
	"github.com/mockcommand/mockcommand/internal/mock"
	"github.com/mockcommand/mockcommand/internal/oauth"
	"github.com/mockcommand/mockcommand/internal/store"
	"github.com/mockcommand/mockcommand/internal/ui"
)

// Config is the protocol configuration of the API.
type Config struct {
	BasePath       string   // Keyfactor routes live under it, e.g. "/KeyfactorAPI"; matched case-insensitively
	Auth           AuthMode // AuthBasic, AuthOAuth, AuthBasicOAuth or AuthNone
	Users          []User   // credentials for AuthBasic
	ProductVersion string   // sent as x-keyfactor-product-version
	MaxBodyBytes   int64    // request bodies above this get 413
	AdminToken     string   // when set, /_mock/ routes (but health) need "Authorization: Bearer <token>"
	NoCache        bool     // disable the response cache of GET /Agents and GET /JobTypes/Custom
}

// Normalize checks the configuration and puts the base path in canonical
// form ("/KeyfactorAPI": one leading slash, none trailing). Every way of
// starting the mock calls it, so they accept and refuse the same things.
func (c *Config) Normalize() error {
	var errs []error
	c.BasePath = "/" + strings.Trim(strings.TrimSpace(c.BasePath), "/")
	if low := strings.ToLower(c.BasePath); low == "/_mock" || strings.HasPrefix(low, "/_mock/") {
		errs = append(errs, fmt.Errorf("base path %q clashes with the /_mock/ admin routes", c.BasePath))
	}
	if m, err := ParseAuthMode(string(c.Auth)); err != nil {
		errs = append(errs, fmt.Errorf("auth: %w", err))
	} else {
		c.Auth = m // canonical: "oauth,basic" means what "basic,oauth" does
	}
	if c.Auth.basic() && len(c.Users) == 0 {
		errs = append(errs, errors.New("basic authentication needs at least one user"))
	}
	if c.MaxBodyBytes < 1 {
		errs = append(errs, fmt.Errorf("the body size limit must be positive (got %d)", c.MaxBodyBytes))
	}
	return errors.Join(errs...)
}

// DefaultConfig is the configuration of a server started without flags.
func DefaultConfig() Config {
	return Config{
		BasePath:       "/KeyfactorAPI",
		Auth:           AuthBasic,
		Users:          []User{{Name: "admin", Password: "password"}},
		ProductVersion: "25.1.0.0",
		MaxBodyBytes:   1 << 20,
	}
}

// Server is the mock's HTTP handler: Keyfactor routes under the base path,
// mock administration under /_mock/.
type Server struct {
	cfg     Config
	base    string // lower-cased base path without a trailing slash
	logger  *slog.Logger
	mock    *mock.Mock // the mock's controls: every /_mock route goes through them
	store   *store.Store
	journal *journal.Journal
	faults  *fault.Set
	keyfac  chi.Router
	admin   chi.Router
	handler http.Handler
	routes  []route
	cache   *responseCache // nil when disabled
	oauth   *oauth.Server  // nil unless the auth mode takes bearer tokens
	ui      *ui.UI         // the dashboard at /_mock/ui/

	stopDelays     chan struct{} // closed by StopDelays
	stopDelaysOnce sync.Once
}

// StopDelays ends every fault delay now and in future: requests held by a
// Delay rule go on at once. A graceful shutdown calls it, so that a delay
// of minutes does not hold the shutdown.
func (s *Server) StopDelays() { s.stopDelaysOnce.Do(func() { close(s.stopDelays) }) }

// NewServer builds the handler over the mock m. tokens is the OAuth token
// service, nil unless cfg.Auth takes bearer tokens. Every dependency comes
// in here.
func NewServer(logger *slog.Logger, cfg Config, m *mock.Mock, tokens *oauth.Server) *Server {
	s := &Server{
		cfg:     cfg,
		base:    strings.TrimSuffix(strings.ToLower(cfg.BasePath), "/"),
		logger:  logger,
		mock:    m,
		store:   m.Store(),
		journal: m.Journal(),
		faults:  m.Faults(),
		oauth:   tokens,

		stopDelays: make(chan struct{}),
	}
	if !cfg.NoCache {
		s.cache = newResponseCache()
	}
	s.ui = ui.New(ui.Deps{
		Mock: m, Logger: logger, AdminToken: cfg.AdminToken, Stop: s.stopDelays,
		Info: ui.Info{Version: buildVersion(), ProductVersion: cfg.ProductVersion, BasePath: cfg.BasePath, Auth: string(cfg.Auth)},
		Describe: func(r *http.Request, err error) ui.Problem {
			status, body := describe(r, logger, err)
			return ui.Problem{Status: status, ErrorCode: body.ErrorCode, Message: body.Message}
		},
	})
	s.keyfac = s.keyfactorRouter()
	s.admin = s.adminRouter()
	s.handler = s.logRequests(http.HandlerFunc(s.dispatch))
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// dispatch sends /_mock/ to the admin router and paths under the base path
// to the Keyfactor router. Keyfactor routing is case-insensitive, as on
// IIS: the router sees the lower-cased path after the base path, with any
// trailing slash removed (ids in paths are GUIDs, so lower-casing them is
// harmless).
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request) {
	// Methods match without regard to case, as on IIS: Keyfactor's Go
	// client sends its store updates as "Put".
	if m := strings.ToUpper(r.Method); m != r.Method {
		r.Method = m
	}
	path := r.URL.Path
	if strings.HasPrefix(path, "/_mock/") || path == "/_mock" {
		// Route on the decoded path, as for Keyfactor routes (chi would
		// otherwise use the escaped RawPath).
		rctx := chi.NewRouteContext()
		rctx.RoutePath = path
		s.admin.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), chi.RouteCtxKey, rctx)))
		return
	}
	lower := strings.ToLower(path)
	rest, ok := strings.CutPrefix(lower, s.base)
	if !ok || (rest != "" && rest[0] != '/') {
		s.handleOutsideBase(w, r)
		return
	}
	if len(rest) > 1 {
		rest = strings.TrimSuffix(rest, "/")
	}
	if rest == "" {
		rest = "/"
	}
	// The OpenAPI document needs no credentials or Keyfactor headers, so
	// tools can read it before they are configured.
	if rest == "/swagger/v1/swagger.json" && r.Method == http.MethodGet {
		s.handleOpenAPI(w, r)
		return
	}
	rctx := chi.NewRouteContext()
	rctx.RoutePath = rest
	s.keyfac.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), chi.RouteCtxKey, rctx)))
}

// buildVersion is the mock's module version and VCS revision, as the Go
// toolchain stamped them into the binary.
func buildVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := info.Main.Version
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " " + s.Value[:12]
		}
	}
	return v
}
