// Package fixturegen generates large, realistic, reproducible sets of
// orchestrators for benchmarks and load runs: a mix of statuses,
// platforms and capabilities shaped like the built-in fixtures.
package fixturegen

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"

	"github.com/mockcommand/mockcommand/internal/model"
)

// capabilitySets are the capability lists generated agents draw from.
var capabilitySets = [][]string{
	{"LOGS", "CertStores.IISU.Inventory", "CertStores.IISU.Management", "RebootHost", "SampleCustomJobType"},
	{"LOGS", "CertStores.PEM.Inventory", "CertStores.PEM.Management", "CertStores.PEM.Discovery", "RebootHost", "RotateServiceAccount"},
	{"LOGS", "CertStores.F5-SL-REST.Inventory", "CertStores.F5-SL-REST.Management", "FlushDnsCache"},
	{"LOGS", "CertStores.K8SCert.Inventory", "CertStores.K8SSecret.Inventory", "RotateServiceAccount"},
	{"CertStores.PEM.Inventory", "CertStores.JKS.Inventory", "SSH"},
	{"CertStores.JKS.Inventory", "CertStores.JKS.Management"},
	{"LOGS", "CertStores.IISU.Inventory", "CertStores.AzureKV.Inventory", "CertStores.AzureKV.Management", "FlushDnsCache"},
}

// Agents returns n agents generated from seed: the same n and seed give
// the same agents. About 70% are approved, 20% new and 10% disapproved;
// about 70% have LOGS.
func Agents(n int, seed uint64) []model.Agent {
	r := rand.New(rand.NewPCG(seed, 0x6d6f636b))
	base := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	platforms := []int{7, 7, 7, 7, 1, 2, 5, 6}
	out := make([]model.Agent, n)
	for i := range out {
		var id uuid.UUID
		for j := range id {
			id[j] = byte(r.Uint32())
		}
		id[6] = id[6]&0x0f | 0x40 // version 4
		id[8] = id[8]&0x3f | 0x80 // RFC 4122 variant
		status := model.AgentApproved
		switch p := r.IntN(10); {
		case p < 2:
			status = model.AgentNew
		case p < 3:
			status = model.AgentDisapproved
		}
		machine := fmt.Sprintf("orch-%06d.site%02d.corp.example.com", i, r.IntN(40))
		user := fmt.Sprintf(`CORP\svc-orch-%02d`, r.IntN(25))
		version := []string{"24.4.0.0", "25.1.0.0", "23.1.2.0", "10.4.1.0"}[r.IntN(4)]
		thumb := fmt.Sprintf("%040X", r.Uint64())
		out[i] = model.Agent{
			AgentId:       id.String(),
			ClientMachine: &machine,
			Username:      &user,
			AgentPlatform: platforms[r.IntN(len(platforms))],
			Version:       &version,
			Status:        status,
			LastSeen:      model.NewTime(base.Add(-time.Duration(r.IntN(60*24*90)) * time.Minute)),
			Capabilities:  append([]string(nil), capabilitySets[r.IntN(len(capabilitySets))]...),
			Thumbprint:    &thumb,
		}
	}
	return out
}

// Stores returns n certificate stores on the approved agents among agents
// that serve PEM (store type 2) or IISU (102) stores, generated from seed:
// about 90% approved, the rest awaiting approval. The store types are the
// built-in fixtures'.
func Stores(agents []model.Agent, n int, seed uint64) []model.StoreInput {
	type server struct {
		id    string
		types []int
	}
	var servers []server
	for _, a := range agents {
		if a.Status != model.AgentApproved {
			continue
		}
		var types []int
		for _, c := range a.Capabilities {
			switch c {
			case "CertStores.PEM.Inventory":
				types = append(types, 2)
			case "CertStores.IISU.Inventory":
				types = append(types, 102)
			}
		}
		if len(types) > 0 {
			servers = append(servers, server{a.AgentId, types})
		}
	}
	if len(servers) == 0 {
		return nil
	}
	r := rand.New(rand.NewPCG(seed, 0x73746f72))
	out := make([]model.StoreInput, n)
	for i := range out {
		s := servers[r.IntN(len(servers))]
		typ := s.types[r.IntN(len(s.types))]
		machine := fmt.Sprintf("host-%06d.site%02d.corp.example.com", i, r.IntN(40))
		path := fmt.Sprintf("/etc/ssl/%s/%s.pem", []string{"web", "api", "mail", "db"}[r.IntN(4)], machine[:11])
		props := `{"separatePrivateKey":"false"}`
		if typ == 102 {
			path, props = []string{"My", "WebHosting"}[r.IntN(2)], `{"WinRM Protocol":"https","WinRM Port":"5986"}`
		}
		approved := r.IntN(10) != 0
		agent := s.id
		out[i] = model.StoreInput{ClientMachine: machine, Storepath: path, CertStoreType: &typ, AgentId: &agent, Properties: &props, Approved: &approved}
	}
	return out
}
