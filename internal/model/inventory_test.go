package model

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"testing"
	"time"
)

// TestObservedEntry_SerialAsCommandShowsIt: the serial keeps its leading
// zero bytes, as .NET (and so Command) shows the DER integer.
func TestObservedEntry_SerialAsCommandShowsIt(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for serial, want := range map[string]string{"09D78D": "09D78D", "A1B2": "00A1B2", "2A": "2A", "0100": "0100"} {
		n, _ := new(big.Int).SetString(serial, 16)
		tmpl := &x509.Certificate{SerialNumber: n, Subject: pkix.Name{CommonName: "s"},
			NotBefore: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			t.Fatal(err)
		}
		e := ObservedEntry{Alias: "a", Certificates: []ObservedCertificate{{PEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))}}}
		if err := e.Normalize("[0]"); err != nil {
			t.Fatal(err)
		}
		if got := e.Certificates[0].SerialNumber; got != want {
			t.Errorf("serial %s shown as %s, want %s", serial, got, want)
		}
	}
}
