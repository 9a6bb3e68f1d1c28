package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mockcommand/mockcommand/internal/model"
	"github.com/mockcommand/mockcommand/internal/pki"
	"github.com/mockcommand/mockcommand/internal/query"
)

// The mock's CAs are real: each has a key and a certificate, made the
// first time a database is seeded with it and kept across resets, so a
// client that trusts the root keeps trusting it.

// seedPKI makes the fixture CAs that do not exist yet (and drops those no
// longer in the fixtures), and replaces the templates.
func seedPKI(ctx context.Context, tx *Tx, f model.Fixtures, now time.Time) error {
	names := make([]string, len(f.CAs))
	for i, c := range f.CAs {
		names[i] = c.LogicalName
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM cas WHERE logical_name NOT IN (SELECT value FROM json_each(?))`, idsJSON(names)); err != nil {
		return fmt.Errorf("drop CAs: %w", err)
	}
	for i, c := range f.CAs {
		if err := ensureCA(ctx, tx, c, now); err != nil {
			return &model.EntryError{Set: "CAs", Index: i, Err: err}
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM metadata_fields`); err != nil {
		return fmt.Errorf("clear metadata fields: %w", err)
	}
	for i := range f.MetadataFields {
		m := f.MetadataFields[i]
		if err := putMetadataField(ctx, tx, &m); err != nil {
			return &model.EntryError{Set: "MetadataFields", Index: i, Err: err}
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM templates`); err != nil {
		return fmt.Errorf("clear templates: %w", err)
	}
	for i := range f.Templates {
		if err := putTemplate(ctx, tx, f.Templates[i], i+1); err != nil {
			return &model.EntryError{Set: "Templates", Index: i, Err: err}
		}
	}
	return nil
}

// ensureCA makes the CA c unless a CA of that LogicalName exists, in
// which case only its host name, id and role follow the fixture.
func ensureCA(ctx context.Context, tx *Tx, c model.CAFixture, now time.Time) error {
	var parentID *int
	var parent *pki.Authority
	if c.Parent != "" {
		row, err := loadCA(ctx, tx, `logical_name = ?`, c.Parent)
		if err != nil {
			return model.Errorf(model.Invalid, "Parent %q is not a CA listed before this one.", c.Parent)
		}
		parentID, parent = &row.id, row.authority
	}
	var given *pki.Authority
	if c.Certificate != "" || c.Key != "" {
		a, err := pki.Load([]byte(c.Certificate), []byte(c.Key))
		if err != nil {
			return model.Errorf(model.Invalid, "Certificate and Key: %v.", err)
		}
		if err := a.Check(parent); err != nil {
			return model.Errorf(model.Invalid, "Certificate and Key: %v.", err)
		}
		given = a
		// A CA given by the fixtures replaces whatever the database holds.
		if err := dropCA(ctx, tx, `logical_name = ? AND cert_pem <> ?`, c.LogicalName, string(pki.PEM(a.Cert))); err != nil {
			return err
		}
	}
	// A stored CA that its parent (remade, or given) did not sign, or that
	// is not valid at the clock (moved years away), is made again, with the
	// CAs under it.
	if existing, err := loadCA(ctx, tx, `logical_name = ?`, c.LogicalName); err == nil && given == nil {
		cert := existing.authority.Cert
		if parent != nil && cert.CheckSignatureFrom(parent.Cert) != nil || now.Before(cert.NotBefore) || now.After(cert.NotAfter) {
			if err := dropCA(ctx, tx, `id = ?`, existing.id); err != nil {
				return err
			}
		}
	}
	var id int
	err := tx.QueryRowContext(ctx, `SELECT id FROM cas WHERE logical_name = ?`, c.LogicalName).Scan(&id)
	switch {
	case err == nil:
		var clash int
		if tx.QueryRowContext(ctx, `SELECT id FROM cas WHERE id = ? AND logical_name <> ?`, c.Id, c.LogicalName).Scan(&clash) == nil {
			return model.Errorf(model.Invalid, "Id %d belongs to another CA in the database; give CAs the ids they had, or reset a new database.", c.Id)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cas SET id = ?, host_name = ?, enrollment = ?, parent_id = ? WHERE id = ?`, c.Id, c.HostName, c.Enrollment, parentID, id); err != nil {
			return fmt.Errorf("update CA %s: %w", c.LogicalName, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cas SET parent_id = ? WHERE parent_id = ?`, c.Id, id); err != nil {
			return fmt.Errorf("update the CAs under %s: %w", c.LogicalName, err)
		}
		return writeCADoc(ctx, tx, c.Id)
	case err != sql.ErrNoRows:
		return fmt.Errorf("find CA %s: %w", c.LogicalName, err)
	}
	a, err := given, error(nil)
	switch {
	case a != nil:
	case parent == nil:
		a, err = pki.NewRoot(c.LogicalName, c.Organization, now)
	default:
		a, err = pki.NewIssuing(c.LogicalName, c.Organization, parent, now)
	}
	if err != nil {
		return err
	}
	certPEM, keyPEM, err := a.Marshal()
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO cas (id, logical_name, host_name, parent_id, enrollment, cert_pem, key_pem, doc)
		VALUES (?, ?, ?, ?, ?, ?, ?, '{}')`, c.Id, c.LogicalName, c.HostName, parentID, c.Enrollment, string(certPEM), string(keyPEM)); err != nil {
		return fmt.Errorf("add CA %s: %w", c.LogicalName, err)
	}
	return writeCADoc(ctx, tx, c.Id)
}

// dropCA deletes the CAs matching cond and every CA under them.
func dropCA(ctx context.Context, tx *Tx, cond string, args ...any) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM cas WHERE id IN (WITH RECURSIVE under(id) AS (SELECT id FROM cas WHERE `+cond+`
		UNION SELECT c.id FROM cas c JOIN under u ON c.parent_id = u.id) SELECT id FROM under)`, args...); err != nil {
		return fmt.Errorf("drop CA: %w", err)
	}
	return nil
}

// caRow is a stored CA.
type caRow struct {
	id                    int
	logicalName, hostName string
	enrollment            bool
	authority             *pki.Authority
	certPEM               string
}

func loadCA(ctx context.Context, tx *Tx, cond string, args ...any) (caRow, error) {
	var r caRow
	var keyPEM string
	err := tx.QueryRowContext(ctx, `SELECT id, logical_name, host_name, enrollment, cert_pem, key_pem FROM cas WHERE `+cond, args...).
		Scan(&r.id, &r.logicalName, &r.hostName, &r.enrollment, &r.certPEM, &keyPEM)
	if err != nil {
		return r, err
	}
	r.authority, err = parsedCAs.load(r.certPEM, keyPEM)
	return r, err
}

// parsedCAs keeps CAs parsed: reading an ECDSA key computes its public
// key, which would cost every enrollment a tenth of its time. Entries are
// keyed by the certificate's PEM, which names one key pair.
var parsedCAs = &caCache{m: map[string]*pki.Authority{}}

type caCache struct {
	mu sync.Mutex
	m  map[string]*pki.Authority
}

func (c *caCache) load(certPEM, keyPEM string) (*pki.Authority, error) {
	c.mu.Lock()
	a := c.m[certPEM]
	c.mu.Unlock()
	if a != nil {
		return a, nil
	}
	a, err := pki.Load([]byte(certPEM), []byte(keyPEM))
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.m) >= 256 { // many databases in one process (tests): start again
		c.m = map[string]*pki.Authority{}
	}
	c.m[certPEM] = a
	c.mu.Unlock()
	return a, nil
}

// writeCADoc writes the GET /CertificateAuthority answer of CA id.
func writeCADoc(ctx context.Context, tx *Tx, id int) error {
	r, err := loadCA(ctx, tx, `id = ?`, id)
	if err != nil {
		return fmt.Errorf("load CA %d: %w", id, err)
	}
	issued, issuer := r.authority.Cert.Subject.String(), r.authority.Cert.Issuer.String()
	thumb, expires := pki.Thumbprint(r.authority.Cert), model.NewTime(r.authority.Cert.NotAfter).String()
	enrollTypes := 0
	if r.enrollment {
		enrollTypes = 3
	}
	doc, err := json.Marshal(model.CertificateAuthority{
		Id: r.id, LogicalName: r.logicalName, HostName: r.hostName, Standalone: true, RFCEnforcement: true,
		Properties: "{}", AllowedEnrollmentTypes: enrollTypes, AllowedRequesters: []string{}, CAType: 0,
		AuthCertificate: &model.CAAuthCertificate{IssuedDN: &issued, IssuerDN: &issuer, Thumbprint: &thumb, ExpirationDate: &expires},
	})
	if err != nil {
		return fmt.Errorf("encode CA: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE cas SET doc = ? WHERE id = ?`, string(doc), id); err != nil {
		return fmt.Errorf("write CA %d: %w", id, err)
	}
	return nil
}

