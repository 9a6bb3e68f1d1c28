-- Agent listings sorted by machine or last contact walk these indexes in
-- order. Each carries the status, the most common filter, so that SQLite
-- checks it without reading the row and prefers walking the sort index
-- (stopping after a page) to collecting every match and sorting it.
DROP INDEX agents_client_machine;
DROP INDEX agents_last_seen;
CREATE INDEX agents_client_machine ON agents (client_machine, agent_id, status);
CREATE INDEX agents_last_seen ON agents (last_seen, agent_id, status);
PRAGMA analysis_limit = 0;
ANALYZE;
DELETE FROM sqlite_stat4; -- see store.analyze
ANALYZE sqlite_schema;
