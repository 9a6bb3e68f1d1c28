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
func benchStore(b *testing.B, n int) *store.Store {
	b.Helper()
	st := mustOpenStore(b)
	start := time.Now()
	if err := st.Reset(context.Background(), model.Fixtures{Agents: fixturegen.Agents(n, 1)}, "bench"); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d agents in %v", n, time.Since(start).Round(time.Millisecond))
	return st
}

// BenchmarkListAgents lists the first page (50) of the seed query at 1k,
// 10k and 100k agents; with the filter and paging pushed down to indexed
// SQL the cost should barely grow with the number of agents.
func BenchmarkListAgents(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("agents=%d", n), func(b *testing.B) {
			st := benchStore(b, n)
			opts := store.ListOptions{Query: seedQuery, Page: 1, Limit: 50}
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				agents, err := st.ListAgents(ctx, opts)
				if err != nil || len(agents) != 50 {
					b.Fatalf("ListAgents: %d agents, %v", len(agents), err)
				}
			}
		})
	}
}

// BenchmarkListAgentsDeepPage lists page 100 of the seed query sorted by
// ClientMachine at 100k agents: the worst case of OFFSET paging.
func BenchmarkListAgentsDeepPage(b *testing.B) {
	st := benchStore(b, 100_000)
	opts := store.ListOptions{Query: seedQuery, SortField: "ClientMachine", Page: 100, Limit: 50}
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		if agents, err := st.ListAgents(ctx, opts); err != nil || len(agents) != 50 {
			b.Fatalf("ListAgents: %d agents, %v", len(agents), err)
		}
	}
}

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
