package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/mockcommand/mockcommand/internal/model"
)

const agentColumns = `a.agent_id, a.client_machine, a.username, a.platform, a.version, a.status,
	a.last_seen, a.capabilities, a.blueprint, a.thumbprint, a.legacy_thumbprint,
	a.auth_cert_reenrollment, a.last_thumbprint_used, a.last_error_code, a.last_error_message`

// ListAgents returns one page of agents matching opts, with JobTypes derived
// from each agent's capabilities.
func (s *Store) ListAgents(ctx context.Context, opts ListOptions) ([]model.Agent, error) {
	where, order, args, err := agentResource.listSQL(opts, s.now())
	if err != nil {
		return nil, err
	}
	var agents []model.Agent
	err = s.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+agentColumns+` FROM agents a WHERE `+where+` ORDER BY `+order+` LIMIT ? OFFSET ?`, args...)
		if err != nil {
			return fmt.Errorf("list agents: %w", err)
		}
		if agents, err = scanAgents(rows); err != nil {
			return err
		}
		return deriveJobTypes(ctx, tx, agents)
	})
	return agents, err
}

// GetAgent returns one agent, or a NotFound error.
func (s *Store) GetAgent(ctx context.Context, id string) (model.Agent, error) {
	var a model.Agent
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		a, err = findAgent(ctx, tx, id)
		if err != nil {
			return err
		}
		list := []model.Agent{a}
		err = deriveJobTypes(ctx, tx, list)
		a = list[0]
		return err
	})
	return a, err
}

// findAgent loads one agent by id (any GUID spelling) or returns NotFound.
func findAgent(ctx context.Context, tx *sql.Tx, id string) (model.Agent, error) {
	norm, err := model.NormalizeGUID(id)
	if err != nil {
		return model.Agent{}, model.Errorf(model.NotFound, "Agent %q was not found: the id is not a GUID.", id)
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+agentColumns+` FROM agents a WHERE a.agent_id = ?`, norm)
	if err != nil {
		return model.Agent{}, fmt.Errorf("find agent: %w", err)
	}
	agents, err := scanAgents(rows)
	if err != nil {
		return model.Agent{}, err
	}
	if len(agents) == 0 {
		return model.Agent{}, model.Errorf(model.NotFound, "Agent with id %s was not found.", norm)
	}
	return agents[0], nil
}

