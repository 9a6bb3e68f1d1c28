package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/mockcommand/mockcommand/internal/model"
)

// Fixtures is the state the mock starts from: orchestrators and custom job
// types, in Command's response shapes.
type Fixtures struct {
	Agents   []model.Agent
	JobTypes []model.JobType
	// AgentBatches, when not nil, supplies more agents after Agents, in
	// order, one batch per call of put, so that Reset stores a large
	// fixture file while it is being decoded. It returns put's first error.
	// Its agents are normalised and checked as they are stored; the
	// batches must not be modified after put returns.
	AgentBatches func(put func(batch []model.Agent) error) error

	normalized bool // Normalize succeeded on exactly these slices
}

// Reset replaces all state (agents, job types, jobs) with f plus the
// built-in FetchLogs job type, and marks the database as seeded.
func (s *Store) Reset(ctx context.Context, f Fixtures) error {
	return s.writeTx(ctx, func(tx *Tx, now time.Time) error {
		for _, table := range []string{"job_history", "jobs", "agents", "job_types"} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+table); err != nil {
				return fmt.Errorf("clear %s: %w", table, err)
			}
		}
		if err := ensureFetchLogs(ctx, tx); err != nil {
			return err
		}
		n := len(f.Agents)
		if f.AgentBatches != nil { // only large files are streamed
			n = max(n, bulkLoadThreshold)
		}
		rebuild, err := dropIndexesForBulkLoad(ctx, tx, n)
		if err != nil {
			return err
		}
		_, err = seed(ctx, tx, f, now, false)
		if err == nil {
			err = rebuild()
		}
		// The page cache is the connection's, not the transaction's: give
		// back what a bulk load took whether or not the reset commits.
		if _, serr := tx.ExecContext(context.WithoutCancel(ctx), `PRAGMA cache_size = -2000`); serr != nil && err == nil {
			err = fmt.Errorf("restore page cache: %w", serr)
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('seeded', ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, model.NewTime(now).String()); err != nil {
			return fmt.Errorf("mark seeded: %w", err)
		}
		return nil
	})
}

// bulkLoadThreshold is the number of agents above which a reset drops the
// agents table's indexes (the unique AgentId one too) and rebuilds them
// after the load:
// building an index from sorted keys is several times faster than
// inserting 100k random keys one by one.
const bulkLoadThreshold = 5000

// dropIndexesForBulkLoad drops the indexes of the agents table
// (as the migrations define them, read back from sqlite_master) when n
// agents are about to be loaded, and returns the function that recreates
// them.
func dropIndexesForBulkLoad(ctx context.Context, tx *Tx, n int) (rebuild func() error, err error) {
	if n < bulkLoadThreshold {
		return func() error { return nil }, nil
	}
	// A bulk load touches far more pages than the default 2 MB page cache
	// holds; spilling them mid-transaction doubles the writes. Reset gives
	// the larger cache back afterwards (the mock serves from a small one).
	if _, err := tx.ExecContext(ctx, `PRAGMA cache_size = -32768`); err != nil {
		return nil, fmt.Errorf("enlarge page cache: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'agents' AND sql IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("list agent indexes: %w", err)
	}
	var names, defs []string
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			rows.Close()
			return nil, fmt.Errorf("list agent indexes: %w", err)
		}
		names, defs = append(names, name), append(defs, def)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list agent indexes: %w", err)
	}
	for _, name := range names {
		if _, err := tx.ExecContext(ctx, `DROP INDEX "`+name+`"`); err != nil {
			return nil, fmt.Errorf("drop index %s: %w", name, err)
		}
	}
	return func() error {
		for i, def := range defs {
			if _, err := tx.ExecContext(ctx, def); err != nil {
				return fmt.Errorf("rebuild index %s: %w", names[i], err)
			}
		}
		return nil
	}, nil
}

