package api

import (
	"fmt"
	"net/http"
	"slices"
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
	params  params // the query parameters it reads
}

// params are the query parameters a route reads. Command ignores any
// other parameter; the mock does too, but says so (see checkParams).
type params struct {
	list  bool     // the listing parameters (see listOptions), bare or under any one prefix
	names []string // others, matched case-insensitively
}

// listing is the parameters of a list endpoint, plus extra names.
func listing(extra ...string) params { return params{list: true, names: extra} }

// named is a fixed set of parameters.
func named(names ...string) params { return params{names: names} }

// certificateParams are the parameters of the certificate routes besides
// the listing's, in the spellings clients send.
var certificateParams = []string{"includeLocations", "includeMetadata", "includeHasPrivateKey", "verbose", "collectionId",
	"includeRevoked", "includeExpired", "pq.includeRevoked", "pq.includeExpired"}

// keyfactorRoutes is the whole Keyfactor API surface of the mock.
func (s *Server) keyfactorRoutes() []route {
	return []route{
		{http.MethodGet, "/Status/Endpoints", s.handleStatusEndpoints, params{}},

		{http.MethodGet, "/Agents", s.handleAgentList, listing()},
		{http.MethodGet, "/Agents/{id}", s.handleAgentGet, params{}},
		{http.MethodDelete, "/Agents/{id}", s.handleAgentDelete, named("force")},
		{http.MethodPost, "/Agents/Approve", s.handleAgentsAction((*store.Store).ApproveAgents), params{}},
		{http.MethodPost, "/Agents/Disapprove", s.handleAgentsAction((*store.Store).DisapproveAgents), params{}},
		{http.MethodPost, "/Agents/Reset", s.handleAgentsAction((*store.Store).ResetAgents), params{}},
		{http.MethodPost, "/Agents/{id}/Reset", s.handleAgentReset, params{}},
		{http.MethodPost, "/Agents/{id}/FetchLogs", s.handleAgentFetchLogs, params{}},
		{http.MethodPost, "/Agents/SetAuthCertificateReenrollment", s.handleSetReenrollment, params{}},

		{http.MethodGet, "/JobTypes/Custom", s.handleJobTypeList, listing()},
		{http.MethodGet, "/JobTypes/Custom/{id}", s.handleJobTypeGet, params{}},
		{http.MethodPost, "/JobTypes/Custom", s.handleJobTypeCreate, params{}},
		{http.MethodPut, "/JobTypes/Custom", s.handleJobTypeUpdate, params{}},
		{http.MethodDelete, "/JobTypes/Custom/{id}", s.handleJobTypeDelete, params{}},

		{http.MethodGet, "/CertificateStoreTypes", s.handleStoreTypeList, listing()},
		{http.MethodGet, "/CertificateStoreTypes/{id}", s.handleStoreTypeGet, params{}},
		{http.MethodGet, "/CertificateStoreTypes/Name/{name}", s.handleStoreTypeByName, params{}},
		{http.MethodPost, "/CertificateStoreTypes", s.handleStoreTypeCreate, params{}},
		{http.MethodPut, "/CertificateStoreTypes", s.handleStoreTypeUpdate, params{}},
		{http.MethodDelete, "/CertificateStoreTypes/{id}", s.handleStoreTypeDelete, params{}},
		{http.MethodDelete, "/CertificateStoreTypes", bulkDelete(s, "store types", s.store.DeleteStoreTypes), params{}},

		{http.MethodGet, "/CertificateStoreContainers", s.handleContainerList, listing()},
		{http.MethodGet, "/CertificateStoreContainers/{id}", s.handleContainerGet, params{}},
		{http.MethodPost, "/CertificateStoreContainers", s.handleContainerSave(true), params{}},
		{http.MethodPut, "/CertificateStoreContainers", s.handleContainerSave(false), params{}},
		{http.MethodDelete, "/CertificateStoreContainers/{id}", s.handleContainerDelete, params{}},

		{http.MethodGet, "/CertificateStores", s.handleStoreList, listing()},
		{http.MethodGet, "/CertificateStores/{id}", s.handleStoreGet, params{}},
		{http.MethodPost, "/CertificateStores", s.handleStoreCreate, params{}},
		{http.MethodPut, "/CertificateStores", s.handleStoreUpdate, params{}},
		{http.MethodDelete, "/CertificateStores/{id}", s.handleStoreDelete, params{}},
		{http.MethodDelete, "/CertificateStores", bulkDelete(s, "certificate stores", s.store.DeleteStores), params{}},
		{http.MethodPost, "/CertificateStores/Approve", s.handleStoreApprove, params{}},
		{http.MethodPost, "/CertificateStores/Schedule", s.handleStoreSchedule, params{}},
		{http.MethodGet, "/CertificateStores/{id}/Inventory", s.handleStoreInventory, listing()},
		{http.MethodPut, "/CertificateStores/Password", s.handleStorePassword, params{}},
		{http.MethodPut, "/CertificateStores/DiscoveryJob", s.handleStoreDiscovery, params{}},
		{http.MethodPost, "/CertificateStores/Certificates/Add", s.handleStoreCertificates(false), named("collectionId")},
		{http.MethodPost, "/CertificateStores/Certificates/Remove", s.handleStoreCertificates(true), named("collectionId")},

		{http.MethodGet, "/CertificateAuthority", plainList(s, s.store.ListCAs), listing()},
		{http.MethodGet, "/Templates", plainList(s, s.store.ListTemplates), listing()},
		{http.MethodGet, "/Templates/{id}", s.handleTemplateGet, params{}},
		{http.MethodPost, "/Enrollment/CSR", s.handleEnrollCSR, params{}},
		{http.MethodPost, "/Enrollment/PFX", s.handleEnrollPFX, params{}},
		{http.MethodPost, "/Enrollment/PFX/Deploy", s.handleDeployPFX, params{}},
		{http.MethodGet, "/Enrollment/CSR/Context/My", s.handleEnrollmentContext(2), params{}},
		{http.MethodGet, "/Enrollment/PFX/Context/My", s.handleEnrollmentContext(1), params{}},
		{http.MethodPut, "/Certificates/Metadata", s.handleMetadataUpdate, named("collectionId")},
		{http.MethodPost, "/Certificates/Import", s.handleCertificateImport, named("collectionId")},
		{http.MethodDelete, "/Certificates", bulkDelete(s, "certificates", s.store.DeleteCertificates), named("collectionId")},
		{http.MethodPost, "/Certificates/Download", s.handleCertificateDownload, named("collectionId")},
		{http.MethodPost, "/Certificates/Recover", s.handleCertificateRecover, named("collectionId")},
		{http.MethodGet, "/Certificates", s.handleCertificateList, listing(certificateParams...)},
		{http.MethodGet, "/Certificates/{id}", s.handleCertificateGet, named(certificateParams...)},
		{http.MethodPost, "/Certificates/Revoke", s.handleCertificateRevoke, named("collectionId")},
		{http.MethodDelete, "/Certificates/{id}", s.handleCertificateDelete, named("collectionId")},
		{http.MethodGet, "/Certificates/Locations/{id}", s.handleCertificateLocations, named("collectionId")},
		{http.MethodGet, "/MetadataFields", plainList(s, s.store.ListMetadataFields), listing()},
		{http.MethodGet, "/MetadataFields/{id}", s.handleMetadataGet, params{}},
		{http.MethodPost, "/MetadataFields", s.handleMetadataCreate, params{}},

		{http.MethodPost, "/OrchestratorJobs/Custom", s.handleJobSchedule, params{}},
		{http.MethodPost, "/OrchestratorJobs/Custom/Bulk", s.handleJobBulk, params{}},
		{http.MethodGet, "/OrchestratorJobs/ScheduledJobs", s.handleScheduledJobList, listing()},
		{http.MethodGet, "/OrchestratorJobs/JobHistory", s.handleJobHistory, listing()},
		{http.MethodGet, "/OrchestratorJobs/JobStatus/Data", s.handleJobData, named("jobHistoryId")},
		{http.MethodPost, "/OrchestratorJobs/Acknowledge", s.handleRuns((*store.Store).AcknowledgeRuns), params{}},
		{http.MethodPost, "/OrchestratorJobs/Reschedule", s.handleRuns((*store.Store).RescheduleRuns), params{}},
		{http.MethodPost, "/OrchestratorJobs/Unschedule", s.handleUnschedule, params{}},
	}
}

