package model

import (
	"bytes"
	"crypto/sha1"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"reflect"
	"strings"
	"time"
)

// InventoryEntry is one entry of a certificate store's inventory as
// Command answers GET /CertificateStores/{id}/Inventory: Name is the
// entry's alias in the store.
type InventoryEntry struct {
	Name         string
	Certificates []InventoryCertificate
	Parameters   map[string]any
}

// InventoryCertificate is a certificate of an inventory entry. Id is the
// certificate's id in Command's certificate repository: 0 while the mock
// has none.
type InventoryCertificate struct {
	Id                       int
	IssuedDN                 *string
	SerialNumber             string
	NotBefore                string
	NotAfter                 string
	SigningAlgorithm         string
	IssuerDN                 *string
	Thumbprint               string
	CertStoreInventoryItemId int
	Metadata                 map[string]any
}

// ObservedEntry is an entry an orchestrator sees in a store on its
// machine, as a test sets it through /_mock: what the store's next
// inventory job reports. Certificates are PEM text or described by their
// members.
type ObservedEntry struct {
	Alias        string
	Certificates []ObservedCertificate
	Parameters   map[string]any
}

// ObservedCertificate is a certificate of an observed entry: parsed from
// PEM, or given member by member (a Thumbprint at least).
type ObservedCertificate struct {
	PEM              string `json:",omitempty"`
	Thumbprint       string
	SerialNumber     string
	IssuedDN         *string
	IssuerDN         *string
	NotBefore        string
	NotAfter         string
	SigningAlgorithm string
}

// UnmarshalJSON accepts a PEM string or an object of the members.
func (c *ObservedCertificate) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*c = ObservedCertificate{PEM: s}
		return nil
	}
	type plain ObservedCertificate
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		if _, ok := err.(*json.UnmarshalTypeError); ok {
			return err
		}
		return typeError(b, reflect.TypeFor[string]())
	}
	*c = ObservedCertificate(p)
	return nil
}

// signingAlgorithms names signature algorithms as Command shows them.
var signingAlgorithms = map[x509.SignatureAlgorithm]string{
	x509.SHA1WithRSA: "sha1RSA", x509.SHA256WithRSA: "sha256RSA", x509.SHA384WithRSA: "sha384RSA", x509.SHA512WithRSA: "sha512RSA",
	x509.SHA256WithRSAPSS: "RSASSA-PSS", x509.SHA384WithRSAPSS: "RSASSA-PSS", x509.SHA512WithRSAPSS: "RSASSA-PSS",
	x509.ECDSAWithSHA1: "sha1ECDSA", x509.ECDSAWithSHA256: "sha256ECDSA", x509.ECDSAWithSHA384: "sha384ECDSA", x509.ECDSAWithSHA512: "sha512ECDSA",
	x509.PureEd25519: "Ed25519",
}

// Normalize checks an observed entry (named member in messages) and fills
// each certificate's members from its PEM.
func (e *ObservedEntry) Normalize(member string) error {
	e.Alias = strings.TrimSpace(e.Alias)
	if e.Alias == "" {
		return Errorf(Invalid, "%s.Alias is required: it is the entry's name in the store.", member)
	}
	if e.Parameters == nil {
		e.Parameters = map[string]any{}
	}
	if e.Certificates == nil {
		e.Certificates = []ObservedCertificate{}
	}
	for i := range e.Certificates {
		c := &e.Certificates[i]
		where := fmt.Sprintf("%s.Certificates[%d]", member, i)
		if c.PEM != "" {
			if err := c.fromPEM(where); err != nil {
				return err
			}
			continue
		}
		c.Thumbprint = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(c.Thumbprint), ":", ""))
		if _, err := hex.DecodeString(c.Thumbprint); err != nil || len(c.Thumbprint) != 40 {
			return Errorf(Invalid, "%s: give PEM text, or a Thumbprint of 40 hexadecimal digits (SHA-1).", where)
		}
		for _, t := range []*string{&c.NotBefore, &c.NotAfter} {
			if *t == "" {
				continue
			}
			parsed, err := ParseTime(*t)
			if err != nil {
				return Errorf(Invalid, "%s: %q is not a date and time.", where, *t)
			}
			*t = NewTime(parsed).String()
		}
	}
	return nil
}

