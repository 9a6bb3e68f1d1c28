package pki

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"
)

func csrDER(t testing.TB, key any) []byte {
	t.Helper()
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "a.example.com"}, DNSNames: []string{"a.example.com"}}, key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// FuzzParseCSR: whatever the text, ParseCSR returns a checked CSR or an
// ErrCSR, never a panic; a CSR it accepts verifies.
func FuzzParseCSR(f *testing.F) {
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der := csrDER(f, ec)
	f.Add(string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})))
	f.Add(base64.StdEncoding.EncodeToString(der))
	f.Add(string(pem.EncodeToMemory(&pem.Block{Type: "NEW CERTIFICATE REQUEST", Bytes: der[:len(der)-3]})))
	f.Add("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----")
	f.Add("")
	f.Fuzz(func(t *testing.T, text string) {
		csr, err := ParseCSR(text)
		if err != nil {
			if !errors.Is(err, ErrCSR) {
				t.Fatalf("ParseCSR(%q) = %v, not an ErrCSR", text, err)
			}
			return
		}
		if csr.CheckSignature() != nil {
			t.Fatalf("ParseCSR(%q) accepted a CSR whose signature does not verify", text)
		}
	})
}

// TestIssue_ChainsAndClamps: a certificate from an issuing CA chains to
// the root, carries the SANs, key usage and EKUs asked for, and, near the
// end of time, ends at X.509's last instant instead of failing.
func TestIssue_ChainsAndClamps(t *testing.T) {
	for _, now := range []time.Time{time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)} {
		root, err := NewRoot("Root", "Org", now)
		if err != nil {
			t.Fatal(err)
		}
		issuing, err := NewIssuing("Issuing", "Org", root, now)
		if err != nil {
			t.Fatal(err)
		}
		key, _ := rsa.GenerateKey(rand.Reader, 2048)
		cert, err := issuing.Issue(Request{PublicKey: &key.PublicKey, Subject: pkix.Name{CommonName: "web"}, DNSNames: []string{"web.example.com"},
			Validity: 90 * 24 * time.Hour, KeyUsage: 0xa0, EKUs: []string{"1.3.6.1.5.5.7.3.1", "1.2.3.4.5"}}, now)
		if err != nil {
			t.Fatalf("at %v: %v", now, err)
		}
		roots, inter := x509.NewCertPool(), x509.NewCertPool()
		roots.AddCert(root.Cert)
		inter.AddCert(issuing.Cert)
		if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, DNSName: "web.example.com", CurrentTime: now}); err != nil {
			t.Errorf("at %v: %v", now, err)
		}
		if cert.KeyUsage != x509.KeyUsageDigitalSignature|x509.KeyUsageKeyEncipherment || WindowsKeyUsage(cert.KeyUsage) != 0xa0 {
			t.Errorf("key usage %v", cert.KeyUsage)
		}
		if got := strings.Join(EKUOIDs(cert), " "); got != "1.3.6.1.5.5.7.3.1 1.2.3.4.5" {
			t.Errorf("EKUs %s", got)
		}
		if cert.NotAfter.After(issuing.Cert.NotAfter) {
			t.Errorf("the certificate outlives its CA: %v > %v", cert.NotAfter, issuing.Cert.NotAfter)
		}
		c, k, err := issuing.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		a, err := Load(c, k)
		if err != nil || !a.Cert.Equal(issuing.Cert) {
			t.Errorf("Load(Marshal()) = %v", err)
		}
	}
}
