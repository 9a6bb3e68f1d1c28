package api_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"strings"
	"testing"

	"github.com/smallstep/pkcs7"
	pkcs12 "software.sslmate.com/src/go-pkcs12"
)

// TestEnrollment_PFX: the mock makes the key, the PKCS#12 opens with the
// password and holds a key that matches the certificate; the certificate
// can be recovered, downloaded in every format, and deployed to stores.
func TestEnrollment_PFX(t *testing.T) {
	c := oaNewServer(t, nil)
	c.want(200, "PUT", "/_mock/jobs/mode", map[string]any{"Mode": "manual"})
	pfxFmt := map[string]string{"x-certificateformat": "PFX"}
	answer := oaObj(t, c.want(200, "POST", kfBase+"/Enrollment/PFX", map[string]any{
		"Subject": "CN=app.corp.example.com,OU=Payments,O=Example Corp,C=us", "Template": "WebServer", "Password": "s3cret",
		"IncludeChain": true, "SANs": map[string]any{"dns": []string{"app.corp.example.com"}}, "RenewalCertificateId": nil, "Timestamp": "2026-12-02T10:00:00Z",
	}, pfxFmt))
	info := oaObj(t, answer["CertificateInformation"])
	blob, err := base64.StdEncoding.DecodeString(info["Pkcs12Blob"].(string))
	if err != nil {
		t.Fatal(err)
	}
	key, cert, chain, err := pkcs12.DecodeChain(blob, "s3cret")
	if err != nil {
		t.Fatalf("the PKCS#12 does not open with the password: %v", err)
	}
	if cert.Subject.CommonName != "app.corp.example.com" || cert.Subject.Country[0] != "US" || len(chain) != 2 || info["Thumbprint"] == "" {
		t.Errorf("certificate %v, chain of %d", cert.Subject, len(chain))
	}
	signer, ok := key.(crypto.Signer)
	keyPub, _ := x509.MarshalPKIXPublicKey(signer.Public())
	certPub, _ := x509.MarshalPKIXPublicKey(cert.PublicKey)
	if !ok || !bytes.Equal(keyPub, certPub) {
		t.Error("the PKCS#12 key does not match its certificate")
	}
	if _, _, _, err := pkcs12.DecodeChain(blob, "wrong"); err == nil {
		t.Error("the PKCS#12 opens with a wrong password")
	}
	id := oaInt(t, info, "KeyfactorId")
	got := oaList(t, c.want(200, "GET", kfBase+"/Certificates?includeHasPrivateKey=true&pq.queryString="+strings.ReplaceAll(`Id -eq `+fmt.Sprint(id), " ", "%20"), nil))
	if len(got) != 1 || got[0]["HasPrivateKey"] != true {
		t.Errorf("HasPrivateKey = %v", got)
	}

	// Recover: the same certificate and key, under another password.
	rec := oaObj(t, c.want(200, "POST", kfBase+"/Certificates/Recover", map[string]any{"CertId": id, "Password": "other", "IncludeChain": false}, pfxFmt))
	rb, _ := base64.StdEncoding.DecodeString(rec["PFX"].(string))
	if _, rc, err := pkcs12.Decode(rb, "other"); err != nil || !rc.Equal(cert) {
		t.Errorf("recovered PKCS#12: %v", err)
	}
	// Download: P7B (leaf first, as the Go client expects), PEM, DER.
	p7 := oaObj(t, c.want(200, "POST", kfBase+"/Certificates/Download", map[string]any{"Thumbprint": info["Thumbprint"], "IncludeChain": true, "ChainOrder": "EndEntityFirst"}))
	raw, _ := base64.StdEncoding.DecodeString(p7["Content"].(string))
	bundle, err := pkcs7.Parse(raw)
	if err != nil || len(bundle.Certificates) != 3 || !bundle.Certificates[0].Equal(cert) {
		t.Errorf("P7B: %v, %d certificates", err, len(bundle.Certificates))
	}
	pemAns := oaObj(t, c.want(200, "POST", kfBase+"/Certificates/Download", map[string]any{"SerialNumber": info["SerialNumber"], "IssuerDN": info["IssuerDN"]}, map[string]string{"x-certificateformat": "PEM"}))
	text, _ := base64.StdEncoding.DecodeString(pemAns["Content"].(string))
	if b, _ := pem.Decode(text); b == nil || !strings.HasPrefix(string(text), "-----BEGIN CERTIFICATE-----") {
		t.Errorf("PEM download = %q", text)
	}
	pfxAns := oaObj(t, c.want(200, "POST", kfBase+"/Certificates/Download", map[string]any{"CertID": id, "Password": "dl", "IncludeChain": true}, map[string]string{"x-certificateformat": "PFX"}))
	pb, _ := base64.StdEncoding.DecodeString(pfxAns["Content"].(string))
	if _, pc, pchain, err := pkcs12.DecodeChain(pb, "dl"); err != nil || !pc.Equal(cert) || len(pchain) != 2 {
		t.Errorf("PFX download: %v, chain of %d", err, len(pchain))
	}
	c.want(400, "POST", kfBase+"/Certificates/Download", map[string]any{"CertID": id}, map[string]string{"x-certificateformat": "PFX"})
	derAns := oaObj(t, c.want(200, "POST", kfBase+"/Certificates/Download", map[string]any{"CertID": id}, map[string]string{"x-certificateformat": "DER"}))
	der, _ := base64.StdEncoding.DecodeString(derAns["Content"].(string))
	if dc, err := x509.ParseCertificate(der); err != nil || !dc.Equal(cert) {
		t.Errorf("DER download: %v", err)
	}

	// Deploy: to the PEM store (its type wants an alias); an unknown store fails alone.
	pemStore := map[string]any{"Id": newPEMStore(t, c, "/etc/ssl/app.pem")}
	dep := oaObj(t, c.want(200, "POST", kfBase+"/Enrollment/PFX/Deploy", map[string]any{
		"StoreIds": []string{pemStore["Id"].(string), oaUnknownGUID}, "StoreTypes": []any{map[string]any{"StoreTypeId": 2, "Alias": "app", "Overwrite": true, "Properties": []any{}}},
		"CertificateId": id, "RequestId": oaInt(t, info, "KeyfactorRequestId"), "Password": "s3cret", "JobTime": nil}))
	if fmt.Sprint(dep["SuccessfulStores"]) != fmt.Sprint([]any{pemStore["Id"]}) || fmt.Sprint(dep["FailedStores"]) != fmt.Sprint([]any{oaUnknownGUID}) {
		t.Errorf("Deploy = %v", dep)
	}
	jobs := oaList(t, c.want(200, "GET", kfBase+"/OrchestratorJobs/ScheduledJobs?QueryString="+strings.ReplaceAll(`JobType -eq "Management"`, " ", "%20"), nil))
	if len(jobs) != 1 {
		t.Fatalf("management jobs = %v", jobs)
	}
	w0(t, c, oaStr(t, jobs[0], "Id"))
	inv := oaList(t, c.want(200, "GET", kfBase+"/CertificateStores/"+pemStore["Id"].(string)+"/Inventory", nil))
	if len(inv) != 1 || inv[0]["Name"] != "app" {
		t.Errorf("inventory after the deploy = %v", inv)
	}

	// Version 2 with Stores (Terraform): the answer lists the stores.
	v2 := oaObj(t, c.want(200, "POST", kfBase+"/Enrollment/PFX", map[string]any{"Subject": "CN=tf.corp.example.com", "Template": "WebServer", "Password": "p",
		"Stores": []any{map[string]any{"CertificateStoreId": pemStore["Id"], "Alias": "tf", "Overwrite": true}}, "KeyType": "ECC", "KeyLength": 256},
		map[string]string{"x-certificateformat": "STORE", "x-keyfactor-api-version": "2"}))
	if fmt.Sprint(v2["SuccessfulStores"]) != fmt.Sprint([]any{pemStore["Id"]}) || oaObj(t, v2["CertificateInformation"])["Pkcs12Blob"] != "" {
		t.Errorf("version 2 answer = %v", v2)
	}

	// Bad requests.
	csrOnly := oaObj(t, oaObj(t, c.want(200, "POST", kfBase+"/Enrollment/CSR", map[string]any{"CSR": newCSR(t, "csr.corp.example.com", nil), "Template": "WebServer"}, pemFormat))["CertificateInformation"])
	for _, bad := range []struct {
		path    string
		body    map[string]any
		headers map[string]string
		says    string
	}{
		{"/Enrollment/PFX", map[string]any{"Subject": "CN=x", "Template": "WebServer"}, nil, "X-CertificateFormat"},
		{"/Enrollment/PFX", map[string]any{"Subject": "CN=x", "Template": "ClientAuth"}, pfxFmt, "does not allow PFX enrollment"},
		{"/Enrollment/PFX", map[string]any{"Subject": "OU=only", "Template": "WebServer"}, pfxFmt, "a CN is required"},
		{"/Enrollment/PFX", map[string]any{"Subject": "CN=x,C=USA", "Template": "WebServer"}, pfxFmt, "two-letter"},
		{"/Enrollment/PFX", map[string]any{"Subject": "CN=x", "Template": "WebServer", "RenewalCertificateId": 0}, pfxFmt, "RenewalCertificateId 0"},
		{"/Enrollment/PFX", map[string]any{"Subject": "CN=x", "Template": "ShortLived", "KeyType": "RSA", "KeyLength": 2048}, pfxFmt, "allows ECC keys on P-256"},
		{"/Certificates/Recover", map[string]any{"CertID": oaInt(t, csrOnly, "KeyfactorID"), "Password": "p"}, pfxFmt, "no private key"},
		{"/Certificates/Recover", map[string]any{"CertID": id}, pfxFmt, "Password is required"},
		{"/Certificates/Download", map[string]any{"CertID": 424242}, nil, "No certificate matches CertID 424242"},
		{"/Certificates/Download", map[string]any{}, nil, "Name the certificate"},
		{"/Enrollment/PFX/Deploy", map[string]any{"CertificateId": id}, nil, "Password is required"},
	} {
		status, body := c.call("POST", kfBase+bad.path, bad.body, bad.headers)
		if status != 400 || !strings.Contains(string(body), bad.says) {
			t.Errorf("POST %s %v = %d %s; want 400 naming %q", bad.path, bad.body, status, body, bad.says)
		}
	}
	c.want(400, "POST", kfBase+"/Enrollment/CSR", map[string]any{"CSR": "x"}, map[string]string{"x-certificateformat": "PEM", "x-keyfactor-api-version": "2"})
}

