package store

import (
	"context"
	"strings"
	"sync/atomic"

	"github.com/mockcommand/mockcommand/internal/model"
)

// jobTypeCache holds every job type in memory. Job types change rarely,
// while agent listings (deriving Agent.JobTypes) and job scheduling (the
// type's fields and capability) read them constantly. A write batch that
// changes job types bumps the generation; the next reader reloads.
type jobTypeCache struct {
	gen  atomic.Uint64
	snap atomic.Pointer[jobTypeSnapshot]
}

type jobTypeSnapshot struct {
	gen    uint64
	byName map[string]jobTypeRow   // by model.NameKey
	byCap  map[string][]jobTypeRow // by lower-cased capability
}

func (c *jobTypeCache) invalidate() { c.gen.Add(1) }

// jobTypeSnapshot returns the current job types, reloading them (from the
// committed state, through the reader pool) when they changed since the
// snapshot was taken.
func (s *Store) jobTypeSnapshot(ctx context.Context) (*jobTypeSnapshot, error) {
	gen := s.jobTypes.gen.Load()
	if snap := s.jobTypes.snap.Load(); snap != nil && snap.gen == gen {
		return snap, nil
	}
	rows, err := queryJobTypes(ctx, s.reader(), ``)
	if err != nil {
		return nil, err
	}
	snap := &jobTypeSnapshot{gen: gen, byName: map[string]jobTypeRow{}, byCap: map[string][]jobTypeRow{}}
	for _, r := range rows {
		snap.byName[model.NameKey(r.JobTypeName)] = r
		k := strings.ToLower(r.capability)
		snap.byCap[k] = append(snap.byCap[k], r)
	}
	// Taken after reading gen: if job types change meanwhile, gen moves on
	// and the next reader reloads.
	s.jobTypes.snap.Store(snap)
	return snap, nil
}

// jobTypeByName finds a job type for a write: from the snapshot, unless an
// earlier operation of the same transaction changed job types (the
// snapshot only holds committed state), in which case it asks the
// transaction.
func (s *Store) jobTypeByName(ctx context.Context, tx *Tx, name string) (jobTypeRow, bool, error) {
	if tx.jobTypesChanged {
		return findJobTypeByName(ctx, tx, name)
	}
	snap, err := s.jobTypeSnapshot(ctx)
	if err != nil {
		return jobTypeRow{}, false, err
	}
	jt, ok := snap.byName[model.NameKey(name)]
	return jt, ok, nil
}
