// Package store keeps the mock's state in SQLite (modernc.org/sqlite, pure
// Go). Every exported method that writes is atomic: it runs in a SAVEPOINT
// of its own inside the writer's current transaction (group commit, see
// writer.go), so it commits whole or not at all, and returns only after the
// commit. Writes go through a single connection, so concurrent writers queue
// instead of failing with "database is locked". Reads use a separate pool;
// each read is one statement or one read transaction and sees a consistent
// WAL snapshot. Query-language filters, sorting and paging are compiled to
// parameterised SQL and run in SQLite.
package store
