package store

import (
	"context"
	"crypto/x509"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/mockcommand/mockcommand/internal/model"
	"github.com/mockcommand/mockcommand/internal/pki"
	"github.com/mockcommand/mockcommand/internal/query"
)

// certificateFields and certificateColumns are the built-in query fields
// of GET /Certificates; the metadata fields join them (see
// certificateResource).
var certificateFields = []query.Field{
	{Name: "Id", Type: query.Int, Aliases: []string{"CertId"}},
	{Name: "Thumbprint", Type: query.String},
	{Name: "SerialNumber", Type: query.String},
	{Name: "IssuedDN", Type: query.String},
	{Name: "IssuedCN", Type: query.String},
	{Name: "IssuerDN", Type: query.String},
	{Name: "NotBefore", Type: query.Date},
	{Name: "NotAfter", Type: query.Date},
	{Name: "ImportDate", Type: query.Date},
	{Name: "CertState", Type: query.Int, Enum: model.CertStateNames},
	{Name: "TemplateName", Type: query.String},
	{Name: "CertificateAuthorityName", Type: query.String, Aliases: []string{"CA"}},
	{Name: "KeySizeInBits", Type: query.Int, Aliases: []string{"KeySize"}},
	{Name: "KeyType", Type: query.Int, Enum: model.KeyTypeNames},
	{Name: "PrincipalName", Type: query.String},
	{Name: "CertRequestId", Type: query.Int},
	{Name: "RevocationEffDate", Type: query.Date},
}

var certificateColumns = map[string]column{
	"Id":                       {expr: "c.id", notNull: true},
	"Thumbprint":               {expr: "c.thumbprint", notNull: true, indexed: true, selective: true},
	"SerialNumber":             {expr: "c.serial_number", notNull: true, indexed: true, selective: true},
	"IssuedDN":                 {expr: "c.issued_dn"},
	"IssuedCN":                 {expr: "c.issued_cn", indexed: true, selective: true},
	"IssuerDN":                 {expr: "c.issuer_dn"},
	"NotBefore":                {expr: "c.not_before", notNull: true},
	"NotAfter":                 {expr: "c.not_after", notNull: true, indexed: true},
	"ImportDate":               {expr: "c.import_date", notNull: true},
	"CertState":                {expr: "c.cert_state", notNull: true},
	"TemplateName":             {expr: "c.template_name"},
	"CertificateAuthorityName": {expr: "c.ca_name"},
	"KeySizeInBits":            {expr: "c.key_size", notNull: true},
	"KeyType":                  {expr: "c.key_type", notNull: true},
	"PrincipalName":            {expr: "c.principal_name"},
	"CertRequestId":            {expr: "c.request_id", notNull: true},
	"RevocationEffDate":        {expr: "c.revocation_date"},
}

// certificateResource is the resource of GET /Certificates: the
// built-in fields and every metadata field by its name (compared as text;
// metadata fields filter but do not sort). It is built again when the
// metadata fields change.
func (s *Store) certificateResource(ctx context.Context) (*resource, error) {
	version := s.MetadataVersion()
	if c := s.certRes.Load(); c != nil && c.version == version {
		return c.res, nil
	}
	var names []string
	err := s.readTx(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT name FROM metadata_fields ORDER BY id`)
		if err != nil {
			return fmt.Errorf("list metadata fields: %w", err)
		}
		names, err = collect(rows, "metadata fields", func(rows *sql.Rows, n *string) error { return rows.Scan(n) })
		return err
	})
	if err != nil {
		return nil, err
	}
	fields := slices.Clone(certificateFields)
	cols := maps.Clone(certificateColumns)
	taken := map[string]bool{}
	for _, f := range fields {
		taken[strings.ToLower(f.Name)] = true
		for _, a := range f.Aliases {
			taken[strings.ToLower(a)] = true
		}
	}
	for _, n := range names {
		if taken[strings.ToLower(n)] || strings.ContainsAny(n, `'"\`) {
			continue
		}
		taken[strings.ToLower(n)] = true
		fields = append(fields, query.Field{Name: n, Type: query.String})
		cols[n] = column{expr: `json_extract(c.metadata, '$."` + n + `"')`, noSort: true}
	}
	res := newResource(fields, cols, "Id", "c.id")
	s.certRes.Store(&versionedResource{version: version, res: res})
	return res, nil
}

