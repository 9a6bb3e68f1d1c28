package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mockcommand/mockcommand/internal/api"
	"github.com/mockcommand/mockcommand/internal/app"
)

// Fuzz targets for every JSON request decoder, through the whole handler
// over a real store. The property: whatever the body, the answer is not a
// 5xx, it is JSON, and an error answer is a Command error body without Go
// text.

const fuzzAgent = "c6f87718-6d76-407e-881e-d162ae2eb154" // approved, has LOGS and RebootHost

func fuzzBody(f *testing.F, method, path string, seeds ...string) {
	for _, s := range append(seeds, fuzzCommonSeeds...) {
		f.Add([]byte(s))
	}
	fuzzRoutes(f, func(body []byte) (string, string, []byte) { return method, path, body })
}

// fuzzCommonSeeds are the broken bodies every target starts from.
var fuzzCommonSeeds = []string{``, `{}`, `[]`, `null`, `{"`, `{"a":}`, "\xff\xfe", `{"JobFields":{"x":{"y":[1,2]}}}`}

// fuzzRoutes fuzzes the request pick makes of each input (its method, path
// and body) against a real server, checking the property above.
func fuzzRoutes(f *testing.F, pick func(in []byte) (method, path string, body []byte)) {
	a, err := app.New(context.Background(), app.Options{DBPath: filepath.Join(f.TempDir(), "fuzz.db"), API: api.DefaultConfig()})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { a.Close() })
	f.Fuzz(func(t *testing.T, in []byte) {
		method, path, body := pick(in)
		req := httptest.NewRequest(method, path, bytes.NewReader(body))
		req.SetBasicAuth("admin", "password")
		req.Header.Set("x-keyfactor-requested-with", "APIClient")
		req.Header.Set("x-certificateformat", "PEM") // enrollment requires it; other routes ignore it
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		a.Handler.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s with %q: %d %s", method, path, body, rec.Code, rec.Body)
		}
		if rec.Code == http.StatusNoContent {
			return
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s %s with %q: %d, body is not JSON: %q", method, path, body, rec.Code, rec.Body)
		}
		if rec.Code >= 400 {
			var e map[string]any
			err := json.Unmarshal(rec.Body.Bytes(), &e)
			_, partial := e["FailedOperations"] // a bulk delete that failed in part
			if err != nil || len(e) != 2 && !(len(e) == 3 && partial) || e["ErrorCode"] == "" || e["Message"] == "" {
				t.Fatalf("%s %s with %q: %d, not a Command error body: %s", method, path, body, rec.Code, rec.Body)
			}
			if msg, _ := e["Message"].(string); strings.Contains(msg, "json: ") || strings.Contains(msg, "sql") || strings.Contains(msg, "runtime error") {
				t.Fatalf("%s %s with %q: message leaks Go text: %s", method, path, body, msg)
			}
		}
	})
}

func FuzzScheduleJobBody(f *testing.F) {
	fuzzBody(f, "POST", "/KeyfactorAPI/OrchestratorJobs/Custom",
		`{"AgentId":"`+fuzzAgent+`","JobTypeName":"RebootHost","JobFields":{"Host":"web01","DelaySeconds":5}}`,
		`{"AgentId":"`+fuzzAgent+`","JobTypeName":"FetchLogs","Schedule":{"Weekly":{"Days":["Monday",3],"Time":"2026-12-01T06:00:00Z"}}}`,
		`{"AgentId":"`+fuzzAgent+`","JobTypeName":"RebootHost","Schedule":{"Monthly":{"Day":31,"Time":"2026-12-01T02:00:00"}},"JobFields":{"Host":"h","Force":true}}`)
}

func FuzzBulkJobBody(f *testing.F) {
	fuzzBody(f, "POST", "/KeyfactorAPI/OrchestratorJobs/Custom/Bulk",
		`{"OrchestratorIds":["`+fuzzAgent+`","00000000-0000-0000-0000-000000000000"],"JobTypeName":"FetchLogs","Schedule":{"Interval":{"Minutes":15}}}`)
}

