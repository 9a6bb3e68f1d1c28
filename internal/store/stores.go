package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/mockcommand/mockcommand/internal/model"
	"github.com/mockcommand/mockcommand/internal/query"
)

// storeResource backs GET /CertificateStores: the fields Command documents
// (Category, Container, StorePath…) under the names its answer uses, with
// the documented names, and those kfutil sends, as aliases. Fields that
// the answer does not carry filter but do not sort (see column.noSort).
var storeResource = newResource(
	[]query.Field{
		{Name: "Id", Type: query.String, Aliases: []string{"CertificateStoreId", "CertStoreId"}},
		{Name: "ClientMachine", Type: query.String},
		{Name: "Storepath", Type: query.String},
		{Name: "CertStoreType", Type: query.Int, Aliases: []string{"Category", "StoreType"}},
		{Name: "AgentId", Type: query.String},
		{Name: "ContainerId", Type: query.Int},
		{Name: "ContainerName", Type: query.String, Aliases: []string{"Container"}},
		{Name: "Approved", Type: query.Bool},
		{Name: "AgentAssigned", Type: query.Bool},
		{Name: "CreateIfMissing", Type: query.Bool},
		{Name: "CertStoreInventoryJobId", Type: query.String},
		{Name: "HasInventoryScheduled", Type: query.Bool},
		{Name: "AgentAvailable", Type: query.Bool},
		{Name: "AddSupported", Type: query.Bool},
		{Name: "RemoveSupported", Type: query.Bool},
		{Name: "PrivateKeyAllowed", Type: query.Int, Enum: map[string]int64{"Forbidden": 0, "Optional": 1, "Required": 2}},
	},
	map[string]column{
		"Id":                      {expr: "s.id", notNull: true, selective: true},
		"ClientMachine":           {expr: "s.client_machine", notNull: true, indexed: true},
		"Storepath":               {expr: "s.store_path", notNull: true, indexed: true},
		"CertStoreType":           {expr: "s.store_type", notNull: true, indexed: true},
		"AgentId":                 {expr: "s.agent_id", indexed: true, selective: true},
		"ContainerId":             {expr: "s.container_id"},
		"ContainerName":           {expr: "(SELECT c.name FROM store_containers c WHERE c.id = s.container_id)"},
		"Approved":                {expr: "s.approved", notNull: true},
		"AgentAssigned":           {expr: "(s.agent_id IS NOT NULL)", notNull: true},
		"CreateIfMissing":         {expr: "s.create_if_missing", notNull: true},
		"CertStoreInventoryJobId": {expr: "s.inventory_job_id"},
		"HasInventoryScheduled":   {expr: "(s.inventory_job_id IS NOT NULL)", notNull: true, noSort: true},
		"AgentAvailable": {expr: "EXISTS (SELECT 1 FROM agents a WHERE a.agent_id = s.agent_id AND a.status = 2)",
			notNull: true, noSort: true},
		"AddSupported":      {expr: "(SELECT t.add_supported FROM store_types t WHERE t.id = s.store_type)", noSort: true},
		"RemoveSupported":   {expr: "(SELECT t.remove_supported FROM store_types t WHERE t.id = s.store_type)", noSort: true},
		"PrivateKeyAllowed": {expr: "(SELECT t.private_key_allowed FROM store_types t WHERE t.id = s.store_type)", noSort: true},
	},
	"ClientMachine", "s.id",
)

var storePager = &pager{res: storeResource, from: "stores s", table: TableStores, doc: "s.doc"}

// StoresVersion changes whenever what a store listing shows may change.
// Of the agents only their coming, going and status count (the filter
// AgentAvailable): a LastSeen that moves under load leaves cached store
// listings valid.
func (s *Store) StoresVersion() uint64 {
	return s.Version(TableStores, TableContainers, TableStoreTypes) + s.columnsVersion(TableAgents, []string{"status"})
}

// StoresPage writes one page of stores matching opts to w, as GET
// /CertificateStores answers.
func (s *Store) StoresPage(ctx context.Context, opts ListOptions, w io.Writer) error {
	return s.docPage(ctx, storePager, opts, w, nil)
}

// GetStore returns the store with id (a canonical GUID), or NotFound.
func (s *Store) GetStore(ctx context.Context, id string) (json.RawMessage, error) {
	return readOne(ctx, s, id, storeDoc)
}

