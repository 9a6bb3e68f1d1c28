package api_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// newCSR makes a CSR for cn with key (nil: a new P-256 key) and DNS SANs.
func newCSR(t testing.TB, cn string, key crypto.Signer, dns ...string) string {
	t.Helper()
	if key == nil {
		var err error
		if key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			t.Fatal(err)
		}
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: cn, Organization: []string{"Example Corp"}}, DNSNames: dns}, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
}

var pemFormat = map[string]string{"x-certificateformat": "PEM"}

// parseChain reads the PEM certificates of an enrollment answer.
func parseChain(t *testing.T, certs []any) []*x509.Certificate {
	t.Helper()
	var out []*x509.Certificate
	for i, c := range certs {
		block, rest := pem.Decode([]byte(c.(string)))
		if block == nil || strings.TrimSpace(string(rest)) != "" {
			t.Fatalf("Certificates[%d] is not one PEM block: %q", i, c)
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			t.Fatalf("Certificates[%d]: %v", i, err)
		}
		out = append(out, cert)
	}
	return out
}

// TestEnrollment_Walk: a CSR is signed by the mock's issuing CA on a
// template, chains to the mock's root, is found by query, revoked (and
// then left out of listings unless asked for), and deleted.
func TestEnrollment_Walk(t *testing.T) {
	c := oaNewServer(t, nil)
	cas := oaList(t, c.want(200, "GET", kfBase+"/CertificateAuthority", nil))
	if len(cas) != 2 || cas[1]["LogicalName"] != "CORP-ISSUING-CA" || oaInt(t, cas[1], "AllowedEnrollmentTypes") != 3 {
		t.Fatalf("CAs = %v", cas)
	}
	templates := oaList(t, c.want(200, "GET", kfBase+"/Templates?sq.sortField=Id", nil))
	if len(templates) != 4 || templates[0]["CommonName"] != "WebServer" || templates[0]["KeyRetention"] != "None" {
		t.Fatalf("templates = %v", templates)
	}
	c.want(200, "GET", kfBase+"/Templates/1", nil)

	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	answer := oaObj(t, c.want(200, "POST", kfBase+"/Enrollment/CSR", map[string]any{
		"CSR": newCSR(t, "web01.corp.example.com", rsaKey), "Template": "webserver", "CertificateAuthority": `pki-issuing01.corp.example.com\CORP-ISSUING-CA`,
		"IncludeChain": true, "SANs": map[string]any{"dns": []string{"web01.corp.example.com", "www.example.com"}, "ip4": []string{"10.0.0.7"}},
		"Metadata": map[string]any{"appowneremail": "web@corp.example.com", "CostCenter": 4711}, "Timestamp": "2026-12-02T10:00:00Z",
	}, pemFormat))
	info := oaObj(t, answer["CertificateInformation"])
	chain := parseChain(t, info["Certificates"].([]any))
	if len(chain) != 3 {
		t.Fatalf("IncludeChain: %d certificates, want leaf, issuing CA and root", len(chain))
	}
	leaf := chain[0]
	roots, inter := x509.NewCertPool(), x509.NewCertPool()
	roots.AddCert(chain[2])
	inter.AddCert(chain[1])
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, DNSName: "www.example.com", CurrentTime: leaf.NotBefore.Add(1)}); err != nil {
		t.Errorf("the certificate does not chain to the mock's root: %v", err)
	}
	if chain[2].Subject.CommonName != "CORP-ROOT-CA" || !chain[2].IsCA || chain[1].Subject.CommonName != "CORP-ISSUING-CA" {
		t.Errorf("chain = %v, %v", chain[1].Subject, chain[2].Subject)
	}
	if !slices.Contains(leaf.ExtKeyUsage, x509.ExtKeyUsageServerAuth) || leaf.KeyUsage&x509.KeyUsageDigitalSignature == 0 ||
		leaf.KeyUsage&x509.KeyUsageKeyEncipherment == 0 || len(leaf.IPAddresses) != 1 || leaf.IPAddresses[0].String() != "10.0.0.7" {
		t.Errorf("leaf EKUs %v, key usage %v, IPs %v", leaf.ExtKeyUsage, leaf.KeyUsage, leaf.IPAddresses)
	}
	if days := leaf.NotAfter.Sub(leaf.NotBefore).Hours() / 24; days < 396 || days > 398 {
		t.Errorf("validity %.1f days, want WebServer's 397", days)
	}
	if info["RequestDisposition"] != "ISSUED" || info["SerialNumber"] != strings.ToUpper(fmt.Sprintf("%x", leaf.SerialNumber)) {
		t.Errorf("answer = %v", info)
	}
	id := oaInt(t, info, "KeyfactorID")

	// Found by query, with its metadata when asked.
	q := url.Values{"pq.queryString": {`IssuedCN -eq "web01.corp.example.com"`}, "includeLocations": {"true"}, "includeMetadata": {"true"}}
	found := oaList(t, c.want(200, "GET", kfBase+"/Certificates?"+q.Encode(), nil))
	if len(found) != 1 || oaInt(t, found[0], "Id") != id || oaInt(t, found[0], "CertRequestId") != oaInt(t, info, "KeyfactorRequestId") ||
		found[0]["Thumbprint"] != info["Thumbprint"] || fmt.Sprint(found[0]["Metadata"]) != "map[AppOwnerEmail:web@corp.example.com CostCenter:4711]" ||
		oaInt(t, found[0], "KeySizeInBits") != 2048 || found[0]["KeyTypeString"] != "RSA" || found[0]["TemplateName"] != "Web Server" {
		t.Fatalf("query by IssuedCN = %v", found)
	}
	der, _ := base64.StdEncoding.DecodeString(found[0]["ContentBytes"].(string))
	if !slices.Equal(der, leaf.Raw) {
		t.Error("ContentBytes is not the issued certificate")
	}
	if got := oaList(t, c.want(200, "GET", kfBase+"/Certificates?pq.queryString="+url.QueryEscape(`Thumbprint -eq "`+info["Thumbprint"].(string)+`" AND CertState -eq Active`), nil)); len(got) != 1 {
		t.Errorf("query by thumbprint = %v", got)
	}
	byMeta := oaList(t, c.want(200, "GET", kfBase+"/Certificates?pq.queryString="+url.QueryEscape(`AppOwnerEmail -eq "web@corp.example.com" AND CostCenter -eq "4711"`), nil))
	if len(byMeta) != 1 || oaInt(t, byMeta[0], "Id") != id {
		t.Errorf("query by metadata fields = %v, want certificate %d", byMeta, id)
	}
	c.want(400, "GET", kfBase+"/Certificates?pq.sortField=CostCenter", nil) // metadata fields filter but do not sort
	c.want(200, "POST", kfBase+"/MetadataFields", map[string]any{"Name": "Rack", "Description": "where", "DataType": 1})
	c.want(200, "GET", kfBase+"/Certificates?pq.queryString="+url.QueryEscape(`Rack -eq "A1"`), nil) // a new field is queryable at once
	if got := oaObj(t, c.want(200, "GET", fmt.Sprintf("%s/Certificates/%d", kfBase, id), nil)); fmt.Sprint(got["Metadata"]) != "map[]" {
		t.Errorf("Metadata without includeMetadata = %v, want empty", got["Metadata"])
	}

	// Revoked: CertState changes, and listings leave it out unless asked.
	rev := oaObj(t, c.want(200, "POST", kfBase+"/Certificates/Revoke", map[string]any{"CertificateIds": []int{id}, "Reason": 1, "Comment": "key leaked", "EffectiveDate": "2026-12-02T10:00:00Z"}))
	if fmt.Sprint(rev["RevokedIds"]) != fmt.Sprint([]any{json.Number(fmt.Sprint(id))}) {
		t.Errorf("RevokedIds = %v", rev["RevokedIds"])
	}
	if got := oaList(t, c.want(200, "GET", kfBase+"/Certificates?"+q.Encode(), nil)); len(got) != 0 {
		t.Errorf("revoked certificate listed by default: %v", got)
	}
	q.Set("pq.includeRevoked", "true")
	got := oaList(t, c.want(200, "GET", kfBase+"/Certificates?"+q.Encode(), nil))
	if len(got) != 1 || oaInt(t, got[0], "CertState") != 2 || got[0]["CertStateString"] != "Revoked" || oaInt(t, got[0], "RevocationReason") != 1 ||
		got[0]["RevocationComment"] != "key leaked" {
		t.Errorf("with includeRevoked = %v", got)
	}
	c.want(204, "DELETE", fmt.Sprintf("%s/Certificates/%d", kfBase, id), nil)
	c.want(404, "GET", fmt.Sprintf("%s/Certificates/%d", kfBase, id), nil)
}