// versionedResource is a resource built for a version of the tables that
// define it.
type versionedResource struct {
	version uint64
	res     *resource
}

// CertificateListOptions are the parameters of GET /Certificates besides
// the listing's.
type CertificateListOptions struct {
	IncludeRevoked, IncludeExpired, IncludeMetadata, IncludeHasPrivateKey, IncludeLocations bool
}

// CertificatesVersion changes whenever a certificate listing may change.
func (s *Store) CertificatesVersion() uint64 {
	return s.Version(TableCertificates, TableStoreInventory, TableStores, TableStoreTypes)
}

// certificateDoc is the SQL of a certificate's answer with the members the
// include parameters fill.
func certificateDoc(o CertificateListOptions) string {
	doc := "c.doc"
	if o.IncludeMetadata {
		doc = "json_set(" + doc + ", '$.Metadata', json(c.metadata))"
	}
	if o.IncludeLocations {
		doc = "json_set(" + doc + ", '$.Locations', " + locationsSQL + ", '$.LocationsCount', " + locationsCountSQL + ")"
	}
	if o.IncludeHasPrivateKey {
		doc = "json_set(" + doc + ", '$.HasPrivateKey', json(CASE WHEN c.key_pem IS NULL THEN 'false' ELSE 'true' END))"
	}
	return doc
}

// CertificatesPage writes one page of certificates to w, as GET
// /Certificates answers it: revoked and expired certificates are left
// out unless asked for, as in Command.
func (s *Store) CertificatesPage(ctx context.Context, opts ListOptions, co CertificateListOptions, w io.Writer) error {
	res, err := s.certificateResource(ctx)
	if err != nil {
		return err
	}
	p := &pager{res: res, from: "certificates c", table: TableCertificates, doc: certificateDoc(co)}
	var conds []string
	if !co.IncludeRevoked {
		conds = append(conds, "c.cert_state <> "+fmt.Sprint(model.CertStateRevoked))
	}
	if !co.IncludeExpired {
		conds = append(conds, "c.not_after >= ?")
		p.baseArgs = []any{model.NewTime(s.now().Truncate(time.Second)).String()}
	}
	p.base = strings.Join(conds, " AND ")
	return s.docPage(ctx, p, opts, w, nil)
}