func storeDoc(ctx context.Context, tx *Tx, id string) (json.RawMessage, error) {
	var doc []byte
	err := tx.QueryRowContext(ctx, `SELECT doc FROM stores WHERE id = ?`, id).Scan(&doc)
	if err == sql.ErrNoRows {
		return nil, model.Errorf(model.NotFound, "Certificate store %s was not found.", id)
	}
	if err != nil {
		return nil, fmt.Errorf("load store %s: %w", id, err)
	}
	return doc, nil
}

// storeRow is a store as its table holds it.
type storeRow struct {
	id, clientMachine, storePath string
	storeType                    int
	agentID                      *string
	containerID                  *int
	approved, createIfMissing    bool
	inventoryJob                 *string
	properties                   string
	hasPassword                  bool
}

func loadStore(ctx context.Context, tx *Tx, id string) (storeRow, error) {
	var r storeRow
	err := tx.QueryRowContext(ctx, `SELECT id, client_machine, store_path, store_type, agent_id, container_id, approved, create_if_missing,
		inventory_job_id, properties, password IS NOT NULL FROM stores WHERE id = ?`, id).
		Scan(&r.id, &r.clientMachine, &r.storePath, &r.storeType, &r.agentID, &r.containerID, &r.approved, &r.createIfMissing,
			&r.inventoryJob, &r.properties, &r.hasPassword)
	if err == sql.ErrNoRows {
		return storeRow{}, model.Errorf(model.NotFound, "Certificate store %s was not found.", id)
	}
	if err != nil {
		return storeRow{}, fmt.Errorf("load store %s: %w", id, err)
	}
	return r, nil
}

// storeAgent is what a store needs of its orchestrator.
type storeAgent struct {
	id, capsKey   string
	clientMachine *string
	status        int
}

// checkStoreAgent loads the orchestrator id and checks that it is approved
// and advertises the capability jobs of kind on stores of type t need
// (CertStores.<Capability>.<kind>). Problems are Invalid, naming member.
func checkStoreAgent(ctx context.Context, tx *Tx, member, id string, t *model.StoreType, kind string) (storeAgent, error) {
	var a storeAgent
	err := tx.QueryRowContext(ctx, `SELECT agent_id, client_machine, status, caps_key FROM agents WHERE agent_id = ?`, id).
		Scan(&a.id, &a.clientMachine, &a.status, &a.capsKey)
	if err == sql.ErrNoRows {
		return a, model.Errorf(model.Invalid, "%s %s does not match any orchestrator.", member, id)
	}
	if err != nil {
		return a, fmt.Errorf("find agent %s: %w", id, err)
	}
	if a.status != model.AgentApproved {
		return a, model.Errorf(model.Invalid, "Orchestrator %s (%s) is not approved: its Status is %d (%s); only approved orchestrators (Status 2) can manage certificate stores.",
			a.id, model.Deref(a.clientMachine), a.status, statusName(a.status))
	}
	capability := t.CapabilityName(kind)
	if !a.has(capability) {
		return a, model.Errorf(model.Invalid, "Orchestrator %s (%s) does not have the capability %q that %s jobs on %s stores need.",
			a.id, model.Deref(a.clientMachine), capability, strings.ToLower(kind), t.ShortName)
	}
	return a, nil
}

func (a storeAgent) has(capability string) bool {
	return strings.Contains(a.capsKey, model.ListKey([]string{capability}))
}

// CreateStore checks and stores a new, approved certificate store and
// schedules its inventory when it comes with a schedule.
func (s *Store) CreateStore(ctx context.Context, in model.StoreInput) (json.RawMessage, error) {
	var doc json.RawMessage
	err := s.writeTx(ctx, func(tx *Tx, now time.Time) error {
		id, err := s.insertStore(ctx, tx, in, true, now)
		if err == nil {
			doc, err = storeDoc(ctx, tx, id)
		}
		return err
	})
	return doc, err
}

