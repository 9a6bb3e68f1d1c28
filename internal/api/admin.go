package api

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/mockcommand/mockcommand/internal/model"
	"github.com/mockcommand/mockcommand/internal/store"
)

// adminRouter serves /_mock/: the mock's own control API (no Keyfactor
// headers or credentials, optionally a bearer token), and answers every
// other path outside the base path with a 404.
func (s *Server) adminRouter() chi.Router {
	r := chi.NewRouter()
	r.Get("/_mock/health", s.handleHealth)
	if s.oauth != nil { // clients fetch tokens without the admin token
		r.Handle("/_mock/oauth/token", s.oauth)
	}
	r.Group(func(r chi.Router) {
		r.Use(s.requireAdminToken)
		r.Get("/_mock/openapi.json", s.handleOpenAPI)
		r.Post("/_mock/reset", s.handleReset)
		r.Post("/_mock/seed", s.handleSeed)
		r.Get("/_mock/clock", s.handleClockGet)
		r.Post("/_mock/clock", s.handleClockSet)

		r.Get("/_mock/agents", s.handleAgentList)
		r.Post("/_mock/agents", s.handleAdminAgentCreate)
		r.Get("/_mock/agents/{id}", s.handleAgentGet)
		r.Put("/_mock/agents/{id}", s.handleAdminAgentReplace)
		r.Patch("/_mock/agents/{id}", s.handleAdminAgentPatch)
		r.Delete("/_mock/agents/{id}", s.handleAdminAgentDelete)

		r.Get("/_mock/jobs/mode", s.handleJobModeGet)
		r.Put("/_mock/jobs/mode", s.handleJobModeSet)
		r.Post("/_mock/jobs/{id}/start", s.handleAdminJobStart)
		r.Post("/_mock/jobs/{id}/complete", s.handleAdminJobComplete)

		r.Get("/_mock/requests", s.handleRequestsList)
		r.Delete("/_mock/requests", s.handleRequestsClear)

		r.Get("/_mock/faults", s.handleFaultsList)
		r.Post("/_mock/faults", s.handleFaultAdd)
		r.Delete("/_mock/faults", s.handleFaultsClear)
		r.Delete("/_mock/faults/{id}", s.handleFaultDelete)
	})
	r.NotFound(s.handleNoEndpoint)
	r.MethodNotAllowed(s.methodNotAllowed(r))
	return r
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
				"The admin API needs the header Authorization: Bearer <the --admin-token value>."))
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
	fx, err := s.fixture()
	if err != nil {
		writeError(w, r, s.logger, model.Errorf(model.Invalid, "The fixtures cannot be loaded again: %v.", err))
		return
	}
	if all {
		s.journal.Clear()
		s.faults.Clear()
		s.clock.Reset()
	}
	if err := s.store.Reset(r.Context(), fx); err != nil {
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
	stored, err := s.store.Seed(r.Context(), store.Fixtures{Agents: req.Agents, JobTypes: req.JobTypes})
	if err != nil {
		var ee *store.EntryError
		if errors.As(err, &ee) && model.KindOf(ee.Err) != model.Internal {
			err = model.Errorf(model.Invalid, "%s", ee.Error())
		}
		writeError(w, r, s.logger, err)
		return
	}
	if stored.Agents == nil {
		stored.Agents = []model.Agent{}
	}
	if stored.JobTypes == nil {
		stored.JobTypes = []model.JobType{}
	}
	encode(w, http.StatusOK, seedRequest{Agents: stored.Agents, JobTypes: stored.JobTypes})
}

// clockState is what GET and POST /_mock/clock answer.
type clockState struct {
	Now    model.Time
	Frozen bool
}

// clockRequest changes the clock: Now sets it (frozen unless Freeze is
// false), Advance moves it, Freeze alone stops or restarts it, Real puts
// it back to real time.
type clockRequest struct {
	Now     *model.Time
	Advance *model.Duration
	Freeze  *bool
	Real    bool
}

func (s *Server) handleClockGet(w http.ResponseWriter, r *http.Request) {
	encode(w, http.StatusOK, clockState{Now: model.NewTime(s.clock.Now()), Frozen: s.clock.Frozen()})
}

func (s *Server) handleClockSet(w http.ResponseWriter, r *http.Request) {
	req, err := decode[clockRequest](w, r, s.cfg.MaxBodyBytes)
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	switch {
	case req.Real && (req.Now != nil || req.Advance != nil || req.Freeze != nil):
		err = model.Errorf(model.Invalid, "Real cannot be combined with Now, Advance or Freeze.")
	case req.Now != nil && req.Advance != nil:
		err = model.Errorf(model.Invalid, "Give Now or Advance, not both.")
	case !req.Real && req.Now == nil && req.Advance == nil && req.Freeze == nil:
		err = model.Errorf(model.Invalid, `Give Now (a time), Advance (a duration such as "90m"), Freeze (true or false) or Real (true).`)
	}
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	target := s.clock.Now()
	if req.Now != nil {
		target = req.Now.Time
	} else if req.Advance != nil {
		target = target.Add(time.Duration(*req.Advance))
	}
	if !req.Real && !model.InRange(target) {
		writeError(w, r, s.logger, model.Errorf(model.Invalid, "The clock would read %s; it must stay within the years 1 to 9999.", target.Format(time.RFC3339)))
		return
	}
	switch {
	case req.Real:
		s.clock.Reset()
	case req.Now != nil:
		s.clock.Set(req.Now.Time, req.Freeze == nil || *req.Freeze)
	default:
		if req.Advance != nil {
			s.clock.Advance(time.Duration(*req.Advance))
		}
		if req.Freeze != nil {
			s.clock.Set(s.clock.Now(), *req.Freeze)
		}
	}
	if err := s.store.RunDueJobs(r.Context()); err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	s.handleClockGet(w, r)
}

// handleNoEndpoint answers paths no route matches.
func (s *Server) handleNoEndpoint(w http.ResponseWriter, r *http.Request) {
	writeError(w, r, s.logger, newError(http.StatusNotFound, codeNoEndpoint,
		"No endpoint matches "+r.Method+" "+strings.ReplaceAll(r.URL.Path, "\n", "")+"."))
}
