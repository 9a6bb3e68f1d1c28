package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/mockcommand/mockcommand/internal/model"
)

// resolveAgents checks that every id (a canonical GUID) names an agent.
// Unknown ids are one Invalid error listing them; nothing is changed.
func resolveAgents(ctx context.Context, tx *Tx, ids []string) ([]string, error) {
	if len(ids) == 0 {
		return nil, model.Errorf(model.Invalid, "The body must be a non-empty JSON array of orchestrator ids.")
	}
	out := make([]string, 0, len(ids))
	var missing []string
	for _, id := range ids {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM agents WHERE agent_id = ?`, id).Scan(&n); err != nil {
			return nil, fmt.Errorf("find agent %s: %w", id, err)
		}
		if n == 0 {
			missing = append(missing, id)
		}
		out = append(out, id)
	}
	if len(missing) > 0 {
		return nil, model.Errorf(model.Invalid, "No orchestrator has the id %s.", strings.Join(missing, ", "))
	}
	return out, nil
}

// ApproveAgents sets the agents' Status to Approved (2).
func (s *Store) ApproveAgents(ctx context.Context, ids []string) error {
	return s.setAgentStatus(ctx, ids, model.AgentApproved, false)
}

// DisapproveAgents sets the agents' Status to Disapproved (3). Their jobs
// stay scheduled, but new jobs cannot be scheduled on them.
func (s *Store) DisapproveAgents(ctx context.Context, ids []string) error {
	return s.setAgentStatus(ctx, ids, model.AgentDisapproved, false)
}

// ResetAgents returns the agents to a new state: Status New (1), the last
// error cleared, and their scheduled jobs unscheduled.
func (s *Store) ResetAgents(ctx context.Context, ids []string) error {
	return s.setAgentStatus(ctx, ids, model.AgentNew, true)
}

// ResetAgent resets one agent named in a path (a canonical GUID): an
// unknown id is NotFound.
func (s *Store) ResetAgent(ctx context.Context, id string) error {
	if err := s.readTx(ctx, func(tx *Tx) error { _, err := findAgent(ctx, tx, id); return err }); err != nil {
		return err
	}
	return s.ResetAgents(ctx, []string{id})
}

func (s *Store) setAgentStatus(ctx context.Context, ids []string, status int, reset bool) error {
	return s.writeTx(ctx, func(tx *Tx, now time.Time) error {
		ids, err := resolveAgents(ctx, tx, ids)
		if err != nil {
			return err
		}
		q := `UPDATE agents SET status = ? WHERE agent_id IN (SELECT value FROM json_each(?))`
		if reset {
			q = `UPDATE agents SET status = ?, last_error_code = NULL, last_error_message = NULL WHERE agent_id IN (SELECT value FROM json_each(?))`
		}
		if _, err := tx.ExecContext(ctx, q, status, idsJSON(ids)); err != nil {
			return fmt.Errorf("set agent status: %w", err)
		}
		if !reset {
			return nil
		}
		if _, err = unscheduleJobs(ctx, tx, `(SELECT json_group_array(job_id) FROM jobs WHERE agent_id IN (SELECT value FROM json_each(?)))`, idsJSON(ids)); err != nil {
			return err
		}
		return detachStores(ctx, tx, idsJSON(ids), false)
	})
}

// FetchLogs schedules an immediate FetchLogs job on the agent named in a
// path (a canonical GUID; unknown: NotFound). The agent must be approved
// and have LOGS.
func (s *Store) FetchLogs(ctx context.Context, id string) (model.JobResponse, error) {
	var norm string
	if err := s.readTx(ctx, func(tx *Tx) error {
		a, err := findAgent(ctx, tx, id)
		norm = a.AgentId
		return err
	}); err != nil {
		return model.JobResponse{}, err
	}
	return s.ScheduleJob(ctx, ScheduleJobInput{AgentId: norm, JobTypeName: model.FetchLogsJobTypeName})
}

// Reenrollment values of POST /Agents/SetAuthCertificateReenrollment
// (OrchestratorAuthCertificateReenrollment); the agent's
// AuthCertificateReenrollment string holds the name.
var reenrollmentNames = []string{"None", "Requested", "Required"}

// ParseReenrollment reads a reenrollment status given as 0–2 or a name.
func ParseReenrollment(s string) (int, bool) {
	s = strings.TrimSpace(s)
	for i, name := range reenrollmentNames {
		if s == fmt.Sprint(i) || strings.EqualFold(s, name) {
			return i, true
		}
	}
	return 0, false
}

// SetAuthCertificateReenrollment sets the agents' AuthCertificateReenrollment
// to the status's name. Ids that are malformed or match no agent are
// returned as failed, as given (Command lists them in
// FailedOrchestratorIds rather than refusing the request); the others are
// updated.
func (s *Store) SetAuthCertificateReenrollment(ctx context.Context, ids []string, status int) (failed []string, err error) {
	failed = []string{}
	err = s.writeTx(ctx, func(tx *Tx, now time.Time) error {
		for _, raw := range ids {
			id, err := model.NormalizeGUID(raw)
			if err != nil {
				failed = append(failed, raw)
				continue
			}
			res, err := tx.ExecContext(ctx, `UPDATE agents SET auth_cert_reenrollment = ? WHERE agent_id = ?`, reenrollmentNames[status], id)
			if err != nil {
				return fmt.Errorf("set reenrollment of %s: %w", id, err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				failed = append(failed, raw)
			}
		}
		return nil
	})
	return failed, err
}

// DeleteAgent removes an agent (id: a canonical GUID). An agent with jobs or job history is only
// deleted with force, which deletes those too (Command's
// DELETE /Agents/{id}?force=true).
func (s *Store) DeleteAgent(ctx context.Context, id string, force bool) error {
	return s.writeTx(ctx, func(tx *Tx, now time.Time) error {
		a, err := findAgent(ctx, tx, id)
		if err != nil {
			return err
		}
		var jobs, runs int
		if err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM jobs WHERE agent_id = ? AND state = ?), (SELECT count(*) FROM job_history WHERE agent_id = ?)`,
			a.AgentId, jobScheduled, a.AgentId).Scan(&jobs, &runs); err != nil {
			return fmt.Errorf("count agent data: %w", err)
		}
		if (jobs > 0 || runs > 0) && !force {
			return model.Errorf(model.Invalid, "Orchestrator %s has %d scheduled jobs and %d job history entries; delete with force=true to remove them too.", a.AgentId, jobs, runs)
		}
		if err := detachStores(ctx, tx, idsJSON([]string{a.AgentId}), true); err != nil {
			return err
		}
		for _, q := range []string{`DELETE FROM job_history WHERE agent_id = ?`, `DELETE FROM jobs WHERE agent_id = ?`, `DELETE FROM agents WHERE agent_id = ?`} {
			if _, err := tx.ExecContext(ctx, q, a.AgentId); err != nil {
				return fmt.Errorf("delete agent %s: %w", a.AgentId, err)
			}
		}
		return nil
	})
}

