package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/mockcommand/mockcommand/internal/api"
	"github.com/mockcommand/mockcommand/internal/app"
	"github.com/mockcommand/mockcommand/internal/journal"
	"github.com/mockcommand/mockcommand/internal/mock"
	"github.com/mockcommand/mockcommand/internal/oauth"
)

// config is everything the command line and environment can set.
type config struct {
	addr            string
	db              string
	fixtures        string
	logLevel        slog.Level
	logFormat       string
	shutdownTimeout time.Duration
	journalSize     int
	journalBytes    int
	jobMode         mock.JobMode
	api             api.Config
	oauth           oauth.Config
	tls             tlsConfig
}

// tlsConfig says how to serve HTTPS, if at all.
type tlsConfig struct {
	certFile, keyFile string   // a certificate and key to serve
	selfSigned        bool     // or generate a throwaway CA and server certificate
	hosts             []string // names the generated certificate is for
	caOut             string   // where to write the generated CA certificate
}

func (t tlsConfig) enabled() bool { return t.selfSigned || t.certFile != "" }

// scheme is the URL scheme the server answers on.
func (t tlsConfig) scheme() string {
	if t.enabled() {
		return "https"
	}
	return "http"
}

// envPrefix prefixes the environment variable of every flag:
// --base-path is MOCKCOMMAND_BASE_PATH.
const envPrefix = "MOCKCOMMAND_"

