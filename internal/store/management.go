package store

import (
	"context"
	"crypto/x509"
	"database/sql"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/mockcommand/mockcommand/internal/model"
)

// Management jobs put a certificate into a store, or take an entry out,
// as POST /CertificateStores/Certificates/Add and /Remove schedule them:
// one orchestrator job per store. When a job completes with Success or
// Warning the entry is in (or out of) what the orchestrator sees and
// Command's inventory of the store, and so in the certificate's Locations.

// StoreEntry is one store of an Add or Remove request.
type StoreEntry struct {
	CertificateStoreId string
	Alias              *string
	JobFields          map[string]model.Scalar
	Overwrite          bool
	IncludePrivateKey  bool
	PfxPassword        *string
	EntryPassword      model.Secret
}

// managementPayload is what a management job does, kept with the job.
type managementPayload struct {
	Remove        bool              `json:"remove,omitempty"`
	CertificateID int               `json:"cert,omitempty"`
	Alias         string            `json:"alias"`
	Overwrite     bool              `json:"overwrite,omitempty"`
	Fields        map[string]string `json:"fields,omitempty"`
}

// AddCertificate schedules one management job per store that adds the
// certificate, and returns the jobs' ids. Every store is checked first;
// nothing is scheduled unless all pass.
func (s *Store) AddCertificate(ctx context.Context, certID int, stores []StoreEntry, sched *model.Schedule) ([]string, error) {
	return s.scheduleManagement(ctx, false, certID, stores, sched)
}

// RemoveCertificate schedules one management job per store that removes
// the entry named by its alias (or, without an alias, the entry holding
// certID), and returns the jobs' ids.
func (s *Store) RemoveCertificate(ctx context.Context, certID int, stores []StoreEntry, sched *model.Schedule) ([]string, error) {
	return s.scheduleManagement(ctx, true, certID, stores, sched)
}

func (s *Store) scheduleManagement(ctx context.Context, remove bool, certID int, stores []StoreEntry, sched *model.Schedule) ([]string, error) {
	if len(stores) == 0 {
		return nil, model.Errorf(model.Invalid, "CertificateStores is required: the stores to change.")
	}
	if sched == nil {
		return nil, model.Errorf(model.Invalid, "Schedule is required, for example {\"Immediate\": true}.")
	}
	norm, err := model.NormalizeSchedule(sched)
	if err != nil {
		return nil, err
	}
	var ids []string
	err = s.writeTx(ctx, func(tx *Tx, now time.Time) error {
		ids = ids[:0]
		if err := checkFirstRun(norm, now, "management job"); err != nil {
			return err
		}
		var thumb string
		var hasKey bool
		if !remove || certID != 0 {
			err := tx.QueryRowContext(ctx, `SELECT thumbprint, key_pem IS NOT NULL FROM certificates WHERE id = ?`, certID).Scan(&thumb, &hasKey)
			if err == sql.ErrNoRows {
				return model.Errorf(model.Invalid, "CertificateId %d does not match any certificate.", certID)
			}
			if err != nil {
				return fmt.Errorf("find certificate %d: %w", certID, err)
			}
		}
		for i, e := range stores {
			member := fmt.Sprintf("CertificateStores[%d]", i)
			p, row, agent, err := checkManagement(ctx, tx, member, remove, certID, thumb, hasKey, e)
			if err != nil {
				return err
			}
			payload, err := json.Marshal(p)
			if err != nil {
				return fmt.Errorf("encode management job: %w", err)
			}
			job := model.JobResponse{JobId: newJobID(), OrchestratorId: agent.id, JobTypeName: ManagementJobType, Schedule: norm,
				JobFields: []model.JobField{}, RequestTimestamp: model.NewTime(now)}
			if _, err := tx.ExecContext(ctx, `INSERT INTO store_jobs (job_id, kind, store_id, store_type, payload) VALUES (?, ?, ?, ?, ?)`,
				job.JobId, ManagementJobType, row.id, row.storeType, string(payload)); err != nil {
				return fmt.Errorf("add management job: %w", err)
			}
			if err := s.storeJob(ctx, tx, &job, agent.clientMachine, &row.storePath, now); err != nil {
				return err
			}
			ids = append(ids, job.JobId)
		}
		return nil
	})
	return ids, err
}

