package mock

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/mockcommand/mockcommand/internal/model"
	"github.com/mockcommand/mockcommand/internal/store"
)

// Job modes: how job runs complete once they fall due.
const (
	// ModeCheckIn is Command's behaviour, and the default: a scheduled job
	// waits in ScheduledJobs until its orchestrator picks it up at its next
	// check-in, PickupDelay after it falls due, and completes it with
	// Success; the run then shows in JobHistory.
	ModeCheckIn = "checkin"
	// ModeImmediate completes due runs with Success the moment they fall
	// due: a job scheduled to run now is already done in the answer.
	ModeImmediate = "immediate"
	// ModeManual leaves every run waiting until a test starts and
	// completes it (POST /_mock/jobs/{id}/complete, commandtest.CompleteJob).
	ModeManual = "manual"
)

// DefaultPickupDelay is how long after a run falls due the orchestrator
// picks it up in ModeCheckIn: long enough for a person following the
// README to see the job scheduled, short enough to see it done.
const DefaultPickupDelay = 5 * time.Second

// MaxPickupDelay bounds PickupDelay.
const MaxPickupDelay = 24 * time.Hour

// JobMode says how job runs complete once they fall due.
type JobMode struct {
	Mode string // ModeCheckIn, ModeImmediate or ModeManual (case-insensitive on input)
	// PickupDelay is the check-in delay of ModeCheckIn (0 there means
	// DefaultPickupDelay); the other modes have none.
	PickupDelay time.Duration
	// Scripts complete the due runs of the job types they name (matched
	// case-insensitively) as given, whatever the mode: after the pickup
	// delay in ModeCheckIn, at once in the others. A zero Result means
	// Success.
	Scripts map[string]model.Completion
}

// normalize checks m and puts it in canonical form: mode lower-cased,
// PickupDelay set for check-ins and 0 otherwise, script results filled.
func (jm JobMode) normalize() (JobMode, error) {
	out := JobMode{Mode: strings.ToLower(strings.TrimSpace(jm.Mode)), Scripts: make(map[string]model.Completion, len(jm.Scripts))}
	switch out.Mode {
	case ModeCheckIn:
		out.PickupDelay = jm.PickupDelay
		if out.PickupDelay == 0 {
			out.PickupDelay = DefaultPickupDelay
		}
		if out.PickupDelay < 0 || out.PickupDelay > MaxPickupDelay {
			return JobMode{}, model.Errorf(model.Invalid, "PickupDelay %s must be from 0 to %s.", jm.PickupDelay, MaxPickupDelay)
		}
	case ModeImmediate, ModeManual:
		if jm.PickupDelay != 0 {
			return JobMode{}, model.Errorf(model.Invalid, "PickupDelay applies only to the %s mode, not to %s.", ModeCheckIn, out.Mode)
		}
	default:
		return JobMode{}, model.Errorf(model.Invalid, "Job mode %q is not %s, %s or %s.", jm.Mode, ModeCheckIn, ModeImmediate, ModeManual)
	}
	seen := map[string]string{}
	for name, c := range jm.Scripts {
		if strings.TrimSpace(name) == "" {
			return JobMode{}, model.Errorf(model.Invalid, "A script's job type name is empty.")
		}
		if other, dup := seen[model.NameKey(name)]; dup {
			return JobMode{}, model.Errorf(model.Invalid, "Scripts %q and %q name the same job type.", other, name)
		}
		seen[model.NameKey(name)] = name
		c = successByDefault(c)
		if err := CheckResult(c.Result); err != nil {
			return JobMode{}, model.Errorf(model.Invalid, "Scripts[%s]: %s", name, err)
		}
		out.Scripts[strings.TrimSpace(name)] = c
	}
	return out, nil
}

// Check reports whether the job mode is valid, as SetJobMode would.
func (jm JobMode) Check() error {
	_, err := jm.normalize()
	return err
}

// policy is the store's run policy for the mode.
func (jm JobMode) policy() store.RunPolicy {
	p := store.RunPolicy{All: jm.Mode != ModeManual, Delay: jm.PickupDelay, Scripts: map[string]model.Completion{}}
	for name, c := range jm.Scripts {
		p.Scripts[model.NameKey(name)] = c
	}
	return p
}

// CheckResult refuses a job result that a finished run cannot have.
func CheckResult(r int) error {
	if !model.IsJobResult(r) {
		return model.Errorf(model.Invalid, "Result %d is not a job result; use Success (2), Warning (3) or Failure (4).", r)
	}
	return nil
}

// successByDefault gives a completion without a Result the Result Success.
func successByDefault(c model.Completion) model.Completion {
	if c.Result == model.JobResultUnknown {
		c.Result = model.JobResultSuccess
	}
	return c
}

// JobMode returns the current job mode.
func (m *Mock) JobMode() JobMode {
	jm := *m.mode.Load()
	jm.Scripts = maps.Clone(jm.Scripts)
	return jm
}

// SetJobMode checks and sets the job mode, then completes the runs that
// are due under it. An invalid mode is an Invalid error and changes
// nothing.
func (m *Mock) SetJobMode(ctx context.Context, jm JobMode) error {
	if err := m.setMode(jm); err != nil {
		return err
	}
	return m.RunDue(ctx)
}

func (m *Mock) setMode(jm JobMode) error {
	jm, err := jm.normalize()
	if err != nil {
		return err
	}
	m.modeMu.Lock()
	defer m.modeMu.Unlock()
	m.store.SetRunPolicy(jm.policy())
	m.mode.Store(&jm)
	return nil
}

// StartJob moves the waiting run of job id to InProcess, as an
// orchestrator picking it up would. An id that is malformed or names no
// job is NotFound.
func (m *Mock) StartJob(ctx context.Context, id string) (model.JobHistory, error) {
	jobID, err := model.PathGUID("Job", id)
	if err != nil {
		return model.JobHistory{}, err
	}
	if err := m.RunDue(ctx); err != nil {
		return model.JobHistory{}, err
	}
	return m.store.StartJob(ctx, jobID)
}

// CompleteJob ends the waiting or in-process run of job id with c (a zero
// Result means Success), as the orchestrator reporting back would, and
// returns the finished run.
func (m *Mock) CompleteJob(ctx context.Context, id string, c model.Completion) (model.JobHistory, error) {
	jobID, err := model.PathGUID("Job", id)
	if err != nil {
		return model.JobHistory{}, err
	}
	c = successByDefault(c)
	if err := CheckResult(c.Result); err != nil {
		return model.JobHistory{}, err
	}
	if err := m.RunDue(ctx); err != nil {
		return model.JobHistory{}, err
	}
	return m.store.CompleteJob(ctx, jobID, c)
}

// ParseDuration reads a duration flag or member such as "5s" or "250ms".
func ParseDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration such as 5s or 250ms", s)
	}
	return d, nil
}
