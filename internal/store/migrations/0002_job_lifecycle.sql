-- Job lifecycle: a scheduled job stays in `jobs` (state 'scheduled' while it
-- will run again, 'done' once a one-shot job finished, 'unscheduled' when
-- removed); each run is a row of job_history, whose id is Command's
-- JobHistoryId (also called JobAuditId).

ALTER TABLE jobs ADD COLUMN state TEXT NOT NULL DEFAULT 'scheduled';

CREATE INDEX jobs_state ON jobs (state, job_id);

CREATE TABLE job_history (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
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
    store_path      TEXT COLLATE NOCASE
);

-- Runs are looked up by job (pending run) and by due time (RunDueJobs);
-- other filters scan (see the note on jobs indexes in 0001).
CREATE INDEX job_history_job ON job_history (job_id, id);
CREATE INDEX job_history_due ON job_history (status, operation_start);