// checkManagement checks one store of an Add or Remove request against
// its type and orchestrator, and returns what the job will do.
func checkManagement(ctx context.Context, tx *Tx, member string, remove bool, certID int, thumb string, hasKey bool, e StoreEntry) (managementPayload, storeRow, storeAgent, error) {
	fail := func(format string, args ...any) (managementPayload, storeRow, storeAgent, error) {
		return managementPayload{}, storeRow{}, storeAgent{}, model.Errorf(model.Invalid, member+": "+format, args...)
	}
	id, err := model.BodyGUID(member+".CertificateStoreId", e.CertificateStoreId)
	if err != nil {
		return managementPayload{}, storeRow{}, storeAgent{}, err
	}
	row, err := loadStore(ctx, tx, id)
	if err != nil {
		return managementPayload{}, storeRow{}, storeAgent{}, bodyRef(err, member+".CertificateStoreId")
	}
	if !row.approved || row.agentID == nil {
		return fail("certificate store %s is not approved, or has no orchestrator.", id)
	}
	t, err := findStoreType(ctx, tx, row.storeType)
	if err != nil {
		return managementPayload{}, storeRow{}, storeAgent{}, err
	}
	op, supported := "Add", t.SupportedOperations.Add
	if remove {
		op, supported = "Remove", t.SupportedOperations.Remove
	}
	if !supported {
		return fail("stores of type %s do not support %s (SupportedOperations.%s is false).", t.ShortName, strings.ToLower(op), op)
	}
	agent, err := checkStoreAgent(ctx, tx, member+".AgentId", *row.agentID, &t, "Management")
	if err != nil {
		return managementPayload{}, storeRow{}, storeAgent{}, err
	}
	alias := strings.TrimSpace(model.Deref(e.Alias))
	p := managementPayload{Remove: remove, CertificateID: certID, Overwrite: e.Overwrite, Fields: map[string]string{}}
	if remove {
		if alias == "" {
			if certID == 0 {
				return fail("Alias is required to remove an entry: the entry's name in the store.")
			}
			err := tx.QueryRowContext(ctx, `SELECT alias FROM store_inventory WHERE store_id = ? AND cert_id = ? ORDER BY item_id LIMIT 1`, id, certID).Scan(&alias)
			if err == sql.ErrNoRows {
				return fail("certificate %d is not in store %s.", certID, id)
			}
			if err != nil {
				return managementPayload{}, storeRow{}, storeAgent{}, fmt.Errorf("find entry: %w", err)
			}
		}
		p.Alias = alias
		return p, row, agent, nil
	}
	switch {
	case alias == "" && t.CustomAliasAllowed == "Required":
		return fail("stores of type %s require an Alias.", t.ShortName)
	case alias != "" && t.CustomAliasAllowed == "Forbidden" && !strings.EqualFold(alias, thumb):
		return fail("stores of type %s do not take a custom Alias (CustomAliasAllowed is Forbidden); leave it out, or give the thumbprint.", t.ShortName)
	case alias == "":
		alias = thumb
	}
	switch {
	case e.IncludePrivateKey && t.PrivateKeyAllowed == "Forbidden":
		return fail("stores of type %s do not hold private keys (PrivateKeyAllowed is Forbidden).", t.ShortName)
	case !e.IncludePrivateKey && t.PrivateKeyAllowed == "Required":
		return fail("stores of type %s require the private key (PrivateKeyAllowed is Required): set IncludePrivateKey.", t.ShortName)
	case e.IncludePrivateKey && !hasKey:
		return fail("certificate %d has no private key in Command (it was enrolled from a CSR or imported without one).", certID)
	}
	var exists bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM store_inventory WHERE store_id = ? AND alias = ?)`, id, alias).Scan(&exists); err != nil {
		return managementPayload{}, storeRow{}, storeAgent{}, fmt.Errorf("find entry: %w", err)
	}
	if exists && !e.Overwrite {
		return fail("store %s already holds an entry %q; set Overwrite to replace it.", id, alias)
	}
	for name, v := range e.JobFields {
		i := slices.IndexFunc(t.EntryParameters, func(ep model.StoreTypeEntryParameter) bool { return strings.EqualFold(ep.Name, name) })
		if i < 0 {
			return fail("JobFields: %q is not an entry parameter of store type %s.", name, t.ShortName)
		}
		if v.Set {
			p.Fields[t.EntryParameters[i].Name] = v.Value
		}
	}
	for _, ep := range t.EntryParameters {
		if _, ok := p.Fields[ep.Name]; ok {
			continue
		}
		if d := ep.DefaultValue; d.Set && d.Value != "" {
			p.Fields[ep.Name] = d.Value
			continue
		}
		if ep.RequiredWhen.OnAdd || ep.RequiredWhen.HasPrivateKey && e.IncludePrivateKey {
			return fail("JobFields: %q is required on add for store type %s and has no default.", ep.Name, t.ShortName)
		}
	}
	p.Alias = alias
	return p, row, agent, nil
}

// manage carries out a management job that completed: the entry goes
// into (or out of) what the orchestrator sees and Command's inventory.
func manage(ctx context.Context, tx *Tx, storeID, jobID string) error {
	var text string
	if err := tx.QueryRowContext(ctx, `SELECT payload FROM store_jobs WHERE job_id = ?`, jobID).Scan(&text); err != nil {
		return fmt.Errorf("load management job %s: %w", jobID, err)
	}
	var p managementPayload
	if err := json.Unmarshal([]byte(text), &p); err != nil {
		return fmt.Errorf("management job %s: %w", jobID, err)
	}
	if _, err := loadStore(ctx, tx, storeID); model.KindOf(err) == model.NotFound {
		return nil // the store went meanwhile
	} else if err != nil {
		return err
	}
	for _, q := range []string{`DELETE FROM store_observed WHERE store_id = ? AND alias = ?`, `DELETE FROM store_inventory WHERE store_id = ? AND alias = ?`} {
		if _, err := tx.ExecContext(ctx, q, storeID, p.Alias); err != nil {
			return fmt.Errorf("replace entry %q: %w", p.Alias, err)
		}
	}
	if p.Remove {
		return nil
	}
	var der []byte
	if err := tx.QueryRowContext(ctx, `SELECT der FROM certificates WHERE id = ?`, p.CertificateID).Scan(&der); err == sql.ErrNoRows {
		return nil // deleted meanwhile
	} else if err != nil {
		return fmt.Errorf("load certificate %d: %w", p.CertificateID, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return fmt.Errorf("stored certificate %d: %w", p.CertificateID, err)
	}
	params := map[string]any{}
	for k, v := range p.Fields {
		params[k] = v
	}
	e := model.ObservedEntry{Alias: p.Alias, Parameters: params,
		Certificates: []model.ObservedCertificate{{PEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}))}}}
	if err := e.Normalize("entry"); err != nil {
		return err
	}
	doc, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("encode entry: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO store_observed (store_id, alias, entry) VALUES (?, ?, ?)`, storeID, e.Alias, string(doc)); err != nil {
		return fmt.Errorf("add entry: %w", err)
	}
	return addInventoryEntry(ctx, tx, storeID, e)
}

