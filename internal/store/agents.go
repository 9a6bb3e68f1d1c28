package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/mockcommand/mockcommand/internal/model"
)

const agentColumns = `a.agent_id, a.client_machine, a.username, a.platform, a.version, a.status,
	a.last_seen, a.capabilities, a.blueprint, a.thumbprint, a.legacy_thumbprint,
	a.auth_cert_reenrollment, a.last_thumbprint_used, a.last_error_code, a.last_error_message`

// agentPager lists agents by their stored JSON.
var agentPager = &pager{res: agentResource, from: "agents a", table: TableAgents, doc: "a.doc"}

// AgentsVersion changes whenever what an agent listing shows may change.
func (s *Store) AgentsVersion() uint64 { return s.Version(TableAgents, TableJobTypes) }

// JobTypesVersion changes whenever what a job type listing shows may change.
func (s *Store) JobTypesVersion() uint64 { return s.Version(TableJobTypes) }

// AgentsPage writes one page of agents matching opts to w, as the JSON
// array GET /Agents answers with: each agent's stored JSON with its
// JobTypes spliced in (see docPage).
func (s *Store) AgentsPage(ctx context.Context, opts ListOptions, w io.Writer) error {
	snap, err := s.jobTypeSnapshot(ctx)
	if err != nil {
		return err
	}
	return s.docPage(ctx, agentPager, opts, w, func(out *stickyWriter, doc []byte) error {
		caps, ok := capabilitiesOf(doc)
		if !ok {
			return fmt.Errorf("an agent's stored JSON has no Capabilities")
		}
		out.write(doc[:len(doc)-1]) // without its closing brace
		out.writeString(`,"JobTypes":`)
		out.write(snap.jobTypesOfCapabilities(caps))
		out.writeString("}")
		return out.err
	})
}

// docPage writes one page of p's rows matching opts to w as a JSON array of
// their stored JSON, each written by item (nil: as stored). Filter, sort
// and page run in SQLite (see pager); nothing is encoded. A page larger
// than one statement reads is read from one snapshot of the database, a
// chunk at a time, and written as it is read, so a page of any size takes
// little memory.
func (s *Store) docPage(ctx context.Context, p *pager, opts ListOptions, w io.Writer, item func(out *stickyWriter, doc []byte) error) error {
	if item == nil {
		item = func(out *stickyWriter, doc []byte) error { out.write(doc); return out.err }
	}
	write := func(q querier) error {
		out := &stickyWriter{w: w}
		out.writeString("[")
		n := 0
		err := s.pageRows(ctx, q, p, opts, s.now(), func(doc []byte) error {
			if n++; n > 1 {
				out.writeString(",")
			}
			return item(out, doc)
		})
		if err != nil {
			return err
		}
		out.writeString("]")
		return out.err
	}
	if opts.Limit <= pageChunk {
		return write(poolReader{s}) // one statement: its own snapshot
	}
	return s.readTx(ctx, func(tx *Tx) error { return write(tx) })
}

// stickyWriter writes until the first error, then keeps it.
type stickyWriter struct {
	w   io.Writer
	err error
}

func (s *stickyWriter) write(b []byte) {
	if s.err == nil {
		_, s.err = s.w.Write(b)
	}
}

func (s *stickyWriter) writeString(str string) {
	if s.err == nil {
		_, s.err = io.WriteString(s.w, str)
	}
}

// ListAgents returns one page of agents matching opts, as AgentsPage
// writes them.
func (s *Store) ListAgents(ctx context.Context, opts ListOptions) ([]model.Agent, error) {
	var b bytes.Buffer
	if err := s.AgentsPage(ctx, opts, &b); err != nil {
		return nil, err
	}
	agents := []model.Agent{}
	if err := json.Unmarshal(b.Bytes(), &agents); err != nil {
		return nil, fmt.Errorf("decode agents: %w", err)
	}
	return agents, nil
}

// capabilitiesOf finds the Capabilities member of an agent's stored JSON:
// an array of strings, or null.
func capabilitiesOf(doc []byte) ([]byte, bool) {
	v, ok := jsonMember(doc, "Capabilities")
	if !ok || (v[0] != '[' && string(v) != "null") {
		return nil, false
	}
	return v, true
}

// agentDoc is the stored JSON of an agent: its answer without JobTypes
// (the last member, which is spliced in when it is served).
func agentDoc(a *model.Agent) ([]byte, error) {
	c := *a
	c.JobTypes = nil
	b, err := json.Marshal(&c)
	if err != nil {
		return nil, fmt.Errorf("encode agent %s: %w", a.AgentId, err)
	}
	const tail = `,"JobTypes":null}`
	if !bytes.HasSuffix(b, []byte(tail)) {
		return nil, fmt.Errorf("encode agent %s: JobTypes is not the last member", a.AgentId)
	}
	return append(b[:len(b)-len(tail)], '}'), nil
}

// GetAgent returns one agent by id (a canonical GUID), or NotFound, as
// an agent listing shows it.
func (s *Store) GetAgent(ctx context.Context, id string) (model.Agent, error) {
	a, err := readOne(ctx, s, id, findAgent)
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
		agents[i].JobTypes = snap.agentJobTypes(model.ListKey(agents[i].Capabilities))
	}
	return nil
}

// agentColumnCount is the number of columns agentWriter writes per agent.
const agentColumnCount = 17

// agentBatch is how many agents one multi-row INSERT writes. Batching cuts
// the per-statement overhead that dominates bulk loads (100k agents in a
// reset); 60 rows x 17 columns stays far below SQLite's parameter limit.
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
		last_thumbprint_used, last_error_code, last_error_message, doc)
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
		last_error_message = excluded.last_error_message, doc = excluded.doc`
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
		doc, err := agentDoc(a)
		if err != nil {
			return err
		}
		args = append(args, a.AgentId, a.ClientMachine, a.Username, a.AgentPlatform, a.Version, a.Status,
			a.LastSeen.String(), model.JoinList(a.Capabilities), model.ListKey(a.Capabilities), a.Blueprint, a.Thumbprint,
			a.LegacyThumbprint, a.AuthCertificateReenrollment, a.LastThumbprintUsed, a.LastErrorCode, a.LastErrorMessage, string(doc))
	}
	if _, err := w.tx.ExecContext(w.ctx, insertSQL(len(batch), w.upsert), args...); err != nil {
		return fmt.Errorf("write agents %s…: %w", batch[0].AgentId, err)
	}
	return nil
}

// close writes what is queued.
func (w *agentWriter) close() error { return w.flush() }

// fillAgentDocs writes the JSON of agents stored before the doc column
// existed (a database made by an earlier build).
func (s *Store) fillAgentDocs(ctx context.Context) error {
	rows, err := s.write.QueryContext(ctx, `SELECT `+agentColumns+` FROM agents a WHERE a.doc = ''`)
	if err != nil {
		return fmt.Errorf("find agents without JSON: %w", err)
	}
	agents, err := scanAgents(rows)
	if err != nil || len(agents) == 0 {
		return err
	}
	return s.writeTx(ctx, func(tx *Tx, now time.Time) error {
		w := newAgentWriter(ctx, tx, true)
		for i := range agents {
			if err := w.put(&agents[i]); err != nil {
				return err
			}
		}
		return w.close()
	})
}
