package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/mockcommand/mockcommand/internal/app"
	"github.com/mockcommand/mockcommand/internal/certs"
)

// run starts the mock and serves until ctx is cancelled, then shuts down
// gracefully: the listener closes at once and in-flight requests get
// cfg.shutdownTimeout to finish.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "healthcheck" {
		return healthcheck(ctx, args[1:], getenv, stdout, stderr)
	}
	cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	logger := newLogger(stderr, cfg)
	var tlsCfg *tls.Config
	if cfg.tls.enabled() {
		if tlsCfg, err = serverTLS(cfg.tls); err != nil {
			return err
		}
	}
	opts := app.Options{DBPath: cfg.db, API: cfg.api, Logger: logger, JournalSize: cfg.journalSize, JournalBytes: cfg.journalBytes, JobMode: cfg.jobMode, OAuth: cfg.oauth}
	if cfg.fixtures != "" {
		opts.Fixtures, opts.FixturesLabel = os.DirFS(cfg.fixtures), cfg.fixtures
	}
	a, err := app.New(ctx, opts)
	if err != nil {
		return err
	}
	defer func() {
		if err := a.Close(); err != nil {
			logger.Error("close store", "error", err)
		}
	}()

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.addr, err)
	}
	srv := &http.Server{
		Handler:           a.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		TLSConfig:         tlsCfg,
	}
	srv.RegisterOnShutdown(a.Server.StopDelays)
	url := cfg.tls.scheme() + "://" + ln.Addr().String()
	fmt.Fprintf(stdout, "mockcommand listening on %s (Keyfactor API at %s%s, database %s)\n", url, url, cfg.api.BasePath, dbLabel(cfg.db))
	logger.Info("listening", "addr", ln.Addr().String(), "base_path", cfg.api.BasePath, "auth", cfg.api.Auth, "db", dbLabel(cfg.db))

	serveErr := make(chan error, 1)
	go func() {
		if tlsCfg != nil {
			serveErr <- srv.ServeTLS(ln, "", "") // certificates come from srv.TLSConfig
			return
		}
		serveErr <- srv.Serve(ln)
	}()
	select {
	case err := <-serveErr:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down", "timeout", cfg.shutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		_ = srv.Close() // stop what is left before the store closes under it
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	logger.Info("stopped")
	return nil
}

// serverTLS loads the configured certificate, or generates a throwaway CA
// and server certificate and writes the CA certificate where asked.
func serverTLS(t tlsConfig) (*tls.Config, error) {
	cert, err := serverCertificate(t)
	if err != nil {
		return nil, err
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

func serverCertificate(t tlsConfig) (tls.Certificate, error) {
	if !t.selfSigned {
		cert, err := tls.LoadX509KeyPair(t.certFile, t.keyFile)
		if err != nil {
			return tls.Certificate{}, fmt.Errorf("--tls-cert/--tls-key: %w", err)
		}
		return cert, nil
	}
	s, err := certs.Generate(t.hosts, time.Now())
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("--tls-self-signed: %w", err)
	}
	if t.caOut != "" {
		if err := os.WriteFile(t.caOut, s.CAPEM, 0o644); err != nil {
			return tls.Certificate{}, fmt.Errorf("--tls-ca-out: %w", err)
		}
	}
	return s.Server, nil
}

// healthcheck is the "mockcommand healthcheck" subcommand: with the same
// flags and environment as the server, it asks the server's /_mock/health
// and succeeds when it answers 200, so a container image needs no curl or
// shell for its HEALTHCHECK. Over HTTPS it does not verify the server's
// certificate: it probes the local listener, it does not trust it.
func healthcheck(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	host, port, err := net.SplitHostPort(cfg.addr)
	if err != nil {
		return fmt.Errorf("--addr %q: %w", cfg.addr, err)
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1" // the server listens on every interface; ask the loopback one
	}
	client := &http.Client{
		Timeout:   5 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}, //nolint:gosec // a liveness probe of our own listener
	}
	url := cfg.tls.scheme() + "://" + net.JoinHostPort(host, port) + "/_mock/health"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("health check %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("health check %s: %s", url, resp.Status)
	}
	fmt.Fprintln(stdout, "healthy")
	return nil
}

func dbLabel(path string) string {
	if path == "" {
		return "ephemeral"
	}
	return path
}

func newLogger(w io.Writer, cfg config) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.logLevel}
	if cfg.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