// keyfactorRouter builds the router for paths under the base path. Its
// middleware runs for every Keyfactor path, unknown ones included, in
// Command's order: authentication, then the Keyfactor headers; then the
// job runs that have fallen due complete, once per request, before the
// handler reads or writes.
func (s *Server) keyfactorRouter() chi.Router {
	r := chi.NewRouter()
	r.Use(s.recordJournal, s.applyFaults, s.requireAuth, s.requireKeyfactorHeaders, s.runDue)
	s.routes = s.keyfactorRoutes()
	for _, rt := range s.routes {
		r.Method(rt.method, strings.ToLower(rt.pattern), s.checkParams(rt))
	}
	r.NotFound(s.handleNoEndpoint)
	r.MethodNotAllowed(s.methodNotAllowed(r))
	return r
}

// runDue completes the job runs that have fallen due (see mock.RunDue).
func (s *Server) runDue(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.mock.RunDue(r.Context()); err != nil {
			writeError(w, r, s.logger, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// listKeys are the listing parameters, lower-cased, without a prefix.
var listKeys = []string{"querystring", "pagereturned", "returnlimit", "sortfield", "sortascending"}

// checkParams wraps a route's handler: a query parameter the route does
// not read is ignored, as Command ignores it, but named in an
// x-mockcommand-warning response header and in the request's journal
// entry, so that a contract test notices a misspelled QeuryString.
func (s *Server) checkParams(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ignored []string
		for key := range r.URL.Query() {
			k := strings.ToLower(key)
			if slices.ContainsFunc(rt.params.names, func(n string) bool { return strings.EqualFold(n, k) }) {
				continue
			}
			if rt.params.list && slices.Contains(listKeys, unprefixed(k)) {
				continue
			}
			ignored = append(ignored, key)
		}
		slices.Sort(ignored)
		for _, key := range ignored {
			noteOf(r).warn(w, fmt.Sprintf("ignored query parameter %q: %s %s does not read it", key, rt.method, rt.pattern))
		}
		rt.handler(w, r)
	})
}

// unprefixed strips one "prefix." from a parameter key: pq.queryString,
// cstquery.queryString and certificateStoreQuery.queryString all bind to
// QueryString, as in ASP.NET model binding.
func unprefixed(key string) string {
	if _, name, ok := strings.Cut(key, "."); ok && name != "" && !strings.Contains(name, ".") {
		return name
	}
	return key
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
