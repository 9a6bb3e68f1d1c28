// Package store keeps the mock's state in SQLite (modernc.org/sqlite, pure
// Go). Every exported method runs in one transaction. Writes go through a
// single connection that begins IMMEDIATE transactions, so concurrent
// writers queue instead of failing with "database is locked"; reads use a
// separate pool and see a consistent WAL snapshot. Query-language filters,
// sorting and paging are compiled to parameterised SQL and run in SQLite.
package store
