package commandtest

import (
	"context"
	"fmt"
	"time"

	"github.com/mockcommand/mockcommand/internal/mock"
	"github.com/mockcommand/mockcommand/internal/model"
)

// Every helper calls the same controls (package mock) as the /_mock routes
// do, so a rule such as the clock's range is checked the same way here.

// SeedAgents adds or replaces orchestrators (by AgentId; a missing AgentId
// is generated) and returns them as stored. Like POST /_mock/seed.
func (s *Server) SeedAgents(agents ...Agent) ([]Agent, error) {
	f, err := s.mock.Seed(context.Background(), model.Fixtures{Agents: agents})
	if err != nil {
		return nil, fmt.Errorf("seed agents: %w", err)
	}
	return f.Agents, nil
}

// SeedJobTypes adds or replaces custom job types (by Id or name) and
// returns them as stored. Like POST /_mock/seed.
func (s *Server) SeedJobTypes(types ...JobType) ([]JobType, error) {
	f, err := s.mock.Seed(context.Background(), model.Fixtures{JobTypes: types})
	if err != nil {
		return nil, fmt.Errorf("seed job types: %w", err)
	}
	return f.JobTypes, nil
}

// Agent returns the stored orchestrator with the given id, as
// GET /Agents/{id} answers it.
func (s *Server) Agent(id string) (Agent, error) {
	return s.mock.Agent(context.Background(), id)
}

// Reset returns the state to the fixtures the server started with, like
// POST /_mock/reset. The journal, fault rules and clock are kept.
func (s *Server) Reset() error { return s.mock.Reset(context.Background(), false) }

// SetJobMode sets how due job runs complete (ModeCheckIn, ModeImmediate or
// ModeManual), with optional scripted completions per job type name that
// apply in any mode (a zero Result means ResultSuccess, as in
// CompleteJob). Like PUT /_mock/jobs/mode, and checked the same way.
func (s *Server) SetJobMode(mode string, scripts map[string]Completion) error {
	return s.mock.SetJobMode(context.Background(), mock.JobMode{Mode: mode, Scripts: scripts})
}

// StartJob moves the job's waiting run to InProcess, as an orchestrator
// picking it up would. Like POST /_mock/jobs/{id}/start.
func (s *Server) StartJob(jobID string) (JobHistory, error) {
	return s.mock.StartJob(context.Background(), jobID)
}

// CompleteJob ends the job's waiting or in-process run with c (a zero
// Result means ResultSuccess) and returns the finished run, as the
// orchestrator reporting back would. Like POST /_mock/jobs/{id}/complete.
func (s *Server) CompleteJob(jobID string, c Completion) (JobHistory, error) {
	return s.mock.CompleteJob(context.Background(), jobID, c)
}

// Requests returns the journaled Keyfactor requests matching q, oldest
// first. Like GET /_mock/requests.
func (s *Server) Requests(q RequestQuery) []Request {
	page, _ := s.mock.Journal().List(q, 0, 0)
	return page
}

// ClearRequests empties the journal.
func (s *Server) ClearRequests() { s.mock.Journal().Clear() }

// AddFault adds a fault rule and returns it with its Id. Like POST /_mock/faults.
func (s *Server) AddFault(r FaultRule) (FaultRule, error) { return s.mock.Faults().Add(r) }

// Faults lists the fault rules with their counters.
func (s *Server) Faults() []FaultRule { return s.mock.Faults().List() }

// ClearFaults removes every fault rule.
func (s *Server) ClearFaults() { s.mock.Faults().Clear() }

// Now is the mock's clock.
func (s *Server) Now() time.Time { return s.mock.Now() }

// SetTime freezes the mock's clock at t; due job runs then complete
// according to the job mode. Like POST /_mock/clock {"Now": …}: t must be
// within the years 1 to 9999.
func (s *Server) SetTime(t time.Time) error { return s.mock.SetTime(context.Background(), t) }

// Advance moves the mock's clock by d. Like POST /_mock/clock
// {"Advance": …}: the clock must stay within the years 1 to 9999.
func (s *Server) Advance(d time.Duration) error { return s.mock.Advance(context.Background(), d) }