// Seed adds the agents and job types in f, replacing any with the same
// AgentId, or the same job type Id or name, and returns them as stored
// (with generated ids filled in).
func (s *Store) Seed(ctx context.Context, f Fixtures) (Fixtures, error) {
	var stored Fixtures
	err := s.writeTx(ctx, func(tx *Tx, now time.Time) error {
		var err error
		stored, err = seed(ctx, tx, f, now, true)
		return err
	})
	if err != nil {
		return Fixtures{}, err
	}
	stored.Agents = slices.Clone(stored.Agents)
	return stored, s.deriveJobTypes(ctx, stored.Agents) // as GET /Agents shows them
}

// Seeded reports whether the database has been seeded (by Reset) before.
// A persistent database is seeded from fixtures only once, when created.
func (s *Store) Seeded(ctx context.Context) (bool, error) { return seededIn(ctx, s.read) }

// seededIn reads the seed marker through db.
func seededIn(ctx context.Context, db *sql.DB) (bool, error) {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM meta WHERE key = 'seeded'`).Scan(&n); err != nil {
		return false, fmt.Errorf("read seed marker: %w", err)
	}
	return n > 0, nil
}

// EntryError names the fixture entry that is wrong: Set is "Agents" or
// "JobTypes", Index its position in that list.
type EntryError struct {
	Set   string
	Index int
	Err   error
}

// Error names the entry ("Agents[3]: ...") and the problem.
func (e *EntryError) Error() string { return fmt.Sprintf("%s[%d]: %v", e.Set, e.Index, e.Err) }

// Unwrap returns the entry's problem, so errors.As finds a *model.Error.
func (e *EntryError) Unwrap() error { return e.Err }

// Normalize validates every entry and fills what may be omitted (see
// model.Agent.Normalize and model.JobType.Validate). Two agents with one
// AgentId, or two job types with one name or Id, are errors. The error is
// an *EntryError wrapping an Invalid *model.Error.
func (f *Fixtures) Normalize(now time.Time) error {
	names := map[string]int{}
	ids := map[string]int{}
	for i := range f.JobTypes {
		jt := &f.JobTypes[i]
		fail := func(err error) error { return &EntryError{Set: "JobTypes", Index: i, Err: err} }
		if err := jt.Validate(); err != nil {
			return fail(err)
		}
		if strings.EqualFold(jt.JobTypeName, model.FetchLogsJobTypeName) {
			return fail(model.Errorf(model.Invalid, "%s is built in and cannot be defined.", model.FetchLogsJobTypeName))
		}
		if j, dup := names[model.NameKey(jt.JobTypeName)]; dup {
			return fail(model.Errorf(model.Invalid, "JobTypeName %q is also used by JobTypes[%d].", jt.JobTypeName, j))
		}
		names[model.NameKey(jt.JobTypeName)] = i
		if jt.Id == "" {
			continue
		}
		id, err := model.NormalizeGUID(jt.Id)
		if err != nil {
			return fail(model.Errorf(model.Invalid, "Id %s.", err))
		}
		if id == model.FetchLogsJobTypeID {
			return fail(model.Errorf(model.Invalid, "Id %s belongs to the built-in %s job type.", id, model.FetchLogsJobTypeName))
		}
		if j, dup := ids[id]; dup {
			return fail(model.Errorf(model.Invalid, "Id %s is also used by JobTypes[%d].", id, j))
		}
		ids[id] = i
		jt.Id = id
	}
	check := agentCheck{now: now, seen: make(map[string]int, len(f.Agents))}
	for i := range f.Agents {
		if err := check.add(&f.Agents[i]); err != nil {
			return err
		}
	}
	f.normalized = true
	return nil
}

// agentCheck normalises agents in order and refuses a second agent with an
// AgentId already seen.
type agentCheck struct {
	now  time.Time
	seen map[string]int // AgentId -> index
}

// add normalises a, the next agent, or returns an *EntryError naming it.
func (c *agentCheck) add(a *model.Agent) error {
	i := len(c.seen)
	if err := a.Normalize(c.now); err != nil {
		return &EntryError{Set: "Agents", Index: i, Err: err}
	}
	if j, dup := c.seen[a.AgentId]; dup {
		return &EntryError{Set: "Agents", Index: i, Err: model.Errorf(model.Invalid, "AgentId %s is also used by Agents[%d].", a.AgentId, j)}
	}
	c.seen[a.AgentId] = i
	return nil
}

// seed stores the job types and agents of f (streamed agents too; the
// Fixtures it returns do not hold those). With upsert an agent with an
// existing AgentId replaces it; without, the agents table must be empty
// (Reset), so rows are appended with no conflict to check.
func seed(ctx context.Context, tx *Tx, f Fixtures, now time.Time, upsert bool) (Fixtures, error) {
	if !f.normalized { // fixtures loaded at start-up were normalised then
		f = Fixtures{Agents: slices.Clone(f.Agents), JobTypes: slices.Clone(f.JobTypes), AgentBatches: f.AgentBatches}
		if err := f.Normalize(now); err != nil {
			return Fixtures{}, err
		}
	}
	f.JobTypes = slices.Clone(f.JobTypes) // putFixtureJobType fills in ids
	for i := range f.JobTypes {
		if err := putFixtureJobType(ctx, tx, &f.JobTypes[i]); err != nil {
			return Fixtures{}, &EntryError{Set: "JobTypes", Index: i, Err: err}
		}
	}
	order := make([]int, len(f.Agents))
	for i := range order {
		order[i] = i
	}
	if upsert {
		// Upsert in AgentId order: appending to the unique index instead of
		// splitting pages all over it makes large loads several times
		// faster. (Without upsert the table is empty and Reset builds its
		// indexes after the load, so file order is as good.)
		slices.SortFunc(order, func(a, b int) int { return strings.Compare(f.Agents[a].AgentId, f.Agents[b].AgentId) })
	}
	w := newAgentWriter(ctx, tx, upsert)
	for _, i := range order {
		if err := w.put(&f.Agents[i]); err != nil {
			return Fixtures{}, err
		}
	}
	if err := seedStreamed(w, f, now); err != nil {
		return Fixtures{}, err
	}
	if err := w.close(); err != nil {
		return Fixtures{}, err
	}
	return f, nil
}

// seedStreamed writes the agents f.AgentBatches supplies, normalising and
// checking each after those in f.Agents (already normalised).
func seedStreamed(w *agentWriter, f Fixtures, now time.Time) error {
	if f.AgentBatches == nil {
		return nil
	}
	check := agentCheck{now: now, seen: make(map[string]int, len(f.Agents))}
	for i, a := range f.Agents {
		check.seen[a.AgentId] = i
	}
	return f.AgentBatches(func(batch []model.Agent) error {
		for i := range batch {
			if err := check.add(&batch[i]); err != nil {
				return err
			}
			if err := w.put(&batch[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// putFixtureJobType stores a normalised job type given as a fixture or
// seed: its Id is kept (when empty, the Id of the existing type with its
// name, or a new one); an existing type with the same Id, or without an Id
// the same name, is replaced. An Id and a name that belong to two
// different job types is a Conflict: replacing one would delete the other.
func putFixtureJobType(ctx context.Context, tx *Tx, jt *model.JobType) error {
	if jt.Id == "" {
		var existing string
		err := tx.QueryRowContext(ctx, `SELECT id FROM job_types WHERE name_key = ?`, model.NameKey(jt.JobTypeName)).Scan(&existing)
		switch {
		case err == nil:
			jt.Id = existing
		case err == sql.ErrNoRows:
			jt.Id = uuid.NewString()
		default:
			return fmt.Errorf("look up job type %s: %w", jt.JobTypeName, err)
		}
	}
	return putJobType(ctx, tx, jt, true)
}
