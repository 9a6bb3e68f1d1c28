package store_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/mockcommand/mockcommand/fixtures"
	"github.com/mockcommand/mockcommand/internal/fixturegen"
	"github.com/mockcommand/mockcommand/internal/model"
	"github.com/mockcommand/mockcommand/internal/seed"
	"github.com/mockcommand/mockcommand/internal/store"
)

// seedQuery is the query of the seed scenario.
const seedQuery = `Status -eq 2 AND Capabilities -contains "LOGS"`

// benchStore opens a store seeded with n generated agents.
func benchStore(b testing.TB, n int) *store.Store {
	b.Helper()
	st := mustOpenStore(b)
	start := time.Now()
	if err := st.Reset(context.Background(), model.Fixtures{Agents: fixturegen.Agents(n, 1)}, "bench"); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d agents in %v", n, time.Since(start).Round(time.Millisecond))
	return st
}

// BenchmarkAgentsPage writes the first page (50) of the seed query, as
// GET /Agents answers it, at 1k, 10k and 100k agents; with the filter and
// paging pushed down to indexed SQL the cost should barely grow with the
// number of agents.
func BenchmarkAgentsPage(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("agents=%d", n), func(b *testing.B) {
			benchAgentsPage(b, benchStore(b, n), store.ListOptions{Query: seedQuery, Page: 1, Limit: 50})
		})
	}
}

// BenchmarkAgentsPageDeep writes page 100 of the seed query sorted by
// ClientMachine at 100k agents, again and again: the first time by
// OFFSET, then from where page 99 ended (see the pager).
func BenchmarkAgentsPageDeep(b *testing.B) {
	benchAgentsPage(b, benchStore(b, 100_000), store.ListOptions{Query: seedQuery, SortField: "ClientMachine", Page: 100, Limit: 50})
}

func benchAgentsPage(b *testing.B, st *store.Store, opts store.ListOptions) {
	ctx := context.Background()
	var w countingWriter
	if err := st.AgentsPage(ctx, opts, &w); err != nil || w.n < 10_000 {
		b.Fatalf("AgentsPage: %d bytes, %v", w.n, err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := st.AgentsPage(ctx, opts, &w); err != nil {
			b.Fatal(err)
		}
	}
}

// countingWriter counts what is written to it.
type countingWriter struct{ n int }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }

// BenchmarkSeed opens a new database and seeds it with 100k agents that
// are already decoded (start-up overlaps this with decoding: see
// BenchmarkStartupSeed in fixtures).
func BenchmarkSeed(b *testing.B) {
	f := model.Fixtures{Agents: fixturegen.Agents(100_000, 1)}
	if err := f.Normalize(testNow); err != nil { // as fixtures.Load does
		b.Fatal(err)
	}
	ctx := context.Background()
	dir := b.TempDir()
	i := 0
	for b.Loop() {
		i++
		st, err := store.Open(ctx, store.Options{Path: filepath.Join(dir, fmt.Sprintf("seed%d.db", i)), Seed: &f})
		if err != nil {
			b.Fatal(err)
		}
		if !st.SeededOnOpen() {
			b.Fatal("not seeded")
		}
		b.StopTimer()
		st.Close()
		b.StartTimer()
	}
}

