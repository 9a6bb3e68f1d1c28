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

	"github.com/mockcommand/mockcommand/internal/model"
	"github.com/mockcommand/mockcommand/internal/query"
)

// FirstCustomStoreType is the id the first store type created through the
// API gets: Command's built-in types use the ids below it.
const FirstCustomStoreType = 102

// storeTypeResource backs GET /CertificateStoreTypes.
var storeTypeResource = newResource(
	[]query.Field{
		{Name: "StoreType", Type: query.Int, Aliases: []string{"Id"}},
		{Name: "Name", Type: query.String},
		{Name: "ShortName", Type: query.String},
		{Name: "Capability", Type: query.String},
	},
	map[string]column{
		"StoreType":  {expr: "t.id", notNull: true},
		"Name":       {expr: "t.name", notNull: true},
		"ShortName":  {expr: "t.short_name", notNull: true, selective: true},
		"Capability": {expr: "t.capability"},
	},
	"StoreType", "t.id",
)

var storeTypePager = &pager{res: storeTypeResource, from: "store_types t", table: TableStoreTypes, doc: "t.doc"}

// StoreTypesVersion changes whenever what a store type listing shows may change.
func (s *Store) StoreTypesVersion() uint64 { return s.Version(TableStoreTypes) }

// StoreTypesPage writes one page of store types matching opts to w, as GET
// /CertificateStoreTypes answers.
func (s *Store) StoreTypesPage(ctx context.Context, opts ListOptions, w io.Writer) error {
	return s.docPage(ctx, storeTypePager, opts, w, nil)
}

// GetStoreType returns the store type with id, or NotFound.
func (s *Store) GetStoreType(ctx context.Context, id int) (model.StoreType, error) {
	return readOne(ctx, s, id, findStoreType)
}

// StoreTypesNamed returns the store types whose ShortName is name
// (case-insensitively): one, or none.
func (s *Store) StoreTypesNamed(ctx context.Context, name string) ([]model.StoreType, error) {
	out := []model.StoreType{}
	err := s.readTx(ctx, func(tx *Tx) error {
		t, ok, err := findStoreTypeByShortName(ctx, tx, name)
		if ok {
			out = append(out, t)
		}
		return err
	})
	return out, err
}

// CreateStoreType checks and stores a new store type under the next free
// id from FirstCustomStoreType (whatever StoreType t carries). A ShortName
// in use, case-insensitively, is a Conflict.
func (s *Store) CreateStoreType(ctx context.Context, t model.StoreType) (model.StoreType, error) {
	if err := t.Normalize(); err != nil {
		return model.StoreType{}, err
	}
	err := s.writeTx(ctx, func(tx *Tx, _ time.Time) error {
		var next int
		if err := tx.QueryRowContext(ctx, `SELECT max(?, coalesce(max(id) + 1, 0)) FROM store_types`, FirstCustomStoreType).Scan(&next); err != nil {
			return fmt.Errorf("next store type id: %w", err)
		}
		t.ImportType = 0
		t.SetID(next)
		return putStoreType(ctx, tx, &t, false)
	})
	return t, err
}

// UpdateStoreType replaces the store type t.StoreType (PUT: members left
// out are cleared). While stores use the type, only its Name and ShortName
// may change, and supported operations and job types may be added, as in
// Command; anything else is Invalid, naming the members and the stores.
func (s *Store) UpdateStoreType(ctx context.Context, t model.StoreType) (model.StoreType, error) {
	if err := t.Normalize(); err != nil {
		return model.StoreType{}, err
	}
	err := s.writeTx(ctx, func(tx *Tx, _ time.Time) error {
		old, err := findStoreType(ctx, tx, t.StoreType)
		if err != nil {
			return err
		}
		t.ImportType = old.ImportType
		t.SetID(old.StoreType)
		users, n, err := storesOfType(ctx, tx, old.StoreType)
		if err != nil {
			return err
		}
		if n > 0 {
			if changed := restrictedChanges(old, t); len(changed) > 0 {
				return model.Errorf(model.Invalid, "Store type %s (%d) is used by %s; while stores use it only Name and ShortName may change, and supported operations and job types be added, but the request also changes %s.",
					old.ShortName, old.StoreType, describeStores(users, n), strings.Join(changed, ", "))
			}
		}
		if err := putStoreType(ctx, tx, &t, true); err != nil {
			return err
		}
		return refreshStoreDocs(ctx, tx, `s.store_type = ?`, t.StoreType) // their answers show some of its members
	})
	return t, err
}

