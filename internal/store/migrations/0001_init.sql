-- Core schema: orchestrators (agents), custom job types and scheduled jobs.
-- Text columns that the query language compares use NOCASE, because Command
-- (SQL Server with its default collation) compares strings case-insensitively.
-- Timestamps are TEXT in model.TimeLayout, so they sort chronologically.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE agents (
    agent_id               TEXT NOT NULL COLLATE NOCASE,
    client_machine         TEXT COLLATE NOCASE,
    username               TEXT COLLATE NOCASE,
    platform               INTEGER NOT NULL,
    version                TEXT COLLATE NOCASE,
    status                 INTEGER NOT NULL,
    last_seen              TEXT NOT NULL,
    capabilities           TEXT NOT NULL DEFAULT '', -- as given, joined by unit separators (char 31)
    -- Membership key of the capabilities: each one lower-cased (Unicode-aware,
    -- in Go) between unit separators (char 31), '' for none. `-contains`
    -- tests instr(caps_key, char(31) || lower(value) || char(31)) > 0.
    caps_key               TEXT NOT NULL DEFAULT '',
    blueprint              TEXT COLLATE NOCASE,
    thumbprint             TEXT COLLATE NOCASE,
    legacy_thumbprint      TEXT COLLATE NOCASE,
    auth_cert_reenrollment TEXT COLLATE NOCASE,
    last_thumbprint_used   TEXT COLLATE NOCASE,
    last_error_code        INTEGER,
    last_error_message     TEXT COLLATE NOCASE
);
-- A rowid table with a unique index (not WITHOUT ROWID keyed by agent_id):
-- a reset of 100k agents appends rows with no index and builds every index
-- once afterwards, which is the fastest way SQLite loads a table.
CREATE UNIQUE INDEX agents_id ON agents (agent_id);

CREATE INDEX agents_status ON agents (status, agent_id);
CREATE INDEX agents_client_machine ON agents (client_machine, agent_id);
CREATE INDEX agents_last_seen ON agents (last_seen, agent_id);

CREATE TABLE job_types (
    id          TEXT PRIMARY KEY COLLATE NOCASE,
    name        TEXT NOT NULL COLLATE NOCASE,
    name_key    TEXT NOT NULL UNIQUE, -- name folded to lower case in Go (Unicode-aware), for uniqueness and lookup
    description TEXT COLLATE NOCASE,
    fields      TEXT NOT NULL DEFAULT '[]', -- JSON array of model.JobTypeField
    capability  TEXT NOT NULL COLLATE NOCASE, -- what an orchestrator needs to run it
    builtin     INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE jobs (
    job_id         TEXT PRIMARY KEY COLLATE NOCASE,
    agent_id       TEXT NOT NULL COLLATE NOCASE,
    client_machine TEXT COLLATE NOCASE,
    job_type       TEXT NOT NULL COLLATE NOCASE,
    target         TEXT COLLATE NOCASE,
    schedule       TEXT NOT NULL, -- JSON model.Schedule
    fields         TEXT NOT NULL, -- JSON array of model.JobField
    requested      TEXT NOT NULL
) WITHOUT ROWID;

-- Every index costs each scheduled job a page write; only the lookups the
-- mock makes by itself are indexed. Query-language filters on other job
-- fields scan, which stays cheap at the sizes a mock holds.
CREATE INDEX jobs_agent ON jobs (agent_id, job_id);