// TestCertificates_ReviewCases: a clock outside the CA's validity is a
// clear 400; a PKCS#12 with its chain imports; a key that is not the
// certificate's does not.
func TestCertificates_ReviewCases(t *testing.T) {
	c := oaNewServer(t, nil)
	pfxFmt := map[string]string{"x-certificateformat": "PFX"}
	info := oaObj(t, oaObj(t, c.want(200, "POST", kfBase+"/Enrollment/PFX", map[string]any{"Subject": "CN=chain.corp.example.com", "Template": "WebServer",
		"Password": "p", "IncludeChain": true, "KeyType": "ECC"}, pfxFmt))["CertificateInformation"])
	imp := oaObj(t, c.want(200, "POST", kfBase+"/Certificates/Import", map[string]any{"Certificate": info["Pkcs12Blob"], "Password": "p"}))
	if oaInt(t, imp, "ImportStatus") != 2 {
		t.Errorf("import of a PKCS#12 with its chain = %v", imp)
	}
	mismatch := testPEM(t, "mismatch.example.org") // a certificate, and a key that is not its own
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(key)
	status, body := c.call("POST", kfBase+"/Certificates/Import", map[string]any{"Certificate": mismatch + string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))})
	if status != 400 || !strings.Contains(string(body), "not the certificate's") {
		t.Errorf("import with another certificate's key = %d %s", status, body)
	}
	c.want(200, "POST", "/_mock/clock", map[string]any{"Now": "2099-01-01T00:00:00Z"})
	status, body = c.call("POST", kfBase+"/Enrollment/CSR", map[string]any{"CSR": newCSR(t, "late.corp.example.com", nil), "Template": "WebServer"}, pemFormat)
	if status != 400 || !strings.Contains(string(body), "outside the validity of its CA") {
		t.Errorf("enrollment after the CA expired = %d %s", status, body)
	}
	c.want(204, "POST", "/_mock/reset", nil) // makes CAs valid at the clock
	c.want(200, "POST", kfBase+"/Enrollment/CSR", map[string]any{"CSR": newCSR(t, "late.corp.example.com", nil), "Template": "WebServer"}, pemFormat)
}