func FuzzJobTypeCreateBody(f *testing.F) {
	fuzzBody(f, "POST", "/KeyfactorAPI/JobTypes/Custom",
		`{"JobTypeName":"X","Description":"d","JobTypeFields":[{"Name":"N","Type":"Int","DefaultValue":3,"Required":true}]}`,
		`{"JobTypeName":"Y","JobTypeFields":[{"Name":"D","Type":3,"DefaultValue":"2026-01-01"}]}`)
}

func FuzzJobTypeUpdateBody(f *testing.F) {
	fuzzBody(f, "PUT", "/KeyfactorAPI/JobTypes/Custom",
		`{"Id":"0c6f6a5e-6b5f-4f0e-9d52-1a7c3f8f0e01","JobTypeName":"FetchLogs"}`,
		`{"Id":"11111111-2222-3333-4444-555555555555","JobTypeName":"Z","JobTypeFields":[{"Name":"B","Type":"Bool","DefaultValue":"TRUE"}]}`)
}

func FuzzAgentIDsBody(f *testing.F) {
	fuzzBody(f, "POST", "/KeyfactorAPI/Agents/Approve", `["`+fuzzAgent+`"]`, `["not-a-guid"]`)
}

func FuzzRunSelectionBody(f *testing.F) {
	fuzzBody(f, "POST", "/KeyfactorAPI/OrchestratorJobs/Acknowledge", `{"JobAuditIds":[1,2],"Query":"Result -eq Failure"}`, `{"Query":"Status -eq Completed"}`)
}

func FuzzUnscheduleBody(f *testing.F) {
	fuzzBody(f, "POST", "/KeyfactorAPI/OrchestratorJobs/Unschedule", `{"JobIds":["`+fuzzAgent+`"],"Query":"JobType -eq \"RebootHost\""}`)
}

func FuzzReenrollmentBody(f *testing.F) {
	fuzzBody(f, "POST", "/KeyfactorAPI/Agents/SetAuthCertificateReenrollment", `{"OrchestratorIds":["`+fuzzAgent+`"],"Status":"1"}`, `{"OrchestratorIds":[],"Status":2}`)
}

func FuzzSeedBody(f *testing.F) {
	fuzzBody(f, "POST", "/_mock/seed",
		`{"Agents":[{"ClientMachine":"a","Status":2,"AgentPlatform":7,"Capabilities":["LOGS"],"LastSeen":"2026-01-01T00:00:00Z"}],"JobTypes":[{"JobTypeName":"Q","JobTypeFields":[{"Name":"F","Type":"String"}]}]}`)
}

func FuzzAdminAgentBody(f *testing.F) {
	fuzzBody(f, "PATCH", "/_mock/agents/"+fuzzAgent, `{"Status":1}`, `{"Capabilities":["X"],"LastErrorCode":5}`)
}

func FuzzFaultBody(f *testing.F) {
	fuzzBody(f, "POST", "/_mock/faults", `{"Method":"POST","Path":"*/Custom","Status":500,"After":1,"Times":1}`, `{"Path":"*","Delay":"5ms","DelayMax":10,"Probability":0.5,"Seed":3}`)
}

func FuzzClockBody(f *testing.F) {
	fuzzBody(f, "POST", "/_mock/clock", `{"Now":"2026-12-01T08:00:00Z"}`, `{"Advance":"90m"}`, `{"Freeze":false}`, `{"Real":true}`)
}

func FuzzJobModeBody(f *testing.F) {
	fuzzBody(f, "PUT", "/_mock/jobs/mode", `{"Mode":"manual","Scripts":{"RebootHost":{"Result":"Warning","Message":"m","Retry":true}}}`, `{"Mode":"immediate"}`)
}

