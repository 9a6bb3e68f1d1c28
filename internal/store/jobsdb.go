package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"

	"modernc.org/sqlite"
)

// Jobs and their runs live in a database file of their own, next to the
// main one (JobsPath), attached to every connection as the schema jobsdb.
// A commit changes only the files it writes, and a reader discards what it
// holds of a file (its page cache, its map of the file) whenever another
// connection has committed to it. Scheduling jobs, the busiest writes,
// therefore leaves the readers' view of agents, job types and everything
// else in the main file intact, and listings of them stay as cheap while
// jobs are scheduled as when nothing is written.
//
// SQLite makes a transaction atomic per file in WAL mode, not across the
// files: a crash in the middle of a commit that wrote both (a due run
// completing and its orchestrator's LastSeen moving, a reset) can keep
// one file's half. Each file stays consistent, and no acknowledged write is
// lost.

// JobsPath is the file that holds the jobs of the database at path.
func JobsPath(path string) string { return path + ".jobs" }

// jobsSchema creates the job tables in jobsdb where they do not exist yet:
// a new database, or a jobs file that went missing (its jobs are lost;
// the rest stays).
const jobsSchema = `
CREATE TABLE IF NOT EXISTS jobsdb.jobs (
    job_id         TEXT PRIMARY KEY COLLATE NOCASE,
    agent_id       TEXT NOT NULL COLLATE NOCASE,
    client_machine TEXT COLLATE NOCASE,
    job_type       TEXT NOT NULL COLLATE NOCASE,
    target         TEXT COLLATE NOCASE,
    schedule       TEXT NOT NULL, -- JSON model.Schedule
    fields         TEXT NOT NULL, -- JSON array of model.JobField
    requested      TEXT NOT NULL,
    state          TEXT NOT NULL DEFAULT 'scheduled' -- see lifecycle.go
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS jobsdb.jobs_agent ON jobs (agent_id, job_id);
DROP INDEX IF EXISTS jobsdb.jobs_state;
-- Only scheduled jobs are listed (GET /JobTypes/…/ScheduledJobs): a job that
-- finishes leaves this index rather than moving within it.
CREATE INDEX IF NOT EXISTS jobsdb.jobs_scheduled ON jobs (job_id) WHERE state = 'scheduled';
CREATE TABLE IF NOT EXISTS jobsdb.job_history (
    id              INTEGER PRIMARY KEY AUTOINCREMENT, -- Command's JobHistoryId
    job_id          TEXT NOT NULL COLLATE NOCASE,
    agent_id        TEXT NOT NULL COLLATE NOCASE,
    agent_machine   TEXT COLLATE NOCASE,
    job_type        TEXT NOT NULL COLLATE NOCASE,
    schedule        TEXT NOT NULL,          -- JSON model.Schedule
    schedule_type   TEXT COLLATE NOCASE,    -- I, D, W, M, O; NULL for Immediate
    operation_start TEXT NOT NULL,          -- when the run is (or was) due, or started
    operation_end   TEXT,
    message         TEXT COLLATE NOCASE,
    result          INTEGER NOT NULL DEFAULT 0,
    status          INTEGER NOT NULL DEFAULT 1,
    data            TEXT,
    store_path      TEXT COLLATE NOCASE,
    job_type_key    TEXT NOT NULL DEFAULT '' -- see migration 0003
);
CREATE INDEX IF NOT EXISTS jobsdb.job_history_job ON job_history (job_id, id);
DROP INDEX IF EXISTS jobsdb.job_history_due;
-- The waiting runs by due time (see CompleteDueRuns): a run that completes
-- leaves it. Queries must say status = 1 literally to use it.
CREATE INDEX IF NOT EXISTS jobsdb.job_history_waiting ON job_history (operation_start) WHERE status = 1;
-- Inventory and discovery jobs: what each works on (see storejobs.go).
CREATE TABLE IF NOT EXISTS jobsdb.store_jobs (
    job_id         TEXT PRIMARY KEY COLLATE NOCASE,
    kind           TEXT NOT NULL,          -- Inventory, Discovery or Management
    store_id       TEXT COLLATE NOCASE,    -- inventory and management: the store
    store_type     INTEGER NOT NULL,
    client_machine TEXT COLLATE NOCASE,    -- discovery: the machine searched
    dirs           TEXT,                   -- discovery: where to search, and not
    ignored_dirs   TEXT,
    payload        TEXT                    -- management: JSON managementPayload
) WITHOUT ROWID;
`

// openDB opens a pool on the database at path (its DSN parameters in
// params) whose every connection attaches the jobs file and runs setup
// on it.
func openDB(path, params string, setup ...string) (*sql.DB, error) {
	base, err := sqlite.NewConnector(path + params)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	return sql.OpenDB(attachingConnector{Connector: base, jobs: JobsPath(path), setup: setup}), nil
}

// attachingConnector attaches the jobs file to each new connection.
type attachingConnector struct {
	driver.Connector
	jobs  string
	setup []string
}

func (a attachingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	c, err := a.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	ex, ok := c.(driver.ExecerContext)
	if !ok {
		_ = c.Close()
		return nil, fmt.Errorf("sqlite connection cannot execute statements")
	}
	if _, err := ex.ExecContext(ctx, `ATTACH DATABASE ? AS jobsdb`, []driver.NamedValue{{Ordinal: 1, Value: a.jobs}}); err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("attach %s: %w", a.jobs, err)
	}
	for _, q := range a.setup {
		if _, err := ex.ExecContext(ctx, q, nil); err != nil {
			_ = c.Close()
			return nil, fmt.Errorf("%s: %w", q, err)
		}
	}
	return c, nil
}
