package mock

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/mockcommand/mockcommand/internal/model"
)

// Reset returns the state to the fixtures the mock started from, read
// again. With all it also clears the request journal and the fault rules
// and puts the clock back to real time, but only once the state has been
// reset: a reset that fails (fixture files that no longer load) changes
// nothing at all, and is an Unavailable error naming the problem.
func (m *Mock) Reset(ctx context.Context, all bool) error {
	now := m.clock.Now()
	if all {
		now = time.Now().UTC() // what the clock will read once it is real again
	}
	fx, source, err := m.fixtures(now)
	if err != nil {
		return model.Errorf(model.Unavailable, "The fixtures cannot be loaded again, so nothing was reset: %s.", strings.TrimSuffix(err.Error(), "."))
	}
	// With all the clock is real again before the state is seeded (the
	// CAs and fixture certificates are made at the clock's time), and put
	// back should the reset fail.
	prevNow, prevFrozen := m.clock.Now(), m.clock.Frozen()
	if all {
		m.clock.Reset()
	}
	if err := m.store.Reset(ctx, fx, source); err != nil {
		if all {
			m.clock.Set(prevNow, prevFrozen)
		}
		return err
	}
	if all {
		m.journal.Clear()
		m.faults.Clear()
	}
	return nil
}

// Seed adds the agents and job types of f, replacing those with the same
// ids (and job types with the same name), and returns them as stored. A
// wrong entry is an Invalid error naming it ("Agents[2]: …", counting from
// 0) and nothing is stored.
func (m *Mock) Seed(ctx context.Context, f model.Fixtures) (model.Fixtures, error) {
	stored, err := m.store.Seed(ctx, f)
	if ee, ok := errors.AsType[*model.EntryError](err); ok && model.KindOf(ee.Err) != model.Internal {
		return model.Fixtures{}, model.Errorf(model.Invalid, "%s", ee.Error())
	}
	return stored, err
}

// Agent returns the orchestrator with the given id, as GET /Agents/{id}
// would. A malformed or unknown id is NotFound.
func (m *Mock) Agent(ctx context.Context, id string) (model.Agent, error) {
	agentID, err := model.PathGUID("Agent", id)
	if err != nil {
		return model.Agent{}, err
	}
	if err := m.RunDue(ctx); err != nil {
		return model.Agent{}, err
	}
	return m.store.GetAgent(ctx, agentID)
}
