// Package commandtest runs a mock Keyfactor Command server for Go tests, in
// the spirit of net/http/httptest: NewServer starts the full mockcommand
// (the same code the mockcommand binary runs) on a random loopback port
// with an ephemeral SQLite store, and stops it when the test ends.
//
// The server answers like Command on its Keyfactor routes, and the
// Server's methods arrange state (seed agents and job types, set the
// clock), drive the job lifecycle (complete jobs), check what a client
// sent (the request journal) and inject faults.
package commandtest

import (
	"context"
	"crypto/tls"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"testing/fstest"
	"time"

	"github.com/mockcommand/mockcommand/internal/api"
	"github.com/mockcommand/mockcommand/internal/app"
	"github.com/mockcommand/mockcommand/internal/clock"
	"github.com/mockcommand/mockcommand/internal/fault"
	"github.com/mockcommand/mockcommand/internal/journal"
	"github.com/mockcommand/mockcommand/internal/mock"
	"github.com/mockcommand/mockcommand/internal/model"
)

// Command's entities, in its wire shape.
type (
	Agent         = model.Agent         // an orchestrator (AgentResponse)
	JobType       = model.JobType       // a custom job type (JobTypeResponse)
	JobTypeField  = model.JobTypeField  // a field of a custom job type
	JobHistory    = model.JobHistory    // one run of a job (JobHistoryResponse)
	Schedule      = model.Schedule      // KeyfactorSchedule
	IntervalModel = model.IntervalModel // Schedule.Interval
	Scalar        = model.Scalar        // a string member that may be unset (DefaultValue)
	Time          = model.Time          // a timestamp as the mock writes it
	Completion    = model.Completion    // how a job run ends
	Request       = journal.Entry       // one journaled request
	RequestQuery  = journal.Filter      // selects journaled requests
	FaultRule     = fault.Rule          // one fault-injection rule
	Duration      = model.Duration      // a delay in a FaultRule
)

// Field types of custom job type fields.
const (
	TypeString   = model.TypeString
	TypeInt      = model.TypeInt
	TypeDateTime = model.TypeDateTime
	TypeBool     = model.TypeBool
)

// Job run results and statuses (JobHistory.Result and JobHistory.Status).
const (
	ResultSuccess = model.JobResultSuccess
	ResultWarning = model.JobResultWarning
	ResultFailure = model.JobResultFailure

	StatusWaiting            = model.JobStatusWaiting
	StatusInProcess          = model.JobStatusInProcess
	StatusCompleted          = model.JobStatusCompleted
	StatusAcknowledged       = model.JobStatusAcknowledged
	StatusCompletedWillRetry = model.JobStatusCompletedWillRetry
)

// Job modes: how job runs complete once they fall due.
const (
	ModeCheckIn   = mock.ModeCheckIn   // the orchestrator picks a due run up PickupDelay later and completes it (the default, as in the binary)
	ModeImmediate = mock.ModeImmediate // due runs complete with Success the moment they fall due
	ModeManual    = mock.ModeManual    // runs wait until CompleteJob
)

// DefaultPickupDelay is the check-in delay of ModeCheckIn.
const DefaultPickupDelay = mock.DefaultPickupDelay

// Value returns a set Scalar, for JobTypeField.DefaultValue.
func Value(v string) Scalar { return model.S(v) }

// Ptr returns a pointer to v, for the optional members of Command's models
// (Agent.ClientMachine and the like).
func Ptr[T any](v T) *T { return &v }

// Server is a running mock.
type Server struct {
	URL      string       // root URL, e.g. http://127.0.0.1:41234
	BaseURL  string       // URL of the Keyfactor API, e.g. http://127.0.0.1:41234/KeyfactorAPI
	Client   *http.Client // sends the Keyfactor headers and the Basic credentials on every request
	Username string       // the Basic credentials Client uses
	Password string

	app  *app.App
	mock *mock.Mock
	srv  *httptest.Server
}

type options struct {
	fixtures      fs.FS
	fixturesLabel string
	empty         bool
	api           api.Config
	mode          mock.JobMode
	start         *time.Time
	tls           bool
	db            string
	logger        *slog.Logger
}

// Option configures a Server.
type Option func(*options)

// WithFixturesDir seeds the server from a fixtures directory (agents.json,
// jobtypes.json) instead of the built-in fixtures.
func WithFixturesDir(dir string) Option {
	return func(o *options) { o.fixtures, o.fixturesLabel = os.DirFS(dir), dir }
}

// WithoutFixtures starts with no agents and only the built-in FetchLogs job type.
func WithoutFixtures() Option { return func(o *options) { o.empty = true } }

// WithJobMode sets how due job runs complete: ModeCheckIn (the default),
// ModeImmediate or ModeManual.
func WithJobMode(mode string) Option { return func(o *options) { o.mode.Mode = mode } }