// insertStore adds a store (a fixture store may be unapproved and bring
// its own Id) and returns its id.
func (s *Store) insertStore(ctx context.Context, tx *Tx, in model.StoreInput, approved bool, now time.Time) (string, error) {
	in.ClientMachine, in.Storepath = strings.TrimSpace(in.ClientMachine), strings.TrimSpace(in.Storepath)
	switch {
	case in.ClientMachine == "":
		return "", model.Errorf(model.Invalid, "ClientMachine is required.")
	case in.Storepath == "":
		return "", model.Errorf(model.Invalid, "StorePath is required.")
	case in.CertStoreType == nil:
		return "", model.Errorf(model.Invalid, "CertStoreType is required: the id of the store's type (GET /CertificateStoreTypes).")
	}
	t, err := findStoreType(ctx, tx, *in.CertStoreType)
	if err != nil {
		return "", bodyRef(err, "CertStoreType")
	}
	var agentID *string
	if in.AgentId != nil && strings.TrimSpace(*in.AgentId) != "" {
		id, err := model.BodyGUID("AgentId", *in.AgentId)
		if err != nil {
			return "", err
		}
		if _, err := checkStoreAgent(ctx, tx, "AgentId", id, &t, "Inventory"); err != nil {
			return "", err
		}
		agentID = &id
	} else if approved {
		return "", model.Errorf(model.Invalid, "AgentId is required: the orchestrator (GET /Agents) that manages the store.")
	}
	containerID, err := checkContainer(ctx, tx, in.ContainerId, &t)
	if err != nil {
		return "", err
	}
	props, err := storeProperties(in.Properties, &t)
	if err != nil {
		return "", err
	}
	if t.PasswordOptions.StoreRequired && !in.Password.Set && approved {
		return "", model.Errorf(model.Invalid, "Password is required: stores of type %s require a store password (PasswordOptions.StoreRequired).", t.ShortName)
	}
	var other string
	err = tx.QueryRowContext(ctx, `SELECT id FROM stores WHERE store_type = ? AND client_machine = ? AND store_path = ?`,
		t.StoreType, in.ClientMachine, in.Storepath).Scan(&other)
	switch {
	case err == nil:
		return "", model.Errorf(model.Conflict, "A certificate store of type %s at %s on %s already exists (Id %s).", t.ShortName, in.Storepath, in.ClientMachine, other)
	case err != sql.ErrNoRows:
		return "", fmt.Errorf("check store location: %w", err)
	}
	id := uuid.NewString()
	if strings.TrimSpace(in.Id) != "" {
		if id, err = model.BodyGUID("Id", in.Id); err != nil {
			return "", err
		}
	}
	var password *string
	if in.Password.Set {
		password = &in.Password.Value
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO stores (id, client_machine, store_path, store_type, agent_id, container_id, approved,
		create_if_missing, properties, password, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '{}')`,
		id, in.ClientMachine, in.Storepath, t.StoreType, agentID, containerID, approved, in.CreateIfMissing, props, password); err != nil {
		if strings.Contains(err.Error(), "UNIQUE") {
			return "", model.Errorf(model.Conflict, "A certificate store with Id %s already exists.", id)
		}
		return "", fmt.Errorf("add store: %w", err)
	}
	if in.InventorySchedule != nil && !in.InventorySchedule.IsEmpty() {
		if err := s.scheduleInventory(ctx, tx, id, in.InventorySchedule, now); err != nil {
			return "", err
		}
	}
	return id, refreshStoreDocs(ctx, tx, `s.id = ?`, id)
}

// checkContainer checks a store's ContainerId (nil or 0: none) against
// its type.
func checkContainer(ctx context.Context, tx *Tx, id *int, t *model.StoreType) (*int, error) {
	if id == nil || *id == 0 {
		return nil, nil
	}
	c, err := findContainer(ctx, tx, *id)
	if err != nil {
		return nil, bodyRef(err, "ContainerId")
	}
	if c.CertStoreType != t.StoreType {
		return nil, model.Errorf(model.Invalid, "ContainerId %d: container %q holds stores of type %d, not of type %s (%d).", c.Id, c.Name, c.CertStoreType, t.ShortName, t.StoreType)
	}
	return id, nil
}

// storeProperties parses and checks a store's Properties text against its
// type and returns them as the store keeps them.
func storeProperties(text *string, t *model.StoreType) (string, error) {
	props, err := model.ParseStoreProperties(model.Deref(text), t)
	if err != nil {
		return "", err
	}
	stored, err := props.Stored()
	if err != nil {
		return "", fmt.Errorf("encode properties: %w", err)
	}
	return stored, nil
}

// UpdateStore replaces a store's settings (PUT /CertificateStores). Its
// ClientMachine, StorePath and CertStoreType identify it and cannot
// change; a Password left out (or null) and an InventorySchedule left out
// keep the ones it has; an InventorySchedule without a member clears it.
func (s *Store) UpdateStore(ctx context.Context, in model.StoreInput) (json.RawMessage, error) {
	var doc json.RawMessage
	err := s.writeTx(ctx, func(tx *Tx, now time.Time) error {
		id, err := model.BodyGUID("Id", in.Id)
		if err != nil {
			return err
		}
		old, err := loadStore(ctx, tx, id)
		if err != nil {
			return bodyRef(err, "Id")
		}
		t, err := findStoreType(ctx, tx, old.storeType)
		if err != nil {
			return err
		}
		var changed []string
		if m := strings.TrimSpace(in.ClientMachine); m != "" && !strings.EqualFold(m, old.clientMachine) {
			changed = append(changed, "ClientMachine")
		}
		if p := strings.TrimSpace(in.Storepath); p != "" && !strings.EqualFold(p, old.storePath) {
			changed = append(changed, "StorePath")
		}
		if in.CertStoreType != nil && *in.CertStoreType != old.storeType {
			changed = append(changed, "CertStoreType")
		}
		if len(changed) > 0 {
			return model.Errorf(model.Invalid, "%s of store %s cannot change: they identify the store (create a new one instead).", strings.Join(changed, ", "), id)
		}
		agentID := old.agentID
		if in.AgentId != nil && strings.TrimSpace(*in.AgentId) != "" {
			a, err := model.BodyGUID("AgentId", *in.AgentId)
			if err != nil {
				return err
			}
			if _, err := checkStoreAgent(ctx, tx, "AgentId", a, &t, "Inventory"); err != nil {
				return err
			}
			agentID = &a
		}
		containerID, err := checkContainer(ctx, tx, in.ContainerId, &t)
		if err != nil {
			return err
		}
		props, err := storeProperties(in.Properties, &t)
		if err != nil {
			return err
		}
		q := `UPDATE stores SET agent_id = ?, container_id = ?, create_if_missing = ?, properties = ? WHERE id = ?`
		args := []any{agentID, containerID, in.CreateIfMissing, props, id}
		if in.Password.Set {
			q = `UPDATE stores SET agent_id = ?, container_id = ?, create_if_missing = ?, properties = ?, password = ? WHERE id = ?`
			args = []any{agentID, containerID, in.CreateIfMissing, props, in.Password.Value, id}
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("update store %s: %w", id, err)
		}
		sched := in.InventorySchedule
		if sched == nil && old.inventoryJob != nil && model.Deref(agentID) != model.Deref(old.agentID) {
			// The inventory moves to the new orchestrator on its schedule.
			var text string
			if err := tx.QueryRowContext(ctx, `SELECT schedule FROM jobs WHERE job_id = ? AND state = ?`, *old.inventoryJob, jobScheduled).Scan(&text); err == nil {
				var moved model.Schedule
				if err := json.Unmarshal([]byte(text), &moved); err != nil {
					return fmt.Errorf("stored schedule: %w", err)
				}
				sched = &moved
			} else if err != sql.ErrNoRows {
				return fmt.Errorf("load inventory job: %w", err)
			}
		}
		if sched != nil {
			if err := s.setInventorySchedule(ctx, tx, id, sched, now); err != nil {
				return err
			}
		}
		if err := refreshStoreDocs(ctx, tx, `s.id = ?`, id); err != nil {
			return err
		}
		doc, err = storeDoc(ctx, tx, id)
		return err
	})
	return doc, err
}

// DeleteStore deletes a store with its inventory and unschedules its
// inventory job.
func (s *Store) DeleteStore(ctx context.Context, id string) error {
	return s.writeTx(ctx, func(tx *Tx, _ time.Time) error { return deleteStore(ctx, tx, id) })
}

// DeleteStores deletes each store of ids it can and returns the others
// with the reason each could not be deleted.
func (s *Store) DeleteStores(ctx context.Context, ids []string) (failed map[string]string, err error) {
	return deleteEach(ctx, s, ids, func(ctx context.Context, tx *Tx, raw string) error {
		id, err := model.NormalizeGUID(raw)
		if err != nil {
			return model.Errorf(model.Invalid, "%q is not a GUID.", raw)
		}
		return deleteStore(ctx, tx, id)
	})
}

func deleteStore(ctx context.Context, tx *Tx, id string) error {
	if _, err := loadStore(ctx, tx, id); err != nil {
		return err
	}
	// Its inventory and management jobs go with it.
	if _, err := unscheduleJobs(ctx, tx, `(SELECT json_group_array(job_id) FROM store_jobs WHERE store_id = ?)`, id); err != nil {
		return err
	}
	for _, q := range []string{`DELETE FROM store_jobs WHERE store_id = ?`, `DELETE FROM store_inventory WHERE store_id = ?`,
		`DELETE FROM store_observed WHERE store_id = ?`, `DELETE FROM stores WHERE id = ?`} {
		if _, err := tx.ExecContext(ctx, q, id); err != nil {
			return fmt.Errorf("delete store %s: %w", id, err)
		}
	}
	return nil
}

// ApproveInput is one store of POST /CertificateStores/Approve.
type ApproveInput struct {
	Id            string
	ContainerId   *int
	CertStoreType *int
	Properties    *string
	Password      model.Secret
}

// ApproveStores makes discovered stores managed: all of one type, each
// checked as a new store is (properties, container, password, its
// orchestrator's capability). Nothing changes unless every one passes.
func (s *Store) ApproveStores(ctx context.Context, list []ApproveInput) error {
	if len(list) == 0 {
		return model.Errorf(model.Invalid, "The body must list at least one store to approve.")
	}
	return s.writeTx(ctx, func(tx *Tx, _ time.Time) error {
		var ids []string
		for i, in := range list {
			member := fmt.Sprintf("[%d]", i)
			if in.CertStoreType == nil {
				return model.Errorf(model.Invalid, "%s.CertStoreType is required.", member)
			}
			if *in.CertStoreType != *list[0].CertStoreType {
				return model.Errorf(model.Invalid, "%s.CertStoreType is %d, but [0] is %d: the stores approved together must be of one type.", member, *in.CertStoreType, *list[0].CertStoreType)
			}
			id, err := model.BodyGUID(member+".Id", in.Id)
			if err != nil {
				return err
			}
			r, err := loadStore(ctx, tx, id)
			if err != nil {
				return bodyRef(err, member+".Id")
			}
			if r.storeType != *in.CertStoreType {
				return model.Errorf(model.Invalid, "%s: store %s is of type %d, not %d.", member, id, r.storeType, *in.CertStoreType)
			}
			t, err := findStoreType(ctx, tx, r.storeType)
			if err != nil {
				return err
			}
			if r.agentID == nil {
				return model.Errorf(model.Invalid, "%s: store %s has no orchestrator to manage it.", member, id)
			}
			if _, err := checkStoreAgent(ctx, tx, "AgentId", *r.agentID, &t, "Inventory"); err != nil {
				return err
			}
			containerID, err := checkContainer(ctx, tx, in.ContainerId, &t)
			if err != nil {
				return err
			}
			text := in.Properties
			if text == nil {
				text = &r.properties
			}
			props, err := storeProperties(text, &t)
			if err != nil {
				if me, ok := err.(*model.Error); ok {
					return model.Errorf(me.Kind, "%s: %s", member, me.Message)
				}
				return err
			}
			if t.PasswordOptions.StoreRequired && !in.Password.Set && !r.hasPassword {
				return model.Errorf(model.Invalid, "%s.Password is required: stores of type %s require a store password.", member, t.ShortName)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE stores SET approved = 1, container_id = coalesce(?, container_id), properties = ?, password = coalesce(?, password) WHERE id = ?`,
				containerID, props, passwordArg(in.Password), id); err != nil {
				return fmt.Errorf("approve store %s: %w", id, err)
			}
			ids = append(ids, id)
		}
		return refreshStoreDocs(ctx, tx, `s.id IN (SELECT value FROM json_each(?))`, idsJSON(ids))
	})
}