// putTemplate stores a template fixture under id (its own Id when set).
func putTemplate(ctx context.Context, tx *Tx, t model.TemplateFixture, id int) error {
	if err := t.Normalize(); err != nil {
		return err
	}
	if t.Id != 0 {
		id = t.Id
	}
	t.SetID(id)
	doc, err := json.Marshal(t.Template)
	if err != nil {
		return fmt.Errorf("encode template: %w", err)
	}
	cas := t.CAs
	if cas == nil {
		cas = []string{}
	}
	casJSON, _ := json.Marshal(cas)
	if _, err := tx.ExecContext(ctx, `INSERT INTO templates (id, common_name, common_key, display_name, validity_days, cas, doc) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		id, t.CommonName, model.NameKey(t.CommonName), t.DisplayName, t.ValidityDays, string(casJSON), string(doc)); err != nil {
		if strings.Contains(err.Error(), "UNIQUE") || strings.Contains(err.Error(), "PRIMARY KEY") {
			return model.Errorf(model.Invalid, "Template %q (Id %d): another template has its CommonName or Id.", t.CommonName, id)
		}
		return fmt.Errorf("add template: %w", err)
	}
	return nil
}

// ListCAs answers GET /CertificateAuthority (no paging: a handful).
func (s *Store) ListCAs(ctx context.Context, opts ListOptions) ([]json.RawMessage, error) {
	where, order, args, err := caResource.listSQL(opts, s.now())
	if err != nil {
		return nil, err
	}
	rows, err := s.reader().QueryContext(ctx, `SELECT c.doc FROM cas c WHERE `+where+` ORDER BY `+order+` LIMIT ? OFFSET ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("list CAs: %w", err)
	}
	return collect(rows, "CAs", scanDoc)
}