func (c *ObservedCertificate) fromPEM(where string) error {
	block, _ := pem.Decode([]byte(c.PEM))
	if block == nil || block.Type != "CERTIFICATE" {
		return Errorf(Invalid, "%s is not a PEM certificate (-----BEGIN CERTIFICATE-----).", where)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return Errorf(Invalid, "%s: the PEM block does not hold a certificate that parses (%s).", where, strings.TrimPrefix(err.Error(), "x509: "))
	}
	sum := sha1.Sum(cert.Raw)
	subject, issuer := cert.Subject.String(), cert.Issuer.String()
	alg := signingAlgorithms[cert.SignatureAlgorithm]
	if alg == "" {
		alg = cert.SignatureAlgorithm.String()
	}
	*c = ObservedCertificate{
		PEM:              string(pem.EncodeToMemory(block)),
		Thumbprint:       strings.ToUpper(hex.EncodeToString(sum[:])),
		SerialNumber:     serialHex(cert),
		IssuedDN:         &subject,
		IssuerDN:         &issuer,
		NotBefore:        NewTime(cert.NotBefore).String(),
		NotAfter:         NewTime(cert.NotAfter).String(),
		SigningAlgorithm: alg,
	}
	return nil
}

// serialHex is the certificate's serial number as Command (.NET) shows it:
// the bytes of its DER integer in upper-case hex, leading zero bytes kept
// (09D7…, or 00A1… for a serial whose high bit is set).
func serialHex(cert *x509.Certificate) string {
	var tbs struct {
		Version asn1.RawValue `asn1:"optional,explicit,tag:0"`
		Serial  asn1.RawValue
	}
	if _, err := asn1.Unmarshal(cert.RawTBSCertificate, &tbs); err == nil && tbs.Serial.Tag == asn1.TagInteger && len(tbs.Serial.Bytes) > 0 {
		return strings.ToUpper(hex.EncodeToString(tbs.Serial.Bytes))
	}
	b := cert.SerialNumber.Bytes()
	if len(b) == 0 || b[0]&0x80 != 0 {
		b = append([]byte{0}, b...)
	}
	return strings.ToUpper(hex.EncodeToString(b))
}

// Inventory is the entry as an inventory job reports it to Command, each
// certificate numbered from firstItem.
func (e *ObservedEntry) Inventory(firstItem int) InventoryEntry {
	out := InventoryEntry{Name: e.Alias, Parameters: e.Parameters, Certificates: make([]InventoryCertificate, len(e.Certificates))}
	if out.Parameters == nil {
		out.Parameters = map[string]any{}
	}
	for i, c := range e.Certificates {
		out.Certificates[i] = InventoryCertificate{
			IssuedDN: c.IssuedDN, SerialNumber: c.SerialNumber, NotBefore: c.NotBefore, NotAfter: c.NotAfter,
			SigningAlgorithm: c.SigningAlgorithm, IssuerDN: c.IssuerDN, Thumbprint: c.Thumbprint,
			CertStoreInventoryItemId: firstItem, Metadata: map[string]any{},
		}
	}
	return out
}

// DiscoverySpec is what an orchestrator would find when it runs a
// discovery job: store paths of a type on a machine, set by a test
// through /_mock.
type DiscoverySpec struct {
	AgentId       string
	CertStoreType int
	ClientMachine string
	StorePaths    []string
}

// DiscoveryFilter is what a discovery job searches: directories (comma
// separated prefixes; empty: everywhere), minus ignored ones.
type DiscoveryFilter struct {
	Dirs, IgnoredDirs string
}

// Finds reports whether a discovery job with filter f finds path.
func (f DiscoveryFilter) Finds(path string) bool {
	under := func(list string) (bool, bool) {
		any := false
		for _, d := range strings.Split(list, ",") {
			d = strings.TrimSpace(d)
			if d == "" {
				continue
			}
			any = true
			if d == "/" || strings.HasPrefix(strings.ToLower(path), strings.ToLower(d)) {
				return true, true
			}
		}
		return false, any
	}
	if in, any := under(f.Dirs); any && !in {
		return false
	}
	ignored, _ := under(f.IgnoredDirs)
	return !ignored
}

// DiscoveryTime is when a discovery job requested with ts runs: at ts,
// or at once.
func DiscoveryTime(ts *Time) Schedule {
	if ts == nil || ts.IsZero() {
		return ImmediateSchedule()
	}
	return Schedule{ExactlyOnce: &TimeModel{Time: NewTime(ts.Time.UTC().Truncate(time.Second))}}
}
