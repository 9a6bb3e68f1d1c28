package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/mockcommand/mockcommand/internal/model"
	"github.com/mockcommand/mockcommand/internal/query"
)

// containerResource backs GET /CertificateStoreContainers.
var containerResource = newResource(
	[]query.Field{
		{Name: "Id", Type: query.Int},
		{Name: "Name", Type: query.String},
		{Name: "CertStoreType", Type: query.Int, Aliases: []string{"StoreType", "Category"}},
		{Name: "OverwriteSchedules", Type: query.Bool},
		{Name: "StoreCount", Type: query.Int},
	},
	map[string]column{
		"Id":                 {expr: "c.id", notNull: true},
		"Name":               {expr: "c.name", notNull: true},
		"CertStoreType":      {expr: "c.store_type", notNull: true},
		"OverwriteSchedules": {expr: "c.overwrite_schedules", notNull: true},
		"StoreCount":         {expr: "(SELECT count(*) FROM stores s WHERE s.container_id = c.id)", notNull: true},
	},
	"Name", "c.id",
)

const containerColumns = `SELECT c.id, c.name, c.overwrite_schedules, c.schedule, c.store_type,
	(SELECT count(*) FROM stores s WHERE s.container_id = c.id) FROM store_containers c `

// ContainersVersion changes whenever what a container listing shows may
// change (a store joining or leaving one too).
func (s *Store) ContainersVersion() uint64 { return s.Version(TableContainers, TableStores) }

// ListContainers returns one page of containers matching opts.
func (s *Store) ListContainers(ctx context.Context, opts ListOptions) ([]model.StoreContainer, error) {
	where, order, args, err := containerResource.listSQL(opts, s.now())
	if err != nil {
		return nil, err
	}
	rows, err := s.reader().QueryContext(ctx, containerColumns+`WHERE `+where+` ORDER BY `+order+` LIMIT ? OFFSET ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("list containers: %w", err)
	}
	return collect(rows, "containers", scanContainer)
}

func scanContainer(rows *sql.Rows, c *model.StoreContainer) error {
	return rows.Scan(&c.Id, &c.Name, &c.OverwriteSchedules, &c.Schedule, &c.CertStoreType, &c.StoreCount)
}

// GetContainer returns the container with id, or NotFound.
func (s *Store) GetContainer(ctx context.Context, id int) (model.StoreContainer, error) {
	return readOne(ctx, s, id, findContainer)
}

func findContainer(ctx context.Context, tx *Tx, id int) (model.StoreContainer, error) {
	rows, err := tx.QueryContext(ctx, containerColumns+`WHERE c.id = ?`, id)
	if err != nil {
		return model.StoreContainer{}, fmt.Errorf("load container %d: %w", id, err)
	}
	list, err := collect(rows, "containers", scanContainer)
	if err != nil {
		return model.StoreContainer{}, err
	}
	if len(list) == 0 {
		return model.StoreContainer{}, model.Errorf(model.NotFound, "Certificate store container %d was not found.", id)
	}
	return list[0], nil
}

// SaveContainer creates a container (in.Id 0) or replaces one. Its name
// is unique (case-insensitively) and its store type must exist; a
// container that holds stores keeps its type.
func (s *Store) SaveContainer(ctx context.Context, in model.ContainerInput) (model.StoreContainer, error) {
	var out model.StoreContainer
	err := s.writeTx(ctx, func(tx *Tx, _ time.Time) error {
		var err error
		out, err = saveContainer(ctx, tx, in)
		return err
	})
	return out, err
}

func saveContainer(ctx context.Context, tx *Tx, in model.ContainerInput) (model.StoreContainer, error) {
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" {
		return model.StoreContainer{}, model.Errorf(model.Invalid, "Name is required.")
	}
	if in.CertStoreType == nil {
		return model.StoreContainer{}, model.Errorf(model.Invalid, "CertStoreType is required: a container holds stores of one type.")
	}
	if _, err := findStoreType(ctx, tx, *in.CertStoreType); err != nil {
		return model.StoreContainer{}, bodyRef(err, "CertStoreType")
	}
	if in.Schedule != nil && strings.TrimSpace(*in.Schedule) == "" {
		in.Schedule = nil
	}
	var other int
	err := tx.QueryRowContext(ctx, `SELECT id FROM store_containers WHERE name_key = ? AND id <> ?`, model.NameKey(in.Name), in.Id).Scan(&other)
	switch {
	case err == nil:
		return model.StoreContainer{}, model.Errorf(model.Conflict, "A certificate store container named %q already exists (Id %d).", in.Name, other)
	case err != sql.ErrNoRows:
		return model.StoreContainer{}, fmt.Errorf("check container name: %w", err)
	}
	if in.Id == 0 {
		res, err := tx.ExecContext(ctx, `INSERT INTO store_containers (name, name_key, store_type, overwrite_schedules, schedule) VALUES (?, ?, ?, ?, ?)`,
			in.Name, model.NameKey(in.Name), *in.CertStoreType, in.OverwriteSchedules, in.Schedule)
		if err != nil {
			return model.StoreContainer{}, fmt.Errorf("add container: %w", err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return model.StoreContainer{}, fmt.Errorf("add container: %w", err)
		}
		return findContainer(ctx, tx, int(id))
	}
	old, err := findContainer(ctx, tx, in.Id)
	if err != nil {
		return model.StoreContainer{}, err
	}
	if old.StoreCount > 0 && old.CertStoreType != *in.CertStoreType {
		return model.StoreContainer{}, model.Errorf(model.Invalid, "Container %q holds %d stores of type %d; its CertStoreType cannot change while it holds stores.", old.Name, old.StoreCount, old.CertStoreType)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE store_containers SET name = ?, name_key = ?, store_type = ?, overwrite_schedules = ?, schedule = ? WHERE id = ?`,
		in.Name, model.NameKey(in.Name), *in.CertStoreType, in.OverwriteSchedules, in.Schedule, in.Id); err != nil {
		return model.StoreContainer{}, fmt.Errorf("update container %d: %w", in.Id, err)
	}
	if old.Name != in.Name {
		if err := refreshStoreDocs(ctx, tx, `s.container_id = ?`, in.Id); err != nil {
			return model.StoreContainer{}, err
		}
	}
	return findContainer(ctx, tx, in.Id)
}