// WithPickupDelay sets the check-in delay of ModeCheckIn (default
// DefaultPickupDelay).
func WithPickupDelay(d time.Duration) Option { return func(o *options) { o.mode.PickupDelay = d } }

// WithUser sets the one Basic user the server accepts (and Client sends).
// The default is admin / password, accepted under any domain.
func WithUser(name, password string) Option {
	return func(o *options) { o.api.Users = []api.User{{Name: name, Password: password}} }
}

// WithoutAuth accepts requests without credentials.
func WithoutAuth() Option { return func(o *options) { o.api.Auth = api.AuthNone } }

// WithBasePath serves the Keyfactor API under path instead of /KeyfactorAPI.
func WithBasePath(path string) Option { return func(o *options) { o.api.BasePath = path } }

// WithClock starts the mock's clock frozen at t; see SetTime and Advance.
func WithClock(t time.Time) Option { return func(o *options) { o.start = &t } }

// WithTLS serves HTTPS; Client trusts the server's certificate.
func WithTLS() Option { return func(o *options) { o.tls = true } }

// WithDatabase keeps state in the SQLite file at path instead of an
// ephemeral database.
func WithDatabase(path string) Option { return func(o *options) { o.db = path } }

// WithAdminToken protects the /_mock/ routes and the dashboard with a
// token: "Authorization: Bearer <token>", or the dashboard's login form.
func WithAdminToken(token string) Option { return func(o *options) { o.api.AdminToken = token } }

// WithLogger sends the server's logs (one line per request) to logger.
func WithLogger(logger *slog.Logger) Option { return func(o *options) { o.logger = logger } }

// NewServer starts a mock for the test and closes it through t.Cleanup.
// It fails the test if the server cannot start.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s, err := Start(opts...)
	if err != nil {
		t.Fatalf("commandtest: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("commandtest: close: %v", err)
		}
	})
	return s
}

// Start starts a mock outside a test (for examples and TestMain); the
// caller must Close it.
func Start(opts ...Option) (*Server, error) {
	o := options{api: api.DefaultConfig(), mode: mock.JobMode{Mode: ModeCheckIn}}
	for _, opt := range opts {
		opt(&o)
	}
	if err := o.api.Normalize(); err != nil { // app.New checks it too; the URLs below need it now
		return nil, err
	}
	clk := clock.New()
	if o.start != nil {
		clk.Set(*o.start, true)
	}
	fixtures, label := o.fixtures, o.fixturesLabel
	if o.empty {
		fixtures, label = fstest.MapFS{"agents.json": {Data: []byte("[]")}}, "no fixtures"
	}
	a, err := app.New(context.Background(), app.Options{
		DBPath: o.db, Fixtures: fixtures, FixturesLabel: label, API: o.api,
		Logger: o.logger, Clock: clk, JobMode: o.mode,
	})
	if err != nil {
		return nil, err
	}
	s := &Server{app: a, mock: a.Mock, Username: o.api.Users[0].Name, Password: o.api.Users[0].Password}
	if o.tls {
		s.srv = httptest.NewTLSServer(a.Handler)
	} else {
		s.srv = httptest.NewServer(a.Handler)
	}
	s.URL = s.srv.URL
	s.BaseURL = s.srv.URL + o.api.BasePath
	base := s.srv.Client().Transport
	if o.api.Auth == api.AuthNone {
		s.Username, s.Password = "", ""
	}
	s.Client = &http.Client{Transport: &keyfactorTransport{base: base, user: s.Username, password: s.Password}, Timeout: 30 * time.Second}
	return s, nil
}

// Close stops the server and deletes its ephemeral database.
func (s *Server) Close() error {
	s.app.Server.StopDelays() // ends fault delays and the dashboard's live views
	s.srv.Close()
	return s.app.Close()
}

// TLSConfig is the client TLS configuration that trusts a WithTLS server.
func (s *Server) TLSConfig() *tls.Config {
	if tr, ok := s.srv.Client().Transport.(*http.Transport); ok && tr.TLSClientConfig != nil {
		return tr.TLSClientConfig.Clone()
	}
	return nil
}

// keyfactorTransport adds what every Keyfactor client sends.
type keyfactorTransport struct {
	base           http.RoundTripper
	user, password string
}

func (t *keyfactorTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	if r.Header.Get("x-keyfactor-requested-with") == "" {
		r.Header.Set("x-keyfactor-requested-with", "APIClient")
	}
	if r.Header.Get("x-keyfactor-api-version") == "" {
		r.Header.Set("x-keyfactor-api-version", "1")
	}
	if r.Header.Get("Authorization") == "" && t.user != "" {
		r.SetBasicAuth(t.user, t.password)
	}
	return t.base.RoundTrip(r)
}
