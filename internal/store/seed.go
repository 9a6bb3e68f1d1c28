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

// Reset replaces all state (agents, job types, jobs) with f plus the
// built-in FetchLogs job type, and marks the database as seeded from
// source (a description of where f came from; see SeedSource).
func (s *Store) Reset(ctx context.Context, f model.Fixtures, source string) error {
	return s.writeTx(ctx, func(tx *Tx, now time.Time) error {
		for _, table := range []string{"job_history", "jobs", "store_jobs", "store_inventory", "store_observed", "discoverable_stores",
			"stores", "store_containers", "store_types", "agents", "job_types", "certificates"} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+table); err != nil {
				return fmt.Errorf("clear %s: %w", table, err)
			}
		}
		// A reset starts certificate ids from 1 again: nothing that named
		// the old ones is left.
		if _, err := tx.ExecContext(ctx, `DELETE FROM sqlite_sequence WHERE name = 'certificates'`); err != nil {
			return fmt.Errorf("restart certificate ids: %w", err)
		}
		tx.due = dueNever // no run waits any more
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
		nf, err := seed(ctx, tx, f, now, false) // nf: f normalised
		if err == nil {
			err = rebuild()
		}
		if err == nil {
			_, err = s.seedStores(ctx, tx, nf, false, now)
		}
		if err == nil {
			err = seedPKI(ctx, tx, nf, now)
		}
		if err == nil {
			err = seedCertificates(ctx, tx, nf.Certificates, now)
		}
		if err == nil {
			err = analyze(ctx, tx)
		}
		// The page cache is the connection's, not the transaction's: give
		// back what a bulk load took whether or not the reset commits.
		if _, serr := tx.ExecContext(context.WithoutCancel(ctx), `PRAGMA cache_size = -2000`); serr != nil && err == nil {
			err = fmt.Errorf("restore page cache: %w", serr)
		}
		if err != nil {
			return err
		}
		for _, kv := range [][2]string{{"seeded", model.NewTime(now).String()}, {"seed_source", source}} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?)
				ON CONFLICT (key) DO UPDATE SET value = excluded.value`, kv[0], kv[1]); err != nil {
				return fmt.Errorf("mark seeded: %w", err)
			}
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
func (s *Store) Seed(ctx context.Context, f model.Fixtures) (model.Fixtures, error) {
	var stored model.Fixtures
	err := s.writeTx(ctx, func(tx *Tx, now time.Time) error {
		var err error
		stored, err = seed(ctx, tx, f, now, true)
		if err != nil {
			return err
		}
		agents := make([]string, len(stored.Agents))
		for i, a := range stored.Agents {
			agents[i] = a.AgentId
		}
		// Stores of a replaced orchestrator show whether it can reenroll them.
		if err := refreshStoreDocs(ctx, tx, `s.agent_id IN (SELECT value FROM json_each(?))`, idsJSON(agents)); err != nil {
			return err
		}
		ids, err := s.seedStores(ctx, tx, stored, true, now)
		stored.Stores = slices.Clone(stored.Stores)
		for i, id := range ids {
			stored.Stores[i].Id = id
		}
		return err
	})
	if err != nil {
		return model.Fixtures{}, err
	}
	stored.Agents = slices.Clone(stored.Agents)
	return stored, s.deriveJobTypes(ctx, stored.Agents) // as GET /Agents shows them
}

// seedMarker reads through db when the database was last seeded by Reset
// and from what source; ok is false when it never was.
func seedMarker(ctx context.Context, db *sql.DB) (seeded time.Time, source string, ok bool, err error) {
	rows, err := db.QueryContext(ctx, `SELECT key, value FROM meta WHERE key IN ('seeded', 'seed_source')`)
	if err != nil {
		return time.Time{}, "", false, fmt.Errorf("read seed marker: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return time.Time{}, "", false, fmt.Errorf("read seed marker: %w", err)
		}
		if k == "seed_source" {
			source = v
			continue
		}
		ok = true
		if seeded, err = time.Parse(model.TimeLayout, v); err != nil {
			return time.Time{}, "", false, fmt.Errorf("read seed marker: %w", err)
		}
	}
	return seeded, source, ok, rows.Err()
}

// seed stores the job types and agents of f (streamed agents too; the
// Fixtures it returns do not hold those). With upsert an agent with an
// existing AgentId replaces it; without, the agents table must be empty
// (Reset), so rows are appended with no conflict to check.
func seed(ctx context.Context, tx *Tx, f model.Fixtures, now time.Time, upsert bool) (model.Fixtures, error) {
	if !f.Normalized() { // fixtures loaded at start-up were normalised then
		if err := f.Normalize(now); err != nil {
			return model.Fixtures{}, err
		}
	}
	f.JobTypes = slices.Clone(f.JobTypes) // putFixtureJobType fills in ids
	for i := range f.JobTypes {
		if err := putFixtureJobType(ctx, tx, &f.JobTypes[i]); err != nil {
			return model.Fixtures{}, &model.EntryError{Set: "JobTypes", Index: i, Err: err}
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
			return model.Fixtures{}, err
		}
	}
	if err := seedStreamed(w, f, now); err != nil {
		return model.Fixtures{}, err
	}
	if err := w.close(); err != nil {
		return model.Fixtures{}, err
	}
	return f, nil
}

// seedStreamed writes the agents f.AgentBatches supplies, normalising and
// checking each after those in f.Agents (already normalised).
func seedStreamed(w *agentWriter, f model.Fixtures, now time.Time) error {
	if f.AgentBatches == nil {
		return nil
	}
	check := model.NewAgentCheck(now, len(f.Agents))
	for i := range f.Agents {
		if err := check.Add(&f.Agents[i]); err != nil {
			return err
		}
	}
	return f.AgentBatches(func(batch []model.Agent) error {
		for i := range batch {
			if err := check.Add(&batch[i]); err != nil {
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

// analyze refreshes the statistics the query planner reads: with them it
// knows that Status has a few values and an agent id one row. Only the
// per-index averages are kept (sqlite_stat1): with value samples
// (sqlite_stat4, which modernc.org/sqlite's build collects), SQLite plans
// a statement again every time a new value is bound to it, which costs
// more than any plan it found with them.
func analyze(ctx context.Context, tx *Tx) error {
	for _, q := range []string{`PRAGMA analysis_limit = 0`, `ANALYZE main`, `DELETE FROM main.sqlite_stat4`, `ANALYZE main.sqlite_schema`} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("analyze: %w", err)
		}
	}
	return nil
}