func FuzzCompleteJobBody(f *testing.F) {
	fuzzBody(f, "POST", "/_mock/jobs/"+fuzzAgent+"/complete", `{"Result":"Failure","Message":"m","Data":"d"}`, `{"Result":4}`)
}

const fuzzPEMAgent = "5affb229-7631-4992-b0ce-583505c6af07" // approved, serves PEM stores with discovery

func FuzzStoreTypeBody(f *testing.F) {
	fuzzBody(f, "POST", "/KeyfactorAPI/CertificateStoreTypes",
		`{"Name":"F","ShortName":"F","StoreType":0,"Capability":"F","PrivateKeyAllowed":"Optional","CustomAliasAllowed":2,`+
			`"Properties":[{"StoreTypeId":0,"Name":"p","Type":"MultipleChoice","DefaultValue":"a,b","Required":true}],`+
			`"EntryParameters":[{"Name":"e","Type":1,"RequiredWhen":{"OnAdd":true},"Options":"x,y"}],"PasswordOptions":{"Style":"Custom","StoreRequired":true}}`,
		`{"StoreType":2,"Name":"PEM File","ShortName":"PEM","InventoryJobTypeId":"11111111-2222-3333-4444-555555555555"}`)
}

func FuzzStoreBody(f *testing.F) {
	fuzzBody(f, "POST", "/KeyfactorAPI/CertificateStores",
		`{"ClientMachine":"h","StorePath":"/p.pem","CertStoreType":2,"AgentId":"`+fuzzPEMAgent+`","Properties":"{\"separatePrivateKey\":{\"value\":true}}",`+
			`"Password":{"SecretValue":"x"},"InventorySchedule":{"Interval":{"Minutes":5}},"ContainerId":null}`,
		`{"ClientMachine":"h","Storepath":"/q","CertStoreType":0,"AgentId":"d58dcdb4-6b44-4806-8b5a-b3ee4265bb31","Password":"pw"}`)
}

func FuzzStoreUpdateBody(f *testing.F) {
	fuzzBody(f, "PUT", "/KeyfactorAPI/CertificateStores",
		`{"Id":"00000000-0000-4000-8000-000000000001","Properties":"{}","InventorySchedule":{}}`,
		`{"Id":"not-a-guid","ClientMachine":"x"}`)
}

func FuzzStoreActionBodies(f *testing.F) {
	// One target for the small store bodies: the first byte picks the route.
	routes := []struct{ method, path string }{
		{"POST", "/KeyfactorAPI/CertificateStores/Approve"}, {"POST", "/KeyfactorAPI/CertificateStores/Schedule"},
		{"PUT", "/KeyfactorAPI/CertificateStores/Password"}, {"PUT", "/KeyfactorAPI/CertificateStores/DiscoveryJob"},
		{"POST", "/KeyfactorAPI/CertificateStoreContainers"}, {"DELETE", "/KeyfactorAPI/CertificateStores"},
	}
	for i, seed := range []string{
		`[{"Id":"00000000-0000-4000-8000-000000000001","CertStoreType":2,"Properties":"{}"}]`,
		`{"StoreIds":["00000000-0000-4000-8000-000000000001"],"Schedule":{"Daily":{"Time":"2026-01-01T01:00:00Z"}}}`,
		`{"CertStoreId":"00000000-0000-4000-8000-000000000001","NewPassword":{"SecretValue":"x"}}`,
		`{"AgentId":"` + fuzzPEMAgent + `","Type":2,"Dirs":"/etc","JobExecutionTimestamp":"2030-01-01T00:00:00Z"}`,
		`{"Name":"C","CertStoreType":2,"Schedule":"0 * * * *"}`,
		`["00000000-0000-4000-8000-000000000001"]`,
	} {
		f.Add(append([]byte{byte(i)}, seed...))
	}
	for i := range routes {
		for _, seed := range fuzzCommonSeeds {
			f.Add(append([]byte{byte(i)}, seed...))
		}
	}
	fuzzRoutes(f, func(b []byte) (string, string, []byte) {
		if len(b) == 0 {
			return routes[0].method, routes[0].path, nil
		}
		r := routes[int(b[0])%len(routes)]
		return r.method, r.path, b[1:]
	})
}

