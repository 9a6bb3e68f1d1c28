// Package pki is the mock's certificate authority: a root and the CAs
// under it, real keys and real X.509 certificates made with crypto/x509,
// and the checks Command's enrollment makes of a request (CSR signature,
// key type and size, SANs) against a template.
package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// Authority is a CA: its certificate and its signing key.
type Authority struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

// NewRoot makes a self-signed root CA named cn, valid for 20 years from
// now. Its key is ECDSA P-384: as strong as Command's usual RSA roots, and
// made in microseconds (an RSA key takes up to a second).
func NewRoot(cn, org string, now time.Time) (*Authority, error) {
	return newCA(cn, org, now, 20, nil)
}

// NewIssuing makes a CA named cn under parent, valid for 10 years (never
// past its parent). Its key is ECDSA P-256, which Go signs (and checks,
// as x509.CreateCertificate does after every signature) several times
// faster than P-384: it signs every enrollment.
func NewIssuing(cn, org string, parent *Authority, now time.Time) (*Authority, error) {
	return newCA(cn, org, now, 10, parent)
}

func newCA(cn, org string, now time.Time, years int, parent *Authority) (*Authority, error) {
	curve := elliptic.P384()
	if parent != nil {
		curve = elliptic.P256()
	}
	key, err := ecdsa.GenerateKey(curve, rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate key of %s: %w", cn, err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          newSerial(),
		Subject:               pkix.Name{CommonName: cn, Organization: []string{org}},
		NotBefore:             clamp(now.AddDate(-5, 0, 0)), // backdated: fixture certificates may be years old
		NotAfter:              clamp(now.AddDate(years, 0, 0)),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLen:            1,
	}
	signer, issuer := crypto.Signer(key), tmpl
	if parent != nil {
		signer, issuer = parent.Key, parent.Cert
		tmpl.MaxPathLen, tmpl.MaxPathLenZero = 0, true
		if tmpl.NotAfter.After(parent.Cert.NotAfter) {
			tmpl.NotAfter = parent.Cert.NotAfter
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, key.Public(), signer)
	if err != nil {
		return nil, fmt.Errorf("make certificate of %s: %w", cn, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("read certificate of %s: %w", cn, err)
	}
	return &Authority{Cert: cert, Key: key}, nil
}

// Certificate times X.509 can hold: RFC 5280's 99991231235959Z means no
// expiry, and nothing comes before year 1. The mock's clock may be set
// anywhere in between.
var (
	firstTime = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	lastTime  = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
)

func clamp(t time.Time) time.Time {
	t = t.UTC().Truncate(time.Second)
	switch {
	case t.Before(firstTime):
		return firstTime
	case t.After(lastTime):
		return lastTime
	}
	return t
}

// newSerial is a random 16-byte serial number (positive, high bit clear,
// so its DER form has no leading zero byte).
func newSerial() *big.Int {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[0] &= 0x7f
	b[0] |= 0x10
	return new(big.Int).SetBytes(b)
}

// Marshal returns the CA's certificate and key as PEM, to store.
func (a *Authority) Marshal() (certPEM, keyPEM []byte, err error) {
	key, err := x509.MarshalPKCS8PrivateKey(a.Key)
	if err != nil {
		return nil, nil, fmt.Errorf("encode key: %w", err)
	}
	return PEM(a.Cert), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key}), nil
}

// Load reads a CA stored by Marshal.
func Load(certPEM, keyPEM []byte) (*Authority, error) {
	cb, _ := pem.Decode(certPEM)
	kb, _ := pem.Decode(keyPEM)
	if cb == nil || kb == nil {
		return nil, errors.New("stored CA: not PEM")
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, fmt.Errorf("stored CA certificate: %w", err)
	}
	key, err := x509.ParsePKCS8PrivateKey(kb.Bytes)
	if err != nil {
		return nil, fmt.Errorf("stored CA key: %w", err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, errors.New("stored CA key cannot sign")
	}
	return &Authority{Cert: cert, Key: signer}, nil
}

// Check checks a CA given from outside: a CA certificate whose key is
// the one given, signed by parent (nil: self-signed).
func (a *Authority) Check(parent *Authority) error {
	if !a.Cert.IsCA {
		return errors.New("the certificate is not a CA certificate (basic constraints CA:TRUE)")
	}
	certKey, err := x509.MarshalPKIXPublicKey(a.Cert.PublicKey)
	if err != nil {
		return err
	}
	key, err := x509.MarshalPKIXPublicKey(a.Key.Public())
	if err != nil {
		return err
	}
	if string(certKey) != string(key) {
		return errors.New("the key is not the certificate's")
	}
	signer := a.Cert
	if parent != nil {
		signer = parent.Cert
	}
	if err := a.Cert.CheckSignatureFrom(signer); err != nil {
		return fmt.Errorf("the certificate is not signed by its parent: %v", err)
	}
	return nil
}

// PEM encodes a certificate.
func PEM(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

// Thumbprint is the certificate's SHA-1 thumbprint as Command shows it.
func Thumbprint(c *x509.Certificate) string {
	sum := sha1.Sum(c.Raw)
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// SerialHex is the serial number as Command shows it: its DER bytes in
// upper-case hex (serials this CA makes have no leading zero byte).
func SerialHex(c *x509.Certificate) string {
	b := c.SerialNumber.Bytes()
	if len(b) == 0 || b[0]&0x80 != 0 {
		b = append([]byte{0}, b...)
	}
	return strings.ToUpper(hex.EncodeToString(b))
}

// KeyInfo describes a public key as Command does: its type name (RSA,
// ECC), size in bits, and curve for ECC keys.
func KeyInfo(pub any) (keyType string, bits int, curve string, err error) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return "RSA", k.N.BitLen(), "", nil
	case *ecdsa.PublicKey:
		p := k.Curve.Params()
		return "ECC", p.BitSize, p.Name, nil
	}
	return "", 0, "", fmt.Errorf("the key is a %T; Command enrolls RSA and ECC keys", pub)
}
