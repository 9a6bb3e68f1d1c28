package store_test

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"testing"

	"github.com/mockcommand/mockcommand/internal/model"
	"github.com/mockcommand/mockcommand/internal/pki"
)

// TestCAs_GivenRootRemakesTheCAsUnder: the CAs are kept across resets;
// when the fixtures then give a root of their own, the issuing CA under
// the old root is made again under the new one, so what it issues chains
// to the root the mock now serves.
func TestCAs_GivenRootRemakesTheCAsUnder(t *testing.T) {
	st := mustOpenStore(t)
	ctx := context.Background()
	cas := []model.CAFixture{{LogicalName: "ROOT", HostName: "h"}, {LogicalName: "ISSUING", HostName: "h", Parent: "ROOT", Enrollment: true}}
	mustReset(t, st, model.Fixtures{CAs: cas})
	first, err := st.RootCertificates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mustReset(t, st, model.Fixtures{CAs: cas})
	if again, _ := st.RootCertificates(ctx); again != first {
		t.Fatal("a reset made the root CA again; it must be kept")
	}
	root, err := pki.NewRoot("ROOT", "Test", testNow)
	if err != nil {
		t.Fatal(err)
	}
	certPEM, keyPEM, err := root.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	given := []model.CAFixture{{LogicalName: "ROOT", HostName: "h", Certificate: string(certPEM), Key: string(keyPEM)}, cas[1]}
	mustReset(t, st, model.Fixtures{CAs: given})
	now, err := st.RootCertificates(ctx)
	if err != nil || now != string(certPEM) {
		t.Fatalf("root after the fixtures gave one = %q, %v", now, err)
	}
	chain, err := st.CAChainPEM(ctx, "ISSUING")
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode([]byte(chain))
	issuing, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if err := issuing.CheckSignatureFrom(root.Cert); err != nil {
		t.Errorf("the issuing CA was not made again under the given root: %v", err)
	}
}
