package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/mockcommand/mockcommand/internal/model"
)

const agentColumns = `a.agent_id, a.client_machine, a.username, a.platform, a.version, a.status,
	a.last_seen, a.capabilities, a.blueprint, a.thumbprint, a.legacy_thumbprint,
	a.auth_cert_reenrollment, a.last_thumbprint_used, a.last_error_code, a.last_error_message`

// ListAgents returns one page of agents matching opts, with JobTypes derived
// from each agent's capabilities. The list is one SQL statement: filter,
// sort and page all run in SQLite.
func (s *Store) ListAgents(ctx context.Context, opts ListOptions) ([]model.Agent, error) {
	where, order, args, err := agentResource.listSQL(opts, s.now())
	if err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, `SELECT `+agentColumns+` FROM agents a WHERE `+where+` ORDER BY `+order+` LIMIT ? OFFSET ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("list agents: %w", err)
	}
	agents, err := scanAgents(rows)
	if err != nil {
		return nil, err
	}
	return agents, s.deriveJobTypes(ctx, agents)
}

// GetAgent returns one agent by id (a canonical GUID), or NotFound.
func (s *Store) GetAgent(ctx context.Context, id string) (model.Agent, error) {
	var a model.Agent
	err := s.readTx(ctx, func(tx *Tx) error {
		var err error
		a, err = findAgent(ctx, tx, id)
		return err
	})
	if err != nil {
		return model.Agent{}, err
	}
	list := []model.Agent{a}
	err = s.deriveJobTypes(ctx, list)
	return list[0], err
}

// findAgent loads one agent by id (a canonical GUID) or returns NotFound.
func findAgent(ctx context.Context, tx *Tx, id string) (model.Agent, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+agentColumns+` FROM agents a WHERE a.agent_id = ?`, id)
	if err != nil {
		return model.Agent{}, fmt.Errorf("find agent: %w", err)
	}
	agents, err := scanAgents(rows)
	if err != nil {
		return model.Agent{}, err
	}
	if len(agents) == 0 {
		return model.Agent{}, model.Errorf(model.NotFound, "Agent with id %s was not found.", id)
	}
	return agents[0], nil
}

func scanAgents(rows *sql.Rows) ([]model.Agent, error) {
	return collect(rows, "agents", func(rows *sql.Rows, a *model.Agent) error {
		var lastSeen, caps string
		if err := rows.Scan(&a.AgentId, &a.ClientMachine, &a.Username, &a.AgentPlatform, &a.Version, &a.Status,
			&lastSeen, &caps, &a.Blueprint, &a.Thumbprint, &a.LegacyThumbprint,
			&a.AuthCertificateReenrollment, &a.LastThumbprintUsed, &a.LastErrorCode, &a.LastErrorMessage); err != nil {
			return fmt.Errorf("scan agent: %w", err)
		}
		t, err := time.Parse(model.TimeLayout, lastSeen)
		if err != nil {
			return fmt.Errorf("agent %s: stored LastSeen %q: %w", a.AgentId, lastSeen, err)
		}
		a.LastSeen = model.NewTime(t)
		a.Capabilities = model.SplitList(caps)
		return nil
	})
}

// deriveJobTypes fills each agent's JobTypes (Command v25) with the job
// types its capabilities let it run: a custom job type whose name is one of
// its capabilities, and FetchLogs when it has LOGS.
func (s *Store) deriveJobTypes(ctx context.Context, agents []model.Agent) error {
	if len(agents) == 0 {
		return nil
	}
	snap, err := s.jobTypeSnapshot(ctx)
	if err != nil {
		return err
	}
	for i := range agents {
		agents[i].JobTypes = []model.AgentJobType{}
		for _, c := range agents[i].Capabilities {
			for _, t := range snap.byCap[strings.ToLower(c)] {
				name := t.JobTypeName
				agents[i].JobTypes = append(agents[i].JobTypes, model.AgentJobType{Name: &name, JobTypeId: t.Id})
			}
		}
	}
	return nil
}

// agentColumnCount is the number of columns agentWriter writes per agent.
const agentColumnCount = 16

// agentBatch is how many agents one multi-row INSERT writes. Batching cuts
// the per-statement overhead that dominates bulk loads (100k agents in a
// reset); 60 rows x 16 columns stays far below SQLite's parameter limit.
const agentBatch = 60

// agentWriter writes agents in multi-row statements (the statement cache
// keeps the one for full batches prepared).
type agentWriter struct {
	ctx     context.Context
	tx      *Tx
	upsert  bool
	pending []*model.Agent
}

// newAgentWriter returns a writer that overwrites an agent with the same
// AgentId (upsert) or, for a load into an emptied table, plainly inserts:
// that needs no unique index during the load, so a reset can drop it and
// build it once afterwards.
func newAgentWriter(ctx context.Context, tx *Tx, upsert bool) *agentWriter {
	return &agentWriter{ctx: ctx, tx: tx, upsert: upsert}
}

// insertSQL is the INSERT of n agents; with upsert an existing AgentId is
// overwritten.
func insertSQL(n int, upsert bool) string {
	tuple := "(" + strings.TrimSuffix(strings.Repeat("?, ", agentColumnCount), ", ") + ")"
	insert := `INSERT INTO agents (agent_id, client_machine, username, platform, version, status,
		last_seen, capabilities, caps_key, blueprint, thumbprint, legacy_thumbprint, auth_cert_reenrollment,
		last_thumbprint_used, last_error_code, last_error_message)
		VALUES ` + strings.TrimSuffix(strings.Repeat(tuple+", ", n), ", ")
	if !upsert {
		return insert
	}
	return insert + `
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
		args = append(args, a.AgentId, a.ClientMachine, a.Username, a.AgentPlatform, a.Version, a.Status,
			a.LastSeen.String(), model.JoinList(a.Capabilities), model.ListKey(a.Capabilities), a.Blueprint, a.Thumbprint,
			a.LegacyThumbprint, a.AuthCertificateReenrollment, a.LastThumbprintUsed, a.LastErrorCode, a.LastErrorMessage)
	}
	if _, err := w.tx.ExecContext(w.ctx, insertSQL(len(batch), w.upsert), args...); err != nil {
		return fmt.Errorf("write agents %s…: %w", batch[0].AgentId, err)
	}
	return nil
}

// close writes what is queued.
func (w *agentWriter) close() error { return w.flush() }
