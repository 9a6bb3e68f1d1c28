package store

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
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

	mu       sync.Mutex
	jobTypes map[string][]byte // agentJobTypesJSON, by capability key
	byArray  map[string][]byte // the same, by the Capabilities array as stored
}

// agentJobTypes lists the job types the capabilities of a membership key
// (model.ListKey) let an orchestrator run, in the order of the
// capabilities: a custom job type named by a capability, and FetchLogs for
// LOGS (Command v25's AgentResponse.JobTypes).
func (snap *jobTypeSnapshot) agentJobTypes(capsKey string) []model.AgentJobType {
	out := []model.AgentJobType{}
	for _, c := range strings.Split(strings.Trim(capsKey, "\x1f"), "\x1f") {
		for _, t := range snap.byCap[c] {
			name := t.JobTypeName
			out = append(out, model.AgentJobType{Name: &name, JobTypeId: t.Id})
		}
	}
	return out
}

// jobTypesOfCapabilities is agentJobTypesJSON for an agent's Capabilities
// as its stored JSON holds them (an array of strings, or null).
func (snap *jobTypeSnapshot) jobTypesOfCapabilities(array []byte) []byte {
	snap.mu.Lock()
	b, ok := snap.byArray[string(array)]
	snap.mu.Unlock()
	if ok {
		return b
	}
	var caps []string
	if err := json.Unmarshal(array, &caps); err != nil {
		caps = nil // unreachable: the store wrote the array
	}
	b = snap.agentJobTypesJSON(model.ListKey(caps))
	snap.mu.Lock()
	defer snap.mu.Unlock()
	if snap.byArray == nil || len(snap.byArray) > 4096 {
		snap.byArray = map[string][]byte{}
	}
	snap.byArray[string(array)] = b
	return b
}

// agentJobTypesJSON is agentJobTypes encoded, kept per capability key: the
// agents of a listing share a few sets of capabilities.
func (snap *jobTypeSnapshot) agentJobTypesJSON(capsKey string) []byte {
	snap.mu.Lock()
	defer snap.mu.Unlock()
	if b, ok := snap.jobTypes[capsKey]; ok {
		return b
	}
	b, err := json.Marshal(snap.agentJobTypes(capsKey))
	if err != nil {
		b = []byte("[]") // unreachable: the members are strings
	}
	if snap.jobTypes == nil || len(snap.jobTypes) > 4096 {
		snap.jobTypes = map[string][]byte{}
	}
	snap.jobTypes[capsKey] = b
	return b
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
	if tx.changedTable(TableJobTypes) {
		return findJobTypeByName(ctx, tx, name)
	}
	snap, err := s.jobTypeSnapshot(ctx)
	if err != nil {
		return jobTypeRow{}, false, err
	}
	jt, ok := snap.byName[model.NameKey(name)]
	return jt, ok, nil
}