func passwordArg(p model.Secret) any {
	if !p.Set {
		return nil
	}
	return p.Value
}

// SetStorePassword sets a store's password (PUT /CertificateStores/Password).
func (s *Store) SetStorePassword(ctx context.Context, id string, password model.Secret) error {
	if !password.Set {
		return model.Errorf(model.Invalid, "NewPassword is required: an object with a SecretValue.")
	}
	return s.writeTx(ctx, func(tx *Tx, _ time.Time) error {
		if _, err := loadStore(ctx, tx, id); err != nil {
			return bodyRef(err, "CertStoreId")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE stores SET password = ? WHERE id = ?`, password.Value, id); err != nil {
			return fmt.Errorf("set password of store %s: %w", id, err)
		}
		return refreshStoreDocs(ctx, tx, `s.id = ?`, id)
	})
}

// refreshStoreDocs writes again the answer JSON of the stores matching
// cond (on stores s): after any change to them, their type, container,
// orchestrator or inventory schedule.
func refreshStoreDocs(ctx context.Context, tx *Tx, cond string, args ...any) error {
	rows, err := tx.QueryContext(ctx, `SELECT s.id, s.client_machine, s.store_path, s.store_type, s.agent_id, s.container_id, s.approved,
		s.create_if_missing, s.inventory_job_id, s.properties, s.password IS NOT NULL, c.name, j.schedule, t.doc, a.caps_key
		FROM stores s JOIN store_types t ON t.id = s.store_type LEFT JOIN store_containers c ON c.id = s.container_id
		LEFT JOIN jobs j ON j.job_id = s.inventory_job_id LEFT JOIN agents a ON a.agent_id = s.agent_id WHERE `+cond, args...)
	if err != nil {
		return fmt.Errorf("load stores: %w", err)
	}
	type loaded struct {
		r         storeRow
		container *string
		schedule  *string
		typeDoc   []byte
		caps      *string
	}
	list, err := collect(rows, "stores", func(rows *sql.Rows, l *loaded) error {
		return rows.Scan(&l.r.id, &l.r.clientMachine, &l.r.storePath, &l.r.storeType, &l.r.agentID, &l.r.containerID, &l.r.approved,
			&l.r.createIfMissing, &l.r.inventoryJob, &l.r.properties, &l.r.hasPassword, &l.container, &l.schedule, &l.typeDoc, &l.caps)
	})
	if err != nil {
		return err
	}
	for _, l := range list {
		t, err := decodeStoreType(l.typeDoc)
		if err != nil {
			return err
		}
		props, err := model.LoadStoreProperties(l.r.properties)
		if err != nil {
			return fmt.Errorf("store %s: %w", l.r.id, err)
		}
		st := model.CertificateStore{
			Id: l.r.id, ContainerId: l.r.containerID, ClientMachine: l.r.clientMachine, Storepath: l.r.storePath,
			CertStoreInventoryJobId: l.r.inventoryJob, CertStoreType: l.r.storeType, Approved: l.r.approved,
			CreateIfMissing: l.r.createIfMissing, Properties: props.Answer(), AgentId: l.r.agentID, AgentAssigned: l.r.agentID != nil,
			ContainerName: l.container, SetNewPasswordAllowed: t.PasswordOptions.StoreRequired,
			Password: model.SecretPresence{HasValue: l.r.hasPassword},
			ReenrollmentStatus: model.ReenrollmentStatus{
				CustomAliasAllowed: slices.Index(model.AllowedLevels, string(t.CustomAliasAllowed)),
				EntryParameters:    []model.StoreTypeEntryParameter{},
			},
		}
		if l.schedule != nil {
			if err := json.Unmarshal([]byte(*l.schedule), &st.InventorySchedule); err != nil {
				return fmt.Errorf("store %s: stored schedule: %w", l.r.id, err)
			}
		}
		capability := t.CapabilityName("Reenrollment")
		if t.SupportedOperations.Enrollment && l.caps != nil && (storeAgent{capsKey: *l.caps}).has(capability) {
			props := strings.Join(t.JobProperties, ",")
			st.ReenrollmentStatus.Data = true
			st.ReenrollmentStatus.AgentId = l.r.agentID
			st.ReenrollmentStatus.JobProperties = &props
			st.ReenrollmentStatus.EntryParameters = t.EntryParameters
		}
		doc, err := json.Marshal(st)
		if err != nil {
			return fmt.Errorf("encode store %s: %w", l.r.id, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE stores SET doc = ? WHERE id = ?`, string(doc), l.r.id); err != nil {
			return fmt.Errorf("write store %s: %w", l.r.id, err)
		}
	}
	return nil
}
