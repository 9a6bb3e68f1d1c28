package api_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// TestCertificates_DeployedToStores is the loop Command exists for: a
// certificate is issued, deployed to two stores by management jobs, seen
// in the stores' inventories and its Locations, revoked, and removed from
// a store by its alias.
func TestCertificates_DeployedToStores(t *testing.T) {
	c := oaNewServer(t, nil)
	c.want(200, "PUT", "/_mock/jobs/mode", map[string]any{"Mode": "manual"})
	info := oaObj(t, oaObj(t, c.want(200, "POST", kfBase+"/Enrollment/CSR", map[string]any{
		"CSR": newCSR(t, "shop.corp.example.com", nil), "Template": "WebServer"}, pemFormat))["CertificateInformation"])
	certID := oaInt(t, info, "KeyfactorID")
	pemID := newPEMStore(t, c, "/etc/ssl/shop.pem")
	k8sStore := oaList(t, c.want(200, "GET", kfBase+"/CertificateStores?"+url.Values{"QueryString": {`Category -eq 104`}}.Encode(), nil))[0]
	k8sID := oaStr(t, k8sStore, "Id")

	// The type's rules are checked before anything is scheduled.
	add := func(stores ...map[string]any) map[string]any {
		return map[string]any{"CertificateId": certID, "CertificateStores": stores, "Schedule": map[string]any{"Immediate": true}}
	}
	for _, bad := range []struct {
		body map[string]any
		says string
	}{
		{add(map[string]any{"CertificateStoreId": pemID}), "require an Alias"},
		{add(map[string]any{"CertificateStoreId": k8sID, "Alias": "x"}), "do not take a custom Alias"},
		{add(map[string]any{"CertificateStoreId": k8sID, "Alias": info["Thumbprint"], "Overwrite": false, "JobFields": map[string]any{"KubeSecretType": "tls"}}), "is not an entry parameter"},
		{add(map[string]any{"CertificateStoreId": pemID, "Alias": "shop", "IncludePrivateKey": true}), "has no private key in Command"},
		{add(map[string]any{"CertificateStoreId": pemID, "Alias": "shop", "JobFields": map[string]any{"Colour": "red"}}), "is not an entry parameter of store type PEM"},
		{add(map[string]any{"CertificateStoreId": oaUnknownGUID, "Alias": "shop"}), "was not found"},
		{map[string]any{"CertificateId": 424242, "CertificateStores": []any{map[string]any{"CertificateStoreId": pemID, "Alias": "a"}}, "Schedule": map[string]any{"Immediate": true}}, "does not match any certificate"},
		{map[string]any{"CertificateId": certID, "CertificateStores": []any{map[string]any{"CertificateStoreId": pemID, "Alias": "a"}}}, "Schedule is required"},
	} {
		status, body := c.call("POST", kfBase+"/CertificateStores/Certificates/Add", bad.body)
		if status != 400 || !strings.Contains(string(body), bad.says) {
			t.Errorf("Add %v = %d %s; want 400 naming %q", bad.body, status, body, bad.says)
		}
	}
	if jobs := oaList(t, c.want(200, "GET", kfBase+"/OrchestratorJobs/ScheduledJobs?"+url.Values{"QueryString": {`JobType -eq "Management"`}}.Encode(), nil)); len(jobs) != 0 {
		t.Fatalf("refused requests scheduled jobs: %v", jobs)
	}

	// Add to both stores: one job each, which change nothing until they run.
	jobs := c.want(200, "POST", kfBase+"/CertificateStores/Certificates/Add", add(map[string]any{"CertificateStoreId": pemID, "Alias": "shop", "Overwrite": false},
		map[string]any{"CertificateStoreId": k8sID, "IncludePrivateKey": false})).([]any)
	if len(jobs) != 2 {
		t.Fatalf("Add answered %v, want two job ids", jobs)
	}
	locations := func() []map[string]any {
		cert := oaObj(t, c.want(200, "GET", fmt.Sprintf("%s/Certificates/%d?includeLocations=true", kfBase, certID), nil))
		return oaList(t, cert["Locations"])
	}
	if l := locations(); len(l) != 0 {
		t.Fatalf("Locations before the jobs ran = %v", l)
	}
	for _, j := range jobs {
		run := w0(t, c, j.(string))
		if run["JobType"] != "Management" {
			t.Errorf("run = %v", run)
		}
	}
	l := locations()
	if len(l) != 2 {
		t.Fatalf("Locations after the jobs = %v, want the two stores", l)
	}
	byStore := map[string]string{}
	for _, loc := range l {
		byStore[loc["CertStoreId"].(string)] = loc["Alias"].(string)
	}
	if byStore[pemID] != "shop" || byStore[k8sID] != info["Thumbprint"] {
		t.Errorf("aliases = %v, want shop and, where aliases are not given, the thumbprint", byStore)
	}
	inv := oaList(t, c.want(200, "GET", kfBase+"/CertificateStores/"+pemID+"/Inventory", nil))
	if len(inv) != 1 || inv[0]["Name"] != "shop" || oaInt(t, oaList(t, inv[0]["Certificates"])[0], "Id") != certID {
		t.Errorf("inventory of the PEM store = %v, want the entry shop holding certificate %d", inv, certID)
	}
	details := oaList(t, oaObj(t, c.want(200, "GET", fmt.Sprintf("%s/Certificates/Locations/%d", kfBase, certID), nil))["Details"])
	if len(details) != 2 || oaInt(t, details[0], "StoreCount") != 1 {
		t.Errorf("Locations/{id} = %v", details)
	}
	// Adding again under the same alias needs Overwrite.
	status, body := c.call("POST", kfBase+"/CertificateStores/Certificates/Add", add(map[string]any{"CertificateStoreId": pemID, "Alias": "shop"}))
	if status != 400 || !strings.Contains(string(body), "set Overwrite") {
		t.Errorf("a second add = %d %s", status, body)
	}

	// Revoked: still deployed, but its state shows, and default queries leave it out.
	c.want(200, "POST", kfBase+"/Certificates/Revoke", map[string]any{"CertificateIds": []int{certID}, "Reason": 5})
	q := url.Values{"pq.queryString": {`IssuedCN -eq "shop.corp.example.com"`}, "includeLocations": {"true"}}
	if got := oaList(t, c.want(200, "GET", kfBase+"/Certificates?"+q.Encode(), nil)); len(got) != 0 {
		t.Errorf("revoked certificate listed by default: %v", got)
	}

	// Remove from the PEM store by its alias, as Command names entries.
	jobs = c.want(200, "POST", kfBase+"/CertificateStores/Certificates/Remove", map[string]any{"CertificateStores": []any{
		map[string]any{"CertificateStoreId": pemID, "Alias": "shop"}}, "Schedule": map[string]any{"Immediate": true}}).([]any)
	w0(t, c, jobs[0].(string))
	if l := locations(); len(l) != 1 || l[0]["CertStoreId"] != k8sID {
		t.Errorf("Locations after the remove = %v, want only the K8S store", l)
	}
	if inv := oaList(t, c.want(200, "GET", kfBase+"/CertificateStores/"+pemID+"/Inventory", nil)); len(inv) != 0 {
		t.Errorf("PEM store inventory after the remove = %v", inv)
	}

	// A failed job changes nothing, and shows in JobHistory with its message.
	jobs = c.want(200, "POST", kfBase+"/CertificateStores/Certificates/Remove", map[string]any{"CertificateId": certID, "CertificateStores": []any{
		map[string]any{"CertificateStoreId": k8sID}}, "Schedule": map[string]any{"Immediate": true}}).([]any)
	run := oaObj(t, c.want(200, "POST", "/_mock/jobs/"+jobs[0].(string)+"/complete", map[string]any{"Result": "Failure", "Message": "secret is immutable"}))
	if oaInt(t, run, "Result") != 4 || run["Message"] != "secret is immutable" {
		t.Errorf("failed run = %v", run)
	}
	if l := locations(); len(l) != 1 {
		t.Errorf("Locations after a failed remove = %v, want the K8S store still", l)
	}
}

// w0 completes a job's waiting run with Success.
func w0(t *testing.T, c *oaClient, jobID string) map[string]any {
	t.Helper()
	return oaObj(t, c.want(200, "POST", "/_mock/jobs/"+jobID+"/complete", map[string]any{"Result": "Success"}))
}

// newPEMStore makes a PEM store on the fixture orchestrator that serves
// PEM stores (with management), at path on its own machine.
func newPEMStore(t *testing.T, c *oaClient, path string) string {
	t.Helper()
	return oaStr(t, oaObj(t, c.want(200, "POST", kfBase+"/CertificateStores", map[string]any{"ClientMachine": "pem-host.corp.example.com",
		"StorePath": path, "CertStoreType": 2, "AgentId": "5affb229-7631-4992-b0ce-583505c6af07", "Properties": "{}"})), "Id")
}
