package api_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"testing"
)

// goClientStoreType is how Keyfactor's Go client (kfutil, Terraform)
// models a store type: enums as strings, ids as numbers. A member of
// another JSON type fails its call.
type goClientStoreType struct {
	Name, ShortName, Capability string
	StoreType, ImportType       int
	LocalStore                  bool
	SupportedOperations         struct{ Add, Create, Discovery, Enrollment, Remove bool }
	Properties                  []struct {
		StoreTypeId             int
		Name, DisplayName, Type string
		DependsOn, DefaultValue any
		Required                bool
	}
	EntryParameters []struct {
		StoreTypeId             int
		Name, DisplayName, Type string
		RequiredWhen            struct{ HasPrivateKey, OnAdd, OnRemove, OnReenrollment bool }
		DependsOn, DefaultValue *string
		Options                 *string
	}
	PasswordOptions struct {
		EntrySupported, StoreRequired bool
		Style                         string
	}
	StorePathType, StorePathValue, PrivateKeyAllowed string
	JobProperties                                    []string
	ServerRequired, PowerShell, BlueprintAllowed     bool
	CustomAliasAllowed                               string
	ServerRegistration                               int
	InventoryEndpoint                                string
	InventoryJobType, ManagementJobType              *string
	DiscoveryJobType, EnrollmentJobType              *string
}

// goClientStore is the Go client's certificate store.
type goClientStore struct {
	Id                      string
	ContainerId             int
	ClientMachine           string
	Storepath               string
	CertStoreInventoryJobId *string
	CertStoreType           int
	Approved                bool
	CreateIfMissing         bool
	Properties              string
	AgentId                 string
	AgentAssigned           bool
	ContainerName           string
	InventorySchedule       struct {
		Immediate   *bool
		Interval    *struct{ Minutes int }
		Daily       *struct{ Time string }
		ExactlyOnce *struct{ Time string }
	}
	ReenrollmentStatus struct {
		Data                            bool
		AgentId, Message, JobProperties string
		CustomAliasAllowed              int
	}
	SetNewPasswordAllowed bool
	Password              struct{ SecretValue, SecretTypeGuid, InstanceId *string }
}

type goClientContainer struct {
	Id                 *int
	Name               string
	OverwriteSchedules bool
	Schedule           string
	CertStoreType      int
	StoreCount         int
}

type goClientInventory struct {
	Name         string
	Certificates []struct {
		Id                                                            int
		IssuedDN, SerialNumber, NotBefore, NotAfter, SigningAlgorithm string
		IssuerDN, Thumbprint                                          string
		CertStoreInventoryItemId                                      int
		Metadata                                                      map[string]any
	}
	Parameters map[string]any
}