// GetCertificate answers GET /Certificates/{id}.
func (s *Store) GetCertificate(ctx context.Context, id int, co CertificateListOptions) (json.RawMessage, error) {
	var doc []byte
	err := s.readTx(ctx, func(tx *Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT `+certificateDoc(co)+` FROM certificates c WHERE c.id = ?`, id).Scan(&doc)
		if err == sql.ErrNoRows {
			return model.Errorf(model.NotFound, "Certificate %d was not found.", id)
		}
		return err
	})
	return doc, err
}

// EnrollCSR is a POST /Enrollment/CSR request.
type EnrollCSR struct {
	CSR                  string
	CertificateAuthority string
	Template             string
	IncludeChain         bool
	DER                  bool // x-certificateformat DER: the certificates as base64 DER
	Metadata             map[string]string
	SANs                 map[string][]string
	Requester            string
}

// Enroll signs a CSR on a template with a CA, stores the certificate, and
// answers as Command does. Every check comes before anything is stored.
func (s *Store) Enroll(ctx context.Context, in EnrollCSR) (model.CSREnrollmentResponse, error) {
	csr, err := pki.ParseCSR(in.CSR)
	if err != nil {
		return model.CSREnrollmentResponse{}, model.Errorf(model.Invalid, "CSR: %s.", strings.TrimPrefix(err.Error(), pki.ErrCSR.Error()+": "))
	}
	// The checks and the signature run outside the write transaction, so
	// enrollments sign on every core while the single writer only stores.
	var e enrollment
	err = s.readTx(ctx, func(tx *Tx) error {
		e, err = prepareEnrollment(ctx, tx, enrollmentSpec{template: in.Template, ca: in.CertificateAuthority, enrollType: 2,
			sans: in.SANs, metadata: in.Metadata, includeChain: in.IncludeChain,
			request: func(*model.Template) (*x509.CertificateRequest, error) { return csr, nil }})
		return err
	})
	if err != nil {
		return model.CSREnrollmentResponse{}, err
	}
	t, ca, req, chain, md := e.t, e.ca, e.req, e.chain, e.md
	cert, err := issue(ca, req, s.now())
	if err != nil {
		return model.CSREnrollmentResponse{}, err
	}
	var id, requestID int
	err = s.writeTx(ctx, func(tx *Tx, now time.Time) error {
		var err error
		id, requestID, err = insertCertificate(ctx, tx, cert, &t, &ca, md, in.Requester, now)
		return err
	})
	if err != nil {
		return model.CSREnrollmentResponse{}, err
	}
	issuer := cert.Issuer.String()
	certs := make([]string, 0, 1+len(chain))
	for _, c := range append([]*x509.Certificate{cert}, chain...) {
		if in.DER {
			certs = append(certs, base64.StdEncoding.EncodeToString(c.Raw))
		} else {
			certs = append(certs, string(pki.PEM(c)))
		}
	}
	return model.CSREnrollmentResponse{
		CertificateInformation: model.CSRCertificateInformation{
			SerialNumber: pki.SerialHex(cert), IssuerDN: &issuer, Thumbprint: pki.Thumbprint(cert), KeyfactorID: id,
			KeyfactorRequestId: requestID, Certificates: certs, RequestDisposition: "ISSUED",
			DispositionMessage: "The private key was successfully retained.",
		},
		Metadata: md,
	}, nil
}

// enrollmentSpec is what an enrollment asks for; request makes the
// subject and public key to certify once the template is known.
type enrollmentSpec struct {
	template, ca string
	enrollType   int // 1 PFX, 2 CSR (a template's AllowedEnrollmentTypes bit)
	sans         map[string][]string
	metadata     map[string]string
	includeChain bool
	request      func(t *model.Template) (*x509.CertificateRequest, error)
}

// enrollment is an enrollment checked and ready to sign.
type enrollment struct {
	t     model.Template
	ca    caRow
	req   pki.Request
	chain []*x509.Certificate // the CA's, when asked for
	md    map[string]string
}

// prepareEnrollment checks an enrollment against its template, CA and
// the metadata fields: every check CSR, PFX and fixture enrollments make
// before anything is signed or stored.
func prepareEnrollment(ctx context.Context, tx *Tx, sp enrollmentSpec) (enrollment, error) {
	var e enrollment
	t, validity, err := enrollmentTemplate(ctx, tx, sp.template, sp.enrollType)
	if err != nil {
		return e, err
	}
	if e.ca, err = enrollmentCA(ctx, tx, sp.ca, t.CommonName); err != nil {
		return e, err
	}
	csr, err := sp.request(&t)
	if err != nil {
		return e, err
	}
	if e.req, err = checkRequest(csr, &t, sp.sans, validity, e.ca.authority.Cert); err != nil {
		return e, err
	}
	if e.md, err = checkMetadata(ctx, tx, sp.metadata); err != nil {
		return e, err
	}
	if sp.includeChain {
		e.chain = caChain(ctx, tx, e.ca)
	}
	e.t = t
	return e, nil
}

// issue signs req with the CA at now; a CA that is not valid at the
// mock's clock (moved past its expiry, or before its making) is Invalid.
func issue(ca caRow, req pki.Request, now time.Time) (*x509.Certificate, error) {
	cert, err := ca.authority.Issue(req, now)
	var oov *pki.OutOfValidityError
	if errors.As(err, &oov) {
		return nil, model.Errorf(model.Invalid, "The mock's clock is outside the validity of its CA: %s. Move the clock back (POST /_mock/clock), or reset (POST /_mock/reset), which makes CAs valid at the clock.", oov.Error())
	}
	return cert, err
}

// enrollmentTemplate finds the template a request names (by CommonName,
// case-insensitively) and checks that it allows the enrollment type
// (bit 1 PFX, 2 CSR).
func enrollmentTemplate(ctx context.Context, tx *Tx, name string, enrollType int) (model.Template, time.Duration, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return model.Template{}, 0, model.Errorf(model.Invalid, "Template is required: the CommonName of a template (GET /Templates).")
	}
	var doc []byte
	var days int
	err := tx.QueryRowContext(ctx, `SELECT doc, validity_days FROM templates WHERE common_key = ?`, model.NameKey(name)).Scan(&doc, &days)
	if err == sql.ErrNoRows {
		return model.Template{}, 0, model.Errorf(model.Invalid, "Template %q was not found; templates are named by their CommonName (GET /Templates).", name)
	}
	if err != nil {
		return model.Template{}, 0, fmt.Errorf("find template %q: %w", name, err)
	}
	var t model.Template
	if err := json.Unmarshal(doc, &t); err != nil {
		return model.Template{}, 0, fmt.Errorf("stored template: %w", err)
	}
	if t.AllowedEnrollmentTypes&enrollType == 0 {
		kind := map[int]string{1: "PFX", 2: "CSR"}[enrollType]
		return model.Template{}, 0, model.Errorf(model.Invalid, "Template %q does not allow %s enrollment (AllowedEnrollmentTypes %d).", t.CommonName, kind, t.AllowedEnrollmentTypes)
	}
	return t, time.Duration(days) * 24 * time.Hour, nil
}

// enrollmentCA finds the CA a request names ("HostName\LogicalName" or
// "LogicalName"; empty: the first CA the template may use) and checks
// that it issues certificates on the template.
func enrollmentCA(ctx context.Context, tx *Tx, name, template string) (caRow, error) {
	var cas string
	if err := tx.QueryRowContext(ctx, `SELECT cas FROM templates WHERE common_key = ?`, model.NameKey(template)).Scan(&cas); err != nil {
		return caRow{}, fmt.Errorf("template CAs: %w", err)
	}
	var allowed []string
	_ = json.Unmarshal([]byte(cas), &allowed)
	ok := func(logical string) bool {
		return len(allowed) == 0 || slices.ContainsFunc(allowed, func(a string) bool { return strings.EqualFold(a, logical) })
	}
	name = strings.TrimSpace(name)
	if name == "" {
		rows, err := tx.QueryContext(ctx, `SELECT logical_name FROM cas WHERE enrollment = 1 ORDER BY id`)
		if err != nil {
			return caRow{}, fmt.Errorf("list CAs: %w", err)
		}
		names, err := collect(rows, "CAs", func(rows *sql.Rows, n *string) error { return rows.Scan(n) })
		if err != nil {
			return caRow{}, err
		}
		for _, n := range names {
			if ok(n) {
				return loadCA(ctx, tx, `logical_name = ?`, n)
			}
		}
		return caRow{}, model.Errorf(model.Invalid, "No certificate authority issues certificates on template %q.", template)
	}
	host, logical, hasHost := strings.Cut(name, `\`)
	if !hasHost {
		host, logical = "", name
	}
	r, err := loadCA(ctx, tx, `logical_name = ?`, logical)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && host != "" && !strings.EqualFold(host, r.hostName)) {
		return caRow{}, model.Errorf(model.Invalid, "CertificateAuthority %q was not found; name a CA as HostName\\LogicalName (GET /CertificateAuthority).", name)
	}
	if err != nil {
		return caRow{}, fmt.Errorf("load CA %q: %w", name, err)
	}
	if !r.enrollment || !ok(r.logicalName) {
		return caRow{}, model.Errorf(model.Invalid, "CertificateAuthority %q does not issue certificates on template %q.", name, template)
	}
	return r, nil
}

// caChain returns the CA's certificate and those above it, issuer first.
func caChain(ctx context.Context, tx *Tx, ca caRow) []*x509.Certificate {
	chain := []*x509.Certificate{ca.authority.Cert}
	id := ca.id
	for range 8 {
		var parent sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT parent_id FROM cas WHERE id = ?`, id).Scan(&parent); err != nil || !parent.Valid {
			break
		}
		p, err := loadCA(ctx, tx, `id = ?`, parent.Int64)
		if err != nil {
			break
		}
		chain, id = append(chain, p.authority.Cert), p.id
	}
	return chain
}