func envName(flagName string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// parseConfig reads flags, each defaulting to its environment variable.
// Flags win over the environment.
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	def := api.DefaultConfig()
	fs := flag.NewFlagSet("mockcommand", flag.ContinueOnError)
	fs.SetOutput(stderr)
	str := func(name, value, usage string) *string {
		if v := getenv(envName(name)); v != "" {
			value = v
		}
		return fs.String(name, value, usage+" (env "+envName(name)+")")
	}
	var envErrs []error
	boolean := func(name string, value bool, usage string) *bool {
		if v := getenv(envName(name)); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				envErrs = append(envErrs, fmt.Errorf("%s: %q is not true or false", envName(name), v))
			}
			value = b
		}
		return fs.Bool(name, value, usage+" (env "+envName(name)+")")
	}
	addr := str("addr", "localhost:8080", "listen address")
	db := str("db", "", "SQLite database file; empty for an ephemeral database deleted on exit")
	fixtures := str("fixtures", "", "directory with agents.json and jobtypes.json; empty for the built-in fixtures")
	basePath := str("base-path", def.BasePath, "path prefix of the Keyfactor API (matched case-insensitively)")
	auth := str("auth", string(def.Auth), "authentication for Keyfactor routes: basic, oauth, basic,oauth or none")
	users := str("users", "admin:password", "Basic credentials, comma-separated name:password; a name without DOMAIN\\ or @domain matches any domain")
	productVersion := str("product-version", def.ProductVersion, "value of the x-keyfactor-product-version response header")
	maxBody := str("max-body-bytes", strconv.FormatInt(def.MaxBodyBytes, 10), "largest accepted request body, in bytes")
	logLevel := str("log-level", "info", "log level: debug, info, warn or error")
	logFormat := str("log-format", "text", "log format: text or json")
	shutdown := str("shutdown-timeout", "10s", "how long to let in-flight requests finish on SIGINT/SIGTERM")
	adminToken := str("admin-token", "", "when set, /_mock/ admin routes (except /_mock/health and /_mock/oauth/token) need Authorization: Bearer <token>")
	journalSize := str("journal-size", strconv.Itoa(app.DefaultJournalSize), "how many requests the journal (GET /_mock/requests) keeps")
	journalBytes := str("journal-bytes", strconv.Itoa(journal.DefaultMaxBytes), "how much memory the journal's entries may hold: bodies, headers, paths (the oldest entries go first)")
	responseCache := boolean("response-cache", true, "serve repeated GET /Agents and GET /JobTypes/Custom listings from a cache that any write invalidates (=false: every request queries SQLite)")
	oauthClients := str("oauth-clients", "mockcommand:mockcommand-secret", "OAuth clients of the token endpoint, comma-separated id:secret")
	oauthScope := str("oauth-scope", "", "scope a token request must ask for (empty: none required)")
	oauthAudience := str("oauth-audience", "", "audience a token request must name (empty: none required)")
	oauthTTL := str("oauth-token-ttl", "1h", "lifetime of issued tokens, by the mock's clock")
	tlsCert := str("tls-cert", "", "serve HTTPS with this PEM certificate (chain) file")
	tlsKey := str("tls-key", "", "the PEM private key of --tls-cert")
	tlsSelfSigned := boolean("tls-self-signed", false, "serve HTTPS with a throwaway CA and server certificate generated at start-up")
	tlsHosts := str("tls-hosts", "localhost,127.0.0.1,::1", "host names and IP addresses the generated certificate is for")
	tlsCAOut := str("tls-ca-out", "", "write the generated CA certificate (PEM) to this file, for clients to trust")
	jobMode := str("job-mode", mock.ModeCheckIn, "how due job runs complete: checkin (the orchestrator picks them up --job-pickup-delay later and completes them with Success, as in Command), immediate (completed the moment they fall due) or manual (a test completes them through POST /_mock/jobs/{id}/complete)")
	pickupDelay := str("job-pickup-delay", mock.DefaultPickupDelay.String(), "in the checkin job mode, how long after a run falls due its orchestrator picks it up (on the mock's clock)")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	cfg := config{addr: *addr, db: *db, fixtures: *fixtures, logFormat: *logFormat, api: def}
	cfg.api.BasePath = *basePath
	errs := envErrs
	var err error
	if cfg.api.Auth, err = api.ParseAuthMode(*auth); err != nil {
		errs = append(errs, fmt.Errorf("--auth: %w", err))
	}
	cfg.api.ProductVersion = *productVersion
	cfg.api.AdminToken = *adminToken
	if cfg.api.Users, err = api.ParseUsers(*users); err != nil {
		errs = append(errs, fmt.Errorf("--users: %w", err))
	}
	if cfg.api.MaxBodyBytes, err = strconv.ParseInt(*maxBody, 10, 64); err != nil || cfg.api.MaxBodyBytes < 1 {
		errs = append(errs, fmt.Errorf("--max-body-bytes: %q is not a positive number", *maxBody))
	}
	if err := cfg.logLevel.UnmarshalText([]byte(*logLevel)); err != nil {
		errs = append(errs, fmt.Errorf("--log-level: %q is not debug, info, warn or error", *logLevel))
	}
	if cfg.shutdownTimeout, err = time.ParseDuration(*shutdown); err != nil || cfg.shutdownTimeout < 0 {
		errs = append(errs, fmt.Errorf("--shutdown-timeout: %q is not a duration such as 10s", *shutdown))
	}
	if cfg.journalSize, err = strconv.Atoi(*journalSize); err != nil || cfg.journalSize < 1 || cfg.journalSize > 1_000_000 {
		errs = append(errs, fmt.Errorf("--journal-size: %q is not a number from 1 to 1000000", *journalSize))
	}
	cfg.api.NoCache = !*responseCache
	if cfg.journalBytes, err = strconv.Atoi(*journalBytes); err != nil || cfg.journalBytes < 1 {
		errs = append(errs, fmt.Errorf("--journal-bytes: %q is not a positive number", *journalBytes))
	}
	if cfg.oauth.Clients, err = oauth.ParseClients(*oauthClients); err != nil {
		errs = append(errs, fmt.Errorf("--oauth-clients: %w", err))
	}
	cfg.oauth.Scope, cfg.oauth.Audience = *oauthScope, *oauthAudience
	if cfg.oauth.TTL, err = time.ParseDuration(*oauthTTL); err != nil || cfg.oauth.TTL <= 0 {
		errs = append(errs, fmt.Errorf("--oauth-token-ttl: %q is not a positive duration such as 1h", *oauthTTL))
	}
	cfg.tls = tlsConfig{certFile: *tlsCert, keyFile: *tlsKey, caOut: *tlsCAOut, selfSigned: *tlsSelfSigned}
	for _, h := range strings.Split(*tlsHosts, ",") {
		if h = strings.TrimSpace(h); h != "" {
			cfg.tls.hosts = append(cfg.tls.hosts, h)
		}
	}
	cfg.jobMode.Mode = *jobMode
	if d, err := mock.ParseDuration(*pickupDelay); err != nil {
		errs = append(errs, fmt.Errorf("--job-pickup-delay: %w", err))
	} else if strings.EqualFold(strings.TrimSpace(*jobMode), mock.ModeCheckIn) {
		cfg.jobMode.PickupDelay = d
	}
	if err := cfg.jobMode.Check(); err != nil {
		errs = append(errs, fmt.Errorf("--job-mode: %w", err))
	}
	errs = append(errs, cfg.validate())
	if errors.Join(errs...) == nil {
		if err := cfg.api.Normalize(); err != nil { // the rules every way of starting the mock shares
			errs = append(errs, fmt.Errorf("--base-path: %w", err))
		}
	}
	return cfg, errors.Join(errs...)
}

func (c config) validate() error {
	var errs []error
	switch {
	case c.tls.selfSigned && c.tls.certFile != "":
		errs = append(errs, errors.New("--tls-self-signed and --tls-cert cannot both be given"))
	case (c.tls.certFile == "") != (c.tls.keyFile == ""):
		errs = append(errs, errors.New("--tls-cert and --tls-key go together"))
	case c.tls.selfSigned && len(c.tls.hosts) == 0:
		errs = append(errs, errors.New("--tls-hosts: the generated certificate needs at least one host name"))
	case c.tls.caOut != "" && !c.tls.selfSigned:
		errs = append(errs, errors.New("--tls-ca-out needs --tls-self-signed"))
	}
	switch c.logFormat {
	case "text", "json":
	default:
		errs = append(errs, fmt.Errorf("--log-format: %q is not text or json", c.logFormat))
	}

	if c.addr == "" {
		errs = append(errs, errors.New("--addr: must not be empty"))
	}
	return errors.Join(errs...)
}