// DeleteStoreType deletes an unused store type: NotFound when there is
// none with id, Invalid (naming the stores or containers) while it is used.
func (s *Store) DeleteStoreType(ctx context.Context, id int) error {
	return s.writeTx(ctx, func(tx *Tx, _ time.Time) error { return deleteStoreType(ctx, tx, id) })
}

// DeleteStoreTypes deletes each of ids it can, and returns the others with
// the reason each could not be deleted, as DELETE /CertificateStoreTypes
// does: one failure does not stop the rest.
func (s *Store) DeleteStoreTypes(ctx context.Context, ids []int) (failed map[int]string, err error) {
	return deleteEach(ctx, s, ids, deleteStoreType)
}

// deleteEach deletes each of ids with del in one transaction and returns
// the ids it could not delete with the reason: a client's mistake about
// one id does not stop the others, an internal failure stops them all.
func deleteEach[ID comparable](ctx context.Context, s *Store, ids []ID, del func(context.Context, *Tx, ID) error) (failed map[ID]string, err error) {
	err = s.writeTx(ctx, func(tx *Tx, _ time.Time) error {
		failed = map[ID]string{}
		for _, id := range ids {
			if err := del(ctx, tx, id); err != nil {
				if model.KindOf(err) == model.Internal {
					return err
				}
				failed[id] = err.Error()
			}
		}
		return nil
	})
	return failed, err
}

func deleteStoreType(ctx context.Context, tx *Tx, id int) error {
	t, err := findStoreType(ctx, tx, id)
	if err != nil {
		return err
	}
	users, n, err := storesOfType(ctx, tx, id)
	if err != nil {
		return err
	}
	if n > 0 {
		return model.Errorf(model.Invalid, "Store type %s (%d) cannot be deleted: it is used by %s.", t.ShortName, id, describeStores(users, n))
	}
	var jobs int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM store_jobs sj JOIN jobs j ON j.job_id = sj.job_id WHERE sj.store_type = ? AND j.state = ?`,
		id, jobScheduled).Scan(&jobs); err != nil {
		return fmt.Errorf("count jobs of store type %d: %w", id, err)
	}
	if jobs > 0 {
		return model.Errorf(model.Invalid, "Store type %s (%d) cannot be deleted: %d discovery or management jobs for it are still scheduled (GET /OrchestratorJobs/ScheduledJobs).", t.ShortName, id, jobs)
	}
	var containers []string
	rows, err := tx.QueryContext(ctx, `SELECT name FROM store_containers WHERE store_type = ? ORDER BY id LIMIT 6`, id)
	if err != nil {
		return fmt.Errorf("find containers of store type %d: %w", id, err)
	}
	if containers, err = collect(rows, "containers", func(rows *sql.Rows, name *string) error { return rows.Scan(name) }); err != nil {
		return err
	}
	if len(containers) > 0 {
		return model.Errorf(model.Invalid, "Store type %s (%d) cannot be deleted: it is the type of the certificate store containers %s.", t.ShortName, id, strings.Join(quoteAll(containers), ", "))
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM store_types WHERE id = ?`, id); err != nil {
		return fmt.Errorf("delete store type %d: %w", id, err)
	}
	return nil
}

