package store_test

import (
	"context"
	"io"
	"testing"

	"github.com/mockcommand/mockcommand/internal/model"
	"github.com/mockcommand/mockcommand/internal/store"
)

// FuzzCompileQuery runs arbitrary query strings through the query
// language and into SQL against a real database, on every list endpoint:
// a query is either answered or rejected as an invalid query, never a SQL
// error or a panic.
func FuzzCompileQuery(f *testing.F) {
	for _, q := range []string{
		`Status -eq 2 AND Capabilities -contains "LOGS"`,
		`(ClientMachine -startswith "web" OR Identity -eq "CORP\svc")AND LastSeen -ge "2026-11-28"`,
		`Capabilities -eq NULL OR Blueprint -ne NULL`,
		`Status -eq Approved AND Platform -ne 6`,
		`LastSeen -lt %TODAY% OR LastSeen -eq "2026-11-28T09:00:00Z"`,
		`ClientMachine -contains "50%_\\"`,
		`JobType -eq "RebootHost" AND Requested -ge "2026-01-01"`,
		`Result -eq Failure AND Status -ne Acknowledged AND OperationStart -gt "2026-01-01T00:00:00+02:00"`,
		`JobTypeName -endswith "Host" OR Description -eq NULL`,
		`Approved -eq false AND Category -eq 2 AND Container -eq "IIS Web Farm"`,
		`HasInventoryScheduled -eq true OR AgentAvailable -eq false OR PrivateKeyAllowed -eq Required`,
		`ShortName -eq "PEM" OR Capability -contains "K8S" OR StoreCount -gt 0`,
		`IssuedCN -contains "web" AND CertState -eq Active AND NotAfter -lt "2027-01-01" OR KeyType -eq ECC`,
		`x' OR 1=1 --`,
		`Status -eq 2)`,
		`((((Status -eq 1))))`,
		``,
	} {
		f.Add(q)
	}
	st := mustOpenStore(f)
	mustReset(f, st, model.Fixtures{Agents: []model.Agent{agent(idA, "web01", 2, "LOGS"), agent(idB, "db01", 1)}})
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, q string) {
		opts := store.ListOptions{Query: q, Page: 1, Limit: 5}
		for name, list := range map[string]func() error{
			"agents":      func() error { _, err := st.ListAgents(ctx, opts); return err },
			"job types":   func() error { _, err := st.ListJobTypes(ctx, opts); return err },
			"jobs":        func() error { _, err := st.ListScheduledJobs(ctx, opts); return err },
			"history":     func() error { _, err := st.ListJobHistory(ctx, opts); return err },
			"store types": func() error { return st.StoreTypesPage(ctx, opts, io.Discard) },
			"containers":  func() error { _, err := st.ListContainers(ctx, opts); return err },
			"stores":      func() error { return st.StoresPage(ctx, opts, io.Discard) },
			"certificates": func() error {
				return st.CertificatesPage(ctx, opts, store.CertificateListOptions{IncludeLocations: true, IncludeMetadata: true}, io.Discard)
			},
		} {
			if err := list(); err != nil && model.KindOf(err) != model.InvalidQuery {
				t.Fatalf("%s with query %q: %v (kind %v), want a result or an invalid-query error", name, q, err, model.KindOf(err))
			}
		}
	})
}
