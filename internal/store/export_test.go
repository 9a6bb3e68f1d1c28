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

// ValidAnchors is how many page anchors of the agent listing opts (its
// filter, order and page size) are usable now.
func ValidAnchors(s *Store, opts ListOptions) int {
	l, err := s.newListing(agentPager, opts, s.now())
	if err != nil {
		panic(err)
	}
	s.anchors.mu.Lock()
	defer s.anchors.mu.Unlock()
	set := s.anchors.listings[l.id]
	if set == nil || set.version != s.columnsVersion(agentPager.table, l.columns) {
		return 0
	}
	return len(set.pages)
}