func scanAgents(rows *sql.Rows) ([]model.Agent, error) {
	defer rows.Close()
	agents := []model.Agent{}
	for rows.Next() {
		var a model.Agent
		var lastSeen, caps string
		if err := rows.Scan(&a.AgentId, &a.ClientMachine, &a.Username, &a.AgentPlatform, &a.Version, &a.Status,
			&lastSeen, &caps, &a.Blueprint, &a.Thumbprint, &a.LegacyThumbprint,
			&a.AuthCertificateReenrollment, &a.LastThumbprintUsed, &a.LastErrorCode, &a.LastErrorMessage); err != nil {
			return nil, fmt.Errorf("scan agent: %w", err)
		}
		t, err := time.Parse(model.TimeLayout, lastSeen)
		if err != nil {
			return nil, fmt.Errorf("agent %s: stored LastSeen %q: %w", a.AgentId, lastSeen, err)
		}
		a.LastSeen = model.NewTime(t)
		if err := json.Unmarshal([]byte(caps), &a.Capabilities); err != nil {
			return nil, fmt.Errorf("agent %s: stored capabilities: %w", a.AgentId, err)
		}
		agents = append(agents, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read agents: %w", err)
	}
	return agents, nil
}

// deriveJobTypes fills each agent's JobTypes (Command v25) with the job
// types its capabilities let it run: a custom job type whose name is one of
// its capabilities, and FetchLogs when it has LOGS.
func deriveJobTypes(ctx context.Context, tx *sql.Tx, agents []model.Agent) error {
	if len(agents) == 0 {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, name, capability FROM job_types`)
	if err != nil {
		return fmt.Errorf("load job types: %w", err)
	}
	defer rows.Close()
	type jt struct{ id, name string }
	byCap := map[string][]jt{}
	for rows.Next() {
		var id, name, capability string
		if err := rows.Scan(&id, &name, &capability); err != nil {
			return fmt.Errorf("scan job type: %w", err)
		}
		k := strings.ToLower(capability)
		byCap[k] = append(byCap[k], jt{id, name})
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load job types: %w", err)
	}
	for i := range agents {
		agents[i].JobTypes = []model.AgentJobType{}
		for _, c := range agents[i].Capabilities {
			for _, t := range byCap[strings.ToLower(c)] {
				name := t.name
				agents[i].JobTypes = append(agents[i].JobTypes, model.AgentJobType{Name: &name, JobTypeId: t.id})
			}
		}
	}
	return nil
}

// agentColumnCount is the number of columns agentWriter writes per agent.
const agentColumnCount = 16

// agentBatch is how many agents one multi-row INSERT writes. Batching cuts
// the per-statement overhead that dominates bulk loads (100k agents in a
// reset); 60 rows x 15 columns stays far below SQLite's parameter limit.
const agentBatch = 60

// agentWriter writes agents in multi-row statements, prepared once per
// transaction for full batches.
type agentWriter struct {
	ctx     context.Context
	tx      *sql.Tx
	pending []*model.Agent
	full    *sql.Stmt // INSERT of agentBatch agents
}

func newAgentWriter(ctx context.Context, tx *sql.Tx) *agentWriter {
	return &agentWriter{ctx: ctx, tx: tx}
}

// upsertSQL is the INSERT of n agents; an existing AgentId is overwritten.
func upsertSQL(n int) string {
	tuple := "(" + strings.TrimSuffix(strings.Repeat("?, ", agentColumnCount), ", ") + ")"
	return `INSERT INTO agents (agent_id, client_machine, username, platform, version, status,
		last_seen, capabilities, caps_key, blueprint, thumbprint, legacy_thumbprint, auth_cert_reenrollment,
		last_thumbprint_used, last_error_code, last_error_message)
		VALUES ` + strings.TrimSuffix(strings.Repeat(tuple+", ", n), ", ") + `
		ON CONFLICT (agent_id) DO UPDATE SET client_machine = excluded.client_machine,
		username = excluded.username, platform = excluded.platform, version = excluded.version,
		status = excluded.status, last_seen = excluded.last_seen, capabilities = excluded.capabilities,
		caps_key = excluded.caps_key, blueprint = excluded.blueprint, thumbprint = excluded.thumbprint,
		legacy_thumbprint = excluded.legacy_thumbprint, auth_cert_reenrollment = excluded.auth_cert_reenrollment,
		last_thumbprint_used = excluded.last_thumbprint_used, last_error_code = excluded.last_error_code,
		last_error_message = excluded.last_error_message`
}

// put queues a normalised agent, writing a batch when one is full.
func (w *agentWriter) put(a *model.Agent) error {
	w.pending = append(w.pending, a)
	if len(w.pending) < agentBatch {
		return nil
	}
	return w.flush()
}

// flush writes the queued agents.
func (w *agentWriter) flush() error {
	if len(w.pending) == 0 {
		return nil
	}
	batch := w.pending
	w.pending = w.pending[:0]
	args := make([]any, 0, len(batch)*agentColumnCount)
	for _, a := range batch {
		caps, err := json.Marshal(a.Capabilities)
		if err != nil {
			return fmt.Errorf("encode capabilities: %w", err)
		}
		args = append(args, a.AgentId, a.ClientMachine, a.Username, a.AgentPlatform, a.Version, a.Status,
			a.LastSeen.String(), string(caps), model.ListKey(a.Capabilities), a.Blueprint, a.Thumbprint,
			a.LegacyThumbprint, a.AuthCertificateReenrollment, a.LastThumbprintUsed, a.LastErrorCode, a.LastErrorMessage)
	}
	var err error
	if len(batch) == agentBatch {
		if w.full == nil {
			if w.full, err = w.tx.PrepareContext(w.ctx, upsertSQL(agentBatch)); err != nil {
				return fmt.Errorf("prepare agent insert: %w", err)
			}
		}
		_, err = w.full.ExecContext(w.ctx, args...)
	} else {
		_, err = w.tx.ExecContext(w.ctx, upsertSQL(len(batch)), args...)
	}
	if err != nil {
		return fmt.Errorf("write agents %s…: %w", batch[0].AgentId, err)
	}
	return nil
}

// close writes what is queued and releases the prepared statement.
func (w *agentWriter) close() error {
	err := w.flush()
	if w.full != nil {
		_ = w.full.Close()
	}
	return err
}