// RootCertificates returns the PEM certificates of the mock's root CAs,
// for clients to trust.
func (s *Store) RootCertificates(ctx context.Context) (string, error) {
	var out string
	err := s.readTx(ctx, func(tx *Tx) error {
		return tx.QueryRowContext(ctx, `SELECT coalesce(group_concat(cert_pem, ''), '') FROM (SELECT cert_pem FROM cas WHERE parent_id IS NULL ORDER BY id)`).Scan(&out)
	})
	if err != nil {
		return "", fmt.Errorf("read root CAs: %w", err)
	}
	return out, nil
}

var caResource = newResource(
	[]query.Field{
		{Name: "Id", Type: query.Int},
		{Name: "LogicalName", Type: query.String},
		{Name: "HostName", Type: query.String},
	},
	map[string]column{
		"Id":          {expr: "c.id", notNull: true},
		"LogicalName": {expr: "c.logical_name", notNull: true},
		"HostName":    {expr: "c.host_name", notNull: true},
	},
	"Id", "c.id",
)

var templateResource = newResource(
	[]query.Field{
		{Name: "Id", Type: query.Int},
		{Name: "CommonName", Type: query.String, Aliases: []string{"ShortName"}},
		{Name: "DisplayName", Type: query.String, Aliases: []string{"FriendlyName", "TemplateName"}},
	},
	map[string]column{
		"Id":          {expr: "t.id", notNull: true},
		"CommonName":  {expr: "t.common_name", notNull: true},
		"DisplayName": {expr: "t.display_name", notNull: true},
	},
	"CommonName", "t.id",
)

