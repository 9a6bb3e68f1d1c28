package certs_test

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/mockcommand/mockcommand/internal/certs"
)

func TestGenerate_ServesToClientsTrustingOnlyTheCA(t *testing.T) {
	s, err := certs.Generate([]string{"mock.example.test", "127.0.0.1"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{s.Server}}
	srv.StartTLS()
	defer srv.Close()

	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(s.CAPEM) {
		t.Fatal("CAPEM holds no certificate")
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := client.Get(srv.URL) // 127.0.0.1 is in the certificate
	if err != nil {
		t.Fatalf("client trusting only the CA: %v", err)
	}
	resp.Body.Close()

	// Another name fails verification: the SANs are exactly the hosts.
	bad := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "other.example.test"}}}
	if _, err := bad.Get(srv.URL); err == nil {
		t.Error("a host name not in the certificate was accepted")
	}
	// And a client with only the system roots does not trust it.
	if _, err := (&http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: x509.NewCertPool()}}}).Get(srv.URL); err == nil {
		t.Error("a client without the CA trusted the server")
	}
	leaf, _ := x509.ParseCertificate(s.Server.Certificate[0])
	if leaf.DNSNames[0] != "mock.example.test" || len(leaf.IPAddresses) != 1 || leaf.NotAfter.Before(time.Now().AddDate(0, 11, 0)) {
		t.Errorf("leaf SANs %v %v, NotAfter %v", leaf.DNSNames, leaf.IPAddresses, leaf.NotAfter)
	}
	if _, err := certs.Generate(nil, time.Now()); err == nil {
		t.Error("Generate accepted no hosts")
	}
}