// insertContainer adds a fixture container under its own id (0: the next).
func insertContainer(ctx context.Context, tx *Tx, in model.ContainerInput) (model.StoreContainer, error) {
	if in.Id < 0 {
		return model.StoreContainer{}, model.Errorf(model.Invalid, "Id %d is not valid; container ids are 1 or more.", in.Id)
	}
	id := in.Id
	in.Id = 0
	c, err := saveContainer(ctx, tx, in)
	if err != nil || id == 0 || id == c.Id {
		return c, err
	}
	var taken bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM store_containers WHERE id = ?)`, id).Scan(&taken); err != nil {
		return model.StoreContainer{}, fmt.Errorf("check container id: %w", err)
	}
	if taken {
		return model.StoreContainer{}, model.Errorf(model.Conflict, "Id %d is the id of another container.", id)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE store_containers SET id = ? WHERE id = ?`, id, c.Id); err != nil {
		return model.StoreContainer{}, fmt.Errorf("number container: %w", err)
	}
	c.Id = id
	return c, nil
}

// DeleteContainer deletes an empty container: NotFound when there is
// none with id, Invalid (naming its stores) while it holds stores.
func (s *Store) DeleteContainer(ctx context.Context, id int) error {
	return s.writeTx(ctx, func(tx *Tx, _ time.Time) error {
		c, err := findContainer(ctx, tx, id)
		if err != nil {
			return err
		}
		if c.StoreCount > 0 {
			rows, err := tx.QueryContext(ctx, `SELECT id FROM stores WHERE container_id = ? ORDER BY client_machine, id LIMIT 5`, id)
			if err != nil {
				return fmt.Errorf("list stores of container %d: %w", id, err)
			}
			ids, err := collect(rows, "stores", func(rows *sql.Rows, id *string) error { return rows.Scan(id) })
			if err != nil {
				return err
			}
			return model.Errorf(model.Invalid, "Certificate store container %q (%d) cannot be deleted: it holds %s. Move or delete them first.", c.Name, id, describeStores(ids, c.StoreCount))
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM store_containers WHERE id = ?`, id); err != nil {
			return fmt.Errorf("delete container %d: %w", id, err)
		}
		return nil
	})
}

// bodyRef turns a NotFound about an id given in a request body into the
// Invalid (400) Command answers, naming the member.
func bodyRef(err error, member string) error {
	if model.KindOf(err) == model.NotFound {
		return model.Errorf(model.Invalid, "%s: %s", member, err.Error())
	}
	return err
}
