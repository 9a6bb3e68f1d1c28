package commandtest

import (
	"context"
	"fmt"
	"maps"
	"time"

	"github.com/mockcommand/mockcommand/internal/api"
	"github.com/mockcommand/mockcommand/internal/store"
)

// SeedAgents adds or replaces orchestrators (by AgentId; a missing AgentId
// is generated) and returns them as stored. Like POST /_mock/seed.
func (s *Server) SeedAgents(agents ...Agent) ([]Agent, error) {
	f, err := s.app.Store.Seed(context.Background(), store.Fixtures{Agents: agents})
	if err != nil {
		return nil, fmt.Errorf("seed agents: %w", err)
	}
	return f.Agents, nil
}

// SeedJobTypes adds or replaces custom job types (by Id or name) and
// returns them as stored. Like POST /_mock/seed.
func (s *Server) SeedJobTypes(types ...JobType) ([]JobType, error) {
	f, err := s.app.Store.Seed(context.Background(), store.Fixtures{JobTypes: types})
	if err != nil {
		return nil, fmt.Errorf("seed job types: %w", err)
	}
	return f.JobTypes, nil
}

// Agent returns the stored orchestrator with the given id.
func (s *Server) Agent(id string) (Agent, error) {
	return s.app.Store.GetAgent(context.Background(), id)
}

// Reset returns the state to the fixtures the server started with, like
// POST /_mock/reset. The journal, fault rules and clock are kept.
func (s *Server) Reset() error {
	fx, err := s.app.Fixtures()
	if err != nil {
		return err
	}
	return s.app.Store.Reset(context.Background(), fx)
}

// SetJobMode sets how due job runs complete (ModeImmediate or ModeManual),
// with optional scripted completions per job type name that apply in
// either mode (a zero Result means ResultSuccess, as in CompleteJob).
// Like PUT /_mock/jobs/mode, and checked the same way.
func (s *Server) SetJobMode(mode string, scripts map[string]Completion) error {
	scripts = maps.Clone(scripts)
	for name, c := range scripts {
		scripts[name] = successByDefault(c)
	}
	p, err := api.PolicyFromMode(mode, scripts)
	if err != nil {
		return err
	}
	s.app.Store.SetJobPolicy(p)
	return s.app.Store.RunDueJobs(context.Background())
}

// StartJob moves the job's waiting run to InProcess, as an orchestrator
// picking it up would. Like POST /_mock/jobs/{id}/start.
func (s *Server) StartJob(jobID string) (JobHistory, error) {
	return s.app.Store.StartJob(context.Background(), jobID)
}

// CompleteJob ends the job's waiting or in-process run with c (a zero
// Result means ResultSuccess) and returns the finished run, as the
// orchestrator reporting back would. Like POST /_mock/jobs/{id}/complete.
func (s *Server) CompleteJob(jobID string, c Completion) (JobHistory, error) {
	return s.app.Store.CompleteJob(context.Background(), jobID, successByDefault(c))
}

// Requests returns the journaled Keyfactor requests matching q, oldest
// first. Like GET /_mock/requests.
func (s *Server) Requests(q RequestQuery) []Request {
	page, _ := s.app.Journal.List(q, 0, 0)
	return page
}

// ClearRequests empties the journal.
func (s *Server) ClearRequests() { s.app.Journal.Clear() }

// AddFault adds a fault rule and returns it with its Id. Like POST /_mock/faults.
func (s *Server) AddFault(r FaultRule) (FaultRule, error) { return s.app.Faults.Add(r) }

// Faults lists the fault rules with their counters.
func (s *Server) Faults() []FaultRule { return s.app.Faults.List() }

// ClearFaults removes every fault rule.
func (s *Server) ClearFaults() { s.app.Faults.Clear() }

// Now is the mock's clock.
func (s *Server) Now() time.Time { return s.app.Clock.Now() }

// SetTime freezes the mock's clock at t; due job runs then complete
// according to the job mode. Like POST /_mock/clock {"Now": …}.
func (s *Server) SetTime(t time.Time) error {
	s.app.Clock.Set(t, true)
	return s.app.Store.RunDueJobs(context.Background())
}

// Advance moves the mock's clock by d. Like POST /_mock/clock {"Advance": …}.
func (s *Server) Advance(d time.Duration) error {
	s.app.Clock.Advance(d)
	return s.app.Store.RunDueJobs(context.Background())
}

// successByDefault gives a completion without a Result ResultSuccess.
func successByDefault(c Completion) Completion {
	if c.Result == 0 {
		c.Result = ResultSuccess
	}
	return c
}
