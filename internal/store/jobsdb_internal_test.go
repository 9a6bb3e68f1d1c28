package store

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestOpen_MovesJobsOfAnOlderDatabaseToTheJobsFile: a database made before
// jobs had a file of their own (migrations 1–5, jobs in the main file)
// opens with its jobs and runs moved, ids and all, and new runs continue
// the run ids; a jobs file that went missing afterwards comes back empty.
func TestOpen_MovesJobsOfAnOlderDatabaseToTheJobsFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for v := 1; v <= 5; v++ {
		names, _ := fs.Glob(migrationFS, fmt.Sprintf("migrations/%04d_*.sql", v))
		body, err := migrationFS.ReadFile(names[0])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := raw.Exec(string(body)); err != nil {
			t.Fatalf("%s: %v", names[0], err)
		}
		if _, err := raw.Exec(`INSERT INTO schema_migrations VALUES (?, ?)`, v, names[0]); err != nil {
			t.Fatal(err)
		}
	}
	const job = "0190ab4c-0000-7000-8000-000000000001"
	if _, err := raw.Exec(`INSERT INTO jobs (job_id, agent_id, job_type, schedule, fields, requested) VALUES (?, 'a', 'Reboot', '{"Immediate":true}', '[]', '2026-12-01T00:00:00.000Z');
		INSERT INTO job_history (id, job_id, agent_id, job_type, schedule, operation_start, status) VALUES (41, ?, 'a', 'Reboot', '{"Immediate":true}', '2026-12-01T00:00:00.000Z', 2)`, job, job); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	st, err := Open(ctx, Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	var inMain int
	if err := st.write.QueryRow(`SELECT count(*) FROM main.sqlite_master WHERE name IN ('jobs', 'job_history')`).Scan(&inMain); err != nil || inMain != 0 {
		t.Errorf("job tables left in the main file: %d, %v", inMain, err)
	}
	runs, err := st.ListJobHistory(ctx, ListOptions{Page: 1, Limit: 10})
	if err != nil || len(runs) != 1 || runs[0].JobHistoryId != 41 || runs[0].JobId != job {
		t.Fatalf("runs after the move: %+v, %v; want run 41 of %s", runs, err, job)
	}
	var next int64
	if err := st.writeTx(ctx, func(tx *Tx, _ time.Time) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO job_history (job_id, agent_id, job_type, schedule, operation_start) VALUES (?, 'a', 'Reboot', '{}', '2026-12-02T00:00:00.000Z')`, job); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT last_insert_rowid()`).Scan(&next)
	}); err != nil || next != 42 {
		t.Errorf("a new run got id %d (%v); want 42, after the moved ones", next, err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(JobsPath(path)); err != nil {
		t.Fatalf("jobs file: %v", err)
	}

	for _, f := range []string{JobsPath(path), JobsPath(path) + "-wal", JobsPath(path) + "-shm"} {
		os.Remove(f)
	}
	st, err = Open(ctx, Options{Path: path})
	if err != nil {
		t.Fatalf("open without its jobs file: %v", err)
	}
	defer st.Close()
	if runs, err := st.ListJobHistory(ctx, ListOptions{Page: 1, Limit: 10}); err != nil || len(runs) != 0 {
		t.Errorf("runs with the jobs file gone: %d, %v; want none", len(runs), err)
	}
}