// sanKinds are the SAN keys of a request the mock issues, and the SANs
// Command knows but the mock does not.
var (
	sanKinds        = []string{"dns", "ip", "ip4", "ip6", "uri", "rfc822"}
	sanKindsUnknown = []string{"other", "x400", "directory", "ediparty", "registeredid", "ms_ntprincipalname", "ms_ntdsreplication"}
	dnsLabel        = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)
)

// checkRequest checks a CSR against a template (key type and size,
// subject rules, SANs) and returns what to issue.
func checkRequest(csr *x509.CertificateRequest, t *model.Template, sans map[string][]string, validity time.Duration, ca *x509.Certificate) (pki.Request, error) {
	keyType, bits, curve, err := pki.KeyInfo(csr.PublicKey)
	if err != nil {
		return pki.Request{}, model.Errorf(model.Invalid, "CSR: %s.", err.Error())
	}
	switch {
	case keyType == "RSA" && !slices.Contains(t.TemplatePolicy.RSAValidKeySizes, bits):
		return pki.Request{}, model.Errorf(model.Invalid, "CSR: an RSA key of %d bits is not allowed: %s.", bits, allowedKeys(t))
	case keyType == "ECC" && !slices.Contains(t.TemplatePolicy.ECCValidCurves, curve):
		return pki.Request{}, model.Errorf(model.Invalid, "CSR: an ECC key on curve %s is not allowed: %s.", curve, allowedKeys(t))
	}
	for _, re := range t.TemplateRegexes {
		value := subjectPart(csr, re.SubjectPart)
		rx, err := regexp.Compile(re.Regex)
		if err != nil {
			return pki.Request{}, fmt.Errorf("template %s: regex %q: %w", t.CommonName, re.Regex, err)
		}
		if !rx.MatchString(value) {
			msg := re.Error
			if msg == "" {
				msg = fmt.Sprintf("does not match %s", re.Regex)
			}
			return pki.Request{}, model.Errorf(model.Invalid, "Subject %s %q: %s.", re.SubjectPart, value, msg)
		}
	}
	if strings.TrimSpace(csr.Subject.CommonName) == "" && len(csr.DNSNames) == 0 && len(sans) == 0 {
		return pki.Request{}, model.Errorf(model.Invalid, "CSR: the subject has no CN and the request names no SAN; a certificate needs one or the other.")
	}
	r := pki.Request{PublicKey: csr.PublicKey, Subject: csr.Subject, DNSNames: csr.DNSNames, IPs: csr.IPAddresses, URIs: csr.URIs,
		Emails: csr.EmailAddresses, Validity: validity, KeyUsage: t.KeyUsage}
	for _, e := range t.ExtendedKeyUsages {
		r.EKUs = append(r.EKUs, e.Oid)
	}
	for key, values := range sans {
		kind := strings.ToLower(key)
		if slices.Contains(sanKindsUnknown, kind) {
			return pki.Request{}, model.Errorf(model.Invalid, "SANs: %q names are not issued by the mock's CAs; it issues %s.", key, strings.Join(sanKinds, ", "))
		}
		if !slices.Contains(sanKinds, kind) {
			return pki.Request{}, model.Errorf(model.Invalid, "SANs: %q is not a SAN type; use %s.", key, strings.Join(append(slices.Clone(sanKinds), sanKindsUnknown...), ", "))
		}
		for _, v := range values {
			v = strings.TrimSpace(v)
			if v == "" {
				continue
			}
			if err := addSAN(&r, kind, v, t.TemplatePolicy.AllowWildcards); err != nil {
				return pki.Request{}, err
			}
		}
	}
	for _, name := range r.DNSNames {
		if err := checkDNSName(name, t.TemplatePolicy.AllowWildcards); err != nil {
			return pki.Request{}, err
		}
	}
	r.DNSNames = dedupFold(r.DNSNames)
	if (t.RFCEnforcement || t.TemplatePolicy.RFCEnforcement) && len(r.DNSNames) == 0 && len(r.IPs) == 0 && checkDNSName(csr.Subject.CommonName, t.TemplatePolicy.AllowWildcards) == nil {
		r.DNSNames = []string{csr.Subject.CommonName} // RFC 2818: the CN as a DNS SAN
	}
	if validity <= 0 || ca == nil {
		return pki.Request{}, fmt.Errorf("template %s: no validity", t.CommonName)
	}
	return r, nil
}