func FuzzStoreContentsBody(f *testing.F) {
	fuzzBody(f, "PUT", "/_mock/stores/00000000-0000-4000-8000-000000000001/contents",
		`[{"Alias":"a","Certificates":[{"Thumbprint":"`+strings.Repeat("AB", 20)+`","NotAfter":"2027-01-01T00:00:00Z"}],"Parameters":{"x":1}}]`,
		`[{"Alias":"b","Certificates":["-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"]}]`)
}

func FuzzEnrollmentBody(f *testing.F) {
	fuzzBody(f, "POST", "/KeyfactorAPI/Enrollment/CSR",
		`{"CSR":"-----BEGIN CERTIFICATE REQUEST-----\nMIIBADCBpwIBADAaMRgwFgYDVQQDDA9hLmNvcnAuZXhhbXBsZS5jb20=\n-----END CERTIFICATE REQUEST-----","Template":"WebServer","SANs":{"dns":["a.example.com"],"ip4":["10.0.0.1"]},"Metadata":{"CostCenter":4711}}`,
		`{"CSR":"MIIBADCBpwIBADAa","Template":"ShortLived","CertificateAuthority":"pki-issuing01.corp.example.com\\CORP-ISSUING-CA","IncludeChain":true}`)
}

func FuzzRevokeBody(f *testing.F) {
	fuzzBody(f, "POST", "/KeyfactorAPI/Certificates/Revoke", `{"CertificateIds":[1,2],"Reason":6,"Comment":"c","EffectiveDate":"2026-12-01T00:00:00Z"}`, `{"CertificateIds":[1],"Reason":-1}`)
}

func FuzzMetadataFieldBody(f *testing.F) {
	fuzzBody(f, "POST", "/KeyfactorAPI/MetadataFields", `{"Name":"F","Description":"d","DataType":5,"Options":"a,b","Validation":"^a$","Enrollment":1,"DefaultValue":"a"}`)
}

func FuzzPFXEnrollmentBody(f *testing.F) {
	fuzzBody(f, "POST", "/KeyfactorAPI/Enrollment/PFX",
		`{"Subject":"CN=a.corp.example.com,O=\"Example, Inc\",C=US","Template":"WebServer","Password":"p","KeyType":"ECC","KeyLength":256,"SANs":{"dns":["a.corp.example.com"]}}`,
		`{"Subject":"CN=b","Template":"ShortLived","RenewalCertificateId":0}`)
}

func FuzzCertificateStoresBody(f *testing.F) {
	fuzzBody(f, "POST", "/KeyfactorAPI/CertificateStores/Certificates/Add",
		`{"CertificateId":1,"CertificateStores":[{"CertificateStoreId":"3459436e-30e1-5e0e-802a-0d5a90acbf1b","Alias":"x","Overwrite":true,"JobFields":{"a":"b"}}],"Schedule":{"Immediate":true}}`)
}

func FuzzDownloadBody(f *testing.F) {
	fuzzBody(f, "POST", "/KeyfactorAPI/Certificates/Download", `{"CertID":1,"IncludeChain":true,"ChainOrder":"RootFirst"}`, `{"SerialNumber":"01","IssuerDN":"CN=CORP-ISSUING-CA,O=Example Corp"}`)
}

func FuzzImportBody(f *testing.F) {
	fuzzBody(f, "POST", "/KeyfactorAPI/Certificates/Import", `{"Certificate":"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----","Password":"p","Metadata":{"Notes":"x"},"StoreIds":["00000000-0000-4000-8000-000000000001"]}`,
		`{"Certificate":"MIIKAAIBAzCC","Password":""}`)
}
