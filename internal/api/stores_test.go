package api_test

import (
	"crypto/sha1"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// storeWalk is what the walk of TestStores_Walk arranges: a store type, an
// orchestrator that serves it, and the client.
type storeWalk struct {
	c      *oaClient
	typeID int
	agent  string
}

const kfBase = "/KeyfactorAPI"

func newStoreWalk(t *testing.T) storeWalk {
	c := oaNewServer(t, nil)
	c.want(200, "PUT", "/_mock/jobs/mode", map[string]any{"Mode": "manual"})
	created := oaObj(t, c.want(200, "POST", kfBase+"/CertificateStoreTypes", map[string]any{
		"Name": "Acme File Store", "ShortName": "AcmeFS", "Capability": "AcmeFileStore", "StoreType": 0,
		"SupportedOperations": map[string]any{"Add": true, "Remove": true, "Discovery": true},
		"Properties": []map[string]any{
			{"Name": "Region", "Type": "String", "Required": true},
			{"Name": "Mode", "Type": "MultipleChoice", "DefaultValue": "fast,safe"},
			{"Name": "Compress", "Type": "Bool", "DefaultValue": "false"},
			{"Name": "ApiKey", "Type": "Secret"},
		},
		"PrivateKeyAllowed": "Optional", "CustomAliasAllowed": "Required",
	}))
	agent := oaObj(t, c.want(201, "POST", "/_mock/agents", map[string]any{
		"ClientMachine": "acme-orch.example.com", "Status": 2,
		"Capabilities": []string{"CertStores.AcmeFileStore.Inventory", "CertStores.AcmeFileStore.Discovery"},
	}))
	return storeWalk{c: c, typeID: oaInt(t, created, "StoreType"), agent: oaStr(t, agent, "AgentId")}
}

func (w storeWalk) createStore(t *testing.T, machine, path, props string) map[string]any {
	t.Helper()
	return oaObj(t, w.c.want(200, "POST", kfBase+"/CertificateStores", map[string]any{
		"ClientMachine": machine, "StorePath": path, "CertStoreType": w.typeID, "AgentId": w.agent, "Properties": props,
		"Password": nil, "CertStoreInventoryJobId": nil, "Approved": true, "ContainerName": nil, "SetNewPasswordAllowed": false,
	}))
}

// completeJob completes the job's waiting run as its orchestrator would.
func (w storeWalk) completeJob(t *testing.T, jobID string) map[string]any {
	t.Helper()
	return oaObj(t, w.c.want(200, "POST", "/_mock/jobs/"+jobID+"/complete", map[string]any{"Result": "Success"}))
}

func (w storeWalk) stores(t *testing.T, query string) []map[string]any {
	t.Helper()
	return oaList(t, w.c.want(200, "GET", kfBase+"/CertificateStores?"+url.Values{"certificateStoreQuery.queryString": {query}, "ReturnLimit": {"1000"}}.Encode(), nil))
}

// TestStores_Walk is the walk a user makes: a type, a store on a capable
// orchestrator, its inventory scheduled and run, then a discovery that
// finds a new path, its approval, and the deletes.
func TestStores_Walk(t *testing.T) {
	w := newStoreWalk(t)
	c := w.c

	// The store: Properties are JSON text, defaults applied, secrets hidden.
	store := w.createStore(t, "files-01.example.com", "/srv/certs", `{"Region":"eu-west","ApiKey":{"SecretValue":"k"}}`)
	id := oaStr(t, store, "Id")
	if got, want := store["Properties"], `{"ApiKey":{"value":{"SecretTypeGuid":null,"InstanceId":null}},"Compress":"false","Mode":"fast","Region":"eu-west"}`; got != want {
		t.Errorf("Properties = %v, want %s", got, want)
	}
	if store["Storepath"] != "/srv/certs" || store["Approved"] != true || store["AgentAssigned"] != true || store["CertStoreInventoryJobId"] != nil {
		t.Errorf("new store = %v", store)
	}

	// What the orchestrator sees changes nothing in Command until a job runs.
	cert := testPEM(t, "files-01.example.com")
	c.want(200, "PUT", "/_mock/stores/"+id+"/contents", []any{map[string]any{"Alias": "files-01", "Certificates": []string{cert}}})
	if inv := oaList(t, c.want(200, "GET", kfBase+"/CertificateStores/"+id+"/Inventory", nil)); len(inv) != 0 {
		t.Fatalf("inventory before any job = %v, want []", inv)
	}

	// Schedule the inventory: an orchestrator job in ScheduledJobs.
	c.want(204, "POST", kfBase+"/CertificateStores/Schedule", map[string]any{"StoreIds": []string{id}, "Schedule": map[string]any{"Interval": map[string]any{"Minutes": 30}}})
	store = oaObj(t, c.want(200, "GET", kfBase+"/CertificateStores/"+id, nil))
	jobID, _ := store["CertStoreInventoryJobId"].(string)
	if jobID == "" || fmt.Sprint(store["InventorySchedule"]) != "map[Interval:map[Minutes:30]]" {
		t.Fatalf("scheduled store = %v", store)
	}
	jobs := oaList(t, c.want(200, "GET", kfBase+"/OrchestratorJobs/ScheduledJobs?"+url.Values{"QueryString": {`JobType -eq "Inventory"`}}.Encode(), nil))
	if len(jobs) != 1 || jobs[0]["Id"] != jobID || jobs[0]["Target"] != "/srv/certs" || jobs[0]["ClientMachine"] != "acme-orch.example.com" {
		t.Fatalf("ScheduledJobs = %v, want the inventory job %s on /srv/certs", jobs, jobID)
	}
	if inv := oaList(t, c.want(200, "GET", kfBase+"/CertificateStores/"+id+"/Inventory", nil)); len(inv) != 0 {
		t.Fatalf("inventory before the job completed = %v, want []", inv)
	}

	// The job runs: the inventory shows what the orchestrator saw.
	run := w.completeJob(t, jobID)
	if run["JobType"] != "Inventory" || run["StorePath"] != "/srv/certs" || oaInt(t, run, "Result") != 2 {
		t.Errorf("inventory run = %v", run)
	}
	inv := oaList(t, c.want(200, "GET", kfBase+"/CertificateStores/"+id+"/Inventory?query.pageReturned=1", nil))
	block, _ := pem.Decode([]byte(cert))
	parsed, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha1.Sum(block.Bytes)
	if len(inv) != 1 || inv[0]["Name"] != "files-01" {
		t.Fatalf("inventory = %v, want the entry files-01", inv)
	}
	got := oaObj(t, inv[0]["Certificates"].([]any)[0])
	if got["Thumbprint"] != strings.ToUpper(hex.EncodeToString(sum[:])) || got["IssuedDN"] != parsed.Subject.String() ||
		got["SerialNumber"] != strings.ToUpper(parsed.SerialNumber.Text(16)) || got["SigningAlgorithm"] != "sha256ECDSA" {
		t.Errorf("inventory certificate = %v", got)
	}
	if page2 := oaList(t, c.want(200, "GET", kfBase+"/CertificateStores/"+id+"/Inventory?query.pageReturned=2", nil)); len(page2) != 0 {
		t.Errorf("inventory page 2 = %v, want [] (clients page until [])", page2)
	}
	// The job recurs; the store changes on the orchestrator; the next run reports it.
	c.want(200, "PUT", "/_mock/stores/"+id+"/contents", []any{})
	w.completeJob(t, jobID)
	if inv := oaList(t, c.want(200, "GET", kfBase+"/CertificateStores/"+id+"/Inventory", nil)); len(inv) != 0 {
		t.Errorf("inventory after the store was emptied = %v, want []", inv)
	}

	// Discovery finds a new path (under Dirs only), awaiting approval.
	c.want(200, "PUT", "/_mock/discovery", map[string]any{"AgentId": w.agent, "CertStoreType": w.typeID, "ClientMachine": "files-01.example.com",
		"StorePaths": []string{"/srv/certs", "/srv/new", "/tmp/scratch"}})
	c.want(204, "PUT", kfBase+"/CertificateStores/DiscoveryJob", map[string]any{"AgentId": w.agent, "Type": w.typeID, "Dirs": "/srv",
		"ClientMachine": "files-01.example.com", "ServerUsername": nil, "SymLinks": true})
	history := oaList(t, c.want(200, "GET", kfBase+"/OrchestratorJobs/JobHistory?"+url.Values{"QueryString": {`JobType -eq "Discovery"`}}.Encode(), nil))
	if len(history) != 1 {
		t.Fatalf("discovery runs = %v, want 1", history)
	}
	if found := w.stores(t, fmt.Sprintf("CertStoreType -eq %d AND Approved -eq false", w.typeID)); len(found) != 0 {
		t.Fatalf("stores found before the discovery ran: %v", found)
	}
	w.completeJob(t, oaStr(t, history[0], "JobId"))
	found := w.stores(t, fmt.Sprintf("Category -eq %d AND Approved -eq false", w.typeID))
	if len(found) != 1 || found[0]["Storepath"] != "/srv/new" || found[0]["ClientMachine"] != "files-01.example.com" || found[0]["AgentId"] != w.agent {
		t.Fatalf("discovered stores = %v, want /srv/new (the known /srv/certs and /tmp/scratch, outside Dirs, are not added)", found)
	}
	newID := oaStr(t, found[0], "Id")

	// Approve: the type's required property must be given.
	approve := map[string]any{"Id": newID, "CertStoreType": w.typeID}
	c.want(400, "POST", kfBase+"/CertificateStores/Approve", []any{approve})
	approve["Properties"] = `{"Region":"us-east"}`
	c.want(204, "POST", kfBase+"/CertificateStores/Approve", []any{approve})
	if got := oaObj(t, c.want(200, "GET", kfBase+"/CertificateStores/"+newID, nil)); got["Approved"] != true || !strings.Contains(got["Properties"].(string), `"Region":"us-east"`) {
		t.Errorf("approved store = %v", got)
	}
	if pending := w.stores(t, "Approved -eq false AND CertStoreType -eq "+fmt.Sprint(w.typeID)); len(pending) != 0 {
		t.Errorf("stores still awaiting approval: %v", pending)
	}

	// Delete: the type is in use until its stores are gone; the inventory job goes too.
	c.want(400, "DELETE", fmt.Sprintf("%s/CertificateStoreTypes/%d", kfBase, w.typeID), nil)
	c.want(204, "DELETE", kfBase+"/CertificateStores", []string{id, newID})
	if left := w.stores(t, fmt.Sprintf("CertStoreType -eq %d", w.typeID)); len(left) != 0 {
		t.Errorf("stores left after the bulk delete: %v", left)
	}
	if jobs := oaList(t, c.want(200, "GET", kfBase+"/OrchestratorJobs/ScheduledJobs?"+url.Values{"QueryString": {`JobType -eq "Inventory"`}}.Encode(), nil)); len(jobs) != 0 {
		t.Errorf("inventory jobs left after the store was deleted: %v", jobs)
	}
	c.want(204, "DELETE", fmt.Sprintf("%s/CertificateStoreTypes/%d", kfBase, w.typeID), nil)
	if got := oaList(t, c.want(200, "GET", kfBase+"/CertificateStoreTypes/Name/acmefs", nil)); len(got) != 0 {
		t.Errorf("deleted type still found by name: %v", got)
	}
}

// TestStores_BadInput: each bad request gets a clear 400 or 404 naming the
// problem, and nothing changes.
func TestStores_BadInput(t *testing.T) {
	w := newStoreWalk(t)
	c := w.c
	store := w.createStore(t, "files-01.example.com", "/srv/certs", `{"Region":"eu"}`)
	noCap := c.firstAgent(`Status -eq 2 AND Capabilities -contains "LOGS" AND Capabilities -notcontains "CertStores.AcmeFileStore.Inventory"`)
	newAgent := c.firstAgent(`Status -eq 1`)
	snapshot := func() string {
		return fmt.Sprint(c.want(200, "GET", kfBase+"/CertificateStores?ReturnLimit=1000", nil), c.want(200, "GET", kfBase+"/CertificateStoreTypes?ReturnLimit=1000", nil),
			c.want(200, "GET", kfBase+"/CertificateStoreContainers?ReturnLimit=1000", nil), c.want(200, "GET", kfBase+"/OrchestratorJobs/ScheduledJobs?ReturnLimit=1000", nil))
	}
	before := snapshot()
	newStore := func(change map[string]any) map[string]any {
		body := map[string]any{"ClientMachine": "files-02.example.com", "StorePath": "/srv/x", "CertStoreType": w.typeID, "AgentId": w.agent, "Properties": `{"Region":"eu"}`}
		for k, v := range change {
			body[k] = v
		}
		return body
	}
	for _, tc := range []struct {
		name, method, path string
		body               any
		status             int
		says               string
	}{
		{"unknown store type", "POST", "/CertificateStores", newStore(map[string]any{"CertStoreType": 999}), 400, "Certificate store type 999 was not found"},
		{"orchestrator without the capability", "POST", "/CertificateStores", newStore(map[string]any{"AgentId": noCap}), 400, `"CertStores.AcmeFileStore.Inventory"`},
		{"orchestrator not approved", "POST", "/CertificateStores", newStore(map[string]any{"AgentId": newAgent}), 400, "is not approved"},
		{"unknown orchestrator", "POST", "/CertificateStores", newStore(map[string]any{"AgentId": oaUnknownGUID}), 400, "does not match any orchestrator"},
		{"malformed Properties", "POST", "/CertificateStores", newStore(map[string]any{"Properties": `{"Region":`}), 400, "Properties must be a JSON object in a string"},
		{"Properties as an object", "POST", "/CertificateStores", newStore(map[string]any{"Properties": map[string]any{"Region": "eu"}}), 400, "Properties"},
		{"missing required property", "POST", "/CertificateStores", newStore(map[string]any{"Properties": `{}`}), 400, `"Region" is required`},
		{"unknown property", "POST", "/CertificateStores", newStore(map[string]any{"Properties": `{"Region":"eu","Colour":"red"}`}), 400, `"Colour" is not a property of store type AcmeFS`},
		{"Bool property not a bool", "POST", "/CertificateStores", newStore(map[string]any{"Properties": `{"Region":"eu","Compress":"maybe"}`}), 400, "is not true or false"},
		{"choice not offered", "POST", "/CertificateStores", newStore(map[string]any{"Properties": `{"Region":"eu","Mode":"slow"}`}), 400, "must be one of fast, safe"},
		{"duplicate location", "POST", "/CertificateStores", newStore(map[string]any{"ClientMachine": "FILES-01.example.com", "StorePath": "/srv/certs"}), 400, "already exists"},
		{"missing StorePath", "POST", "/CertificateStores", newStore(map[string]any{"StorePath": ""}), 400, "StorePath is required"},
		{"unknown container", "POST", "/CertificateStores", newStore(map[string]any{"ContainerId": 99}), 400, "ContainerId: Certificate store container 99 was not found"},
		{"container of another type", "POST", "/CertificateStores", newStore(map[string]any{"ContainerId": 1}), 400, "holds stores of type 102"},
		{"not JSON", "POST", "/CertificateStores", "{", 400, "Malformed JSON"},
		{"wrong type", "POST", "/CertificateStores", newStore(map[string]any{"CertStoreType": "AcmeFS"}), 400, "CertStoreType"},
		{"changing the path", "PUT", "/CertificateStores", map[string]any{"Id": store["Id"], "StorePath": "/elsewhere", "Properties": `{"Region":"eu"}`}, 400, "StorePath of store"},
		{"update of an unknown store", "PUT", "/CertificateStores", map[string]any{"Id": oaUnknownGUID, "Properties": "{}"}, 400, "was not found"},
		{"duplicate ShortName", "POST", "/CertificateStoreTypes", map[string]any{"Name": "Other", "ShortName": "acmefs"}, 400, `ShortName "acmefs" already exists`},
		{"ShortName too long", "POST", "/CertificateStoreTypes", map[string]any{"Name": "Long", "ShortName": "ElevenChars"}, 400, "longer than 10"},
		{"enum name unknown", "POST", "/CertificateStoreTypes", map[string]any{"Name": "E", "ShortName": "E", "PrivateKeyAllowed": "Sometimes"}, 400, "PrivateKeyAllowed \"Sometimes\" is not valid"},
		{"type in use", "DELETE", fmt.Sprintf("/CertificateStoreTypes/%d", w.typeID), nil, 400, "is used by the certificate store " + store["Id"].(string)},
		{"type in use, restricted change", "PUT", "/CertificateStoreTypes", map[string]any{"StoreType": w.typeID, "Name": "Acme", "ShortName": "AcmeFS", "Capability": "Other"}, 400, "Capability"},
		{"unknown type by id", "GET", "/CertificateStoreTypes/4242", nil, 404, "4242 was not found"},
		{"unknown store", "GET", "/CertificateStores/" + oaUnknownGUID, nil, 404, "was not found"},
		{"schedule on an unknown store", "POST", "/CertificateStores/Schedule", map[string]any{"StoreIds": []string{oaUnknownGUID}, "Schedule": map[string]any{"Immediate": true}}, 400, "StoreIds[0]"},
		{"schedule with a bad interval", "POST", "/CertificateStores/Schedule", map[string]any{"StoreIds": []string{store["Id"].(string)}, "Schedule": map[string]any{"Interval": map[string]any{"Minutes": 0}}}, 400, "Minutes"},
		{"discovery without the capability", "PUT", "/CertificateStores/DiscoveryJob", map[string]any{"AgentId": noCap, "Type": w.typeID}, 400, `"CertStores.AcmeFileStore.Discovery"`},
		{"discovery of a type that does not discover", "PUT", "/CertificateStores/DiscoveryJob", map[string]any{"AgentId": w.agent, "Type": 102}, 400, "does not support discovery"},
		{"password without a value", "PUT", "/CertificateStores/Password", map[string]any{"CertStoreId": store["Id"], "NewPassword": nil}, 400, "NewPassword is required"},
		{"approve of mixed types", "POST", "/CertificateStores/Approve", []any{map[string]any{"Id": store["Id"], "CertStoreType": w.typeID}, map[string]any{"Id": store["Id"], "CertStoreType": 2}}, 400, "of one type"},
		{"container without a type", "POST", "/CertificateStoreContainers", map[string]any{"Name": "Loose"}, 400, "CertStoreType is required"},
		{"inventory of an unknown store", "GET", "/CertificateStores/" + oaUnknownGUID + "/Inventory", nil, 404, "was not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := c.call(tc.method, kfBase+tc.path, tc.body)
			var e struct{ ErrorCode, Message string }
			_ = json.Unmarshal(body, &e)
			if status != tc.status || !strings.Contains(e.Message, tc.says) || !strings.HasPrefix(e.ErrorCode, "0xA0") {
				t.Errorf("%s %s = %d %s; want %d naming %q", tc.method, tc.path, status, body, tc.status, tc.says)
			}
		})
	}
	if after := snapshot(); after != before {
		t.Errorf("rejected requests changed state:\nbefore %s\nafter  %s", before, after)
	}
}

