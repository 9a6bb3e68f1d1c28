package store

// WriteStats reports how many write operations ran and in how many
// transactions (their ratio is the average group-commit batch), for the
// benchmarks.
func WriteStats(s *Store) (ops, commits uint64) { return s.writeOps.Load(), s.commits.Load() }

// DBPath is the database file in use.
func DBPath(s *Store) string { return s.path }

// Anchors is how many page anchors the store remembers.
func Anchors(s *Store) int {
	s.anchors.mu.Lock()
	defer s.anchors.mu.Unlock()
	return s.anchors.count
}
