package api_test

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
	"net/url"
	"strings"
	"testing"
	"time"
)

// oaExerciseStores calls every store type, container and store operation,
// its successes and its errors, for TestOpenAPI_ValidatorExercisesEveryOperation.
func oaExerciseStores(t *testing.T, c *oaClient) {
	const kf = "/KeyfactorAPI"
	pemAgent := c.firstAgent(`Status -eq 2 AND Capabilities -contains "CertStores.PEM.Discovery"`)
	q := func(key, query string) string { return url.Values{key: {query}}.Encode() }

	// --- Store types.
	c.want(200, "GET", kf+"/CertificateStoreTypes", nil)
	c.want(200, "GET", kf+"/CertificateStoreTypes?"+q("cstquery.queryString", `ShortName -eq "PEM"`), nil)
	c.want(400, "GET", kf+"/CertificateStoreTypes?SortField=Colour", nil)
	c.want(200, "GET", kf+"/CertificateStoreTypes/2", nil)
	c.want(404, "GET", kf+"/CertificateStoreTypes/999", nil)
	c.want(404, "GET", kf+"/CertificateStoreTypes/abc", nil)
	if got := oaList(t, c.want(200, "GET", kf+"/CertificateStoreTypes/Name/pem", nil)); len(got) != 1 {
		t.Errorf("GET /CertificateStoreTypes/Name/pem = %v, want one type", got)
	}
	body := map[string]any{"Name": "OA Type", "ShortName": "OAType", "StoreType": 0, "PrivateKeyAllowed": "Optional",
		"Properties":      []map[string]any{{"StoreTypeId": 0, "Name": "Flag", "Type": "Bool", "DefaultValue": "false"}},
		"EntryParameters": []map[string]any{{"Name": "Slot", "Type": 0, "RequiredWhen": map[string]any{"OnAdd": true}}},
		"PasswordOptions": map[string]any{"Style": "Default"}, "SupportedOperations": map[string]any{"Add": true}}
	created := oaObj(t, c.want(200, "POST", kf+"/CertificateStoreTypes", body))
	typeID := oaInt(t, created, "StoreType")
	c.want(400, "POST", kf+"/CertificateStoreTypes", map[string]any{"Name": "Dup", "ShortName": "oatype"})
	body["StoreType"], body["Name"] = typeID, "OA Type 2"
	c.want(200, "PUT", kf+"/CertificateStoreTypes", body)
	c.want(400, "PUT", kf+"/CertificateStoreTypes", map[string]any{"StoreType": 9999, "Name": "Ghost", "ShortName": "Ghost"})

	// --- Containers.
	c.want(200, "GET", kf+"/CertificateStoreContainers?"+q("pq.queryString", `Name -eq "IIS Web Farm"`), nil)
	c.want(400, "GET", kf+"/CertificateStoreContainers?"+q("pq.queryString", `Name -eq`), nil)
	cont := oaObj(t, c.want(200, "POST", kf+"/CertificateStoreContainers", map[string]any{"Name": "OA Container", "CertStoreType": typeID}))
	contID := oaInt(t, cont, "Id")
	c.want(200, "GET", fmt.Sprintf("%s/CertificateStoreContainers/%d", kf, contID), nil)
	c.want(404, "GET", kf+"/CertificateStoreContainers/999", nil)
	c.want(200, "PUT", kf+"/CertificateStoreContainers", map[string]any{"Id": contID, "Name": "OA Container 2", "CertStoreType": typeID, "Schedule": "0 * * * *"})
	c.want(400, "PUT", kf+"/CertificateStoreContainers", map[string]any{"Name": "No Id", "CertStoreType": typeID})
	c.want(400, "POST", kf+"/CertificateStoreContainers", map[string]any{"Name": "iis web farm", "CertStoreType": 102})

	// --- Stores.
	c.want(200, "GET", kf+"/CertificateStores?"+q("certificateStoreQuery.queryString", "")+"&certificateStoreQuery.pageReturned=1", nil)
	c.want(200, "GET", kf+"/CertificateStores?"+q("QueryString", `Approved -eq false`), nil)
	c.want(400, "GET", kf+"/CertificateStores?"+q("QueryString", `Colour -eq "red"`), nil)
	c.want(400, "GET", kf+"/CertificateStores?SortField=AgentAvailable", nil)
	store := oaObj(t, c.want(200, "POST", kf+"/CertificateStores", map[string]any{
		"ClientMachine": "oa-host.example.com", "StorePath": "/etc/ssl/oa.pem", "CertStoreType": 2, "AgentId": pemAgent,
		"Properties": `{"separatePrivateKey":"false"}`, "Password": nil, "Approved": true, "ContainerName": nil,
	}))
	storeID := oaStr(t, store, "Id")
	c.want(400, "POST", kf+"/CertificateStores", map[string]any{"ClientMachine": "oa", "StorePath": "/x", "CertStoreType": typeID, "AgentId": pemAgent})
	c.want(200, "GET", kf+"/CertificateStores/"+storeID, nil)
	c.want(404, "GET", kf+"/CertificateStores/"+oaUnknownGUID, nil)
	c.want(200, "PUT", kf+"/CertificateStores", map[string]any{"Id": storeID, "ClientMachine": "oa-host.example.com", "StorePath": "/etc/ssl/oa.pem",
		"AgentId": pemAgent, "Properties": `{"separatePrivateKey":{"value":true}}`, "Password": map[string]any{"SecretValue": "pw"}})
	c.want(400, "PUT", kf+"/CertificateStores", map[string]any{"ClientMachine": "x"})
	c.want(204, "POST", kf+"/CertificateStores/Schedule", map[string]any{"StoreIds": []string{storeID}, "Schedule": map[string]any{"Interval": map[string]any{"Minutes": 60}}})
	c.want(400, "POST", kf+"/CertificateStores/Schedule", map[string]any{"StoreIds": []string{oaUnknownGUID}, "Schedule": map[string]any{"Immediate": true}})
	c.want(200, "GET", kf+"/CertificateStores/"+storeID+"/Inventory?query.pageReturned=1", nil)
	c.want(404, "GET", kf+"/CertificateStores/"+oaUnknownGUID+"/Inventory", nil)
	c.want(400, "GET", kf+"/CertificateStores/"+storeID+"/Inventory?query.pageReturned=0", nil)
	c.want(204, "PUT", kf+"/CertificateStores/Password", map[string]any{"CertStoreId": storeID, "NewPassword": map[string]any{"SecretValue": "new"}})
	c.want(400, "PUT", kf+"/CertificateStores/Password", map[string]any{"CertStoreId": storeID})
	c.want(204, "PUT", kf+"/CertificateStores/DiscoveryJob", map[string]any{"AgentId": pemAgent, "Type": 2, "Dirs": "/etc"})
	c.want(400, "PUT", kf+"/CertificateStores/DiscoveryJob", map[string]any{"AgentId": pemAgent})
	pending := oaList(t, c.want(200, "GET", kf+"/CertificateStores?"+q("QueryString", `Approved -eq false`), nil))
	if len(pending) == 0 {
		t.Fatal("no fixture store awaits approval")
	}
	c.want(204, "POST", kf+"/CertificateStores/Approve", []map[string]any{{"Id": oaStr(t, pending[0], "Id"),
		"CertStoreType": oaInt(t, pending[0], "CertStoreType"), "Properties": "{}"}})
	c.want(400, "POST", kf+"/CertificateStores/Approve", []map[string]any{})
	// --- What the orchestrator sees (admin).
	c.want(200, "PUT", "/_mock/stores/"+storeID+"/contents", []any{
		map[string]any{"Alias": "web", "Certificates": []string{testPEM(t, "web.example.com")}},
		map[string]any{"Alias": "old", "Certificates": []any{map[string]any{"Thumbprint": strings.Repeat("ab", 20)}}, "Parameters": map[string]any{"Slot": "1"}},
	})
	c.want(400, "PUT", "/_mock/stores/"+storeID+"/contents", []any{map[string]any{"Alias": "bad", "Certificates": []string{"not PEM"}}})
	c.want(200, "GET", "/_mock/stores/"+storeID+"/contents", nil)
	c.want(404, "GET", "/_mock/stores/"+oaUnknownGUID+"/contents", nil)
	c.want(200, "PUT", "/_mock/discovery", map[string]any{"AgentId": pemAgent, "CertStoreType": 2, "StorePaths": []string{"/etc/ssl/found.pem"}})
	c.want(400, "PUT", "/_mock/discovery", map[string]any{"AgentId": oaUnknownGUID, "CertStoreType": 2, "StorePaths": []string{}})
	c.want(200, "GET", "/_mock/discovery", nil)

	c.want(204, "DELETE", kf+"/CertificateStores/"+storeID, nil)
	c.want(404, "DELETE", kf+"/CertificateStores/"+storeID, nil)
	c.want(204, "DELETE", kf+"/CertificateStores", []string{oaStr(t, pending[0], "Id")})
	c.want(400, "DELETE", kf+"/CertificateStores", []string{oaUnknownGUID})

	// --- Deletes of containers and types.
	c.want(400, "DELETE", kf+"/CertificateStoreContainers/1", nil) // holds stores
	c.want(204, "DELETE", fmt.Sprintf("%s/CertificateStoreContainers/%d", kf, contID), nil)
	c.want(404, "DELETE", fmt.Sprintf("%s/CertificateStoreContainers/%d", kf, contID), nil)
	c.want(400, "DELETE", kf+"/CertificateStoreTypes/2", nil) // used by stores
	c.want(204, "DELETE", fmt.Sprintf("%s/CertificateStoreTypes/%d", kf, typeID), nil)
	c.want(404, "DELETE", fmt.Sprintf("%s/CertificateStoreTypes/%d", kf, typeID), nil)
	other := oaInt(t, oaObj(t, c.want(200, "POST", kf+"/CertificateStoreTypes", map[string]any{"Name": "OA Bulk", "ShortName": "OABulk"})), "StoreType")
	c.want(204, "DELETE", kf+"/CertificateStoreTypes", []int{other})
	c.want(400, "DELETE", kf+"/CertificateStoreTypes", []int{2, 999})
}

// oaInt reads a JSON number member as an int.
func oaInt(t testing.TB, m map[string]any, k string) int {
	t.Helper()
	n, ok := m[k].(json.Number)
	if !ok {
		t.Fatalf("%s = %#v, want a number", k, m[k])
	}
	i, err := n.Int64()
	if err != nil {
		t.Fatalf("%s = %v: %v", k, n, err)
	}
	return int(i)
}

// testPEM returns a new self-signed certificate for cn, as PEM.
func testPEM(t testing.TB, cn string) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: cn, Organization: []string{"Example"}},
		NotBefore:    time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
		DNSNames:     []string{cn},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}
