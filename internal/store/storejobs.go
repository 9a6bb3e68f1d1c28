package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/mockcommand/mockcommand/internal/model"
)

// The job type names of store jobs, as JobHistory and ScheduledJobs show
// them.
const (
	InventoryJobType  = "Inventory"
	DiscoveryJobType  = "Discovery"
	ManagementJobType = "Management"
)

// Command's view of a store changes only when a job completes: an
// inventory job copies what the orchestrator sees in the store
// (store_observed, set by tests) into the store's inventory; a discovery
// job adds the store paths the orchestrator finds (discoverable_stores)
// as stores awaiting approval. Both are orchestrator jobs like custom
// ones, in jobs and job_history, with a row in store_jobs saying what
// they work on.

// isStoreJobType reports whether jobs named jobType may be store jobs.
func isStoreJobType(jobType string) bool {
	return strings.EqualFold(jobType, InventoryJobType) || strings.EqualFold(jobType, DiscoveryJobType) || strings.EqualFold(jobType, ManagementJobType)
}

// ScheduleInventory sets the inventory schedule of each store of ids
// (POST /CertificateStores/Schedule): a schedule without a member clears
// it. Nothing changes unless every store can take it.
func (s *Store) ScheduleInventory(ctx context.Context, ids []string, sched *model.Schedule) error {
	if len(ids) == 0 {
		return model.Errorf(model.Invalid, "StoreIds is required: the stores whose inventory to schedule.")
	}
	return s.writeTx(ctx, func(tx *Tx, now time.Time) error {
		for i, raw := range ids {
			id, err := model.BodyGUID(fmt.Sprintf("StoreIds[%d]", i), raw)
			if err != nil {
				return err
			}
			if _, err := loadStore(ctx, tx, id); err != nil {
				return bodyRef(err, fmt.Sprintf("StoreIds[%d]", i))
			}
			empty := model.Schedule{}
			if sched == nil {
				sched = &empty
			}
			if err := s.setInventorySchedule(ctx, tx, id, sched, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// setInventorySchedule schedules the store's inventory, or clears its
// schedule when sched has no member.
func (s *Store) setInventorySchedule(ctx context.Context, tx *Tx, id string, sched *model.Schedule, now time.Time) error {
	if !sched.IsEmpty() {
		return s.scheduleInventory(ctx, tx, id, sched, now)
	}
	r, err := loadStore(ctx, tx, id)
	if err != nil {
		return err
	}
	if r.inventoryJob == nil {
		return nil
	}
	if _, err := unscheduleJobs(ctx, tx, `json_array(?)`, *r.inventoryJob); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE stores SET inventory_job_id = NULL WHERE id = ?`, id); err != nil {
		return fmt.Errorf("clear inventory schedule of store %s: %w", id, err)
	}
	return refreshStoreDocs(ctx, tx, `s.id = ?`, id)
}

// scheduleInventory replaces the store's inventory job with one on sched.
// The store must be approved and its orchestrator able to run it.
func (s *Store) scheduleInventory(ctx context.Context, tx *Tx, id string, sched *model.Schedule, now time.Time) error {
	r, err := loadStore(ctx, tx, id)
	if err != nil {
		return err
	}
	if !r.approved {
		return model.Errorf(model.Invalid, "Certificate store %s is not approved: approve it (POST /CertificateStores/Approve) before scheduling its inventory.", id)
	}
	if r.agentID == nil {
		return model.Errorf(model.Invalid, "Certificate store %s has no orchestrator to run its inventory.", id)
	}
	t, err := findStoreType(ctx, tx, r.storeType)
	if err != nil {
		return err
	}
	agent, err := checkStoreAgent(ctx, tx, "AgentId", *r.agentID, &t, "Inventory")
	if err != nil {
		return err
	}
	norm, err := model.NormalizeSchedule(sched)
	if err != nil {
		return err
	}
	if err := checkFirstRun(norm, now, "inventory job"); err != nil {
		return err
	}
	if r.inventoryJob != nil {
		if _, err := unscheduleJobs(ctx, tx, `json_array(?)`, *r.inventoryJob); err != nil {
			return err
		}
	}
	job := model.JobResponse{JobId: newJobID(), OrchestratorId: agent.id, JobTypeName: InventoryJobType, Schedule: norm,
		JobFields: []model.JobField{}, RequestTimestamp: model.NewTime(now)}
	if _, err := tx.ExecContext(ctx, `INSERT INTO store_jobs (job_id, kind, store_id, store_type) VALUES (?, ?, ?, ?)`,
		job.JobId, InventoryJobType, id, r.storeType); err != nil {
		return fmt.Errorf("add inventory job: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE stores SET inventory_job_id = ? WHERE id = ?`, job.JobId, id); err != nil {
		return fmt.Errorf("schedule inventory of store %s: %w", id, err)
	}
	if err := s.storeJob(ctx, tx, &job, agent.clientMachine, &r.storePath, now); err != nil {
		return err
	}
	return refreshStoreDocs(ctx, tx, `s.id = ?`, id)
}

// detachStores follows a reset (or, with gone, a delete) of the
// orchestrators in the JSON array agents: their stores lose their inventory
// schedule (the reset unscheduled their jobs), and, when the orchestrators
// are gone, their orchestrator.
func detachStores(ctx context.Context, tx *Tx, agents string, gone bool) error {
	q := `UPDATE stores SET inventory_job_id = NULL WHERE agent_id IN (SELECT value FROM json_each(?)) RETURNING id`
	if gone {
		q = `UPDATE stores SET inventory_job_id = NULL, agent_id = NULL WHERE agent_id IN (SELECT value FROM json_each(?)) RETURNING id`
	}
	rows, err := tx.QueryContext(ctx, q, agents)
	if err != nil {
		return fmt.Errorf("detach stores: %w", err)
	}
	ids, err := collect(rows, "stores", func(rows *sql.Rows, id *string) error { return rows.Scan(id) })
	if err != nil || len(ids) == 0 {
		return err
	}
	return refreshStoreDocs(ctx, tx, `s.id IN (SELECT value FROM json_each(?))`, idsJSON(ids))
}

// DiscoveryInput is a PUT /CertificateStores/DiscoveryJob request.
type DiscoveryInput struct {
	AgentId       string // a canonical GUID
	ClientMachine string // the machine to search: the orchestrator's own when empty
	Type          int    // the store type
	At            *model.Time
	Filter        model.DiscoveryFilter
}

// ScheduleDiscovery schedules a discovery job: at once, or at in.At. The
// type must support discovery and the orchestrator advertise
// CertStores.<Capability>.Discovery. It returns the job's id.
func (s *Store) ScheduleDiscovery(ctx context.Context, in DiscoveryInput) (string, error) {
	var jobID string
	err := s.writeTx(ctx, func(tx *Tx, now time.Time) error {
		t, err := findStoreType(ctx, tx, in.Type)
		if err != nil {
			return bodyRef(err, "Type")
		}
		if !t.SupportedOperations.Discovery {
			return model.Errorf(model.Invalid, "Store type %s (%d) does not support discovery (SupportedOperations.Discovery is false).", t.ShortName, t.StoreType)
		}
		agent, err := checkStoreAgent(ctx, tx, "AgentId", in.AgentId, &t, "Discovery")
		if err != nil {
			return err
		}
		machine := strings.TrimSpace(in.ClientMachine)
		if machine == "" {
			machine = model.Deref(agent.clientMachine)
		}
		sched := model.DiscoveryTime(in.At)
		if err := checkFirstRun(sched, now, "discovery job"); err != nil {
			return err
		}
		if sched.ExactlyOnce != nil && sched.ExactlyOnce.Time.Before(now.Add(-time.Minute)) {
			return model.Errorf(model.Invalid, "JobExecutionTimestamp %s is in the past.", sched.ExactlyOnce.Time.String())
		}
		job := model.JobResponse{JobId: newJobID(), OrchestratorId: agent.id, JobTypeName: DiscoveryJobType, Schedule: sched,
			JobFields: []model.JobField{}, RequestTimestamp: model.NewTime(now)}
		if _, err := tx.ExecContext(ctx, `INSERT INTO store_jobs (job_id, kind, store_type, client_machine, dirs, ignored_dirs) VALUES (?, ?, ?, ?, ?, ?)`,
			job.JobId, DiscoveryJobType, t.StoreType, machine, in.Filter.Dirs, in.Filter.IgnoredDirs); err != nil {
			return fmt.Errorf("add discovery job: %w", err)
		}
		jobID = job.JobId
		return s.storeJob(ctx, tx, &job, agent.clientMachine, nil, now)
	})
	return jobID, err
}

// applyStoreJob makes a store job's run that completed with c change
// Command's view: an inventory copies what the orchestrator sees, a
// discovery adds what it finds. A run that failed changes nothing.
func applyStoreJob(ctx context.Context, tx *Tx, j jobRow, c model.Completion) error {
	if !isStoreJobType(j.jobType) || (c.Result != model.JobResultSuccess && c.Result != model.JobResultWarning) {
		return nil
	}
	var kind string
	var storeID, machine, dirs, ignored *string
	var storeType int
	err := tx.QueryRowContext(ctx, `SELECT kind, store_id, store_type, client_machine, dirs, ignored_dirs FROM store_jobs WHERE job_id = ?`, j.id).
		Scan(&kind, &storeID, &storeType, &machine, &dirs, &ignored)
	if err == sql.ErrNoRows {
		return nil // a custom job type that happens to have the name
	}
	if err != nil {
		return fmt.Errorf("load store job %s: %w", j.id, err)
	}
	switch kind {
	case InventoryJobType:
		return takeInventory(ctx, tx, model.Deref(storeID))
	case ManagementJobType:
		return manage(ctx, tx, model.Deref(storeID), j.id)
	}
	return discover(ctx, tx, j.agentID, storeType, model.Deref(machine), model.DiscoveryFilter{Dirs: model.Deref(dirs), IgnoredDirs: model.Deref(ignored)})
}

// takeInventory replaces the store's inventory with what its orchestrator
// sees in it.
func takeInventory(ctx context.Context, tx *Tx, storeID string) error {
	rows, err := tx.QueryContext(ctx, `SELECT entry FROM store_observed WHERE store_id = ? ORDER BY alias`, storeID)
	if err != nil {
		return fmt.Errorf("read what store %s holds: %w", storeID, err)
	}
	entries, err := collect(rows, "observed entries", func(rows *sql.Rows, e *model.ObservedEntry) error {
		var doc []byte
		if err := rows.Scan(&doc); err != nil {
			return err
		}
		return json.Unmarshal(doc, e)
	})
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM store_inventory WHERE store_id = ?`, storeID); err != nil {
		return fmt.Errorf("clear inventory of store %s: %w", storeID, err)
	}
	for _, e := range entries {
		if err := addInventoryEntry(ctx, tx, storeID, e); err != nil {
			return err
		}
	}
	return nil
}

// addInventoryEntry adds an entry to Command's inventory of a store,
// linking each certificate to the repository's by thumbprint.
func addInventoryEntry(ctx context.Context, tx *Tx, storeID string, e model.ObservedEntry) error {
	var item int
	if err := tx.QueryRowContext(ctx, `INSERT INTO store_inventory (store_id, alias, doc) VALUES (?, ?, '{}') RETURNING item_id`,
		storeID, e.Alias).Scan(&item); err != nil {
		return fmt.Errorf("add inventory of store %s: %w", storeID, err)
	}
	inv := e.Inventory(item)
	var first *int
	for i := range inv.Certificates {
		var id int
		err := tx.QueryRowContext(ctx, `SELECT id FROM certificates WHERE thumbprint = ? ORDER BY id LIMIT 1`, inv.Certificates[i].Thumbprint).Scan(&id)
		if err == sql.ErrNoRows {
			continue
		}
		if err != nil {
			return fmt.Errorf("link inventory certificate: %w", err)
		}
		inv.Certificates[i].Id = id
		if first == nil {
			first = &id
		}
	}
	doc, err := json.Marshal(inv)
	if err != nil {
		return fmt.Errorf("encode inventory entry: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE store_inventory SET doc = ?, cert_id = ? WHERE item_id = ?`, string(doc), first, item); err != nil {
		return fmt.Errorf("add inventory of store %s: %w", storeID, err)
	}
	return nil
}

// discover adds, as stores awaiting approval, the store paths of a type
// the orchestrator finds on machine that Command does not know yet.
func discover(ctx context.Context, tx *Tx, agentID string, storeType int, machine string, f model.DiscoveryFilter) error {
	if _, err := findStoreType(ctx, tx, storeType); model.KindOf(err) == model.NotFound {
		return nil // the type went meanwhile
	} else if err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT d.store_path FROM discoverable_stores d WHERE d.agent_id = ? AND d.store_type = ? AND d.client_machine = ?
		AND NOT EXISTS (SELECT 1 FROM stores s WHERE s.store_type = d.store_type AND s.client_machine = d.client_machine AND s.store_path = d.store_path)
		ORDER BY d.store_path`, agentID, storeType, machine)
	if err != nil {
		return fmt.Errorf("discover stores: %w", err)
	}
	paths, err := collect(rows, "discovered paths", func(rows *sql.Rows, p *string) error { return rows.Scan(p) })
	if err != nil {
		return err
	}
	var ids []string
	for _, p := range paths {
		if !f.Finds(p) {
			continue
		}
		id := uuid.NewString()
		if _, err := tx.ExecContext(ctx, `INSERT INTO stores (id, client_machine, store_path, store_type, agent_id, approved, properties, doc)
			VALUES (?, ?, ?, ?, ?, 0, '{}', '{}')`, id, machine, p, storeType, agentID); err != nil {
			return fmt.Errorf("add discovered store: %w", err)
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return nil
	}
	return refreshStoreDocs(ctx, tx, `s.id IN (SELECT value FROM json_each(?))`, idsJSON(ids))
}

// InventoryVersion changes whenever an inventory may change.
func (s *Store) InventoryVersion() uint64 { return s.Version(TableStoreInventory, TableStores) }

// InventoryPage writes one page of the store's inventory (entries by
// alias) to w as a JSON array: NotFound for an unknown store, [] past the
// end.
func (s *Store) InventoryPage(ctx context.Context, id string, opts ListOptions, w io.Writer) error {
	if opts.Page < 1 || opts.Limit < 1 {
		return model.Errorf(model.Invalid, "PageReturned and ReturnLimit must be at least 1.")
	}
	return s.readTx(ctx, func(tx *Tx) error {
		if _, err := storeDoc(ctx, tx, id); err != nil {
			return err
		}
		order := "alias, item_id"
		if opts.Descending {
			order = "alias DESC, item_id DESC"
		}
		if f := strings.ToLower(strings.TrimSpace(opts.SortField)); f != "" && f != "name" && f != "alias" {
			return model.Errorf(model.InvalidSort, "Invalid sort field: %s. Sortable fields are Name.", opts.SortField)
		}
		var page []byte
		err := tx.QueryRowContext(ctx, `SELECT coalesce('[' || group_concat(doc, ',') || ']', '[]') FROM
			(SELECT doc FROM store_inventory WHERE store_id = ? ORDER BY `+order+` LIMIT ? OFFSET ?)`,
			id, opts.Limit, int64(opts.Page-1)*int64(opts.Limit)).Scan(&page)
		if err != nil {
			return fmt.Errorf("list inventory of store %s: %w", id, err)
		}
		_, err = w.Write(page)
		return err
	})
}

// SetObserved replaces what the orchestrator sees in a store: the entries
// its next inventory job reports.
func (s *Store) SetObserved(ctx context.Context, id string, entries []model.ObservedEntry) ([]model.ObservedEntry, error) {
	seen := map[string]int{}
	for i := range entries {
		if err := entries[i].Normalize(fmt.Sprintf("[%d]", i)); err != nil {
			return nil, err
		}
		if j, dup := seen[entries[i].Alias]; dup {
			return nil, model.Errorf(model.Invalid, "[%d].Alias %q is also the alias of [%d]: a store holds one entry per alias.", i, entries[i].Alias, j)
		}
		seen[entries[i].Alias] = i
	}
	err := s.writeTx(ctx, func(tx *Tx, _ time.Time) error {
		if _, err := loadStore(ctx, tx, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM store_observed WHERE store_id = ?`, id); err != nil {
			return fmt.Errorf("clear observed entries: %w", err)
		}
		for _, e := range entries {
			doc, err := json.Marshal(e)
			if err != nil {
				return fmt.Errorf("encode observed entry: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO store_observed (store_id, alias, entry) VALUES (?, ?, ?)`, id, e.Alias, string(doc)); err != nil {
				return fmt.Errorf("add observed entry: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.Observed(ctx, id)
}

// Observed returns what the orchestrator sees in a store.
func (s *Store) Observed(ctx context.Context, id string) ([]model.ObservedEntry, error) {
	var out []model.ObservedEntry
	err := s.readTx(ctx, func(tx *Tx) error {
		if _, err := loadStore(ctx, tx, id); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT entry FROM store_observed WHERE store_id = ? ORDER BY alias`, id)
		if err != nil {
			return fmt.Errorf("read observed entries: %w", err)
		}
		out, err = collect(rows, "observed entries", func(rows *sql.Rows, e *model.ObservedEntry) error {
			var doc []byte
			if err := rows.Scan(&doc); err != nil {
				return err
			}
			return json.Unmarshal(doc, e)
		})
		return err
	})
	return out, err
}

// SetDiscoverable replaces the store paths of a type that an orchestrator
// finds on a machine when it runs a discovery job.
func (s *Store) SetDiscoverable(ctx context.Context, d model.DiscoverySpec) (model.DiscoverySpec, error) {
	err := s.writeTx(ctx, func(tx *Tx, _ time.Time) error {
		id, err := model.BodyGUID("AgentId", d.AgentId)
		if err != nil {
			return err
		}
		d.AgentId = id
		var machine *string
		if err := tx.QueryRowContext(ctx, `SELECT client_machine FROM agents WHERE agent_id = ?`, id).Scan(&machine); err == sql.ErrNoRows {
			return model.Errorf(model.Invalid, "AgentId %s does not match any orchestrator.", id)
		} else if err != nil {
			return fmt.Errorf("find agent %s: %w", id, err)
		}
		if _, err := findStoreType(ctx, tx, d.CertStoreType); err != nil {
			return bodyRef(err, "CertStoreType")
		}
		if d.ClientMachine = strings.TrimSpace(d.ClientMachine); d.ClientMachine == "" {
			d.ClientMachine = model.Deref(machine)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM discoverable_stores WHERE agent_id = ? AND store_type = ? AND client_machine = ?`,
			id, d.CertStoreType, d.ClientMachine); err != nil {
			return fmt.Errorf("clear discoverable stores: %w", err)
		}
		paths := []string{}
		for i, p := range d.StorePaths {
			if p = strings.TrimSpace(p); p == "" {
				return model.Errorf(model.Invalid, "StorePaths[%d] is empty.", i)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO discoverable_stores (agent_id, store_type, client_machine, store_path) VALUES (?, ?, ?, ?)
				ON CONFLICT DO NOTHING`, id, d.CertStoreType, d.ClientMachine, p); err != nil {
				return fmt.Errorf("add discoverable store: %w", err)
			}
			paths = append(paths, p)
		}
		d.StorePaths = paths
		return nil
	})
	return d, err
}

// Discoverable lists every store path an orchestrator would discover,
// grouped by orchestrator, type and machine.
func (s *Store) Discoverable(ctx context.Context) ([]model.DiscoverySpec, error) {
	rows, err := s.reader().QueryContext(ctx, `SELECT agent_id, store_type, client_machine, json_group_array(store_path) FROM
		(SELECT * FROM discoverable_stores ORDER BY agent_id, store_type, client_machine, store_path) GROUP BY agent_id, store_type, client_machine`)
	if err != nil {
		return nil, fmt.Errorf("list discoverable stores: %w", err)
	}
	return collect(rows, "discoverable stores", func(rows *sql.Rows, d *model.DiscoverySpec) error {
		var paths []byte
		if err := rows.Scan(&d.AgentId, &d.CertStoreType, &d.ClientMachine, &paths); err != nil {
			return err
		}
		return json.Unmarshal(paths, &d.StorePaths)
	})
}
