// Package store keeps the mock's state in SQLite (modernc.org/sqlite, pure
// Go): Command's entities, the jobs and their runs, and what the simulated
// orchestrators do when a run completes. It keeps state and applies the
// rules of Command's data; the mock's own controls (job modes, the clock,
// when due runs are looked for) are the mock package's.
//
// Every exported method that writes is atomic: it runs in a SAVEPOINT of
// its own inside the writer's current transaction (group commit, see
// writer.go), so it commits whole or not at all, and returns only after the
// commit. Writes go through a single connection, so concurrent writers queue
// instead of failing with "database is locked". Reads use a separate pool;
// each read is one statement or one read transaction and sees a consistent
// WAL snapshot. Query-language filters, sorting and paging are compiled to
// parameterised SQL and run in SQLite.
package store