// TestStores_DecodeAsTheGoClient decodes every store answer, of every
// built-in fixture, as Keyfactor's Go client does: one wrong JSON type
// fails the client's call.
func TestStores_DecodeAsTheGoClient(t *testing.T) {
	w := newStoreWalk(t)
	c := w.c
	id := oaStr(t, w.createStore(t, "files-01.example.com", "/srv/certs", `{"Region":"eu","ApiKey":"secret"}`), "Id")
	c.want(204, "POST", kfBase+"/CertificateStores/Schedule", map[string]any{"StoreIds": []string{id}, "Schedule": map[string]any{"Immediate": true}})
	c.want(200, "PUT", "/_mock/stores/"+id+"/contents", []any{map[string]any{"Alias": "a", "Certificates": []string{testPEM(t, "a.example.com")}}})
	jobID := oaStr(t, oaObj(t, c.want(200, "GET", kfBase+"/CertificateStores/"+id, nil)), "CertStoreInventoryJobId")
	w.completeJob(t, jobID)

	decode := func(path string, v any) {
		t.Helper()
		status, body := c.call("GET", kfBase+path, nil)
		if status != 200 {
			t.Fatalf("GET %s = %d %s", path, status, body)
		}
		if err := json.Unmarshal(body, v); err != nil {
			t.Fatalf("GET %s does not decode as the Go client's model: %v\n%s", path, err, body)
		}
	}
	var types []goClientStoreType
	decode("/CertificateStoreTypes?ReturnLimit=100", &types)
	if len(types) < 10 {
		t.Fatalf("%d store types, want the 9 fixtures and AcmeFS", len(types))
	}
	for _, typ := range types {
		var one goClientStoreType
		decode(fmt.Sprintf("/CertificateStoreTypes/%d", typ.StoreType), &one)
		var named []goClientStoreType
		decode("/CertificateStoreTypes/Name/"+url.PathEscape(typ.ShortName), &named)
		if len(named) != 1 || !reflect.DeepEqual(named[0], one) || !reflect.DeepEqual(one, typ) {
			t.Errorf("store type %d differs between the listing, by id and by name", typ.StoreType)
		}
	}
	var stores []goClientStore
	decode("/CertificateStores?certificateStoreQuery.returnLimit=100", &stores)
	if len(stores) != 8 {
		t.Errorf("%d stores, want the 7 fixtures and one more", len(stores))
	}
	for _, st := range stores {
		var one goClientStore
		decode("/CertificateStores/"+st.Id, &one)
		var props map[string]any // the Go client parses Properties into a map
		if err := json.Unmarshal([]byte(one.Properties), &props); err != nil {
			t.Errorf("store %s: Properties %q is not a JSON object: %v", st.Id, one.Properties, err)
		}
		var inv []goClientInventory
		decode("/CertificateStores/"+st.Id+"/Inventory", &inv)
		if st.Id == id && (len(inv) != 1 || len(inv[0].Certificates) != 1 || inv[0].Certificates[0].Thumbprint == "") {
			t.Errorf("inventory of %s = %+v, want the certificate the job reported", id, inv)
		}
	}
	var containers []goClientContainer
	decode("/CertificateStoreContainers?pq.queryString="+url.QueryEscape(`Name -eq "IIS Web Farm"`), &containers)
	if len(containers) != 1 || containers[0].Id == nil || *containers[0].Id != 1 || containers[0].StoreCount != 2 {
		t.Errorf("container by name = %+v, want IIS Web Farm (1) with its 2 stores", containers)
	}
}

