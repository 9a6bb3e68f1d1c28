package store

import (
	"github.com/mockcommand/mockcommand/internal/model"
	"maps"
)

// JobPolicy says which job runs complete by themselves when they fall due,
// as if an orchestrator ran them. Runs that no rule covers wait for a test
// to complete them (manual mode).
type JobPolicy struct {
	// Immediate completes every due run with Success (FetchLogs runs
	// return a generated log as their data).
	Immediate bool
	// Scripts completes due runs of a job type (keyed by its name, matched
	// case-insensitively) with the given completion, whatever Immediate says.
	Scripts map[string]model.Completion
}

// completionFor returns how a due run of jobType ends by itself, if it does.
func (p *JobPolicy) completionFor(jobType string) (model.Completion, bool) {
	for name, c := range p.Scripts {
		if model.NameKey(name) == model.NameKey(jobType) {
			return c, true
		}
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
	p.Scripts = maps.Clone(p.Scripts)
	s.policy.Store(&p)
}