// ListTemplates answers GET /Templates.
func (s *Store) ListTemplates(ctx context.Context, opts ListOptions) ([]json.RawMessage, error) {
	where, order, args, err := templateResource.listSQL(opts, s.now())
	if err != nil {
		return nil, err
	}
	rows, err := s.reader().QueryContext(ctx, `SELECT t.doc FROM templates t WHERE `+where+` ORDER BY `+order+` LIMIT ? OFFSET ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("list templates: %w", err)
	}
	return collect(rows, "templates", scanDoc)
}

// GetTemplate answers GET /Templates/{id}.
func (s *Store) GetTemplate(ctx context.Context, id int) (json.RawMessage, error) {
	var doc json.RawMessage
	err := s.readTx(ctx, func(tx *Tx) error {
		var text []byte
		err := tx.QueryRowContext(ctx, `SELECT doc FROM templates WHERE id = ?`, id).Scan(&text)
		doc = text
		return err
	})
	if err == sql.ErrNoRows {
		return nil, model.Errorf(model.NotFound, "Template %d was not found.", id)
	}
	if err != nil {
		return nil, fmt.Errorf("load template %d: %w", id, err)
	}
	return doc, nil
}

// PKIVersion changes whenever CAs or templates change.
func (s *Store) PKIVersion() uint64 { return s.Version(TableCAs, TableTemplates) }

// scanDoc reads a row's JSON document.
func scanDoc(rows *sql.Rows, d *json.RawMessage) error {
	var b []byte
	if err := rows.Scan(&b); err != nil {
		return err
	}
	*d = b
	return nil
}

// EnrollmentContext answers GET /Enrollment/{CSR,PFX}/Context/My: the
// templates that allow the enrollment type (bit 1 PFX, 2 CSR), each with
// the CAs that issue on it.
func (s *Store) EnrollmentContext(ctx context.Context, enrollType int) (model.EnrollmentContext, error) {
	out := model.EnrollmentContext{Templates: []model.ContextTemplate{}, StandaloneCAs: []model.ContextCA{}}
	err := s.readTx(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT logical_name, host_name FROM cas WHERE enrollment = 1 ORDER BY id`)
		if err != nil {
			return fmt.Errorf("list CAs: %w", err)
		}
		type ca struct{ logical, host string }
		cas, err := collect(rows, "CAs", func(rows *sql.Rows, c *ca) error { return rows.Scan(&c.logical, &c.host) })
		if err != nil {
			return err
		}
		for _, c := range cas {
			out.StandaloneCAs = append(out.StandaloneCAs, model.ContextCA{Name: c.host + `\` + c.logical, RFCEnforcement: true})
		}
		rows, err = tx.QueryContext(ctx, `SELECT doc, cas FROM templates ORDER BY id`)
		if err != nil {
			return fmt.Errorf("list templates: %w", err)
		}
		type tmpl struct {
			t   model.Template
			cas []string
		}
		list, err := collect(rows, "templates", func(rows *sql.Rows, t *tmpl) error {
			var doc, cas []byte
			if err := rows.Scan(&doc, &cas); err != nil {
				return err
			}
			if err := json.Unmarshal(cas, &t.cas); err != nil {
				return err
			}
			return json.Unmarshal(doc, &t.t)
		})
		if err != nil {
			return err
		}
		for _, e := range list {
			t := e.t
			if t.AllowedEnrollmentTypes&enrollType == 0 {
				continue
			}
			ct := model.ContextTemplate{Id: t.Id, Name: t.CommonName, DisplayName: t.DisplayName, Forest: t.ForestRoot, KeySize: t.KeySize,
				KeyType: t.KeyType, RequiresApproval: t.RequiresApproval, RFCEnforcement: t.RFCEnforcement, CAs: []model.ContextCA{},
				EnrollmentFields: t.EnrollmentFields, MetadataFields: t.MetadataFields, Regexes: t.TemplateRegexes,
				ExtendedKeyUsages: t.ExtendedKeyUsages, Curve: t.Curve}
			for _, c := range cas {
				if len(e.cas) == 0 || slices.ContainsFunc(e.cas, func(n string) bool { return strings.EqualFold(n, c.logical) }) {
					ct.CAs = append(ct.CAs, model.ContextCA{Name: c.host + `\` + c.logical, RFCEnforcement: true})
				}
			}
			out.Templates = append(out.Templates, ct)
		}
		return nil
	})
	return out, err
}

// UpdateMetadata replaces a certificate's metadata (PUT
// /Certificates/Metadata): every name is a metadata field, and an empty
// value clears it (the Go client sends every field, "" for the unset).
func (s *Store) UpdateMetadata(ctx context.Context, id int, values map[string]string) error {
	return s.writeTx(ctx, func(tx *Tx, _ time.Time) error {
		var current string
		if err := tx.QueryRowContext(ctx, `SELECT metadata FROM certificates WHERE id = ?`, id).Scan(&current); err == sql.ErrNoRows {
			return model.Errorf(model.Invalid, "Id: certificate %d was not found.", id)
		} else if err != nil {
			return fmt.Errorf("load certificate %d: %w", id, err)
		}
		md := map[string]string{}
		if err := json.Unmarshal([]byte(current), &md); err != nil {
			return fmt.Errorf("stored metadata: %w", err)
		}
		checked, err := checkMetadataValues(ctx, tx, values)
		if err != nil {
			return err
		}
		for name, v := range checked {
			if v == "" {
				delete(md, name)
			} else {
				md[name] = v
			}
		}
		doc, _ := json.Marshal(md)
		if _, err := tx.ExecContext(ctx, `UPDATE certificates SET metadata = ? WHERE id = ?`, string(doc), id); err != nil {
			return fmt.Errorf("update metadata of certificate %d: %w", id, err)
		}
		return nil
	})
}
