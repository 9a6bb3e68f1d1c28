package api

import (
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/mockcommand/mockcommand/internal/mock"
	"github.com/mockcommand/mockcommand/internal/model"
	"github.com/mockcommand/mockcommand/internal/ui"
)

// adminRouter serves /_mock/: the mock's own control API (no Keyfactor
// headers or credentials, optionally a bearer token), and answers every
// other path outside the base path with a 404. Every control goes
// through the mock package, as commandtest's do.
func (s *Server) adminRouter() chi.Router {
	r := chi.NewRouter()
	r.Get("/_mock/health", s.handleHealth)
	r.Handle("/_mock/oauth/token", http.HandlerFunc(s.handleToken)) // clients fetch tokens without the admin token
	// The dashboard checks the admin token itself: a browser sends it as
	// a cookie its login form sets, not as a bearer header.
	r.Get("/_mock/ui", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, ui.Prefix+"/", http.StatusMovedPermanently)
	})
	r.Handle("/_mock/ui/*", s.ui)
	r.Group(func(r chi.Router) {
		r.Use(s.requireAdminToken, adminBodiesAreJSON)
		r.Get("/_mock/openapi.json", s.handleOpenAPI)
		r.Post("/_mock/reset", s.handleReset)
		r.Post("/_mock/seed", s.handleSeed)
		r.Get("/_mock/clock", s.handleClockGet)
		r.Post("/_mock/clock", s.handleClockSet)

		r.Group(func(r chi.Router) {
			r.Use(s.runDue) // agent reads and writes see the runs that fell due
			r.Get("/_mock/agents", s.handleAgentList)
			r.Post("/_mock/agents", s.handleAdminAgentCreate)
			r.Get("/_mock/agents/{id}", s.handleAgentGet)
			r.Put("/_mock/agents/{id}", s.handleAdminAgentReplace)
			r.Patch("/_mock/agents/{id}", s.handleAdminAgentPatch)
			r.Delete("/_mock/agents/{id}", s.handleAdminAgentDelete)
			r.Get("/_mock/stores/{id}/contents", s.handleStoreContentsGet)
			r.Put("/_mock/stores/{id}/contents", s.handleStoreContentsSet)
		})
		r.Get("/_mock/ca/root.pem", s.handleRootCA)
		r.Get("/_mock/discovery", s.handleDiscoverableGet)
		r.Put("/_mock/discovery", s.handleDiscoverableSet)

		r.Get("/_mock/jobs/mode", s.handleJobModeGet)
		r.Put("/_mock/jobs/mode", s.handleJobModeSet)
		r.Post("/_mock/jobs/{id}/start", s.handleAdminJobStart)
		r.Post("/_mock/jobs/{id}/complete", s.handleAdminJobComplete)

		r.Get("/_mock/requests", s.handleRequestsList)
		r.Delete("/_mock/requests", s.handleRequestsClear)

		r.Get("/_mock/debug/pprof/", s.handleDebug)
		r.Get("/_mock/debug/pprof/{name}", s.handleDebug)

		r.Get("/_mock/faults", s.handleFaultsList)
		r.Post("/_mock/faults", s.handleFaultAdd)
		r.Delete("/_mock/faults", s.handleFaultsClear)
		r.Delete("/_mock/faults/{id}", s.handleFaultDelete)
	})
	r.NotFound(s.handleNoEndpoint)
	r.MethodNotAllowed(s.methodNotAllowed(r))
	return r
}

// adminBodiesAreJSON reads every admin request body as JSON, whatever its
// Content-Type says: curl -d sends application/x-www-form-urlencoded, and
// the mock's own API has no reason to refuse it (Keyfactor routes answer
// 415, as Command does).
func adminBodiesAreJSON(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Content-Type") != "" {
			r.Header.Del("Content-Type")
		}
		next.ServeHTTP(w, r)
	})
}

