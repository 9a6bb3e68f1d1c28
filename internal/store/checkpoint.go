package store

import (
	"context"
	"database/sql"
	"os"
	"time"
)

// Checkpoints copy what the write-ahead logs hold back into the database
// files. SQLite runs them, by default, inside the commit that makes a log
// pass 1000 pages: that commit then copies up to 4 MB and waits for the
// disk twice, and every write queued behind it waits too. The writer
// connection therefore never checkpoints (wal_autocheckpoint = 0); a
// goroutine with a connection of its own does, without blocking writers
// or readers (PASSIVE), whenever a log has grown past checkpointPages.

// checkpointPages is how large a log may grow before it is checkpointed.
const checkpointPages = 1000

// checkpointEvery is how often the checkpointer looks at the logs.
const checkpointEvery = 200 * time.Millisecond

// runCheckpointer checkpoints until quit is closed.
func (s *Store) runCheckpointer(db *sql.DB) {
	defer close(s.checkpointerDone)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-s.quit:
			return
		case <-t.C:
		}
		for _, c := range []struct{ schema, wal string }{{"main", s.path + "-wal"}, {"jobsdb", JobsPath(s.path) + "-wal"}} {
			fi, err := os.Stat(c.wal)
			if err != nil || fi.Size() < checkpointPages*4096 {
				continue
			}
			if _, err := db.ExecContext(context.Background(), `PRAGMA `+c.schema+`.wal_checkpoint(PASSIVE)`); err != nil {
				s.logger.Warn("checkpoint failed; the write-ahead log keeps growing until one succeeds", "file", c.wal, "error", err)
			}
		}
	}
}