// TestStoreTypes_EveryMemberEchoed: a type created with every member (as
// kfutil sends an IISU type) comes back with each one kept.
func TestStoreTypes_EveryMemberEchoed(t *testing.T) {
	c := oaNewServer(t, nil)
	jobType := "5b2f9a8e-1c3d-4e5f-8a9b-0c1d2e3f4a5b"
	body := map[string]any{
		"Name": "IIS Bound Certs 2", "ShortName": "IISU2", "Capability": "IISU2", "StoreType": 0, "LocalStore": false,
		"SupportedOperations": map[string]any{"Add": true, "Create": false, "Discovery": true, "Enrollment": true, "Remove": true},
		"Properties": []any{
			map[string]any{"StoreTypeId": 0, "Name": "spnwithport", "DisplayName": "SPN With Port", "Type": "Bool", "DependsOn": "", "DefaultValue": "false", "Required": false},
			map[string]any{"StoreTypeId": 0, "Name": "WinRM Protocol", "DisplayName": "WinRM Protocol", "Type": "MultipleChoice", "DependsOn": "", "DefaultValue": "https,http", "Required": true},
			map[string]any{"StoreTypeId": 0, "Name": "ServerPassword", "DisplayName": "Server Password", "Type": "Secret", "DependsOn": "", "DefaultValue": nil, "Required": false},
		},
		"EntryParameters": []any{
			map[string]any{"StoreTypeId": 0, "Name": "Port", "DisplayName": "Port", "Type": "String", "RequiredWhen": map[string]any{"HasPrivateKey": false, "OnAdd": true, "OnRemove": false, "OnReenrollment": false}, "DependsOn": "", "DefaultValue": "443", "Options": ""},
			map[string]any{"StoreTypeId": 0, "Name": "SniFlag", "DisplayName": "SSL Flags", "Type": "MultipleChoice", "RequiredWhen": map[string]any{"HasPrivateKey": false, "OnAdd": false, "OnRemove": false, "OnReenrollment": true}, "DependsOn": "Port", "DefaultValue": "0", "Options": "0,1,2"},
		},
		"PasswordOptions": map[string]any{"EntrySupported": true, "StoreRequired": true, "Style": "Custom"},
		"StorePathType":   "MultipleChoice", "StorePathValue": `["My","WebHosting"]`, "PrivateKeyAllowed": "Required",
		"ServerRequired": true, "PowerShell": true, "BlueprintAllowed": true, "CustomAliasAllowed": "Optional",
		"ServerRegistration": 7, "InventoryEndpoint": "/AnyInventory/Update",
		"InventoryJobTypeId": jobType, "ManagementJobTypeId": nil, "DiscoveryJobTypeId": nil, "EnrollmentJobTypeId": nil,
	}
	created := oaObj(t, c.want(200, "POST", kfBase+"/CertificateStoreTypes", body))
	id := oaInt(t, created, "StoreType")
	got := oaObj(t, c.want(200, "GET", fmt.Sprintf("%s/CertificateStoreTypes/%d", kfBase, id), nil))
	for _, k := range []string{"Name", "ShortName", "Capability", "LocalStore", "SupportedOperations", "PasswordOptions", "StorePathType",
		"StorePathValue", "PrivateKeyAllowed", "ServerRequired", "PowerShell", "BlueprintAllowed", "CustomAliasAllowed", "InventoryEndpoint"} {
		if fmt.Sprint(got[k]) != fmt.Sprint(body[k]) {
			t.Errorf("%s = %v, want %v", k, got[k], body[k])
		}
	}
	if oaInt(t, got, "ServerRegistration") != 7 || oaInt(t, got, "ImportType") != id || got["InventoryJobType"] != jobType || got["ManagementJobType"] != nil {
		t.Errorf("ServerRegistration, ImportType or job types = %v %v %v %v", got["ServerRegistration"], got["ImportType"], got["InventoryJobType"], got["ManagementJobType"])
	}
	if fmt.Sprint(got["JobProperties"]) != "[Port SniFlag]" {
		t.Errorf("JobProperties = %v, want the entry parameters' names", got["JobProperties"])
	}
	props := got["Properties"].([]any)
	entries := got["EntryParameters"].([]any)
	if len(props) != 3 || len(entries) != 2 {
		t.Fatalf("Properties %v, EntryParameters %v", props, entries)
	}
	for i, p := range body["Properties"].([]any) {
		for k, v := range p.(map[string]any) {
			want := fmt.Sprint(v)
			if k == "StoreTypeId" {
				want = fmt.Sprint(id)
			}
			if g := fmt.Sprint(props[i].(map[string]any)[k]); g != want && !(v == nil && g == "<nil>") {
				t.Errorf("Properties[%d].%s = %v, want %v", i, k, g, want)
			}
		}
	}
	for i, e := range body["EntryParameters"].([]any) {
		for k, v := range e.(map[string]any) {
			want := fmt.Sprint(v)
			if k == "StoreTypeId" {
				want = fmt.Sprint(id)
			}
			if g := fmt.Sprint(entries[i].(map[string]any)[k]); g != want {
				t.Errorf("EntryParameters[%d].%s = %v, want %v", i, k, g, want)
			}
		}
	}
}

// TestStoreTypes_ChangesWhileInUse: with stores of the type, Name and
// ShortName change and operations are added; a bulk delete deletes what it
// can and names the rest.
func TestStoreTypes_ChangesWhileInUse(t *testing.T) {
	w := newStoreWalk(t)
	c := w.c
	w.createStore(t, "files-01.example.com", "/srv/certs", `{"Region":"eu"}`)
	typ := oaObj(t, c.want(200, "GET", fmt.Sprintf("%s/CertificateStoreTypes/%d", kfBase, w.typeID), nil))
	typ["Name"], typ["ShortName"] = "Acme Files", "AcmeF"
	typ["SupportedOperations"].(map[string]any)["Create"] = true
	got := oaObj(t, c.want(200, "PUT", kfBase+"/CertificateStoreTypes", typ))
	if got["ShortName"] != "AcmeF" || got["SupportedOperations"].(map[string]any)["Create"] != true {
		t.Errorf("allowed change = %v", got)
	}
	typ["SupportedOperations"].(map[string]any)["Add"] = false
	c.want(400, "PUT", kfBase+"/CertificateStoreTypes", typ)

	spare := oaInt(t, oaObj(t, c.want(200, "POST", kfBase+"/CertificateStoreTypes", map[string]any{"Name": "Spare", "ShortName": "Spare"})), "StoreType")
	failed := oaObj(t, c.want(400, "DELETE", kfBase+"/CertificateStoreTypes", []int{spare, w.typeID, 4242}))
	ops := failed["FailedOperations"].([]any)
	if len(ops) != 2 {
		t.Fatalf("FailedOperations = %v, want the type in use and the unknown one", ops)
	}
	c.want(404, "GET", fmt.Sprintf("%s/CertificateStoreTypes/%d", kfBase, spare), nil)
	c.want(200, "GET", fmt.Sprintf("%s/CertificateStoreTypes/%d", kfBase, w.typeID), nil)
}

