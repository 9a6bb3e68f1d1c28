package store

import (
	"maps"
	"time"

	"github.com/mockcommand/mockcommand/internal/model"
)

// RunPolicy says which job runs complete by themselves once they fall due,
// as if an orchestrator ran them, and how. The mock package decides the
// policy (its job modes); the store applies it. Runs it does not cover
// wait until a test completes them.
type RunPolicy struct {
	// All covers every job type, completing its runs with Success (a
	// FetchLogs run hands back a generated log as its data).
	All bool
	// Scripts covers the job types it names (keys are model.NameKey of the
	// job type name), completing their runs as given, whether or not All
	// is set.
	Scripts map[string]model.Completion
	// Delay is how long after a run falls due the orchestrator picks it
	// up (and finishes it): 0 completes a run the moment it falls due.
	Delay time.Duration
}

// Auto reports whether the policy completes any run by itself.
func (p *RunPolicy) Auto() bool { return p.All || len(p.Scripts) > 0 }

// completionFor returns how a due run of jobType ends by itself, if it does.
func (p *RunPolicy) completionFor(jobType string) (model.Completion, bool) {
	if c, ok := p.Scripts[model.NameKey(jobType)]; ok {
		return c, true
	}
	if p.All {
		return model.Completion{Result: model.JobResultSuccess}, true
	}
	return model.Completion{}, false
}

// scriptedTypes lists the job types the scripts name, as the JSON array
// the due-run queries bind.
func (p *RunPolicy) scriptedTypes() string {
	names := make([]string, 0, len(p.Scripts))
	for k := range p.Scripts {
		names = append(names, k)
	}
	return idsJSON(names)
}

// RunPolicy returns the current policy.
func (s *Store) RunPolicy() RunPolicy { return *s.policy.Load() }

// SetRunPolicy replaces the policy. Runs already due under the new policy
// complete at the next CompleteDueRuns.
func (s *Store) SetRunPolicy(p RunPolicy) {
	p.Scripts = maps.Clone(p.Scripts)
	s.policy.Store(&p)
	s.due.forget()
}