// TestStores_PagingAndSorting: kfutil pages with certificateStoreQuery.*
// until []; each store is listed once, in ClientMachine order.
func TestStores_PagingAndSorting(t *testing.T) {
	w := newStoreWalk(t)
	var want []string
	for i := range 7 {
		machine := fmt.Sprintf("host-%02d.example.com", 7-i)
		w.createStore(t, machine, "/srv/certs", `{"Region":"eu"}`)
		want = append(want, machine)
	}
	slices.Sort(want)
	var got []string
	for page := 1; ; page++ {
		list := oaList(t, w.c.want(200, "GET", kfBase+"/CertificateStores?"+url.Values{
			"certificateStoreQuery.queryString":  {fmt.Sprintf(`(CertStoreType -eq "%d")AND StorePath -eq "/srv/certs"`, w.typeID)},
			"certificateStoreQuery.pageReturned": {fmt.Sprint(page)}, "certificateStoreQuery.returnLimit": {"3"}}.Encode(), nil))
		if len(list) == 0 {
			break
		}
		if page > 10 {
			t.Fatal("paging never ends")
		}
		for _, s := range list {
			got = append(got, s["ClientMachine"].(string))
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("paged stores = %v, want %v", got, want)
	}
	desc := oaList(t, w.c.want(200, "GET", kfBase+"/CertificateStores?"+url.Values{"QueryString": {fmt.Sprintf("CertStoreType -eq %d", w.typeID)},
		"SortField": {"ClientMachine"}, "SortAscending": {"1"}, "ReturnLimit": {"2"}}.Encode(), nil))
	if len(desc) != 2 || desc[0]["ClientMachine"] != want[6] || desc[1]["ClientMachine"] != want[5] {
		t.Errorf("descending page = %v", desc)
	}
	// Filter-only fields filter but do not sort.
	if n := len(w.stores(t, fmt.Sprintf("CertStoreType -eq %d AND HasInventoryScheduled -eq false AND AgentAvailable -eq true AND AddSupported -eq true", w.typeID))); n != 7 {
		t.Errorf("stores matching the filter-only fields = %d, want 7", n)
	}
}

// TestStores_FollowTheirOrchestrator: Unschedule leaves inventory jobs
// alone (Command documents them as not eligible); resetting the
// orchestrator unschedules them and the stores lose their schedule;
// deleting it leaves its stores without one.
func TestStores_FollowTheirOrchestrator(t *testing.T) {
	w := newStoreWalk(t)
	c := w.c
	id := oaStr(t, w.createStore(t, "files-01.example.com", "/srv/certs", `{"Region":"eu"}`), "Id")
	c.want(204, "POST", kfBase+"/CertificateStores/Schedule", map[string]any{"StoreIds": []string{id}, "Schedule": map[string]any{"Daily": map[string]any{"Time": "2026-01-01T03:00:00Z"}}})
	jobID := oaStr(t, oaObj(t, c.want(200, "GET", kfBase+"/CertificateStores/"+id, nil)), "CertStoreInventoryJobId")
	inventoryJobs := func() int {
		return len(oaList(t, c.want(200, "GET", kfBase+"/OrchestratorJobs/ScheduledJobs?"+url.Values{"QueryString": {`JobType -eq "Inventory"`}}.Encode(), nil)))
	}

	c.want(204, "POST", kfBase+"/OrchestratorJobs/Unschedule", map[string]any{"JobIds": []string{jobID}})
	if n := inventoryJobs(); n != 1 {
		t.Errorf("inventory jobs after Unschedule = %d, want 1 (not eligible)", n)
	}

	c.want(204, "POST", kfBase+"/Agents/"+w.agent+"/Reset", nil)
	store := oaObj(t, c.want(200, "GET", kfBase+"/CertificateStores/"+id, nil))
	if n := inventoryJobs(); n != 0 || store["CertStoreInventoryJobId"] != nil || fmt.Sprint(store["InventorySchedule"]) != "map[]" {
		t.Errorf("after the orchestrator's reset: %d inventory jobs, store %v", n, store)
	}
	if got := w.stores(t, "HasInventoryScheduled -eq false AND AgentAvailable -eq false"); len(got) != 1 || got[0]["Id"] != id {
		t.Errorf("unscheduled stores of an unavailable orchestrator = %v, want the store (its orchestrator is New after the reset)", got)
	}

	c.want(204, "DELETE", kfBase+"/Agents/"+w.agent+"?force=true", nil)
	store = oaObj(t, c.want(200, "GET", kfBase+"/CertificateStores/"+id, nil))
	if store["AgentId"] != nil || store["AgentAssigned"] != false {
		t.Errorf("store of a deleted orchestrator = %v, want no orchestrator", store)
	}
}
