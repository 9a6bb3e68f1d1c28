package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/mockcommand/mockcommand/internal/fixturegen"
	"github.com/mockcommand/mockcommand/internal/model"
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
