package model

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// CertificateAuthority is a CA as GET /CertificateAuthority answers it.
// The mock's CAs are its own (local, not delegated); the scan and
// threshold members keep Command's defaults.
type CertificateAuthority struct {
	Id                     int
	LogicalName            string
	HostName               string
	Delegate               bool
	DelegateEnrollment     bool
	ForestRoot             *string
	ConfigurationTenant    *string
	Remote                 bool
	Agent                  *string
	Standalone             bool
	MonitorThresholds      bool
	IssuanceMax            *int
	IssuanceMin            *int
	DenialMax              *int
	FailureMax             *int
	RFCEnforcement         bool
	Properties             string // JSON text
	AllowedEnrollmentTypes int
	KeyRetention           int
	KeyRetentionDays       *int
	ExplicitCredentials    bool
	SubscriberTerms        bool
	ExplicitUser           *string
	ExplicitPassword       SecretPresence
	UseAllowedRequesters   bool
	AllowedRequesters      []string
	FullScan               *Schedule
	IncrementalScan        *Schedule
	ThresholdCheck         *Schedule
	CAType                 int
	AuthCertificate        *CAAuthCertificate
	EnforceUniqueDN        bool
	LastScan               *string
}

// CAAuthCertificate is the certificate a CA authenticates with.
type CAAuthCertificate struct {
	IssuedDN, IssuerDN, Thumbprint, ExpirationDate *string
}