// locationsSQL is the SQL of a certificate's Locations and
// LocationsCount (c: the certificates row), from the inventories that
// hold it.
const locationsSQL = `json((SELECT coalesce(json_group_array(json_object('StoreMachine', s.client_machine, 'StorePath', s.store_path,
	'StoreType', s.store_type, 'Alias', i.alias, 'ChainLevel', 0, 'CertStoreId', s.id)), '[]')
	FROM store_inventory i JOIN stores s ON s.id = i.store_id WHERE i.cert_id = c.id))`

const locationsCountSQL = `json((SELECT coalesce(json_group_array(json_object('Type', t.name, 'Count', n)), '[]') FROM
	(SELECT s.store_type AS st, count(*) AS n FROM store_inventory i JOIN stores s ON s.id = i.store_id WHERE i.cert_id = c.id GROUP BY s.store_type)
	JOIN store_types t ON t.id = st))`

// CertificateLocations answers GET /Certificates/Locations/{id}: the
// stores holding the certificate, grouped by store type.
func (s *Store) CertificateLocations(ctx context.Context, id int) (model.CertificateLocations, error) {
	out := model.CertificateLocations{Details: []model.LocationGroup{}}
	err := s.readTx(ctx, func(tx *Tx) error {
		var exists bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM certificates WHERE id = ?)`, id).Scan(&exists); err != nil {
			return fmt.Errorf("find certificate %d: %w", id, err)
		}
		if !exists {
			return model.Errorf(model.NotFound, "Certificate %d was not found.", id)
		}
		rows, err := tx.QueryContext(ctx, `SELECT s.id, s.store_type, t.name, s.client_machine, s.store_path, i.alias
			FROM store_inventory i JOIN stores s ON s.id = i.store_id JOIN store_types t ON t.id = s.store_type
			WHERE i.cert_id = ? ORDER BY t.name, s.client_machine, s.store_path, i.alias`, id)
		if err != nil {
			return fmt.Errorf("find locations: %w", err)
		}
		type loc struct {
			model.StoreLocation
			typeName string
		}
		list, err := collect(rows, "locations", func(rows *sql.Rows, l *loc) error {
			return rows.Scan(&l.StoreId, &l.StoreTypeId, &l.typeName, &l.ClientMachine, &l.StorePath, &l.Alias)
		})
		if err != nil {
			return err
		}
		groups := map[int]*model.LocationGroup{}
		var order []int
		for _, l := range list {
			g := groups[l.StoreTypeId]
			if g == nil {
				g = &model.LocationGroup{StoreType: l.typeName, StoreTypeId: l.StoreTypeId, Locations: []model.StoreLocation{}}
				groups[l.StoreTypeId] = g
				order = append(order, l.StoreTypeId)
			}
			g.Locations = append(g.Locations, l.StoreLocation)
			g.StoreCount = len(g.Locations)
		}
		sort.Ints(order)
		for _, t := range order {
			out.Details = append(out.Details, *groups[t])
		}
		return nil
	})
	return out, err
}