// TestEnrollment_BadRequests: each bad enrollment gets a 400 naming the
// problem, and no certificate is stored.
func TestEnrollment_BadRequests(t *testing.T) {
	c := oaNewServer(t, nil)
	weak, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	good := newCSR(t, "app.corp.example.com", nil)
	block, _ := pem.Decode([]byte(good))
	tampered := slices.Clone(block.Bytes)
	tampered[len(tampered)/3] ^= 0x01
	count := func() int {
		return len(oaList(t, c.want(200, "GET", kfBase+"/Certificates?includeRevoked=true&includeExpired=true&ReturnLimit=1000", nil)))
	}
	before := count()
	body := func(change map[string]any) map[string]any {
		b := map[string]any{"CSR": good, "Template": "WebServer", "CertificateAuthority": "CORP-ISSUING-CA"}
		for k, v := range change {
			b[k] = v
		}
		return b
	}
	for _, tc := range []struct {
		name    string
		body    any
		headers map[string]string
		code    string
		says    string
	}{
		{"no format header", body(nil), nil, "0xA0110007", "X-CertificateFormat"},
		{"format not for CSR", body(nil), map[string]string{"x-certificateformat": "PFX"}, "0xA0110001", "PEM or DER"},
		{"no CSR", body(map[string]any{"CSR": ""}), pemFormat, "0xA0110001", "CSR is required"},
		{"garbage CSR", body(map[string]any{"CSR": "not a CSR!"}), pemFormat, "0xA0110001", "neither PEM nor base64"},
		{"tampered CSR", body(map[string]any{"CSR": string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: tampered}))}), pemFormat, "0xA0110001", "CSR"},
		{"certificate instead of CSR", body(map[string]any{"CSR": testPEM(t, "x")}), pemFormat, "0xA0110001", "not a CERTIFICATE REQUEST"},
		{"unknown template", body(map[string]any{"Template": "NoSuch"}), pemFormat, "0xA0110001", `Template "NoSuch" was not found`},
		{"no template", body(map[string]any{"Template": nil}), pemFormat, "0xA0110001", "Template is required"},
		{"unknown CA", body(map[string]any{"CertificateAuthority": `host\NOPE-CA`}), pemFormat, "0xA0110001", `"host\\NOPE-CA" was not found`},
		{"CA that does not enroll", body(map[string]any{"CertificateAuthority": "CORP-ROOT-CA"}), pemFormat, "0xA0110001", "does not issue certificates"},
		{"wrong host of the CA", body(map[string]any{"CertificateAuthority": `elsewhere\CORP-ISSUING-CA`}), pemFormat, "0xA0110001", "was not found"},
		{"key too small", body(map[string]any{"CSR": newCSR(t, "app.corp.example.com", weak)}), pemFormat, "0xA0110001", "1024 bits is not allowed"},
		{"curve not allowed", body(map[string]any{"Template": "ShortLived", "CSR": newCSR(t, "a.corp.example.com", mustP384(t))}), pemFormat, "0xA0110001", "P-384 is not allowed"},
		{"subject rule", body(map[string]any{"Template": "ServerClient", "CSR": newCSR(t, "app.example.org", nil)}), pemFormat, "0xA0110001", "the CN must be a host name in corp.example.com"},
		{"wildcard not allowed", body(map[string]any{"Template": "ServerClient", "CSR": newCSR(t, "app.corp.example.com", nil), "SANs": map[string]any{"dns": []string{"*.corp.example.com"}}}), pemFormat, "0xA0110001", "wildcard"},
		{"bad DNS SAN", body(map[string]any{"SANs": map[string]any{"dns": []string{"bad_name.example.com"}}}), pemFormat, "0xA0110001", "not a DNS name"},
		{"IPv6 as ip4", body(map[string]any{"SANs": map[string]any{"ip4": []string{"::1"}}}), pemFormat, "0xA0110001", "not an IPv4 address"},
		{"unknown SAN type", body(map[string]any{"SANs": map[string]any{"fax": []string{"1"}}}), pemFormat, "0xA0110001", `"fax" is not a SAN type`},
		{"SAN type the mock does not issue", body(map[string]any{"SANs": map[string]any{"ms_ntprincipalname": []string{"a@b"}}}), pemFormat, "0xA0110001", "not issued by the mock"},
		{"PFX-only template by CSR", body(map[string]any{"Template": "ClientAuth"}), pemFormat, "", ""},
		{"unknown member", body(map[string]any{"Colour": "red"}), pemFormat, "0xA0110003", "Colour"},
		{"unknown metadata field", body(map[string]any{"Metadata": map[string]any{"Owner": "x"}}), pemFormat, "0xA0110001", `"Owner" is not a metadata field`},
		{"metadata of the wrong type", body(map[string]any{"Metadata": map[string]any{"CostCenter": "abc"}}), pemFormat, "0xA0110001", "a cost center is 4 to 6 digits"},
		{"metadata not a choice", body(map[string]any{"Metadata": map[string]any{"Environment": "Prod"}}), pemFormat, "0xA0110001", "one of Production,Staging,Development"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, b := c.call("POST", kfBase+"/Enrollment/CSR", tc.body, tc.headers)
			if tc.code == "" { // ClientAuth allows CSR only: it enrolls
				if status != 200 {
					t.Errorf("= %d %s, want 200", status, b)
				}
				before++
				return
			}
			var e struct{ ErrorCode, Message string }
			_ = json.Unmarshal(b, &e)
			if status != 400 || e.ErrorCode != tc.code || !strings.Contains(e.Message, tc.says) {
				t.Errorf("= %d %s; want 400 %s naming %q", status, b, tc.code, tc.says)
			}
		})
	}
	if n := count(); n != before {
		t.Errorf("%d certificates after the rejected enrollments, want %d", n, before)
	}
}