// BenchmarkReset measures POST /_mock/reset's store work with 100k agents
// already stored: clear everything, then seed again.
func BenchmarkReset(b *testing.B) {
	f := model.Fixtures{Agents: fixturegen.Agents(100_000, 1)}
	if err := f.Normalize(testNow); err != nil {
		b.Fatal(err)
	}
	st := mustOpenStore(b)
	ctx := context.Background()
	for b.Loop() {
		if err := st.Reset(ctx, f, "bench"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScheduleJob measures POST /OrchestratorJobs/Custom's store work:
// validation, defaults and the insert, in manual job mode.
func BenchmarkScheduleJob(b *testing.B) {
	st := jobFixture(b)
	ctx := context.Background()
	in := store.ScheduleJobInput{AgentId: idA, JobTypeName: "RebootHost", JobFields: map[string]model.Scalar{"Host": model.S("web01")}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := st.ScheduleJob(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScheduleJobParallel schedules jobs from 32 goroutines at once,
// as the load run's 32 connections do (group commit lets them share
// commits), in manual mode (a Waiting run per job) and immediate mode
// (the run completes at once, and the agent's LastSeen moves).
func BenchmarkScheduleJobParallel(b *testing.B) {
	for _, mode := range []struct {
		name   string
		policy store.RunPolicy
	}{{"manual", store.RunPolicy{}}, {"immediate", store.RunPolicy{All: true}}} {
		b.Run(mode.name, func(b *testing.B) {
			st := jobFixture(b)
			st.SetRunPolicy(mode.policy)
			ctx := context.Background()
			in := store.ScheduleJobInput{AgentId: idA, JobTypeName: "RebootHost", JobFields: map[string]model.Scalar{"Host": model.S("web01")}}
			b.SetParallelism(16) // 16 x GOMAXPROCS(2) = 32 goroutines
			b.ReportAllocs()
			b.ResetTimer()
			ops0, commits0 := store.WriteStats(st)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := st.ScheduleJob(ctx, in); err != nil {
						b.Error(err)
						return
					}
				}
			})
			ops, commits := store.WriteStats(st)
			b.ReportMetric(float64(ops-ops0)/float64(max(commits-commits0, 1)), "ops/commit")
		})
	}
}

// BenchmarkAgentsPageVaried writes pages of the load run's varied reads at
// 10k agents (six filters, four sort fields, both directions, pages up to
// 42, each page's predecessor already read), per filter.
func BenchmarkAgentsPageVaried(b *testing.B) {
	st := benchStore(b, 10_000)
	ctx := context.Background()
	filters := []string{"", "Status -eq 2", `Capabilities -contains "LOGS"`, seedQuery, `ClientMachine -contains "site1"`, `LastSeen -ge "2026-11-01"`}
	for _, f := range filters {
		var all []store.ListOptions
		for _, sort := range []string{"AgentId", "ClientMachine", "LastSeen", "Status"} {
			for _, desc := range []bool{false, true} {
				for page := 1; page <= 42; page++ {
					all = append(all, store.ListOptions{Query: f, SortField: sort, Descending: desc, Page: page, Limit: 50})
				}
			}
		}
		var w countingWriter
		for _, o := range all { // every page once: anchors for all
			if err := st.AgentsPage(ctx, o, &w); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(fmt.Sprintf("filter=%q", f), func(b *testing.B) {
			i := 0
			for b.Loop() {
				if err := st.AgentsPage(ctx, all[i%len(all)], &w); err != nil {
					b.Fatal(err)
				}
				i += 7
			}
		})
	}
}

// benchStores opens a store seeded with 200 orchestrators serving PEM and
// IISU stores, and n stores spread over them: a tenth awaiting approval.
func benchStores(b testing.TB, n int) (*store.Store, string) {
	b.Helper()
	st := mustOpenStore(b)
	f := model.Fixtures{}
	for i := range 200 {
		a := agent(fmt.Sprintf("00000000-0000-4000-8000-%012d", i), fmt.Sprintf("orch-%03d.example.com", i), 2,
			"CertStores.PEM.Inventory", "CertStores.IISU.Inventory", "LOGS")
		f.Agents = append(f.Agents, a)
	}
	f.StoreTypes = []model.StoreType{
		{Name: "PEM File", ShortName: "PEM", StoreType: 2, Properties: []model.StoreTypeProperty{{Name: "separatePrivateKey", Type: "Bool", DefaultValue: model.S("false")}}},
		{Name: "IIS Bound Certificate", ShortName: "IISU", StoreType: 102, Properties: []model.StoreTypeProperty{{Name: "WinRM Port", DefaultValue: model.S("5986")}}},
	}
	for i := range n {
		typ, approved := 2, i%10 != 0
		if i%3 == 0 {
			typ = 102
		}
		f.Stores = append(f.Stores, model.StoreInput{
			ClientMachine: fmt.Sprintf("host-%05d.example.com", (i*7919)%n), Storepath: fmt.Sprintf("/etc/ssl/store-%d.pem", i),
			CertStoreType: &typ, AgentId: &f.Agents[i%len(f.Agents)].AgentId, Approved: &approved,
		})
	}
	start := time.Now()
	if err := st.Reset(context.Background(), f, "bench"); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d stores in %v", n, time.Since(start).Round(time.Millisecond))
	return st, f.Agents[7].AgentId
}

// BenchmarkStoresPage writes pages of GET /CertificateStores at 10k
// stores: the default listing (first page by ClientMachine), a filtered
// one, a deep page of a filtered listing sorted by StorePath, and one
// orchestrator's stores.
func BenchmarkStoresPage(b *testing.B) {
	st, agentID := benchStores(b, 10_000)
	for name, opts := range map[string]store.ListOptions{
		"default":          {Page: 1, Limit: 50},
		"filtered":         {Query: `Approved -eq true AND CertStoreType -eq 2`, Page: 1, Limit: 50},
		"filtered-deep":    {Query: `Approved -eq true AND Category -eq 2`, SortField: "StorePath", Page: 100, Limit: 50},
		"agent":            {Query: `AgentId -eq "` + agentID + `"`, Page: 1, Limit: 50},
		"pending-by-agent": {Query: `Approved -eq false AND AgentAvailable -eq true`, SortField: "AgentId", Page: 3, Limit: 50},
	} {
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			var w countingWriter
			if err := st.StoresPage(ctx, opts, &w); err != nil || w.n < 5_000 {
				b.Fatalf("StoresPage: %d bytes, %v", w.n, err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if err := st.StoresPage(ctx, opts, &w); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkStoreTypesPage writes GET /CertificateStoreTypes with 10k stores
// of its types in the database.
func BenchmarkStoreTypesPage(b *testing.B) {
	st, _ := benchStores(b, 10_000)
	ctx := context.Background()
	var w countingWriter
	b.ReportAllocs()
	for b.Loop() {
		if err := st.StoreTypesPage(ctx, store.ListOptions{Page: 1, Limit: 50}, &w); err != nil {
			b.Fatal(err)
		}
	}
}

// benchCertificates opens a store with the built-in CA and templates and
// n certificates.
func benchCertificates(b *testing.B, n int) *store.Store {
	b.Helper()
	st := mustOpenStore(b)
	f, _, err := seed.Load(fixtures.Default(), "built-in fixtures", testNow)
	if err != nil {
		b.Fatal(err)
	}
	f.Certificates = nil
	if err := st.Reset(context.Background(), f, "bench"); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	if err := store.BulkCertificates(st, n); err != nil {
		b.Fatal(err)
	}
	b.Logf("added %d certificates in %v", n, time.Since(start).Round(time.Millisecond))
	return st
}

// BenchmarkCertificatesPage writes pages of GET /Certificates at 100k
// certificates (a tenth revoked, some expired, hidden by default): the
// default listing, lookups by CN and thumbprint (kfutil, Terraform), a
// range of NotAfter sorted by it, and a deep page.
func BenchmarkCertificatesPage(b *testing.B) {
	st := benchCertificates(b, 100_000)
	for name, c := range map[string]struct {
		opts store.ListOptions
		co   store.CertificateListOptions
	}{
		"default":       {store.ListOptions{Page: 1, Limit: 50}, store.CertificateListOptions{}},
		"by-cn":         {store.ListOptions{Query: `IssuedCN -eq "host-054321.site01.corp.example.com"`, Page: 1, Limit: 50}, store.CertificateListOptions{IncludeRevoked: true, IncludeExpired: true, IncludeLocations: true}},
		"by-thumbprint": {store.ListOptions{Query: `Thumbprint -eq "` + fmt.Sprintf("%040X", uint64(77777)*2654435761) + `"`, Page: 1, Limit: 50}, store.CertificateListOptions{IncludeMetadata: true}},
		"expiring":      {store.ListOptions{Query: `NotAfter -lt "2027-01-15"`, SortField: "NotAfter", Page: 1, Limit: 50}, store.CertificateListOptions{}},
		"deep":          {store.ListOptions{Query: `CertState -eq Active`, Page: 200, Limit: 50}, store.CertificateListOptions{IncludeExpired: true}},
	} {
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			var w countingWriter
			if err := st.CertificatesPage(ctx, c.opts, c.co, &w); err != nil || w.n < 500 {
				b.Fatalf("CertificatesPage: %d bytes, %v", w.n, err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if err := st.CertificatesPage(ctx, c.opts, c.co, &w); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEnrollCSR signs and stores a certificate for a CSR, as POST
// /Enrollment/CSR does (the CA's key is ECDSA P-384).
func BenchmarkEnrollCSR(b *testing.B) {
	st := benchCertificates(b, 0)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "bench.corp.example.com"}}, key)
	if err != nil {
		b.Fatal(err)
	}
	csr := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := st.Enroll(ctx, store.EnrollCSR{CSR: csr, Template: "WebServer", IncludeChain: true}); err != nil {
			b.Fatal(err)
		}
	}
}