// CreateAgent stores a new agent (the admin API's way to register an
// orchestrator, which Command's API cannot do). An existing AgentId is a
// Conflict.
func (s *Store) CreateAgent(ctx context.Context, a model.Agent) (model.Agent, error) {
	return s.saveAgent(ctx, func(tx *Tx, now time.Time) (model.Agent, error) {
		if err := a.Normalize(now); err != nil {
			return model.Agent{}, err
		}
		_, err := findAgent(ctx, tx, a.AgentId)
		switch {
		case err == nil:
			return model.Agent{}, model.Errorf(model.Conflict, "An orchestrator with AgentId %s already exists.", a.AgentId)
		case model.KindOf(err) != model.NotFound:
			return model.Agent{}, err
		}
		return a, nil
	})
}

// UpdateAgent loads agent id (a canonical GUID), lets change edit it and stores the result in
// one write transaction, so two concurrent updates cannot undo each other.
// An unknown id is NotFound; change may not alter the AgentId.
func (s *Store) UpdateAgent(ctx context.Context, id string, change func(*model.Agent) error) (model.Agent, error) {
	return s.saveAgent(ctx, func(tx *Tx, now time.Time) (model.Agent, error) {
		a, err := findAgent(ctx, tx, id)
		if err != nil {
			return model.Agent{}, err
		}
		stored := a.AgentId
		if err := change(&a); err != nil {
			return model.Agent{}, err
		}
		if err := a.Normalize(now); err != nil {
			return model.Agent{}, err
		}
		if a.AgentId != stored {
			return model.Agent{}, model.Errorf(model.Invalid, "AgentId %s differs from the id %s in the path; an agent's id cannot change.", a.AgentId, stored)
		}
		return a, nil
	})
}

// saveAgent writes the agent that prepare returns, inside prepare's write
// transaction, and returns it with its derived job types.
func (s *Store) saveAgent(ctx context.Context, prepare func(tx *Tx, now time.Time) (model.Agent, error)) (model.Agent, error) {
	var a model.Agent
	err := s.writeTx(ctx, func(tx *Tx, now time.Time) error {
		var err error
		if a, err = prepare(tx, now); err != nil {
			return err
		}
		w := newAgentWriter(ctx, tx, true)
		if err := w.put(&a); err != nil {
			return err
		}
		if err := w.close(); err != nil {
			return err
		}
		// Its stores' answers show whether it can reenroll them.
		return refreshStoreDocs(ctx, tx, `s.agent_id = ?`, a.AgentId)
	})
	if err != nil {
		return model.Agent{}, err
	}
	list := []model.Agent{a}
	err = s.deriveJobTypes(ctx, list)
	return list[0], err
}