// requireAdminToken checks "Authorization: Bearer <token>" when an admin
// token is configured.
func (s *Server) requireAdminToken(next http.Handler) http.Handler {
	if s.cfg.AdminToken == "" {
		return next
	}
	want := []byte(s.cfg.AdminToken)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if token, ok := bearerToken(r); !ok || subtle.ConstantTimeCompare([]byte(token), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="mockcommand admin"`)
			writeError(w, r, s.logger, newError(http.StatusUnauthorized, codeUnauthenticated,
				"The admin API needs the header Authorization: Bearer followed by the --admin-token value."))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// handleHealth answers 200 while the store answers, 503 otherwise.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	if err := s.store.Ping(r.Context()); err != nil {
		s.logger.ErrorContext(r.Context(), "health check failed", "error", err)
		encode(w, http.StatusServiceUnavailable, map[string]string{"Status": "Unavailable"})
		return
	}
	encode(w, http.StatusOK, map[string]string{"Status": "Healthy"})
}

// handleToken is the OAuth token endpoint when the auth mode takes bearer
// tokens; otherwise it says which flag turns it on.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	if s.oauth == nil {
		writeError(w, r, s.logger, newError(http.StatusNotFound, codeNoEndpoint,
			"The OAuth token endpoint is served only when the mock takes bearer tokens: start it with --auth oauth (or --auth basic,oauth)."))
		return
	}
	s.oauth.ServeHTTP(w, r)
}

// handleReset returns the state to the fixtures the server started with.
// With ?all=true it also clears the journal and the fault rules and puts
// the clock back to real time.
func (s *Server) handleReset(w http.ResponseWriter, r *http.Request) {
	all := false
	if v, ok := queryValue(r, "all"); ok && v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			writeError(w, r, s.logger, model.Errorf(model.Invalid, "all %q is not true or false.", v))
			return
		}
		all = b
	}
	if err := s.mock.Reset(r.Context(), all); err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	noContent(w)
}

// seedRequest adds or replaces entities, in the fixture shapes.
type seedRequest struct {
	Agents   []model.Agent
	JobTypes []model.JobType
}

func (s *Server) handleSeed(w http.ResponseWriter, r *http.Request) {
	req, err := decode[seedRequest](w, r, s.cfg.MaxBodyBytes)
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	stored, err := s.mock.Seed(r.Context(), model.Fixtures{Agents: req.Agents, JobTypes: req.JobTypes})
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	out := seedRequest{Agents: stored.Agents, JobTypes: stored.JobTypes}
	if out.Agents == nil {
		out.Agents = []model.Agent{}
	}
	if out.JobTypes == nil {
		out.JobTypes = []model.JobType{}
	}
	encode(w, http.StatusOK, out)
}

// clockState is what GET and POST /_mock/clock answer.
type clockState struct {
	Now    model.Time
	Frozen bool
}

// clockRequest is the body of POST /_mock/clock (see mock.ClockChange).
type clockRequest struct {
	Now     *model.Time
	Advance *model.Duration
	Freeze  *bool
	Real    bool
}

func (s *Server) handleClockGet(w http.ResponseWriter, r *http.Request) {
	c := s.mock.Clock()
	encode(w, http.StatusOK, clockState{Now: model.NewTime(c.Now), Frozen: c.Frozen})
}

func (s *Server) handleClockSet(w http.ResponseWriter, r *http.Request) {
	req, err := decode[clockRequest](w, r, s.cfg.MaxBodyBytes)
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	change := mock.ClockChange{Freeze: req.Freeze, Real: req.Real}
	if req.Now != nil {
		change.Now = &req.Now.Time
	}
	if req.Advance != nil {
		d := time.Duration(*req.Advance)
		change.Advance = &d
	}
	c, err := s.mock.ChangeClock(r.Context(), change)
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	encode(w, http.StatusOK, clockState{Now: model.NewTime(c.Now), Frozen: c.Frozen})
}

// handleNoEndpoint answers paths no route matches.
func (s *Server) handleNoEndpoint(w http.ResponseWriter, r *http.Request) {
	writeError(w, r, s.logger, newError(http.StatusNotFound, codeNoEndpoint,
		"No endpoint matches "+r.Method+" "+strings.ReplaceAll(r.URL.Path, "\n", "")+"."))
}

// handleOutsideBase answers a path outside both the base path and
// /_mock/. When the path is a Keyfactor route without the base path (GET
// /Agents), the message says where the API lives.
func (s *Server) handleOutsideBase(w http.ResponseWriter, r *http.Request) {
	path := strings.ReplaceAll(r.URL.Path, "\n", "")
	msg := "No endpoint matches " + r.Method + " " + path + "."
	if s.keyfac.Match(chi.NewRouteContext(), r.Method, strings.ToLower(strings.TrimSuffix(path, "/"))) {
		msg += " The Keyfactor API is served under the base path " + s.cfg.BasePath + " (--base-path): " +
			r.Method + " " + s.cfg.BasePath + path + "."
	} else {
		msg += " The Keyfactor API is served under " + s.cfg.BasePath + " (--base-path) and the mock's own routes under /_mock/."
	}
	writeError(w, r, s.logger, newError(http.StatusNotFound, codeNoEndpoint, msg))
}