// Config is the CA as enrollment requests name it: HostName\LogicalName.
func (c *CertificateAuthority) Config() string { return c.HostName + `\` + c.LogicalName }

// CAFixture is a CA of cas.json: its names, and the CA that signs it
// (none: a root). The mock makes its key and certificate once per
// database and keeps them across resets, unless the fixture gives its own
// (Certificate and Key, PEM): a test can then trust a CA it made.
type CAFixture struct {
	Id           int
	LogicalName  string
	HostName     string
	Organization string
	Parent       string // LogicalName of the signing CA; empty for a root
	Enrollment   bool   // issues end-entity certificates (AllowedEnrollmentTypes CSR and PFX)
	Certificate  string `json:",omitempty"` // PEM; with Key, used instead of a made one
	Key          string `json:",omitempty"` // PEM, PKCS#8
}

// Template is a certificate template as GET /Templates/{id} answers it.
type Template struct {
	Id                     int
	CommonName             string // the short name enrollment requests give as Template
	TemplateName           string
	Oid                    string
	KeySize                string
	KeyType                string
	ForestRoot             string
	ConfigurationTenant    string
	FriendlyName           string
	KeyRetention           string // None, Indefinite, AfterExpiration, FromIssuance
	KeyRetentionDays       int
	KeyArchival            bool
	EnrollmentFields       []EnrollmentField
	AllowedEnrollmentTypes int // bit flags: 1 PFX, 2 CSR, 4 CSR generation
	TemplateRegexes        []TemplateRegex
	UseAllowedRequesters   bool
	AllowedRequesters      []string
	DisplayName            string
	RequiresApproval       bool
	KeyUsage               int // Windows X509KeyUsageFlags
	ExtendedKeyUsages      []ExtendedKeyUsage
	MetadataFields         []TemplateMetadataField
	TemplateDefaults       []TemplateDefault
	TemplatePolicy         TemplatePolicy
	RFCEnforcement         bool
	Curve                  *string
}

// EnrollmentField is a custom enrollment field of a template.
type EnrollmentField struct {
	Id       int
	Name     string
	Options  []string
	DataType int
}

// TemplateRegex constrains a subject part of requests on a template.
type TemplateRegex struct {
	TemplateId  int
	SubjectPart string
	Regex       string
	Error       string
}

// ExtendedKeyUsage is an EKU by OID.
type ExtendedKeyUsage struct {
	Id          int
	Oid         string
	DisplayName string
}

// TemplateMetadataField is a template's rule for a metadata field.
type TemplateMetadataField struct {
	Id           int
	DefaultValue string
	MetadataId   int
	Validation   string
	Enrollment   int
	Message      string
}

// TemplateDefault is a subject part a template fills in.
type TemplateDefault struct {
	SubjectPart string
	Value       string
}

// TemplatePolicy is what keys and names a template accepts.
type TemplatePolicy struct {
	TemplateId       int
	RSAValidKeySizes []int
	ECCValidCurves   []string
	AllowKeyReuse    bool
	AllowWildcards   bool
	RFCEnforcement   bool
}

// TemplateFixture is a template of templates.json: the answer's members
// plus how long its certificates are valid, and which CAs issue them.
type TemplateFixture struct {
	Template
	ValidityDays int
	CAs          []string // LogicalNames; empty: every CA that enrolls
}

// Template keys: what key types and sizes a template's policy allows.
var (
	DefaultRSASizes = []int{2048, 3072, 4096}
	DefaultCurves   = []string{"P-256", "P-384", "P-521"}
)

// Normalize checks a template fixture and fills defaults.
func (t *TemplateFixture) Normalize() error {
	t.CommonName = strings.TrimSpace(t.CommonName)
	if t.CommonName == "" {
		return Errorf(Invalid, "CommonName is required: enrollment requests name the template by it.")
	}
	if t.TemplateName == "" {
		t.TemplateName = t.CommonName
	}
	if t.DisplayName == "" {
		t.DisplayName = t.TemplateName
	}
	if t.FriendlyName == "" {
		t.FriendlyName = t.DisplayName
	}
	if t.ValidityDays <= 0 {
		t.ValidityDays = 365
	}
	if t.ValidityDays > 3650 {
		return Errorf(Invalid, "ValidityDays %d is more than 10 years.", t.ValidityDays)
	}
	if t.AllowedEnrollmentTypes == 0 {
		t.AllowedEnrollmentTypes = 3
	}
	if t.KeyRetention == "" {
		t.KeyRetention = "None"
	}
	if t.KeyType == "" {
		t.KeyType = "RSA"
	}
	if t.KeySize == "" {
		t.KeySize = "2048"
	}
	if t.TemplatePolicy.RSAValidKeySizes == nil {
		t.TemplatePolicy.RSAValidKeySizes = DefaultRSASizes
	}
	if t.TemplatePolicy.ECCValidCurves == nil {
		t.TemplatePolicy.ECCValidCurves = DefaultCurves
	}
	for _, l := range []*[]EnrollmentField{&t.EnrollmentFields} {
		if *l == nil {
			*l = []EnrollmentField{}
		}
	}
	if t.TemplateRegexes == nil {
		t.TemplateRegexes = []TemplateRegex{}
	}
	if t.AllowedRequesters == nil {
		t.AllowedRequesters = []string{}
	}
	if t.ExtendedKeyUsages == nil {
		t.ExtendedKeyUsages = []ExtendedKeyUsage{}
	}
	if t.MetadataFields == nil {
		t.MetadataFields = []TemplateMetadataField{}
	}
	if t.TemplateDefaults == nil {
		t.TemplateDefaults = []TemplateDefault{}
	}
	for i, r := range t.TemplateRegexes {
		if r.SubjectPart == "" || r.Regex == "" {
			return Errorf(Invalid, "TemplateRegexes[%d] needs a SubjectPart and a Regex.", i)
		}
	}
	return nil
}

// SetID gives the template its id, and its policy and regexes the
// TemplateId.
func (t *Template) SetID(id int) {
	t.Id = id
	t.TemplatePolicy.TemplateId = id
	for i := range t.TemplateRegexes {
		t.TemplateRegexes[i].TemplateId = id
	}
}

// Certificate states (CertState) and their names.
const (
	CertStateActive  = 1
	CertStateRevoked = 2
)

// CertStateNames names the certificate states for the query language.
var CertStateNames = map[string]int64{
	"Unknown": 0, "Active": 1, "Revoked": 2, "Denied": 3, "Failed": 4, "Pending": 5,
	"CertificateAuthority": 6, "ParentCertificateAuthority": 7, "ExternalValidation": 8,
}

// CertStateName is the display name of a state.
func CertStateName(state int) string {
	for n, v := range CertStateNames {
		if int(v) == state {
			return n
		}
	}
	return fmt.Sprint(state)
}

// KeyTypeNames numbers the key types (KeyType).
var KeyTypeNames = map[string]int64{"Unknown": 0, "RSA": 1, "DSA": 2, "ECC": 3, "DH": 4}

// Certificate is a certificate as GET /Certificates and
// /Certificates/{id} answer it.
type Certificate struct {
	Id                       int
	Thumbprint               string
	SerialNumber             string
	IssuedDN                 *string
	IssuedCN                 *string
	IssuedOU                 *string
	IssuedEmail              *string
	ImportDate               Time
	NotBefore                Time
	NotAfter                 Time
	IssuerDN                 *string
	PrincipalId              *int
	PrincipalName            *string
	TemplateId               *int
	TemplateName             *string
	CertState                int
	CertStateString          string
	KeySizeInBits            int
	KeyType                  int
	KeyTypeString            string
	Curve                    *string
	KeyUsage                 int
	DetailedKeyUsage         DetailedKeyUsage
	ExtendedKeyUsages        []ExtendedKeyUsage
	SigningAlgorithm         string
	RequesterId              int
	RequesterName            *string
	RevocationEffDate        *Time
	RevocationReason         *int
	RevocationComment        *string
	CertificateAuthorityId   *int
	CertificateAuthorityName *string
	ArchivedKey              bool
	HasPrivateKey            bool
	KeyRecoverable           bool
	CertRequestId            *int
	ContentBytes             string // base64 DER
	SubjectAltNameElements   []SubjectAltName
	CRLDistributionPoints    []CRLDistributionPoint
	LocationsCount           []LocationCount
	SSLLocations             []any
	Locations                []CertificateLocation
	Metadata                 map[string]string
	CertificateKeyId         int
	CARowIndex               int64
	CARecordId               *string
}

// DetailedKeyUsage is a key usage mask spelt out.
type DetailedKeyUsage struct {
	CrlSign, DataEncipherment, DecipherOnly, DigitalSignature, EncipherOnly bool
	KeyAgreement, KeyCertSign, KeyEncipherment, NonRepudiation              bool
	HexCode                                                                 string
}

// SubjectAltName is one SAN of a certificate.
type SubjectAltName struct {
	Id        int
	Value     string
	Type      int
	ValueHash string
}

// CRLDistributionPoint is where a certificate's CRL is published.
type CRLDistributionPoint struct {
	Id      int
	Url     string
	UrlHash string
}

// LocationCount is how many stores of a type hold a certificate.
type LocationCount struct {
	Type  string
	Count int
}

// CertificateLocation is a store entry holding a certificate.
type CertificateLocation struct {
	StoreMachine string
	StorePath    string
	StoreType    int
	Alias        string
	ChainLevel   int
	CertStoreId  string
}

// CSREnrollmentResponse is the answer of POST /Enrollment/CSR.
type CSREnrollmentResponse struct {
	CertificateInformation CSRCertificateInformation
	Metadata               map[string]string
}

// CSRCertificateInformation is the issued certificate of a CSR enrollment.
// KeyfactorID is spelt with a capital D here, as in Command.
type CSRCertificateInformation struct {
	SerialNumber       string
	IssuerDN           *string
	Thumbprint         string
	KeyfactorID        int
	KeyfactorRequestId int
	Certificates       []string
	RequestDisposition string
	DispositionMessage string
	EnrollmentContext  map[string]string
}

// RevokeResponse is the answer of POST /Certificates/Revoke.
type RevokeResponse struct {
	RevokedIds     []int
	SuspendedCerts []any
}

// Revocation reasons Command accepts: -1 remove from hold, 0 unspecified,
// 1 key compromise, 2 CA compromise, 3 affiliation changed, 4 superseded,
// 5 cessation of operation, 6 certificate hold, 7 (and 8, RFC 5280's
// number) remove from CRL, 999 unknown.
var RevocationReasons = []int{-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 999}

// MetadataField is a certificate metadata field as GET /MetadataFields
// answers it. DataType: 1 String, 2 Integer, 3 Date, 4 Boolean,
// 5 MultipleChoice, 6 BigText, 7 Email; Enrollment: 0 Optional,
// 1 Required, 2 Hidden.
type MetadataField struct {
	Id           int
	Name         string
	Description  string
	DataType     int
	Hint         *string
	Validation   *string
	Enrollment   int
	Message      *string
	Options      *string
	DefaultValue *string
	DisplayOrder int
}

// MetadataDataTypes names the metadata data types for messages.
var MetadataDataTypes = map[int]string{1: "String", 2: "Integer", 3: "Date", 4: "Boolean", 5: "MultipleChoice", 6: "BigText", 7: "Email"}

// Normalize checks a metadata field as created.
func (m *MetadataField) Normalize() error {
	m.Name = strings.TrimSpace(m.Name)
	switch {
	case m.Name == "" || len(m.Name) > 256:
		return Errorf(Invalid, "Name is required (at most 256 characters).")
	case strings.ContainsAny(m.Name, " \t\"'"):
		return Errorf(Invalid, "Name %q must not contain spaces or quotes: queries name the field.", m.Name)
	case len(m.Description) > 1024:
		return Errorf(Invalid, "Description is longer than 1024 characters.")
	case MetadataDataTypes[m.DataType] == "":
		return Errorf(Invalid, "DataType %d is not valid; use 1 (String), 2 (Integer), 3 (Date), 4 (Boolean), 5 (MultipleChoice), 6 (BigText) or 7 (Email).", m.DataType)
	case m.Enrollment < 0 || m.Enrollment > 2:
		return Errorf(Invalid, "Enrollment %d is not valid; use 0 (Optional), 1 (Required) or 2 (Hidden).", m.Enrollment)
	case m.DataType == 5 && strings.TrimSpace(Deref(m.Options)) == "":
		return Errorf(Invalid, "Options is required for a MultipleChoice field: its choices, comma-separated.")
	}
	if m.Validation != nil && *m.Validation != "" {
		if _, err := regexp.Compile(*m.Validation); err != nil {
			return Errorf(Invalid, "Validation %q is not a regular expression.", *m.Validation)
		}
	}
	return nil
}

// Check checks a value of the field: its data type, choices and
// validation pattern. It returns the value as stored.
func (m *MetadataField) Check(v string) (string, error) {
	bad := func(what string) error {
		msg := Deref(m.Message)
		if msg == "" {
			msg = fmt.Sprintf("it must be %s", what)
		}
		return Errorf(Invalid, "Metadata %q: %q is not valid: %s.", m.Name, v, msg)
	}
	switch m.DataType {
	case 2:
		if _, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err != nil {
			return "", bad("a whole number")
		}
	case 3:
		if _, err := ParseTime(v); err != nil {
			return "", bad("a date")
		}
	case 4:
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			return "", bad("true or false")
		}
		v = map[bool]string{true: "True", false: "False"}[b]
	case 5:
		choices := strings.Split(Deref(m.Options), ",")
		ok := false
		for _, c := range choices {
			ok = ok || strings.TrimSpace(c) == v
		}
		if !ok {
			return "", bad("one of " + Deref(m.Options))
		}
	case 7:
		if at := strings.IndexByte(v, '@'); at <= 0 || at == len(v)-1 {
			return "", bad("an e-mail address")
		}
	}
	if p := Deref(m.Validation); p != "" {
		if re, err := regexp.Compile(p); err == nil && !re.MatchString(v) {
			return "", bad("a value matching " + p)
		}
	}
	return v, nil
}

// CertificateLocations is the answer of GET /Certificates/Locations/{id}:
// the stores holding a certificate, by store type.
type CertificateLocations struct {
	Details []LocationGroup
}

// LocationGroup is the stores of one type holding a certificate.
type LocationGroup struct {
	StoreType   string
	StoreTypeId int
	StoreCount  int
	Locations   []StoreLocation
}

// StoreLocation is a store entry holding a certificate. The SSL members
// (IPAddress, Port, NetworkName, AgentPool) apply to SSL endpoints, which
// the mock does not scan.
type StoreLocation struct {
	StoreId       string
	StoreTypeId   int
	ClientMachine string
	StorePath     string
	AgentPool     *string
	Alias         string
	IPAddress     *string
	Port          *int
	NetworkName   *string
}

// PFXEnrollmentResponse is the answer of POST /Enrollment/PFX. KeyfactorId
// is spelt with a lower-case d here, as in Command; API version 2 adds
// SuccessfulStores.
type PFXEnrollmentResponse struct {
	SuccessfulStores       []string `json:",omitempty"`
	CertificateInformation PFXCertificateInformation
	Metadata               map[string]string
}

// PFXCertificateInformation is the issued certificate of a PFX enrollment.
type PFXCertificateInformation struct {
	SerialNumber              string
	IssuerDN                  *string
	Thumbprint                string
	KeyfactorId               int
	Pkcs12Blob                string // base64 PKCS#12 under Password
	Password                  *string
	WorkflowInstanceId        *string
	WorkflowReferenceId       *int
	StoreIdsInvalidForRenewal []string
	KeyfactorRequestId        int
	RequestDisposition        string
	DispositionMessage        string
	EnrollmentContext         map[string]string
}

// CertificateFixture is a certificate of certificates.json: the mock's CA
// issues it at every seed from these facts, so its dates follow the clock.
type CertificateFixture struct {
	Subject       string // X.500, as PFX enrollment takes it
	Template      string
	CA            string // LogicalName; empty: the first CA that issues on the template
	SANs          map[string][]string
	IssuedDaysAgo int // backdate the issue, to make certificates that expire soon (or have expired)
	Metadata      map[string]string
	PrivateKey    bool // the mock keeps its key (as a PFX enrollment does)
	Revoked       *CertificateRevocation
	Deployed      []CertificateDeployment
}

// CertificateRevocation revokes a fixture certificate.
type CertificateRevocation struct {
	Reason  int
	Comment string
}

// CertificateDeployment puts a fixture certificate in a store (found by
// machine and path) under an alias, as if an inventory had reported it.
type CertificateDeployment struct {
	ClientMachine string
	StorePath     string
	Alias         string
}

// EnrollmentContext is the answer of GET /Enrollment/CSR/Context/My and
// /PFX/Context/My: the templates the caller may enroll on, each with its
// CAs, and the standalone CAs.
type EnrollmentContext struct {
	Templates     []ContextTemplate
	StandaloneCAs []ContextCA
}

// ContextTemplate is a template of an enrollment context.
type ContextTemplate struct {
	Id                int
	Name              string
	DisplayName       string
	Forest            string
	KeySize           string
	KeyType           string
	RequiresApproval  bool
	RFCEnforcement    bool
	CAs               []ContextCA
	EnrollmentFields  []EnrollmentField
	MetadataFields    []TemplateMetadataField
	Regexes           []TemplateRegex
	ExtendedKeyUsages []ExtendedKeyUsage
	Curve             *string
}

// ContextCA is a CA of an enrollment context, named HostName\LogicalName.
type ContextCA struct {
	Name            string
	RFCEnforcement  bool
	SubscriberTerms bool
}
