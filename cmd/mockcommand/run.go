package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/mockcommand/mockcommand/internal/app"
)

// run starts the mock and serves until ctx is cancelled, then shuts down
// gracefully: the listener closes at once and in-flight requests get
// cfg.shutdownTimeout to finish.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	logger := newLogger(stderr, cfg)
	opts := app.Options{DBPath: cfg.db, API: cfg.api, Logger: logger, JournalSize: cfg.journalSize, JournalBytes: cfg.journalBytes, JobPolicy: cfg.jobPolicy}
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
	}
	url := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "mockcommand listening on %s (Keyfactor API at %s%s, database %s)\n", url, url, cfg.api.BasePath, dbLabel(cfg.db))
	logger.Info("listening", "addr", ln.Addr().String(), "base_path", cfg.api.BasePath, "auth", cfg.api.Auth, "db", dbLabel(cfg.db))

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	select {
	case err := <-serveErr:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down", "timeout", cfg.shutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	logger.Info("stopped")
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
