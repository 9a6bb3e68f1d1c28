package api

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/mockcommand/mockcommand/internal/store"
)

// route is one Keyfactor endpoint. pattern is written as Command's
// documentation writes it; the router registers it lower-cased.
type route struct {
	method  string
	pattern string
	handler http.HandlerFunc
}

// keyfactorRoutes is the whole Keyfactor API surface of the mock.
func (s *Server) keyfactorRoutes() []route {
	return []route{
		{http.MethodGet, "/Status/Endpoints", s.handleStatusEndpoints},

		{http.MethodGet, "/Agents", s.handleAgentList},
		{http.MethodGet, "/Agents/{id}", s.handleAgentGet},
		{http.MethodDelete, "/Agents/{id}", s.handleAgentDelete},
		{http.MethodPost, "/Agents/Approve", s.handleAgentsAction((*store.Store).ApproveAgents)},
		{http.MethodPost, "/Agents/Disapprove", s.handleAgentsAction((*store.Store).DisapproveAgents)},
		{http.MethodPost, "/Agents/Reset", s.handleAgentsAction((*store.Store).ResetAgents)},
		{http.MethodPost, "/Agents/{id}/Reset", s.handleAgentReset},
		{http.MethodPost, "/Agents/{id}/FetchLogs", s.handleAgentFetchLogs},
		{http.MethodPost, "/Agents/SetAuthCertificateReenrollment", s.handleSetReenrollment},

		{http.MethodGet, "/JobTypes/Custom", s.handleJobTypeList},
		{http.MethodGet, "/JobTypes/Custom/{id}", s.handleJobTypeGet},
		{http.MethodPost, "/JobTypes/Custom", s.handleJobTypeCreate},
		{http.MethodPut, "/JobTypes/Custom", s.handleJobTypeUpdate},
		{http.MethodDelete, "/JobTypes/Custom/{id}", s.handleJobTypeDelete},

		{http.MethodPost, "/OrchestratorJobs/Custom", s.handleJobSchedule},
		{http.MethodPost, "/OrchestratorJobs/Custom/Bulk", s.handleJobBulk},
		{http.MethodGet, "/OrchestratorJobs/ScheduledJobs", s.handleScheduledJobList},
		{http.MethodGet, "/OrchestratorJobs/JobHistory", s.handleJobHistory},
		{http.MethodGet, "/OrchestratorJobs/JobStatus/Data", s.handleJobData},
		{http.MethodPost, "/OrchestratorJobs/Acknowledge", s.handleRuns((*store.Store).AcknowledgeRuns)},
		{http.MethodPost, "/OrchestratorJobs/Reschedule", s.handleRuns((*store.Store).RescheduleRuns)},
		{http.MethodPost, "/OrchestratorJobs/Unschedule", s.handleUnschedule},
	}
}

// keyfactorRouter builds the router for paths under the base path. Its
// middleware runs for every Keyfactor path, unknown ones included, in
// Command's order: authentication, then the Keyfactor headers.
func (s *Server) keyfactorRouter() chi.Router {
	r := chi.NewRouter()
	r.Use(s.recordJournal, s.applyFaults, s.requireAuth, s.requireKeyfactorHeaders)
	s.routes = s.keyfactorRoutes()
	for _, rt := range s.routes {
		r.Method(rt.method, strings.ToLower(rt.pattern), rt.handler)
	}
	r.NotFound(s.handleNoEndpoint)
	r.MethodNotAllowed(s.methodNotAllowed(r))
	return r
}

// methodNotAllowed answers 405 with an Allow header listing the methods
// the path does have.
func (s *Server) methodNotAllowed(mux chi.Router) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		path := chi.RouteContext(r.Context()).RoutePath
		if path == "" {
			path = r.URL.Path
		}
		var allowed []string
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
			if mux.Match(chi.NewRouteContext(), m, path) {
				allowed = append(allowed, m)
			}
		}
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		writeError(w, r, s.logger, newError(http.StatusMethodNotAllowed, codeMethod,
			fmt.Sprintf("The requested resource does not support http method '%s'.", r.Method)))
	}
}
