package mock

import (
	"context"
	"time"

	"github.com/mockcommand/mockcommand/internal/model"
)

// ClockState is what the mock's clock reads.
type ClockState struct {
	Now    time.Time
	Frozen bool
}

// ClockChange changes the clock: Now sets it (frozen unless Freeze says
// false), Advance moves it, Freeze alone stops or restarts it, and Real
// puts it back to real time.
type ClockChange struct {
	Now     *time.Time
	Advance *time.Duration
	Freeze  *bool
	Real    bool
}

// Now is the mock's clock.
func (m *Mock) Now() time.Time { return m.clock.Now() }

// Clock reads the clock.
func (m *Mock) Clock() ClockState { return ClockState{Now: m.clock.Now(), Frozen: m.clock.Frozen()} }

// ChangeClock applies c, then completes the runs that fall due by the new
// time. The clock must stay within the years 1 to 9999 (what timestamps
// can hold); a change that would leave that range, or that combines
// members that contradict each other, is an Invalid error and changes
// nothing.
func (m *Mock) ChangeClock(ctx context.Context, c ClockChange) (ClockState, error) {
	switch {
	case c.Real && (c.Now != nil || c.Advance != nil || c.Freeze != nil):
		return ClockState{}, model.Errorf(model.Invalid, "Real cannot be combined with Now, Advance or Freeze.")
	case c.Now != nil && c.Advance != nil:
		return ClockState{}, model.Errorf(model.Invalid, "Give Now or Advance, not both.")
	case !c.Real && c.Now == nil && c.Advance == nil && c.Freeze == nil:
		return ClockState{}, model.Errorf(model.Invalid, `Give Now (a time), Advance (a duration such as "90m"), Freeze (true or false) or Real (true).`)
	}
	if !c.Real {
		target := m.clock.Now()
		if c.Now != nil {
			target = *c.Now
		} else if c.Advance != nil {
			target = target.Add(*c.Advance)
		}
		if !model.InRange(target) {
			return ClockState{}, model.Errorf(model.Invalid, "The clock would read %s; it must stay within the years 1 to 9999.", target.UTC().Format(time.RFC3339))
		}
	}
	switch {
	case c.Real:
		m.clock.Reset()
	case c.Now != nil:
		m.clock.Set(*c.Now, c.Freeze == nil || *c.Freeze)
	default:
		if c.Advance != nil {
			m.clock.Advance(*c.Advance)
		}
		if c.Freeze != nil {
			m.clock.Set(m.clock.Now(), *c.Freeze)
		}
	}
	if err := m.RunDue(ctx); err != nil {
		return ClockState{}, err
	}
	return m.Clock(), nil
}

// SetTime freezes the clock at t (see ChangeClock).
func (m *Mock) SetTime(ctx context.Context, t time.Time) error {
	_, err := m.ChangeClock(ctx, ClockChange{Now: &t})
	return err
}

// Advance moves the clock by d (see ChangeClock).
func (m *Mock) Advance(ctx context.Context, d time.Duration) error {
	_, err := m.ChangeClock(ctx, ClockChange{Advance: &d})
	return err
}
