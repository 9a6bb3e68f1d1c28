package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mockcommand/mockcommand/internal/model"
	"github.com/mockcommand/mockcommand/internal/query"
)

var metadataResource = newResource(
	[]query.Field{
		{Name: "Id", Type: query.Int},
		{Name: "Name", Type: query.String},
		{Name: "DataType", Type: query.Int},
	},
	map[string]column{
		"Id":       {expr: "m.id", notNull: true},
		"Name":     {expr: "m.name", notNull: true},
		"DataType": {expr: "CAST(m.doc ->> '$.DataType' AS INTEGER)", notNull: true},
	},
	"Id", "m.id",
)

// ListMetadataFields answers GET /MetadataFields.
func (s *Store) ListMetadataFields(ctx context.Context, opts ListOptions) ([]json.RawMessage, error) {
	where, order, args, err := metadataResource.listSQL(opts, s.now())
	if err != nil {
		return nil, err
	}
	rows, err := s.reader().QueryContext(ctx, `SELECT m.doc FROM metadata_fields m WHERE `+where+` ORDER BY `+order+` LIMIT ? OFFSET ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("list metadata fields: %w", err)
	}
	return collect(rows, "metadata fields", scanDoc)
}

// GetMetadataField answers GET /MetadataFields/{id or name}: a number is
// the id, anything else the name.
func (s *Store) GetMetadataField(ctx context.Context, idOrName string) (model.MetadataField, error) {
	return readOne(ctx, s, idOrName, findMetadataField)
}

func findMetadataField(ctx context.Context, tx *Tx, idOrName string) (model.MetadataField, error) {
	q, arg := `SELECT doc FROM metadata_fields WHERE name_key = ?`, any(model.NameKey(idOrName))
	if id, err := strconv.Atoi(idOrName); err == nil {
		q, arg = `SELECT doc FROM metadata_fields WHERE id = ?`, id
	}
	var doc []byte
	err := tx.QueryRowContext(ctx, q, arg).Scan(&doc)
	if err == sql.ErrNoRows {
		return model.MetadataField{}, model.Errorf(model.NotFound, "Metadata field %q was not found.", idOrName)
	}
	if err != nil {
		return model.MetadataField{}, fmt.Errorf("load metadata field: %w", err)
	}
	var f model.MetadataField
	return f, json.Unmarshal(doc, &f)
}

// CreateMetadataField stores a new metadata field; a Name in use
// (case-insensitively) is a Conflict.
func (s *Store) CreateMetadataField(ctx context.Context, f model.MetadataField) (model.MetadataField, error) {
	if err := f.Normalize(); err != nil {
		return model.MetadataField{}, err
	}
	err := s.writeTx(ctx, func(tx *Tx, _ time.Time) error {
		f.Id = 0
		return putMetadataField(ctx, tx, &f)
	})
	return f, err
}

func putMetadataField(ctx context.Context, tx *Tx, f *model.MetadataField) error {
	var other int
	err := tx.QueryRowContext(ctx, `SELECT id FROM metadata_fields WHERE name_key = ?`, model.NameKey(f.Name)).Scan(&other)
	if err == nil {
		return model.Errorf(model.Conflict, "A metadata field named %q already exists (Id %d).", f.Name, other)
	}
	if err != sql.ErrNoRows {
		return fmt.Errorf("check metadata field name: %w", err)
	}
	if f.Id == 0 {
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) + 1 FROM metadata_fields`).Scan(&f.Id); err != nil {
			return fmt.Errorf("number metadata field: %w", err)
		}
	}
	doc, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("encode metadata field: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO metadata_fields (id, name, name_key, doc) VALUES (?, ?, ?, ?)`, f.Id, f.Name, model.NameKey(f.Name), string(doc)); err != nil {
		if strings.Contains(err.Error(), "UNIQUE") || strings.Contains(err.Error(), "PRIMARY KEY") {
			return model.Errorf(model.Conflict, "Metadata field Id %d is taken.", f.Id)
		}
		return fmt.Errorf("add metadata field: %w", err)
	}
	return nil
}

// checkMetadata checks the metadata of an enrollment against the fields:
// every name is a field (matched case-insensitively, stored under the
// field's name), every value fits it, and required fields without a
// value take their default or are an error.
func checkMetadata(ctx context.Context, tx *Tx, given map[string]string) (map[string]string, error) {
	out, err := checkMetadataValues(ctx, tx, given)
	if err != nil {
		return nil, err
	}
	fields, err := metadataFields(ctx, tx)
	if err != nil {
		return nil, err
	}
	for name, v := range out {
		if v == "" {
			delete(out, name)
		}
	}
	for _, f := range fields {
		if _, ok := out[f.Name]; ok || f.Enrollment != 1 {
			continue
		}
		if d := model.Deref(f.DefaultValue); d != "" {
			out[f.Name] = d
			continue
		}
		return nil, model.Errorf(model.Invalid, "Metadata: %q is required on enrollment and has no default.", f.Name)
	}
	return out, nil
}

func metadataFields(ctx context.Context, tx *Tx) ([]model.MetadataField, error) {
	rows, err := tx.QueryContext(ctx, `SELECT doc FROM metadata_fields ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("load metadata fields: %w", err)
	}
	return collect(rows, "metadata fields", func(rows *sql.Rows, f *model.MetadataField) error {
		var doc []byte
		if err := rows.Scan(&doc); err != nil {
			return err
		}
		return json.Unmarshal(doc, f)
	})
}

// checkMetadataValues checks metadata values against their fields (names
// matched case-insensitively, stored under the field's name); an empty
// value stays empty (it clears the field).
func checkMetadataValues(ctx context.Context, tx *Tx, given map[string]string) (map[string]string, error) {
	fields, err := metadataFields(ctx, tx)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for name, v := range given {
		i := slices.IndexFunc(fields, func(f model.MetadataField) bool { return strings.EqualFold(f.Name, name) })
		if i < 0 {
			return nil, model.Errorf(model.Invalid, "Metadata: %q is not a metadata field (GET /MetadataFields).", name)
		}
		if v == "" {
			out[fields[i].Name] = ""
			continue
		}
		value, err := fields[i].Check(v)
		if err != nil {
			return nil, err
		}
		out[fields[i].Name] = value
	}
	return out, nil
}

// MetadataVersion changes whenever metadata fields change.
func (s *Store) MetadataVersion() uint64 { return s.Version(TableMetadata) }
