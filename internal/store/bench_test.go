package store_test

import (
	"context"
	"fmt"
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
	if err := st.Reset(context.Background(), store.Fixtures{Agents: fixturegen.Agents(n, 1)}); err != nil {
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

// BenchmarkSeed measures seeding (Reset) with 100k generated agents.
func BenchmarkSeed(b *testing.B) {
	agents := fixturegen.Agents(100_000, 1)
	st := mustOpenStore(b)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		if err := st.Reset(ctx, store.Fixtures{Agents: agents}); err != nil {
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
