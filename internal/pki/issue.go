package pki

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
)

// Request is what a certificate is issued with: the subject and key (from
// a CSR, or made by the mock), the SANs, and the template's rules.
type Request struct {
	PublicKey any
	Subject   pkix.Name
	DNSNames  []string
	IPs       []net.IP
	URIs      []*url.URL
	Emails    []string
	Validity  time.Duration
	KeyUsage  int      // Windows X509KeyUsageFlags, as templates give it
	EKUs      []string // OIDs
}

// Issue signs a certificate for r with ca, valid from now (backdated five
// minutes, as CAs do for clock skew) and never past the CA's own expiry.
func (ca *Authority) Issue(r Request, now time.Time) (*x509.Certificate, error) {
	if now.Before(ca.Cert.NotBefore) || now.After(ca.Cert.NotAfter) {
		return nil, &OutOfValidityError{CA: ca.Cert.Subject.CommonName, From: ca.Cert.NotBefore, To: ca.Cert.NotAfter, At: now}
	}
	tmpl := &x509.Certificate{
		SerialNumber:          newSerial(),
		Subject:               r.Subject,
		NotBefore:             clamp(now.Add(-5 * time.Minute)),
		NotAfter:              clamp(now.Add(r.Validity)),
		DNSNames:              r.DNSNames,
		IPAddresses:           r.IPs,
		URIs:                  r.URIs,
		EmailAddresses:        r.Emails,
		KeyUsage:              keyUsage(r.KeyUsage),
		BasicConstraintsValid: true,
	}
	if tmpl.NotAfter.After(ca.Cert.NotAfter) {
		tmpl.NotAfter = ca.Cert.NotAfter
	}
	if tmpl.NotBefore.Before(ca.Cert.NotBefore) {
		tmpl.NotBefore = ca.Cert.NotBefore
	}
	for _, oid := range r.EKUs {
		id, err := parseOID(oid)
		if err != nil {
			return nil, err
		}
		if eku, ok := knownEKUs[oid]; ok {
			tmpl.ExtKeyUsage = append(tmpl.ExtKeyUsage, eku)
		} else {
			tmpl.UnknownExtKeyUsage = append(tmpl.UnknownExtKeyUsage, id)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, r.PublicKey, ca.Key)
	if err != nil {
		return nil, fmt.Errorf("sign certificate: %w", err)
	}
	return x509.ParseCertificate(der)
}

// OutOfValidityError says a CA cannot sign at the time asked: before or
// after its own validity.
type OutOfValidityError struct {
	CA       string
	From, To time.Time
	At       time.Time
}

func (e *OutOfValidityError) Error() string {
	return fmt.Sprintf("certificate authority %s is valid from %s to %s, not at %s", e.CA,
		e.From.UTC().Format(time.RFC3339), e.To.UTC().Format(time.RFC3339), e.At.UTC().Format(time.RFC3339))
}

// Windows key usage flags (X509KeyUsageFlags), which Command's templates
// and certificates carry, and their crypto/x509 equivalents.
var keyUsageFlags = []struct {
	win int
	x   x509.KeyUsage
}{
	{0x80, x509.KeyUsageDigitalSignature}, {0x40, x509.KeyUsageContentCommitment}, {0x20, x509.KeyUsageKeyEncipherment},
	{0x10, x509.KeyUsageDataEncipherment}, {0x08, x509.KeyUsageKeyAgreement}, {0x04, x509.KeyUsageCertSign},
	{0x02, x509.KeyUsageCRLSign}, {0x01, x509.KeyUsageEncipherOnly}, {0x8000, x509.KeyUsageDecipherOnly},
}

func keyUsage(win int) x509.KeyUsage {
	var ku x509.KeyUsage
	for _, f := range keyUsageFlags {
		if win&f.win != 0 {
			ku |= f.x
		}
	}
	return ku
}

// WindowsKeyUsage is a certificate's key usage as Command's KeyUsage
// member holds it.
func WindowsKeyUsage(ku x509.KeyUsage) int {
	win := 0
	for _, f := range keyUsageFlags {
		if ku&f.x != 0 {
			win |= f.win
		}
	}
	return win
}

// knownEKUs are the EKU OIDs crypto/x509 names.
var knownEKUs = map[string]x509.ExtKeyUsage{
	"1.3.6.1.5.5.7.3.1": x509.ExtKeyUsageServerAuth, "1.3.6.1.5.5.7.3.2": x509.ExtKeyUsageClientAuth,
	"1.3.6.1.5.5.7.3.3": x509.ExtKeyUsageCodeSigning, "1.3.6.1.5.5.7.3.4": x509.ExtKeyUsageEmailProtection,
	"1.3.6.1.5.5.7.3.8": x509.ExtKeyUsageTimeStamping, "1.3.6.1.5.5.7.3.9": x509.ExtKeyUsageOCSPSigning,
}

// EKUOIDs lists a certificate's EKUs as OIDs.
func EKUOIDs(c *x509.Certificate) []string {
	var out []string
	for _, e := range c.ExtKeyUsage {
		for oid, k := range knownEKUs {
			if k == e {
				out = append(out, oid)
			}
		}
	}
	for _, id := range c.UnknownExtKeyUsage {
		out = append(out, id.String())
	}
	return out
}

func parseOID(s string) (asn1.ObjectIdentifier, error) {
	var id asn1.ObjectIdentifier
	for _, part := range strings.Split(s, ".") {
		var n int
		if _, err := fmt.Sscan(part, &n); err != nil || n < 0 {
			return nil, fmt.Errorf("%q is not an OID", s)
		}
		id = append(id, n)
	}
	if len(id) < 2 {
		return nil, fmt.Errorf("%q is not an OID", s)
	}
	return id, nil
}

// ErrCSR is the error ParseCSR wraps: the CSR text is wrong.
var ErrCSR = errors.New("bad CSR")

// ParseCSR reads a CSR as clients send it: PEM (with its BEGIN and END
// lines; cert-manager and Terraform) or base64 of the DER (Command's
// documentation), and checks its signature, so a tampered request is
// refused.
func ParseCSR(text string) (*x509.CertificateRequest, error) {
	text = strings.TrimSpace(text)
	var der []byte
	if block, _ := pem.Decode([]byte(text)); block != nil {
		if block.Type != "CERTIFICATE REQUEST" && block.Type != "NEW CERTIFICATE REQUEST" {
			return nil, fmt.Errorf("%w: the PEM block is a %q, not a CERTIFICATE REQUEST", ErrCSR, block.Type)
		}
		der = block.Bytes
	} else {
		clean := strings.Map(func(r rune) rune {
			if r == '\r' || r == '\n' || r == ' ' || r == '\t' {
				return -1
			}
			return r
		}, text)
		b, err := base64.StdEncoding.DecodeString(clean)
		if err != nil {
			return nil, fmt.Errorf("%w: it is neither PEM nor base64", ErrCSR)
		}
		der = b
	}
	csr, err := x509.ParseCertificateRequest(der)
	if err != nil {
		return nil, fmt.Errorf("%w: it does not parse as PKCS#10 (%s)", ErrCSR, strings.TrimPrefix(err.Error(), "x509: "))
	}
	if err := csr.CheckSignature(); err != nil {
		return nil, fmt.Errorf("%w: its signature does not verify; it was altered after it was signed, or signed with another key", ErrCSR)
	}
	return csr, nil
}

// ParseSubject reads an X.500 subject as PFX enrollment requests give it:
// "CN=web01,OU=IT,O=Example,L=Town,ST=State,C=US" (commas inside a value
// escaped with a backslash, or the value quoted).
func ParseSubject(s string) (pkix.Name, error) {
	var n pkix.Name
	var parts []string
	var cur strings.Builder
	quoted, escaped := false, false
	for _, r := range s {
		switch {
		case escaped:
			cur.WriteRune(r)
			escaped = false
		case r == '\\':
			escaped = true
		case r == '"':
			quoted = !quoted
		case (r == ',' || r == ';') && !quoted:
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteRune(r)
		}
	}
	parts = append(parts, cur.String())
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		k, v, ok := strings.Cut(p, "=")
		k, v = strings.ToUpper(strings.TrimSpace(k)), strings.TrimSpace(v)
		if !ok || v == "" {
			return pkix.Name{}, fmt.Errorf("%q is not a KEY=value part", p)
		}
		switch k {
		case "CN":
			n.CommonName = v
		case "O":
			n.Organization = append(n.Organization, v)
		case "OU":
			n.OrganizationalUnit = append(n.OrganizationalUnit, v)
		case "L":
			n.Locality = append(n.Locality, v)
		case "ST", "S":
			n.Province = append(n.Province, v)
		case "C":
			if len(v) != 2 {
				return pkix.Name{}, fmt.Errorf("C=%s is not a two-letter country code", v)
			}
			n.Country = append(n.Country, strings.ToUpper(v))
		case "E", "EMAIL":
			n.ExtraNames = append(n.ExtraNames, pkix.AttributeTypeAndValue{Type: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}, Value: v})
		default:
			return pkix.Name{}, fmt.Errorf("%s is not a subject part; use CN, O, OU, L, ST, C or E", k)
		}
	}
	if n.CommonName == "" {
		return pkix.Name{}, fmt.Errorf("a CN is required")
	}
	return n, nil
}
