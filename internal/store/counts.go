package store

import (
	"context"
	"fmt"
)

// Counts is how much the store holds, for the dashboard's overview.
type Counts struct {
	AgentsByStatus map[int]int // orchestrators by Status (1 New, 2 Approved, 3 Disapproved)
	JobTypes       int
	ScheduledJobs  int         // jobs still scheduled (ScheduledJobs lists them)
	RunsByStatus   map[int]int // job runs by Status (1 Waiting … 5 CompletedWillRetry)
	StoreTypes     int
	Stores         int
	Certificates   int
}

// countsSQL reads every count in one statement, so the figures are one
// snapshot. Each part is an index-only scan or a count SQLite keeps cheap.
const countsSQL = `
SELECT 'agent', status, COUNT(*) FROM agents GROUP BY status
UNION ALL SELECT 'run', status, COUNT(*) FROM jobsdb.job_history GROUP BY status
UNION ALL SELECT 'jobtypes', 0, COUNT(*) FROM job_types
UNION ALL SELECT 'scheduled', 0, COUNT(*) FROM jobsdb.jobs WHERE state = 'scheduled'
UNION ALL SELECT 'storetypes', 0, COUNT(*) FROM store_types
UNION ALL SELECT 'stores', 0, COUNT(*) FROM stores
UNION ALL SELECT 'certificates', 0, COUNT(*) FROM certificates`

// Counts counts what the store holds.
func (s *Store) Counts(ctx context.Context) (Counts, error) {
	c := Counts{AgentsByStatus: map[int]int{}, RunsByStatus: map[int]int{}}
	rows, err := s.read.QueryContext(ctx, countsSQL)
	if err != nil {
		return c, fmt.Errorf("count entities: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind string
		var key, n int
		if err := rows.Scan(&kind, &key, &n); err != nil {
			return c, fmt.Errorf("count entities: %w", err)
		}
		switch kind {
		case "agent":
			c.AgentsByStatus[key] = n
		case "run":
			c.RunsByStatus[key] = n
		case "jobtypes":
			c.JobTypes = n
		case "scheduled":
			c.ScheduledJobs = n
		case "storetypes":
			c.StoreTypes = n
		case "stores":
			c.Stores = n
		case "certificates":
			c.Certificates = n
		}
	}
	if err := rows.Err(); err != nil {
		return c, fmt.Errorf("count entities: %w", err)
	}
	return c, nil
}
