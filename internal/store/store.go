package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/mockcommand/mockcommand/internal/model"
)

// Options configures Open.
type Options struct {
	// Path is the database file. Empty means an ephemeral database in a
	// fresh temporary directory, removed by Close.
	Path string
	// Now is the clock every written timestamp comes from. Nil means time.Now.
	Now func() time.Time
	// RunPolicy says which job runs complete by themselves (see RunPolicy).
	RunPolicy RunPolicy
	// Seed, when set, seeds a database that has never been seeded (a new
	// one) with these fixtures. A persistent database is seeded only once.
	Seed *model.Fixtures
	// Logger receives what the store has to report on its own (a failed
	// checkpoint). Nil means slog.Default().
	Logger *slog.Logger
	// SeedSource describes where Seed comes from (the fixtures' location
	// and a checksum of their content); the database keeps the source it
	// was seeded from (see SeedState).
	SeedSource string
}

// Store is the mock's state. It is safe for concurrent use.
type Store struct {
	write   *sql.DB // one connection, IMMEDIATE transactions
	read    *sql.DB // reader pool, query_only
	now     func() time.Time
	path    string
	tempDir string // removed on Close when the database is ephemeral
	policy  atomic.Pointer[RunPolicy]
	seeded  bool // Open seeded the database
	seedAt  time.Time
	source  string // what the database was last seeded from

	writes     chan *writeOp // to the writer goroutine (see writer.go)
	quit       chan struct{} // closed by Close
	writerDone chan struct{} // closed when the writer goroutine has returned

	logger           *slog.Logger
	checkpoint       *sql.DB       // the checkpointer's connection (see checkpoint.go)
	checkpointerDone chan struct{} // closed when the checkpointer has returned
	writerUp         bool          // the writer goroutine was started

	readStmts  *stmtCache    // reads (see Store.query)
	writeStmts *stmtCache    // the writer's statements (see Tx)
	writeOps   atomic.Uint64 // operations written, and in how many commits (benchmarks report their ratio)
	commits    atomic.Uint64
	gen        atomic.Uint64 // bumped after every commit that changed a row: see Generation
	tableGen   tableGens     // bumped per table: see Version
	colGen     columnGens    // bumped per table and column: see columnsVersion
	jobTypes   jobTypeCache
	anchors    anchorCache
	due        dueHint                           // see MayBeDue
	certRes    atomic.Pointer[versionedResource] // GET /Certificates' fields, metadata fields included
}

