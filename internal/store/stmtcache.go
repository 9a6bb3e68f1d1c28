package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Bounds of each statement cache. Query-language filters compile to SQL
// whose text depends only on the query's shape (values are placeholders),
// so a few hundred statements cover real use; very long statements (huge
// queries) are not kept, as each holds memory on every connection.
const (
	maxCachedStmts   = 512
	maxCachedSQLSize = 2048
)

// stmtCache keeps statements prepared on a connection pool, by SQL text.
// database/sql prepares each one lazily on every connection that runs it
// and keeps it there, so a query is parsed once per connection instead of
// on every call. Statements must be taken from the cache outside any
// transaction: preparing needs a free connection.
type stmtCache struct {
	db    *sql.DB
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, stmts: map[string]*sql.Stmt{}}
}

// lookup returns the statement for query if it is cached.
func (c *stmtCache) lookup(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stmts[query]
}

// get returns the statement for query, preparing it on first use; nil
// when it is not to be cached (the caller then runs it unprepared). The
// lock is never held while preparing, which waits for a free connection:
// holders of connections may be waiting for the lock (Tx.stmt).
func (c *stmtCache) get(ctx context.Context, query string) (*sql.Stmt, error) {
	if len(query) > maxCachedSQLSize {
		return nil, nil
	}
	c.mu.Lock()
	st, ok := c.stmts[query]
	full := len(c.stmts) >= maxCachedStmts
	c.mu.Unlock()
	if ok {
		return st, nil
	}
	if full {
		return nil, nil
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if other, ok := c.stmts[query]; ok { // prepared meanwhile by another caller
		_ = st.Close()
		return other, nil
	}
	c.stmts[query] = st
	return st, nil
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.stmts {
		_ = st.Close()
	}
	clear(c.stmts)
}

// query runs a single-statement read outside any transaction (one
// statement is its own consistent snapshot) with a cached statement.
func (s *Store) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := s.readStmts.get(ctx, query)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return s.read.QueryContext(ctx, query, args...)
	}
	return st.QueryContext(ctx, args...)
}

// collect reads every row with scan, which fills one T from the current
// row, and closes rows. It never returns a nil slice (lists encode as []).
func collect[T any](rows *sql.Rows, what string, scan func(*sql.Rows, *T) error) ([]T, error) {
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		var v T
		if err := scan(rows, &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	return out, nil
}

// querier runs queries: a *Tx, or the reader pool (see Store.reader).
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// poolReader runs single-statement reads through the pool's cache.
type poolReader struct{ s *Store }

func (p poolReader) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return p.s.query(ctx, query, args...)
}

func (p poolReader) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := p.s.readStmts.get(ctx, query)
	if err != nil || st == nil {
		return p.s.read.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// reader is a querier for single-statement reads outside a transaction.
func (s *Store) reader() querier { return poolReader{s} }

// cacheable reports whether a statement is plain DML.
func cacheable(query string) bool {
	q := strings.TrimSpace(query)
	for _, kw := range []string{"SELECT", "INSERT", "UPDATE", "DELETE"} {
		if len(q) >= len(kw) && strings.EqualFold(q[:len(kw)], kw) {
			return true
		}
	}
	return false
}

// Tx is a transaction that runs its statements prepared. Statements of
// the pool's cache are reused as they are; a statement not cached yet is
// prepared for this transaction and noted in missed, so that after the
// transaction (when a connection is free again) it can join the cache.
// Every store helper takes a *Tx.
type Tx struct {
	*sql.Tx
	shared *stmtCache
	stmts  map[string]*sql.Stmt // prepared for this transaction
	missed []string

	changed bool   // a statement of the transaction changed a row (see Store.Generation)
	tables  uint32 // the tracked tables it changed, a bit per Table (see Store.Version)
	rows    uint32 // the tables it added rows to or deleted rows from
	cols    []changedColumn

	// For the writer's transactions: the context every statement runs
	// under, whatever context an operation passes. It has no Done channel:
	// an operation once started runs to its end (its savepoint decides),
	// and the driver then watches no context, which costs a goroutine per
	// statement.
	stmtCtx context.Context
	// The run policy as the batch began,
	// and the bound on the next pickup it will publish (see MayBeDue).
	policy   *RunPolicy
	due      int64
	dueEpoch uint64
}

// changedTable reports whether the transaction changed table t.
func (t *Tx) changedTable(table Table) bool { return t.tables&(1<<table) != 0 }

func newTx(tx *sql.Tx, shared *stmtCache) *Tx {
	return &Tx{Tx: tx, shared: shared, stmts: map[string]*sql.Stmt{}}
}

func (t *Tx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if !cacheable(query) {
		return nil, nil
	}
	if st, ok := t.stmts[query]; ok {
		return st, nil
	}
	var st *sql.Stmt
	if shared := t.shared.lookup(query); shared != nil {
		st = t.Tx.StmtContext(ctx, shared)
	} else {
		var err error
		if st, err = t.Tx.PrepareContext(ctx, query); err != nil {
			return nil, err
		}
		t.missed = append(t.missed, query)
	}
	t.stmts[query] = st
	return st, nil
}

// cacheMissed adds the statements the transaction had to prepare to the
// shared cache. Call it after the transaction has ended.
func (t *Tx) cacheMissed(ctx context.Context) {
	for _, q := range t.missed {
		if _, err := t.shared.get(ctx, q); err != nil {
			return // the query will be prepared per transaction; nothing is lost
		}
	}
}

// ExecContext runs a statement, prepared once per transaction, and notes
// whether it changed rows, and of which table: the caches that depend on
// them learn it from the statements themselves, so no writer has to
// remember to tell them.
func (t *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if t.stmtCtx != nil {
		ctx = t.stmtCtx
	}
	st, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	var res sql.Result
	if st == nil {
		res, err = t.Tx.ExecContext(ctx, query, args...)
	} else {
		res, err = st.ExecContext(ctx, args...)
	}
	if err != nil || !isDML(query) {
		// SQLite reports the row count of the last INSERT, UPDATE or DELETE
		// for any other statement too, so only those three are counted.
		return res, err
	}
	if n, nerr := res.RowsAffected(); nerr != nil || n > 0 {
		t.changed = true
		if d := parseDML(query); d.table >= 0 {
			t.tables |= 1 << d.table
			if d.cols == nil || slices.Contains(d.cols, "*") {
				t.rows |= 1 << d.table
			} else {
				for _, c := range d.cols {
					t.cols = append(t.cols, changedColumn{d.table, c})
				}
			}
		}
	}
	return res, nil
}

// changedColumn is a column a transaction changed.
type changedColumn struct {
	table Table
	name  string
}

// isDML reports whether a statement is an INSERT, UPDATE or DELETE.
func isDML(query string) bool {
	q := strings.TrimSpace(query)
	for _, kw := range []string{"INSERT", "UPDATE", "DELETE"} {
		if len(q) >= len(kw) && strings.EqualFold(q[:len(kw)], kw) {
			return true
		}
	}
	return false
}

// QueryContext runs a query, prepared once per transaction.
func (t *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if t.stmtCtx != nil {
		ctx = t.stmtCtx
	}
	st, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return t.Tx.QueryContext(ctx, query, args...)
	}
	return st.QueryContext(ctx, args...)
}

// QueryRowContext runs a single-row query, prepared once per transaction.
func (t *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if t.stmtCtx != nil {
		ctx = t.stmtCtx
	}
	st, err := t.stmt(ctx, query)
	if err != nil || st == nil {
		return t.Tx.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}
