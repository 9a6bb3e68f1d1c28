package store

import (
	"github.com/mockcommand/mockcommand/internal/model"
)

// JobPolicy says which job runs complete by themselves when they fall due,
// as if an orchestrator ran them. Runs that no rule covers wait for a test
// to complete them (manual mode).
type JobPolicy struct {
	// Immediate completes every due run with Success (FetchLogs runs
	// return a generated log as their data).
	Immediate bool
	// Scripts completes due runs of a job type (keyed by lower-case name)
	// with the given completion, whatever Immediate says.
	Scripts map[string]model.Completion
}

// completionFor returns how a due run of jobType ends by itself, if it does.
func (p *JobPolicy) completionFor(jobType string) (model.Completion, bool) {
	if c, ok := p.Scripts[model.NameKey(jobType)]; ok {
		return c, true
	}
	if p.Immediate {
		return model.Completion{Result: model.JobResultSuccess}, true
	}
	return model.Completion{}, false
}

// JobPolicy returns the current policy.
func (s *Store) JobPolicy() JobPolicy { return *s.policy.Load() }

// SetJobPolicy replaces the policy. Runs already due under the new policy
// complete at the next RunDueJobs.
func (s *Store) SetJobPolicy(p JobPolicy) {
	scripts := make(map[string]model.Completion, len(p.Scripts))
	for k, v := range p.Scripts {
		scripts[model.NameKey(k)] = v
	}
	p.Scripts = scripts
	s.policy.Store(&p)
}
