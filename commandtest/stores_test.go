package commandtest_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mockcommand/mockcommand/commandtest"
)

// selfSigned returns a PEM certificate for cn.
func selfSigned(t *testing.T, cn string) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(42), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// TestServer_Stores arranges a store type, an orchestrator and a store
// with the helpers, says what the orchestrator sees in the store, and
// reads Command's inventory through the API once the scheduled inventory
// has run.
func TestServer_Stores(t *testing.T) {
	s := commandtest.NewServer(t, commandtest.WithoutFixtures(), commandtest.WithJobMode(commandtest.ModeImmediate))
	types, err := s.SeedStoreTypes(commandtest.StoreType{Name: "PEM File", ShortName: "PEM", StoreType: 2,
		SupportedOperations: commandtest.SupportedOperations{Add: true, Remove: true, Discovery: true}})
	if err != nil || types[0].PrivateKeyAllowed != "Forbidden" || types[0].ImportType != 2 {
		t.Fatalf("SeedStoreTypes = %+v, %v", types, err)
	}
	agents, err := s.SeedAgents(commandtest.Agent{ClientMachine: commandtest.Ptr("orch"), Status: 2, AgentPlatform: 7,
		Capabilities: []string{"CertStores.PEM.Inventory", "CertStores.PEM.Discovery"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SeedStores(commandtest.StoreInput{ClientMachine: "web", Storepath: "/x.pem", CertStoreType: commandtest.Ptr(2),
		AgentId: commandtest.Ptr("9d6f3c1e-0000-4000-8000-000000000001")}); err == nil {
		t.Error("SeedStores accepted a store on an unknown orchestrator")
	}
	stores, err := s.SeedStores(commandtest.StoreInput{ClientMachine: "web", Storepath: "/etc/ssl/web.pem", CertStoreType: commandtest.Ptr(2),
		AgentId: &agents[0].AgentId, InventorySchedule: &commandtest.Schedule{Interval: &commandtest.IntervalModel{Minutes: 60}}})
	if err != nil || !stores[0].Approved || stores[0].CertStoreInventoryJobId == nil || stores[0].Properties != "{}" {
		t.Fatalf("SeedStores = %+v, %v", stores, err)
	}
	id := stores[0].Id

	cert := selfSigned(t, "web.example.com")
	entries, err := s.SetStoreContents(id, commandtest.PEMEntry("web", cert))
	if err != nil || len(entries) != 1 || entries[0].Certificates[0].IssuedDN == nil || *entries[0].Certificates[0].IssuedDN != "CN=web.example.com" {
		t.Fatalf("SetStoreContents = %+v, %v", entries, err)
	}
	// The hourly inventory ran when it was scheduled, before the store held
	// anything; the next run reports the certificate.
	if inv, err := s.Inventory(id); err != nil || len(inv) != 0 {
		t.Fatalf("Inventory before the next run = %+v, %v", inv, err)
	}
	if err := s.Advance(time.Hour); err != nil {
		t.Fatal(err)
	}
	var inv []commandtest.InventoryEntry
	if code := get(t, s, "/CertificateStores/"+id+"/Inventory", &inv); code != 200 || len(inv) != 1 || inv[0].Name != "web" ||
		inv[0].Certificates[0].SerialNumber != "2A" || inv[0].Certificates[0].SigningAlgorithm != "sha256ECDSA" {
		t.Fatalf("GET inventory = %d %+v", code, inv)
	}
	helper, err := s.Inventory(id)
	if err != nil || !reflect.DeepEqual(helper, inv) {
		t.Errorf("Inventory() = %+v, %v; want what the API answers", helper, err)
	}

	if _, err := s.SetDiscoverable(commandtest.DiscoverableStores{AgentId: agents[0].AgentId, CertStoreType: 2, StorePaths: []string{"/etc/ssl/new.pem"}}); err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf(`{"AgentId":%q,"Type":2}`, agents[0].AgentId)
	if code := call(t, s, "PUT", "/CertificateStores/DiscoveryJob", body, nil); code != 204 {
		t.Fatalf("PUT DiscoveryJob = %d", code)
	}
	var pending []commandtest.CertificateStore
	if get(t, s, "/CertificateStores?QueryString=Approved+-eq+false", &pending); len(pending) != 1 || pending[0].Storepath != "/etc/ssl/new.pem" || pending[0].ClientMachine != "orch" {
		t.Errorf("discovered stores = %+v", pending)
	}
}

// TestServer_Certificates enrolls with the helper and through the API,
// and verifies both against the mock's root CAs.
func TestServer_Certificates(t *testing.T) {
	s := commandtest.NewServer(t)
	roots, pool, err := s.RootCAs()
	if err != nil || roots == "" {
		t.Fatalf("RootCAs = %q, %v", roots, err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "svc.corp.example.com"}}, key)
	if err != nil {
		t.Fatal(err)
	}
	csr := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
	resp, err := s.Enroll("WebServer", csr, map[string][]string{"dns": {"svc.corp.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	certs := resp.CertificateInformation.Certificates
	inter := x509.NewCertPool()
	for _, p := range certs[1:] {
		inter.AppendCertsFromPEM([]byte(p))
	}
	block, _ := pem.Decode([]byte(certs[0]))
	leaf, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, Intermediates: inter, DNSName: "svc.corp.example.com"}); err != nil {
		t.Errorf("issued certificate does not verify against RootCAs: %v", err)
	}
	var found []struct{ Id, CertRequestId int }
	if code := get(t, s, "/Certificates?pq.queryString=IssuedCN+-eq+%22svc.corp.example.com%22", &found); code != 200 || len(found) != 1 ||
		found[0].Id != resp.CertificateInformation.KeyfactorID || found[0].CertRequestId != resp.CertificateInformation.KeyfactorRequestId {
		t.Errorf("GET /Certificates = %d %+v", code, found)
	}
	if _, err := s.SeedMetadataFields(commandtest.MetadataField{Name: "Team", Description: "owning team", DataType: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Enroll("WebServer", csr, nil); err != nil {
		t.Errorf("a second enrollment of the same CSR: %v", err)
	}
}

// TestServer_OwnCA: a test gives the mock a CA it made (cas.json with
// Certificate and Key), and certificates the mock issues chain to it.
func TestServer_OwnCA(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "Test Root"}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	keyPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))
	dir := t.TempDir()
	files := map[string]any{
		"jobtypes.json":  []any{},
		"cas.json":       []any{map[string]any{"LogicalName": "TEST-CA", "HostName": "ca.test", "Enrollment": true, "Certificate": certPEM, "Key": keyPEM}},
		"templates.json": []any{map[string]any{"CommonName": "Server", "ValidityDays": 30, "ExtendedKeyUsages": []any{map[string]any{"Id": 1, "Oid": "1.3.6.1.5.5.7.3.1", "DisplayName": "Server Authentication"}}}},
	}
	for name, v := range files {
		b, _ := json.Marshal(v)
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s := commandtest.NewServer(t, commandtest.WithFixturesDir(dir))
	roots, pool, err := s.RootCAs()
	if err != nil || roots != certPEM {
		t.Fatalf("RootCAs = %q, %v; want the CA the fixtures gave", roots, err)
	}
	csrDER, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "svc.test"}, DNSNames: []string{"svc.test"}}, key)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := s.Enroll("Server", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csrDER})), nil)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode([]byte(resp.CertificateInformation.Certificates[0]))
	leaf, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: "svc.test"}); err != nil {
		t.Errorf("the certificate does not chain to the given CA: %v", err)
	}
	// A key that is not the certificate's is refused at start.
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	otherDER, _ := x509.MarshalPKCS8PrivateKey(other)
	files["cas.json"] = []any{map[string]any{"LogicalName": "TEST-CA", "HostName": "ca.test", "Certificate": certPEM, "Key": string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: otherDER}))}}
	b, _ := json.Marshal(files["cas.json"])
	if err := os.WriteFile(filepath.Join(dir, "cas.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := commandtest.Start(commandtest.WithFixturesDir(dir)); err == nil || !strings.Contains(err.Error(), "the key is not the certificate's") {
		t.Errorf("Start with a mismatched CA key: %v", err)
	}
}
