package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/mockcommand/mockcommand/internal/model"
)

// ListJobTypes returns one page of custom job types (the built-in FetchLogs
// included) matching opts.
func (s *Store) ListJobTypes(ctx context.Context, opts ListOptions) ([]model.JobType, error) {
	where, order, args, err := jobTypeResource.listSQL(opts, s.now())
	if err != nil {
		return nil, err
	}
	rows, err := queryJobTypes(ctx, s.reader(), `WHERE `+where+` ORDER BY `+order+` LIMIT ? OFFSET ?`, args...)
	if err != nil {
		return nil, err
	}
	out := make([]model.JobType, len(rows))
	for i, r := range rows {
		out[i] = r.JobType
	}
	return out, nil
}

// GetJobType returns one job type by id (a canonical GUID), or NotFound.
func (s *Store) GetJobType(ctx context.Context, id string) (model.JobType, error) {
	var jt model.JobType
	err := s.readTx(ctx, func(tx *Tx) error {
		row, err := findJobType(ctx, tx, id)
		jt = row.JobType
		return err
	})
	return jt, err
}

// CreateJobType validates and stores a new custom job type with a new id.
// A name already in use (case-insensitively) is a Conflict.
func (s *Store) CreateJobType(ctx context.Context, jt model.JobType) (model.JobType, error) {
	if err := jt.Validate(); err != nil {
		return model.JobType{}, err
	}
	jt.Id = uuid.NewString()
	err := s.writeTx(ctx, func(tx *Tx, _ time.Time) error {
		return putJobType(ctx, tx, &jt, false)
	})
	return jt, err
}

// UpdateJobType replaces the name, description and fields of the job type
// jt.Id (a canonical GUID). An unknown id is NotFound; the built-in
// FetchLogs cannot change.
func (s *Store) UpdateJobType(ctx context.Context, jt model.JobType) (model.JobType, error) {
	if err := jt.Validate(); err != nil {
		return model.JobType{}, err
	}
	err := s.writeTx(ctx, func(tx *Tx, _ time.Time) error {
		old, err := findJobType(ctx, tx, jt.Id)
		if err != nil {
			return err
		}
		if old.builtin {
			return model.Errorf(model.Invalid, "The built-in job type %s cannot be changed.", old.JobTypeName)
		}
		jt.Id = old.Id
		return putJobType(ctx, tx, &jt, true)
	})
	return jt, err
}

// DeleteJobType removes a custom job type (id: a canonical GUID). Jobs
// already scheduled with it keep their job type name.
func (s *Store) DeleteJobType(ctx context.Context, id string) error {
	return s.writeTx(ctx, func(tx *Tx, _ time.Time) error {
		old, err := findJobType(ctx, tx, id)
		if err != nil {
			return err
		}
		if old.builtin {
			return model.Errorf(model.Invalid, "The built-in job type %s cannot be deleted.", old.JobTypeName)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM job_types WHERE id = ?`, old.Id); err != nil {
			return fmt.Errorf("delete job type: %w", err)
		}
		return nil
	})
}

// putJobType inserts or (replace) updates a validated job type after checking
// that no other job type has its name.
func putJobType(ctx context.Context, tx *Tx, jt *model.JobType, replace bool) error {
	var other string
	err := tx.QueryRowContext(ctx, `SELECT id FROM job_types WHERE name_key = ? AND id <> ?`, model.NameKey(jt.JobTypeName), jt.Id).Scan(&other)
	switch {
	case err == nil:
		return model.Errorf(model.Conflict, "A job type named %q already exists (Id %s).", jt.JobTypeName, other)
	case err != sql.ErrNoRows:
		return fmt.Errorf("check job type name: %w", err)
	}
	if jt.JobTypeFields == nil {
		jt.JobTypeFields = []model.JobTypeField{}
	}
	fields, err := json.Marshal(jt.JobTypeFields)
	if err != nil {
		return fmt.Errorf("encode job type fields: %w", err)
	}
	q := `INSERT INTO job_types (id, name, name_key, description, fields, capability) VALUES (?, ?, ?, ?, ?, ?)`
	if replace {
		q += ` ON CONFLICT (id) DO UPDATE SET name = excluded.name, name_key = excluded.name_key,
			description = excluded.description, fields = excluded.fields, capability = excluded.capability`
	}
	if _, err := tx.ExecContext(ctx, q, jt.Id, jt.JobTypeName, model.NameKey(jt.JobTypeName), jt.Description, string(fields), jt.JobTypeName); err != nil {
		return fmt.Errorf("write job type %s: %w", jt.JobTypeName, err)
	}
	return nil
}

// ensureFetchLogs (re)creates the built-in FetchLogs job type.
func ensureFetchLogs(ctx context.Context, tx *Tx) error {
	desc := "Retrieves the orchestrator's log file (built in)."
	_, err := tx.ExecContext(ctx, `INSERT INTO job_types (id, name, name_key, description, fields, capability, builtin)
		VALUES (?, ?, ?, ?, '[]', ?, 1) ON CONFLICT DO NOTHING`,
		model.FetchLogsJobTypeID, model.FetchLogsJobTypeName, model.NameKey(model.FetchLogsJobTypeName), desc, model.LogsCapability)
	if err != nil {
		return fmt.Errorf("create built-in job type: %w", err)
	}
	return nil
}

const jobTypeColumns = `t.id, t.name, t.description, t.fields, t.builtin, t.capability`

// jobTypeRow is a stored job type with what the API does not show: whether
// it is built in, and the capability an orchestrator needs to run it.
type jobTypeRow struct {
	model.JobType
	builtin    bool
	capability string
}

// findJobType loads a job type by id (a canonical GUID), or returns NotFound.
func findJobType(ctx context.Context, tx *Tx, id string) (jobTypeRow, error) {
	list, err := queryJobTypes(ctx, tx, `WHERE t.id = ?`, id)
	if err != nil {
		return jobTypeRow{}, err
	}
	if len(list) == 0 {
		return jobTypeRow{}, model.Errorf(model.NotFound, "Job type with id %s was not found.", id)
	}
	return list[0], nil
}

// findJobTypeByName loads a job type by name (case-insensitive); ok is false
// when none matches.
func findJobTypeByName(ctx context.Context, tx *Tx, name string) (jt jobTypeRow, ok bool, err error) {
	list, err := queryJobTypes(ctx, tx, `WHERE t.name_key = ?`, model.NameKey(name))
	if err != nil || len(list) == 0 {
		return jobTypeRow{}, false, err
	}
	return list[0], true, nil
}

func queryJobTypes(ctx context.Context, q querier, tail string, args ...any) ([]jobTypeRow, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+jobTypeColumns+` FROM job_types t `+tail, args...)
	if err != nil {
		return nil, fmt.Errorf("list job types: %w", err)
	}
	return collect(rows, "job types", func(rows *sql.Rows, jt *jobTypeRow) error {
		var fields string
		if err := rows.Scan(&jt.Id, &jt.JobTypeName, &jt.Description, &fields, &jt.builtin, &jt.capability); err != nil {
			return fmt.Errorf("scan job type: %w", err)
		}
		if err := json.Unmarshal([]byte(fields), &jt.JobTypeFields); err != nil {
			return fmt.Errorf("job type %s: stored fields: %w", jt.Id, err)
		}
		return nil
	})
}