// TestStores_JobModes: in the immediate mode an inventory completes when
// it is scheduled; a script that fails inventories changes nothing.
func TestStores_JobModes(t *testing.T) {
	w := newStoreWalk(t)
	c := w.c
	id := oaStr(t, w.createStore(t, "files-01.example.com", "/srv/certs", `{"Region":"eu"}`), "Id")
	c.want(200, "PUT", "/_mock/stores/"+id+"/contents", []any{map[string]any{"Alias": "one", "Certificates": []any{}}})
	c.want(200, "PUT", "/_mock/jobs/mode", map[string]any{"Mode": "immediate", "Scripts": map[string]any{"Discovery": map[string]any{"Result": "Failure", "Message": "access denied"}}})
	c.want(204, "POST", kfBase+"/CertificateStores/Schedule", map[string]any{"StoreIds": []string{id}, "Schedule": map[string]any{"Immediate": true}})
	if inv := oaList(t, c.want(200, "GET", kfBase+"/CertificateStores/"+id+"/Inventory", nil)); len(inv) != 1 || inv[0]["Name"] != "one" {
		t.Errorf("inventory in the immediate mode = %v, want the entry one", inv)
	}
	c.want(200, "PUT", "/_mock/discovery", map[string]any{"AgentId": w.agent, "CertStoreType": w.typeID, "StorePaths": []string{"/found"}})
	c.want(204, "PUT", kfBase+"/CertificateStores/DiscoveryJob", map[string]any{"AgentId": w.agent, "Type": w.typeID})
	runs := oaList(t, c.want(200, "GET", kfBase+"/OrchestratorJobs/JobHistory?"+url.Values{"QueryString": {`JobType -eq "Discovery"`}}.Encode(), nil))
	if len(runs) != 1 || oaInt(t, runs[0], "Result") != 4 || runs[0]["Message"] != "access denied" {
		t.Errorf("discovery runs = %v, want one failed as scripted", runs)
	}
	if found := w.stores(t, "Approved -eq false AND Category -eq "+fmt.Sprint(w.typeID)); len(found) != 0 {
		t.Errorf("a failed discovery added stores: %v", found)
	}
}

// TestStores_ReenrollmentFollowsTypeAndOrchestrator: a store can be
// reenrolled once its type supports enrollment and its orchestrator
// advertises CertStores.<Capability>.Reenrollment, whichever changes last.
func TestStores_ReenrollmentFollowsTypeAndOrchestrator(t *testing.T) {
	w := newStoreWalk(t)
	c := w.c
	id := oaStr(t, w.createStore(t, "files-01.example.com", "/srv/certs", `{"Region":"eu"}`), "Id")
	status := func() map[string]any {
		return oaObj(t, oaObj(t, c.want(200, "GET", kfBase+"/CertificateStores/"+id, nil))["ReenrollmentStatus"])
	}
	c.want(200, "PATCH", "/_mock/agents/"+w.agent, map[string]any{"Capabilities": []string{"CertStores.AcmeFileStore.Inventory", "CertStores.AcmeFileStore.Reenrollment"}})
	if s := status(); s["Data"] != false {
		t.Errorf("ReenrollmentStatus before the type supports enrollment = %v", s)
	}
	typ := oaObj(t, c.want(200, "GET", fmt.Sprintf("%s/CertificateStoreTypes/%d", kfBase, w.typeID), nil))
	typ["SupportedOperations"].(map[string]any)["Enrollment"] = true
	c.want(200, "PUT", kfBase+"/CertificateStoreTypes", typ)
	if s := status(); s["Data"] != true || s["AgentId"] != w.agent || oaInt(t, s, "CustomAliasAllowed") != 2 {
		t.Errorf("ReenrollmentStatus once both allow it = %v", s)
	}
	c.want(200, "PATCH", "/_mock/agents/"+w.agent, map[string]any{"Capabilities": []string{"CertStores.AcmeFileStore.Inventory"}})
	if s := status(); s["Data"] != false {
		t.Errorf("ReenrollmentStatus after the orchestrator dropped the capability = %v", s)
	}
}