func addSAN(r *pki.Request, kind, v string, wildcards bool) error {
	switch kind {
	case "dns":
		if err := checkDNSName(v, wildcards); err != nil {
			return err
		}
		r.DNSNames = append(r.DNSNames, v)
	case "ip", "ip4", "ip6":
		ip := net.ParseIP(v)
		if ip == nil || kind == "ip4" && ip.To4() == nil || kind == "ip6" && ip.To4() != nil {
			return model.Errorf(model.Invalid, "SANs: %q is not an %s address.", v, map[string]string{"ip": "IP", "ip4": "IPv4", "ip6": "IPv6"}[kind])
		}
		r.IPs = append(r.IPs, ip)
	case "uri":
		u, err := url.Parse(v)
		if err != nil || u.Scheme == "" {
			return model.Errorf(model.Invalid, "SANs: %q is not an absolute URI.", v)
		}
		r.URIs = append(r.URIs, u)
	case "rfc822":
		if at := strings.IndexByte(v, '@'); at <= 0 || at == len(v)-1 || strings.ContainsAny(v, " <>") {
			return model.Errorf(model.Invalid, "SANs: %q is not an e-mail address.", v)
		}
		r.Emails = append(r.Emails, v)
	}
	return nil
}

// checkDNSName checks a DNS SAN: labels of letters, digits and hyphens,
// and a wildcard only as the whole leftmost label, when the template
// allows wildcards.
func checkDNSName(name string, wildcards bool) error {
	labels := strings.Split(strings.TrimSuffix(name, "."), ".")
	if name == "" || len(name) > 253 {
		return model.Errorf(model.Invalid, "SANs: %q is not a DNS name.", name)
	}
	for i, l := range labels {
		if l == "*" && i == 0 && len(labels) > 2 {
			if !wildcards {
				return model.Errorf(model.Invalid, "SANs: %q is a wildcard name, which the template does not allow.", name)
			}
			continue
		}
		if !dnsLabel.MatchString(l) {
			return model.Errorf(model.Invalid, "SANs: %q is not a DNS name (label %q).", name, l)
		}
	}
	return nil
}