func mustP384(t *testing.T) crypto.Signer {
	k, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// oaExerciseCertificates calls every CA, template, enrollment and
// certificate operation, its successes and its errors, for
// TestOpenAPI_ValidatorExercisesEveryOperation.
func oaExerciseCertificates(t *testing.T, c *oaClient) {
	c.want(200, "GET", kfBase+"/CertificateAuthority?pq.queryString="+url.QueryEscape(`LogicalName -eq "CORP-ISSUING-CA"`), nil)
	c.want(400, "GET", kfBase+"/CertificateAuthority?pq.queryString="+url.QueryEscape(`Colour -eq 1`), nil)
	c.want(200, "GET", kfBase+"/Templates?sq.queryString="+url.QueryEscape(`CommonName -eq "WebServer"`), nil)
	c.want(400, "GET", kfBase+"/Templates?sq.sortField=Colour", nil)
	c.want(200, "GET", kfBase+"/Templates/1", nil)
	c.want(404, "GET", kfBase+"/Templates/99", nil)
	info := oaObj(t, oaObj(t, c.want(200, "POST", kfBase+"/Enrollment/CSR", map[string]any{"CSR": newCSR(t, "oa.corp.example.com", nil), "Template": "WebServer",
		"IncludeChain": false, "SANs": map[string]any{"dns": []string{"oa.corp.example.com"}}}, pemFormat))["CertificateInformation"])
	id := oaInt(t, info, "KeyfactorID")
	c.want(400, "POST", kfBase+"/Enrollment/CSR", map[string]any{"CSR": "x", "Template": "WebServer"}, pemFormat)
	c.want(200, "GET", kfBase+"/Certificates?includeMetadata=true&includeHasPrivateKey=true&pq.queryString="+url.QueryEscape(`IssuedCN -contains "oa."`), nil)
	c.want(400, "GET", kfBase+"/Certificates?includeRevoked=maybe", nil)
	c.want(200, "GET", fmt.Sprintf("%s/Certificates/%d?includeLocations=true", kfBase, id), nil)
	c.want(404, "GET", kfBase+"/Certificates/424242", nil)
	pem := oaList(t, c.want(200, "GET", kfBase+"/CertificateStores?"+url.Values{"QueryString": {`StorePath -eq "/etc/ssl/certs/web.pem"`}}.Encode(), nil))[0]
	added := c.want(200, "POST", kfBase+"/CertificateStores/Certificates/Add", map[string]any{"CertificateId": id, "Schedule": map[string]any{"Immediate": true},
		"CertificateStores": []any{map[string]any{"CertificateStoreId": pem["Id"], "Alias": "oa", "JobFields": nil, "EntryPassword": nil}}}).([]any)
	c.want(400, "POST", kfBase+"/CertificateStores/Certificates/Add", map[string]any{"CertificateId": id, "Schedule": map[string]any{"Immediate": true}, "CertificateStores": []any{}})
	c.call("POST", "/_mock/jobs/"+added[0].(string)+"/complete", map[string]any{}) // in any job mode
	c.want(200, "GET", fmt.Sprintf("%s/Certificates/Locations/%d", kfBase, id), nil)
	c.want(404, "GET", kfBase+"/Certificates/Locations/424242", nil)
	c.want(200, "POST", kfBase+"/CertificateStores/Certificates/Remove", map[string]any{"Schedule": map[string]any{"Immediate": true},
		"CertificateStores": []any{map[string]any{"CertificateStoreId": pem["Id"], "Alias": "oa"}}})
	c.want(400, "POST", kfBase+"/CertificateStores/Certificates/Remove", map[string]any{"Schedule": map[string]any{"Immediate": true},
		"CertificateStores": []any{map[string]any{"CertificateStoreId": oaUnknownGUID, "Alias": "oa"}}})
	pfxFmt := map[string]string{"x-certificateformat": "PFX"}
	pfx := oaObj(t, oaObj(t, c.want(200, "POST", kfBase+"/Enrollment/PFX", map[string]any{"Subject": "CN=oapfx.corp.example.com", "Template": "WebServer", "Password": "p",
		"KeyType": "ECC", "KeyLength": 256}, pfxFmt))["CertificateInformation"])
	pfxID := oaInt(t, pfx, "KeyfactorId")
	c.want(400, "POST", kfBase+"/Enrollment/PFX", map[string]any{"Subject": "nonsense", "Template": "WebServer"}, pfxFmt)
	c.want(200, "POST", kfBase+"/Enrollment/PFX/Deploy", map[string]any{"CertificateId": pfxID, "Password": "p", "StoreIds": []string{oaUnknownGUID}})
	c.want(400, "POST", kfBase+"/Enrollment/PFX/Deploy", map[string]any{"CertificateId": pfxID})
	c.want(200, "POST", kfBase+"/Certificates/Recover", map[string]any{"CertID": pfxID, "Password": "q", "IncludeChain": true}, pfxFmt)
	c.want(400, "POST", kfBase+"/Certificates/Recover", map[string]any{"CertID": id, "Password": "q"}, pfxFmt)
	c.want(200, "POST", kfBase+"/Certificates/Download", map[string]any{"CertID": pfxID, "IncludeChain": true, "ChainOrder": "RootFirst"})
	c.want(400, "POST", kfBase+"/Certificates/Download", map[string]any{"Thumbprint": "00"})
	c.want(200, "POST", kfBase+"/Certificates/Revoke", map[string]any{"CertificateIds": []int{id}, "Reason": 6, "Comment": "hold"})
	c.want(200, "POST", kfBase+"/Certificates/Revoke", map[string]any{"CertificateIds": []int{id}, "Reason": -1})
	c.want(400, "POST", kfBase+"/Certificates/Revoke", map[string]any{"CertificateIds": []int{id}, "Reason": 42})
	csrContext := oaObj(t, c.want(200, "GET", kfBase+"/Enrollment/CSR/Context/My", nil))
	pfxContext := oaObj(t, c.want(200, "GET", kfBase+"/Enrollment/PFX/Context/My", nil))
	if len(oaList(t, csrContext["Templates"])) != 4 || len(oaList(t, pfxContext["Templates"])) != 3 {
		t.Errorf("contexts: CSR %v, PFX %v (ClientAuth is CSR only)", csrContext["Templates"], pfxContext["Templates"])
	}
	c.want(400, "GET", kfBase+"/Enrollment/PFX/Context/My", nil, map[string]string{"x-keyfactor-api-version": "3"})
	c.want(400, "GET", kfBase+"/Enrollment/CSR/Context/My", nil, map[string]string{"x-keyfactor-requested-with": ""})
	c.want(204, "PUT", kfBase+"/Certificates/Metadata", map[string]any{"Id": id, "Metadata": map[string]any{"CostCenter": "1234", "Environment": "", "Notes": "n"}})
	got := oaObj(t, c.want(200, "GET", fmt.Sprintf("%s/Certificates/%d?includeMetadata=true", kfBase, id), nil))
	if fmt.Sprint(got["Metadata"]) != "map[CostCenter:1234 Notes:n]" {
		t.Errorf("metadata after PUT = %v", got["Metadata"])
	}
	c.want(400, "PUT", kfBase+"/Certificates/Metadata", map[string]any{"Id": id, "Metadata": map[string]any{"CostCenter": "12"}})
	// Import: a PEM certificate with its key (the mock's own, recovered), then again.
	rec := oaObj(t, c.want(200, "POST", kfBase+"/Certificates/Recover", map[string]any{"CertID": pfxID, "Password": "pw"}, pfxFmt))
	imp := oaObj(t, c.want(200, "POST", kfBase+"/Certificates/Import", map[string]any{"Certificate": rec["PFX"], "Password": "pw",
		"Metadata": map[string]any{"Notes": "imported"}, "StoreIds": []string{oaUnknownGUID}}))
	if oaInt(t, imp, "ImportStatus") != 2 || len(oaList(t, imp["InvalidKeystores"])) != 1 || oaInt(t, imp, "JobStatus") != 0 {
		t.Errorf("import of a known certificate = %v", imp)
	}
	ext := testPEM(t, "external.example.org")
	imp = oaObj(t, c.want(200, "POST", kfBase+"/Certificates/Import", map[string]any{"Certificate": ext}))
	if oaInt(t, imp, "ImportStatus") != 1 {
		t.Errorf("import of a new certificate = %v", imp)
	}
	found := oaList(t, c.want(200, "GET", kfBase+"/Certificates?includeExpired=true&pq.queryString="+url.QueryEscape(`IssuedCN -eq "external.example.org"`), nil))
	if len(found) != 1 || found[0]["CertificateAuthorityName"] != nil || found[0]["TemplateName"] != nil {
		t.Errorf("imported certificate = %v", found)
	}
	c.want(400, "POST", kfBase+"/Certificates/Import", map[string]any{"Certificate": rec["PFX"], "Password": "wrong"})
	c.want(400, "DELETE", kfBase+"/Certificates", []int{oaInt(t, found[0], "Id"), 424242})
	c.want(404, "GET", fmt.Sprintf("%s/Certificates/%d", kfBase, oaInt(t, found[0], "Id")), nil)
	c.want(204, "DELETE", kfBase+"/Certificates", []int{pfxID})
	c.want(204, "DELETE", fmt.Sprintf("%s/Certificates/%d", kfBase, id), nil)
	c.want(404, "DELETE", fmt.Sprintf("%s/Certificates/%d", kfBase, id), nil)
}

// oaExerciseMetadata calls the metadata field operations and the root CA
// route, for TestOpenAPI_ValidatorExercisesEveryOperation.
func oaExerciseMetadata(t *testing.T, c *oaClient) {
	c.want(200, "GET", kfBase+"/MetadataFields", nil)
	c.want(400, "GET", kfBase+"/MetadataFields?pq.queryString="+url.QueryEscape("Name -eq"), nil)
	c.want(200, "GET", kfBase+"/MetadataFields/3", nil)
	c.want(200, "GET", kfBase+"/MetadataFields/Issuer-Name", nil)
	c.want(404, "GET", kfBase+"/MetadataFields/NoSuchField", nil)
	created := oaObj(t, c.want(200, "POST", kfBase+"/MetadataFields", map[string]any{"Name": "OAField", "Description": "d", "DataType": 1}))
	if created["Name"] != "OAField" || oaInt(t, created, "Id") < 14 {
		t.Errorf("created metadata field = %v", created)
	}
	c.want(400, "POST", kfBase+"/MetadataFields", map[string]any{"Name": "oafield", "Description": "d", "DataType": 1})
	c.want(200, "POST", kfBase+"/MetadataFields", map[string]any{"Id": 3, "Name": "OAExported", "Description": "as kfutil export writes it", "DataType": 1})
	status, body := c.call("GET", "/_mock/ca/root.pem", nil)
	if block, _ := pem.Decode(body); status != 200 || block == nil {
		t.Errorf("GET /_mock/ca/root.pem = %d %.100s", status, body)
	}
}