// putStoreType writes a normalised store type after checking that no other
// type has its ShortName.
func putStoreType(ctx context.Context, tx *Tx, t *model.StoreType, replace bool) error {
	key := model.NameKey(t.ShortName)
	var other int
	err := tx.QueryRowContext(ctx, `SELECT id FROM store_types WHERE short_key = ? AND id <> ?`, key, t.StoreType).Scan(&other)
	switch {
	case err == nil:
		return model.Errorf(model.Conflict, "A certificate store type with the ShortName %q already exists (StoreType %d).", t.ShortName, other)
	case err != sql.ErrNoRows:
		return fmt.Errorf("check store type short name: %w", err)
	}
	doc, err := json.Marshal(t)
	if err != nil {
		return fmt.Errorf("encode store type %s: %w", t.ShortName, err)
	}
	q := `INSERT INTO store_types (id, short_name, short_key, name, capability, private_key_allowed, add_supported, remove_supported, discovery_supported, doc)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	if replace {
		q += ` ON CONFLICT (id) DO UPDATE SET short_name = excluded.short_name, short_key = excluded.short_key, name = excluded.name,
			capability = excluded.capability, private_key_allowed = excluded.private_key_allowed, add_supported = excluded.add_supported,
			remove_supported = excluded.remove_supported, discovery_supported = excluded.discovery_supported, doc = excluded.doc`
	}
	if _, err := tx.ExecContext(ctx, q, t.StoreType, t.ShortName, key, t.Name, t.Capability, slices.Index(model.AllowedLevels, string(t.PrivateKeyAllowed)),
		t.SupportedOperations.Add, t.SupportedOperations.Remove, t.SupportedOperations.Discovery, string(doc)); err != nil {
		return fmt.Errorf("write store type %s: %w", t.ShortName, err)
	}
	return nil
}

// findStoreType loads a store type by id, or returns NotFound.
func findStoreType(ctx context.Context, tx *Tx, id int) (model.StoreType, error) {
	var doc []byte
	err := tx.QueryRowContext(ctx, `SELECT doc FROM store_types WHERE id = ?`, id).Scan(&doc)
	if err == sql.ErrNoRows {
		return model.StoreType{}, model.Errorf(model.NotFound, "Certificate store type %d was not found.", id)
	}
	if err != nil {
		return model.StoreType{}, fmt.Errorf("load store type %d: %w", id, err)
	}
	return decodeStoreType(doc)
}

// findStoreTypeByShortName loads a store type by ShortName; ok is false
// when there is none.
func findStoreTypeByShortName(ctx context.Context, tx *Tx, name string) (t model.StoreType, ok bool, err error) {
	var doc []byte
	err = tx.QueryRowContext(ctx, `SELECT doc FROM store_types WHERE short_key = ?`, model.NameKey(name)).Scan(&doc)
	if err == sql.ErrNoRows {
		return model.StoreType{}, false, nil
	}
	if err != nil {
		return model.StoreType{}, false, fmt.Errorf("load store type %q: %w", name, err)
	}
	t, err = decodeStoreType(doc)
	return t, err == nil, err
}

func decodeStoreType(doc []byte) (model.StoreType, error) {
	var t model.StoreType
	if err := json.Unmarshal(doc, &t); err != nil {
		return model.StoreType{}, fmt.Errorf("stored store type: %w", err)
	}
	return t, nil
}

// storesOfType returns up to 5 ids of the stores of a type, and how many
// there are.
func storesOfType(ctx context.Context, tx *Tx, storeType int) ([]string, int, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM stores WHERE store_type = ?`, storeType).Scan(&n); err != nil {
		return nil, 0, fmt.Errorf("count stores of type %d: %w", storeType, err)
	}
	if n == 0 {
		return nil, 0, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT id FROM stores WHERE store_type = ? ORDER BY client_machine, id LIMIT 5`, storeType)
	if err != nil {
		return nil, 0, fmt.Errorf("list stores of type %d: %w", storeType, err)
	}
	ids, err := collect(rows, "stores", func(rows *sql.Rows, id *string) error { return rows.Scan(id) })
	return ids, n, err
}

// describeStores names stores in a message: "the certificate store a" or
// "3 certificate stores (a, b, c)".
func describeStores(ids []string, n int) string {
	if n == 1 {
		return "the certificate store " + ids[0]
	}
	list := strings.Join(ids, ", ")
	if n > len(ids) {
		list += ", …"
	}
	return fmt.Sprintf("%d certificate stores (%s)", n, list)
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

// restrictedChanges lists the members an update of a store type that
// stores use changes beyond what Command allows then: Name and ShortName,
// supported operations turned on, and job types set where there were none.
func restrictedChanges(old, t model.StoreType) []string {
	allowed := t
	allowed.Name, allowed.ShortName = old.Name, old.ShortName
	ops := func(now, was bool) bool { return now && !was || now == was }
	o, n := old.SupportedOperations, t.SupportedOperations
	if ops(n.Add, o.Add) && ops(n.Create, o.Create) && ops(n.Discovery, o.Discovery) && ops(n.Enrollment, o.Enrollment) && ops(n.Remove, o.Remove) {
		allowed.SupportedOperations = o
	}
	for _, jt := range []struct{ now, was **string }{
		{&allowed.InventoryJobType, &old.InventoryJobType}, {&allowed.ManagementJobType, &old.ManagementJobType},
		{&allowed.DiscoveryJobType, &old.DiscoveryJobType}, {&allowed.EnrollmentJobType, &old.EnrollmentJobType},
	} {
		if *jt.was == nil {
			*jt.now = nil
		}
	}
	a, _ := json.Marshal(allowed)
	b, _ := json.Marshal(old)
	var am, bm map[string]json.RawMessage
	_ = json.Unmarshal(a, &am)
	_ = json.Unmarshal(b, &bm)
	var changed []string
	for k, v := range am {
		if string(bm[k]) != string(v) {
			changed = append(changed, k)
		}
	}
	slices.Sort(changed)
	return changed
}

// seedStores stores the store types, containers and stores of f, in that
// order (each refers to the ones before, and stores to agents), and returns
// the stores' ids. With upsert an entry with the id of a stored one
// replaces it. A problem is an *model.EntryError naming the entry.
func (s *Store) seedStores(ctx context.Context, tx *Tx, f model.Fixtures, upsert bool, now time.Time) ([]string, error) {
	for i := range f.StoreTypes {
		t := f.StoreTypes[i]
		if err := putStoreType(ctx, tx, &t, upsert); err != nil {
			if !upsert && strings.Contains(err.Error(), "UNIQUE") {
				err = model.Errorf(model.Conflict, "StoreType %d is taken.", t.StoreType)
			}
			return nil, &model.EntryError{Set: "StoreTypes", Index: i, Err: err}
		}
		if upsert {
			if err := refreshStoreDocs(ctx, tx, `s.store_type = ?`, t.StoreType); err != nil {
				return nil, err
			}
		}
	}
	for i, c := range f.Containers {
		var err error
		if upsert && c.Id != 0 {
			if _, ferr := findContainer(ctx, tx, c.Id); ferr == nil {
				_, err = saveContainer(ctx, tx, c)
			} else {
				_, err = insertContainer(ctx, tx, c)
			}
		} else {
			_, err = insertContainer(ctx, tx, c)
		}
		if err != nil {
			return nil, &model.EntryError{Set: "Containers", Index: i, Err: err}
		}
	}
	ids := make([]string, 0, len(f.Stores))
	for i, in := range f.Stores {
		approved := in.Approved == nil || *in.Approved
		if upsert && strings.TrimSpace(in.Id) != "" {
			if id, err := model.NormalizeGUID(in.Id); err == nil {
				if err := deleteStore(ctx, tx, id); err != nil && model.KindOf(err) != model.NotFound {
					return nil, err
				}
			}
		}
		id, err := s.insertStore(ctx, tx, in, approved, now)
		if err != nil {
			return nil, &model.EntryError{Set: "Stores", Index: i, Err: err}
		}
		ids = append(ids, id)
	}
	return ids, nil
}