func dedupFold(names []string) []string {
	var out []string
	for _, n := range names {
		if !slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, n) }) {
			out = append(out, n)
		}
	}
	return out
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, ", ")
}

// subjectPart reads a part of a CSR's subject by its short name.
func subjectPart(csr *x509.CertificateRequest, part string) string {
	s := csr.Subject
	first := func(v []string) string {
		if len(v) > 0 {
			return v[0]
		}
		return ""
	}
	switch strings.ToUpper(part) {
	case "CN":
		return s.CommonName
	case "O":
		return first(s.Organization)
	case "OU":
		return first(s.OrganizationalUnit)
	case "L":
		return first(s.Locality)
	case "ST", "S":
		return first(s.Province)
	case "C":
		return first(s.Country)
	case "E":
		return first(csr.EmailAddresses)
	}
	return ""
}

// insertCertificate stores an issued certificate and returns its Id and
// request id (CertRequestId).
func insertCertificate(ctx context.Context, tx *Tx, cert *x509.Certificate, t *model.Template, ca *caRow, metadata map[string]string, requester string, now time.Time) (id, requestID int, err error) {
	// Two subqueries: SQLite reads each max() from the end of an index
	// only when a query has one.
	// Ids are never reused (AUTOINCREMENT): an inventory entry or a waiting
	// management job that names a deleted certificate must not find a new
	// one. The request id follows the id.
	if err := tx.QueryRowContext(ctx, `SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'certificates'), 0),
		coalesce((SELECT max(id) FROM certificates), 0)) + 1`).Scan(&id); err != nil {
		return 0, 0, fmt.Errorf("number certificate: %w", err)
	}
	requestID = id + 4999
	c, err := certificateAnswer(cert, id, requestID, t, ca, requester, now)
	if err != nil {
		return 0, 0, err
	}
	doc, err := json.Marshal(c)
	if err != nil {
		return 0, 0, fmt.Errorf("encode certificate: %w", err)
	}
	if metadata == nil {
		metadata = map[string]string{}
	}
	md, _ := json.Marshal(metadata)
	var templateID, caID *int
	var templateName, caName *string
	if t != nil {
		templateID, templateName = &t.Id, &t.DisplayName
	}
	if ca != nil {
		name := ca.hostName + `\` + ca.logicalName
		caID, caName = &ca.id, &name
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO certificates (id, request_id, thumbprint, serial_number, issued_dn, issued_cn, issuer_dn,
		not_before, not_after, import_date, cert_state, template_id, template_name, ca_id, ca_name, key_size, key_type, principal_name, der, metadata, doc)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, requestID, c.Thumbprint, c.SerialNumber, c.IssuedDN, c.IssuedCN, c.IssuerDN, c.NotBefore.String(), c.NotAfter.String(),
		c.ImportDate.String(), c.CertState, templateID, templateName, caID, caName, c.KeySizeInBits, c.KeyType,
		c.PrincipalName, cert.Raw, string(md), string(doc)); err != nil {
		return 0, 0, fmt.Errorf("store certificate: %w", err)
	}
	return id, requestID, nil
}

// certificateAnswer is the GET /Certificates answer of an issued
// certificate, with empty metadata and locations (added when asked for).
func certificateAnswer(cert *x509.Certificate, id, requestID int, t *model.Template, ca *caRow, requester string, now time.Time) (model.Certificate, error) {
	keyType, bits, curve, err := pki.KeyInfo(cert.PublicKey)
	if err != nil {
		return model.Certificate{}, err
	}
	str := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	first := func(v []string) *string {
		if len(v) == 0 {
			return nil
		}
		return &v[0]
	}
	ku := pki.WindowsKeyUsage(cert.KeyUsage)
	c := model.Certificate{
		Id: id, Thumbprint: pki.Thumbprint(cert), SerialNumber: pki.SerialHex(cert),
		IssuedDN: str(cert.Subject.String()), IssuedCN: str(cert.Subject.CommonName), IssuedOU: first(cert.Subject.OrganizationalUnit),
		IssuedEmail: first(cert.EmailAddresses), ImportDate: model.NewTime(now), NotBefore: model.NewTime(cert.NotBefore),
		NotAfter: model.NewTime(cert.NotAfter), IssuerDN: str(cert.Issuer.String()), CertState: model.CertStateActive,
		CertStateString: "Active", KeySizeInBits: bits, KeyType: int(model.KeyTypeNames[keyType]), KeyTypeString: keyType,
		Curve: str(curve), KeyUsage: ku, DetailedKeyUsage: detailedKeyUsage(ku), ExtendedKeyUsages: []model.ExtendedKeyUsage{},
		SigningAlgorithm: cert.SignatureAlgorithm.String(), RequesterName: str(requester), CertRequestId: &requestID,
		ContentBytes: base64.StdEncoding.EncodeToString(cert.Raw), SubjectAltNameElements: []model.SubjectAltName{},
		CRLDistributionPoints: []model.CRLDistributionPoint{}, LocationsCount: []model.LocationCount{}, SSLLocations: []any{},
		Locations: []model.CertificateLocation{}, Metadata: map[string]string{},
	}
	if t != nil {
		c.TemplateId, c.TemplateName = &t.Id, &t.DisplayName
		for _, oid := range pki.EKUOIDs(cert) {
			name := oid
			for _, e := range t.ExtendedKeyUsages {
				if e.Oid == oid {
					name = e.DisplayName
				}
			}
			c.ExtendedKeyUsages = append(c.ExtendedKeyUsages, model.ExtendedKeyUsage{Id: len(c.ExtendedKeyUsages) + 1, Oid: oid, DisplayName: name})
		}
	}
	if ca != nil {
		name := ca.hostName + `\` + ca.logicalName
		c.CertificateAuthorityId, c.CertificateAuthorityName = &ca.id, &name
	}
	// SAN types are the GeneralName tags: 1 rfc822, 2 DNS, 6 URI, 7 IP.
	add := func(kind int, v string) {
		c.SubjectAltNameElements = append(c.SubjectAltNameElements, model.SubjectAltName{Id: len(c.SubjectAltNameElements) + 1, Value: v, Type: kind})
	}
	for _, d := range cert.DNSNames {
		add(2, d)
	}
	for _, ip := range cert.IPAddresses {
		add(7, ip.String())
	}
	for _, u := range cert.URIs {
		add(6, u.String())
	}
	for _, e := range cert.EmailAddresses {
		add(1, e)
	}
	return c, nil
}

func detailedKeyUsage(win int) model.DetailedKeyUsage {
	return model.DetailedKeyUsage{
		DigitalSignature: win&0x80 != 0, NonRepudiation: win&0x40 != 0, KeyEncipherment: win&0x20 != 0,
		DataEncipherment: win&0x10 != 0, KeyAgreement: win&0x08 != 0, KeyCertSign: win&0x04 != 0,
		CrlSign: win&0x02 != 0, EncipherOnly: win&0x01 != 0, DecipherOnly: win&0x8000 != 0,
		HexCode: fmt.Sprintf("%02x", win),
	}
}

// RevokeCertificates revokes certificates (or, with reason -1, 7 or 8,
// takes them off hold) at effective, and returns the ids it changed.
// Unknown ids are Invalid and nothing changes.
func (s *Store) RevokeCertificates(ctx context.Context, ids []int, reason int, comment *string, effective *time.Time) ([]int, error) {
	if len(ids) == 0 {
		return nil, model.Errorf(model.Invalid, "CertificateIds is required: the certificates to revoke.")
	}
	if !slices.Contains(model.RevocationReasons, reason) {
		return nil, model.Errorf(model.Invalid, "Reason %d is not a revocation reason; use -1 (remove from hold), 0 to 6, 7 (remove from CRL) or 999.", reason)
	}
	changed := []int{}
	err := s.writeTx(ctx, func(tx *Tx, now time.Time) error {
		changed = changed[:0]
		at := now
		if effective != nil && !effective.IsZero() {
			at = *effective
		}
		for _, id := range ids {
			ok, err := revokeOne(ctx, tx, id, reason, comment, at)
			if err != nil {
				return err
			}
			if ok {
				changed = append(changed, id)
			}
		}
		return nil
	})
	return changed, err
}

// revokeIn revokes a certificate (a fixture's) with reason at at.
func revokeIn(ctx context.Context, tx *Tx, id, reason int, comment *string, at time.Time) error {
	_, err := revokeOne(ctx, tx, id, reason, comment, at)
	return err
}

// revokeOne revokes one certificate, or takes it off hold, and reports
// whether it changed.
func revokeOne(ctx context.Context, tx *Tx, id, reason int, comment *string, at time.Time) (bool, error) {
	var doc []byte
	if err := tx.QueryRowContext(ctx, `SELECT doc FROM certificates WHERE id = ?`, id).Scan(&doc); err == sql.ErrNoRows {
		return false, model.Errorf(model.Invalid, "CertificateIds: certificate %d was not found.", id)
	} else if err != nil {
		return false, fmt.Errorf("load certificate %d: %w", id, err)
	}
	var c model.Certificate
	if err := json.Unmarshal(doc, &c); err != nil {
		return false, fmt.Errorf("stored certificate %d: %w", id, err)
	}
	onHold := c.CertState == model.CertStateRevoked && c.RevocationReason != nil && *c.RevocationReason == 6
	switch {
	case reason == -1 || reason == 7 || reason == 8:
		if !onHold {
			return false, model.Errorf(model.Invalid, "Certificate %d is not on hold; reason %d only releases a certificate revoked with reason 6 (certificate hold).", id, reason)
		}
		c.CertState, c.CertStateString, c.RevocationReason, c.RevocationEffDate, c.RevocationComment = model.CertStateActive, "Active", nil, nil, nil
	case c.CertState == model.CertStateRevoked && !onHold:
		return false, nil // already revoked for good
	default:
		r, t := reason, model.NewTime(at)
		c.CertState, c.CertStateString, c.RevocationReason, c.RevocationEffDate, c.RevocationComment = model.CertStateRevoked, "Revoked", &r, &t, comment
	}
	out, err := json.Marshal(c)
	if err != nil {
		return false, fmt.Errorf("encode certificate: %w", err)
	}
	var date *string
	if c.RevocationEffDate != nil {
		d := c.RevocationEffDate.String()
		date = &d
	}
	if _, err := tx.ExecContext(ctx, `UPDATE certificates SET cert_state = ?, revocation_date = ?, doc = ? WHERE id = ?`, c.CertState, date, string(out), id); err != nil {
		return false, fmt.Errorf("revoke certificate %d: %w", id, err)
	}
	return true, nil
}

// deleteCertificate deletes a certificate (NotFound when there is none)
// and unlinks the inventory entries that held it (they stay, as what the
// stores hold).
func deleteCertificate(ctx context.Context, tx *Tx, id int) error {
	res, err := tx.ExecContext(ctx, `DELETE FROM certificates WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete certificate %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return model.Errorf(model.NotFound, "Certificate %d was not found.", id)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE store_inventory SET cert_id = NULL WHERE cert_id = ?`, id); err != nil {
		return fmt.Errorf("unlink certificate %d: %w", id, err)
	}
	return nil
}

// DeleteCertificate deletes a certificate (and its private key).
func (s *Store) DeleteCertificate(ctx context.Context, id int) error {
	return s.writeTx(ctx, func(tx *Tx, _ time.Time) error { return deleteCertificate(ctx, tx, id) })
}