// Open opens (creating if needed) the database and applies migrations.
func Open(ctx context.Context, opts Options) (*Store, error) {
	s := &Store{now: opts.Now, path: opts.Path, logger: opts.Logger, writes: make(chan *writeOp), quit: make(chan struct{}),
		writerDone: make(chan struct{}), checkpointerDone: make(chan struct{})}
	if s.logger == nil {
		s.logger = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.due.at.Store(dueUnknown)
	s.SetRunPolicy(opts.RunPolicy)
	if s.path == "" {
		dir, err := ephemeralDir()
		if err != nil {
			return nil, err
		}
		s.tempDir = dir
		s.path = filepath.Join(dir, "mockcommand.db")
	}
	if strings.ContainsAny(s.path, "?#") {
		return nil, fmt.Errorf("database path %q must not contain '?' or '#'", s.path)
	}
	if err := s.open(ctx, opts.Seed, opts.SeedSource); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) open(ctx context.Context, seed *model.Fixtures, source string) error {
	// Pragmas go in the DSN so that every pooled connection gets them.
	pragmas := "?_pragma=temp_store(MEMORY)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
	var err error
	if s.write, err = openDB(s.path, pragmas+"&_txlock=immediate", `PRAGMA jobsdb.journal_mode = WAL`, `PRAGMA jobsdb.synchronous = NORMAL`,
		`PRAGMA wal_autocheckpoint = 0`); err != nil {
		return err
	}
	s.write.SetMaxOpenConns(1)
	s.write.SetMaxIdleConns(1)
	s.write.SetConnMaxIdleTime(0)
	if err := s.write.PingContext(ctx); err != nil {
		return fmt.Errorf("open database %s: %w", s.path, err)
	}
	if _, err := s.write.ExecContext(ctx, jobsSchema); err != nil {
		return fmt.Errorf("create the job tables in %s: %w", JobsPath(s.path), err)
	}
	if err := s.migrate(ctx); err != nil {
		return err
	}
	s.writeStmts = newStmtCache(s.write)
	s.writerUp = true
	go s.runWriter()
	if err := s.fillAgentDocs(ctx); err != nil {
		return err
	}
	if seed != nil {
		if err := s.seedNew(ctx, *seed, source); err != nil {
			return err
		}
	}
	var err2 error
	if s.seedAt, s.source, _, err2 = seedMarker(ctx, s.write); err2 != nil {
		return err2
	}
	// Readers map the main database file: a listing reads rows all over
	// it, and a mapped page costs no system call and no copy into a page
	// cache of each connection's own. (The kernel counts the mapped pages
	// in the resident size once per connection; they are one copy in
	// memory.) A reader maps the file again after another connection
	// wrote to it, which is why jobs, written all the time, have a file of
	// their own (see jobsdb.go).
	const mapSize = 1 << 30
	if s.read, err = openDB(s.path, pragmas+fmt.Sprintf("&_pragma=query_only(1)&_pragma=cache_size(-1024)&_pragma=mmap_size(%d)", mapSize),
		`PRAGMA jobsdb.cache_size = -1024`); err != nil {
		return err
	}
	s.readStmts = newStmtCache(s.read)
	if s.checkpoint, err = openDB(s.path, pragmas); err != nil {
		return err
	}
	s.checkpoint.SetMaxOpenConns(1)
	go s.runCheckpointer(s.checkpoint)
	n := max(4, runtime.GOMAXPROCS(0)*2)
	s.read.SetMaxOpenConns(n)
	s.read.SetMaxIdleConns(n)
	s.read.SetConnMaxIdleTime(0)
	return nil
}

// seedNew seeds the database if it has never been seeded. It runs before
// the reader pool opens, so the writer may leave WAL mode for the load: a
// rollback journal writes each page once, where WAL writes it twice
// (log, then checkpoint). The load stays atomic either way.
func (s *Store) seedNew(ctx context.Context, f model.Fixtures, source string) error {
	if _, _, seeded, err := seedMarker(ctx, s.write); err != nil || seeded {
		return err
	}
	if _, err := s.write.ExecContext(ctx, `PRAGMA journal_mode = DELETE`); err != nil {
		return fmt.Errorf("leave WAL for seeding: %w", err)
	}
	// No fsync while seeding a new database. If the process dies mid-seed
	// the rollback journal undoes the unfinished seed and the next start
	// seeds again (the seed marker is written with it). A power loss
	// mid-seed can leave the new file corrupt: it holds only fixtures, so
	// delete it and start again.
	if _, err := s.write.ExecContext(ctx, `PRAGMA synchronous = OFF`); err != nil {
		return fmt.Errorf("seeding without fsync: %w", err)
	}
	if err := s.Reset(ctx, f, source); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	for _, pragma := range []string{`PRAGMA journal_mode = WAL`, `PRAGMA synchronous = NORMAL`} {
		if _, err := s.write.ExecContext(ctx, pragma); err != nil {
			return fmt.Errorf("after seeding, %s: %w", pragma, err)
		}
	}
	s.seeded = true
	return nil
}

// SeededOnOpen reports whether Open seeded the database (it was new).
func (s *Store) SeededOnOpen() bool { return s.seeded }

// SeedState reports, as of Open, when the database was last seeded (by
// Open or a reset) and from what source (Options.SeedSource). A persistent
// database opened again keeps its state: fixtures given at a later start
// are not loaded, and the caller can compare sources to say so.
func (s *Store) SeedState() (at time.Time, source string) { return s.seedAt, s.source }

// ephemeralDir makes the directory of an ephemeral database: under the
// temporary directory, or, where there is none (a bare container root),
// under the working directory.
func ephemeralDir() (string, error) {
	dir, err := os.MkdirTemp("", "mockcommand-")
	if err == nil {
		return dir, nil
	}
	if dir, err2 := os.MkdirTemp(".", "mockcommand-"); err2 == nil {
		return filepath.Abs(dir)
	}
	return "", fmt.Errorf("no writable directory for the ephemeral database (%v); set TMPDIR or give --db a path", err)
}

// Close closes the database, and deletes it when it was ephemeral.
func (s *Store) Close() error {
	var errs []error
	select {
	case <-s.quit:
	default:
		close(s.quit)
		if s.writerUp {
			<-s.writerDone
		}
		if s.checkpoint != nil {
			<-s.checkpointerDone
		}
	}
	for _, c := range []*stmtCache{s.readStmts, s.writeStmts} {
		if c != nil {
			c.close()
		}
	}
	if s.read != nil {
		errs = append(errs, s.read.Close())
	}
	if s.checkpoint != nil {
		errs = append(errs, s.checkpoint.Close())
	}
	if s.write != nil {
		errs = append(errs, s.write.Close())
	}
	if s.tempDir != "" {
		errs = append(errs, os.RemoveAll(s.tempDir))
	}
	return errors.Join(errs...)
}

// Ping checks that both pools answer.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.write.PingContext(ctx); err != nil {
		return fmt.Errorf("ping writer: %w", err)
	}
	if err := s.read.PingContext(ctx); err != nil {
		return fmt.Errorf("ping reader: %w", err)
	}
	return nil
}

// readRow runs a single-row read on the reader pool, outside any
// transaction (one statement is its own consistent snapshot).
func (s *Store) readRow(ctx context.Context, query string, args ...any) *sql.Row {
	return s.read.QueryRowContext(ctx, query, args...)
}

// readOne finds one entity by key in a read-only transaction (find
// answers NotFound for an unknown key).
func readOne[K, T any](ctx context.Context, s *Store, key K, find func(context.Context, *Tx, K) (T, error)) (T, error) {
	var v T
	err := s.readTx(ctx, func(tx *Tx) error {
		var err error
		v, err = find(ctx, tx, key)
		return err
	})
	return v, err
}

// readTx runs fn in a read-only transaction on the reader pool.
func (s *Store) readTx(ctx context.Context, fn func(tx *Tx) error) error {
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	t := newTx(tx, s.readStmts)
	if err := fn(t); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	t.cacheMissed(ctx)
	return nil
}
