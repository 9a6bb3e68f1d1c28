package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/mockcommand/mockcommand/internal/model"
	"github.com/mockcommand/mockcommand/internal/store"
)

// pagerFixture is n agents whose sort fields repeat and are often NULL,
// so that ties and NULLs fall on page boundaries.
func pagerFixture(n int) model.Fixtures {
	var f model.Fixtures
	for i := range n {
		// Names equal but for case tie (NOCASE), like names that repeat.
		name := fmt.Sprintf([]string{"host%02d", "HOST%02d", "Host%02d"}[i%3], i%17)
		a := agent(fmt.Sprintf("%08x-0000-4000-8000-%012x", i*7919%n, i), name, 1+i%3, "LOGS")
		if i%5 == 0 {
			a.ClientMachine = nil
		}
		if i%4 != 0 {
			a.Version = ptr(fmt.Sprintf("10.%d", i%6))
		}
		a.LastSeen = model.NewTime(testNow.Add(-time.Duration(i%23) * time.Minute))
		f.Agents = append(f.Agents, a)
	}
	return f
}

// TestPager_PagesMatchOneUnpagedListing: for every sort field, both
// directions and a filter, the pages read in order, then in a random
// order, then deep pages first (which use anchors remembered by the
// earlier reads, or none) are exactly the slices of the whole listing read
// as one page.
func TestPager_PagesMatchOneUnpagedListing(t *testing.T) {
	st := mustOpenStore(t)
	mustReset(t, st, pagerFixture(240))
	const limit = 7
	rng := rand.New(rand.NewPCG(1, 2))
	for _, sort := range []string{"", "ClientMachine", "Version", "Status", "LastSeen", "Username", "AgentId"} {
		for _, desc := range []bool{false, true} {
			for _, q := range []string{"", "Status -ne 3"} {
				name := fmt.Sprintf("sort=%q desc=%v q=%q", sort, desc, q)
				opts := store.ListOptions{Query: q, SortField: sort, Descending: desc}
				all := listIDs(t, st, opts)
				pages := (len(all) + limit - 1) / limit
				want := func(p int) []string {
					lo, hi := min((p-1)*limit, len(all)), min(p*limit, len(all))
					return all[lo:hi]
				}
				check := func(p int) {
					t.Helper()
					o := opts
					o.Page, o.Limit = p, limit
					if got := listIDs(t, st, o); !slices.Equal(got, want(p)) {
						t.Fatalf("%s page %d = %v, want %v", name, p, got, want(p))
					}
				}
				// Deep pages before any anchor exists, and after a write
				// made the anchors stale.
				check(pages)
				check(pages / 2)
				for p := 1; p <= pages+1; p++ {
					check(p)
				}
				for _, p := range rng.Perm(pages + 1) {
					check(p + 1)
				}
				if err := st.ApproveAgents(context.Background(), all[:1]); err != nil {
					t.Fatal(err)
				}
				if got := listIDs(t, st, opts); !slices.Equal(got, all) && sort != "Status" {
					t.Fatalf("%s: approving one agent reordered the listing", name)
				}
				all = listIDs(t, st, opts)
				check(pages - 1)
				check(pages / 3)
			}
		}
	}
}

// TestAgentsPage_StoredJSONFollowsEveryChange: an agent listing serves each
// agent's stored JSON; after every kind of change an agent can undergo,
// it is byte for byte the agent as its columns say it is.
func TestAgentsPage_StoredJSONFollowsEveryChange(t *testing.T) {
	ctx := context.Background()
	st := mustOpenStore(t)
	f := model.Fixtures{Agents: []model.Agent{
		agent(idA, "web01", 2, "LOGS", "RebootHost"),
		agent(idB, "web02", 1, "LOGS"),
		agent(idC, "db01", 3),
	}, JobTypes: []model.JobType{{JobTypeName: "RebootHost"}}}
	f.Agents[2].LastErrorCode = ptr(int64(-2147024891))
	f.Agents[2].LastErrorMessage = ptr(`access "denied"`)
	f.Agents[1].Username = ptr("DOMAIN\\svc ü")
	mustReset(t, st, f)

	compare := func(step string) {
		t.Helper()
		var page bytes.Buffer
		if err := st.AgentsPage(ctx, store.ListOptions{SortField: "AgentId", Page: 1, Limit: 10}, &page); err != nil {
			t.Fatalf("%s: AgentsPage: %v", step, err)
		}
		var fromColumns []model.Agent
		for _, id := range []string{idA, idB, idC} {
			a, err := st.GetAgent(ctx, id)
			if err != nil {
				t.Fatalf("%s: GetAgent: %v", step, err)
			}
			fromColumns = append(fromColumns, a)
		}
		want, err := json.Marshal(fromColumns)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(page.Bytes(), want) {
			t.Fatalf("%s: listing\n%s\nwant (from the columns)\n%s", step, page.Bytes(), want)
		}
	}
	compare("seeded")
	steps := []struct {
		name string
		do   func() error
	}{
		{"approve", func() error { return st.ApproveAgents(ctx, []string{idB}) }},
		{"disapprove", func() error { return st.DisapproveAgents(ctx, []string{idA}) }},
		{"reset clears the error", func() error { return st.ResetAgent(ctx, idC) }},
		{"reenrollment", func() error { _, err := st.SetAuthCertificateReenrollment(ctx, []string{idA, idB}, 2); return err }},
		{"a job type is created", func() error {
			_, err := st.CreateJobType(ctx, model.JobType{JobTypeName: "Inventory"})
			return err
		}},
		{"re-seeded with an error", func() error {
			a := agent(idB, "web02-renamed", 2, "LOGS", "Inventory")
			a.LastErrorCode, a.LastErrorMessage = ptr(int64(7)), ptr("disk full")
			a.LastSeen = model.NewTime(testNow.Add(-time.Hour)) // the run below moves it
			_, err := st.Seed(ctx, model.Fixtures{Agents: []model.Agent{a}})
			return err
		}},
		{"a run moves LastSeen", func() error {
			st.SetRunPolicy(store.RunPolicy{All: true}) // the job runs as it is scheduled
			if _, err := st.ScheduleJob(ctx, store.ScheduleJobInput{AgentId: idB, JobTypeName: "FetchLogs"}); err != nil {
				return err
			}
			if a, err := st.GetAgent(ctx, idB); err != nil || !a.LastSeen.Time.Equal(testNow) {
				return fmt.Errorf("LastSeen after the run = %v, %v; want %v", a.LastSeen, err, testNow)
			}
			return nil
		}},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		compare(s.name)
	}
}

// TestVersion_ListingsChangeOnlyWithTheirTables: the version an agent
// listing is cached under moves when agents or job types change, and not
// when a job is scheduled or a change changes nothing.
func TestVersion_ListingsChangeOnlyWithTheirTables(t *testing.T) {
	ctx := context.Background()
	st := jobFixture(t)
	v := st.AgentsVersion()
	if _, err := st.ScheduleJob(ctx, store.ScheduleJobInput{AgentId: idA, JobTypeName: "RebootHost", JobFields: map[string]model.Scalar{"Host": model.S("h")}}); err != nil {
		t.Fatal(err)
	}
	if got := st.AgentsVersion(); got != v {
		t.Errorf("scheduling a job moved the agents version %d -> %d", v, got)
	}
	if err := st.DisapproveAgents(ctx, []string{"00000000-0000-0000-0000-00000000dead"}); err == nil {
		t.Fatal("disapproving an unknown agent succeeded")
	}
	if got := st.AgentsVersion(); got != v {
		t.Errorf("a failed change moved the agents version %d -> %d", v, got)
	}
	if err := st.ApproveAgents(ctx, []string{idB}); err != nil {
		t.Fatal(err)
	}
	v2 := st.AgentsVersion()
	if v2 == v {
		t.Fatal("approving an agent left the agents version")
	}
	if _, err := st.CreateJobType(ctx, model.JobType{JobTypeName: "Inventory"}); err != nil {
		t.Fatal(err)
	}
	if st.AgentsVersion() == v2 {
		t.Error("creating a job type (agents show their job types) left the agents version")
	}
}

// TestPager_LargePagesAndRememberedPredecessors: pages larger than one
// statement reads (read in chunks, crossing NULLs and ties) hold exactly
// the rows of the unpaged listing; and a page found by OFFSET remembers
// where the page before it ended, so that both are found by a seek next.
func TestPager_LargePagesAndRememberedPredecessors(t *testing.T) {
	st := mustOpenStore(t)
	mustReset(t, st, pagerFixture(1300))
	for _, sort := range []string{"ClientMachine", "Version", "LastSeen"} {
		for _, desc := range []bool{false, true} {
			opts := store.ListOptions{SortField: sort, Descending: desc, Page: 1, Limit: 5000}
			all := listIDs(t, st, opts)
			if len(all) != 1300 {
				t.Fatalf("unpaged listing has %d agents, want 1300", len(all))
			}
			for _, p := range []int{2, 1, 3} {
				o := opts
				o.Page, o.Limit = p, 600
				want := all[min((p-1)*600, len(all)):min(p*600, len(all))]
				if got := listIDs(t, st, o); !slices.Equal(got, want) {
					t.Fatalf("sort=%s desc=%v page %d of 600: %d agents, first %v; want %d, first %v", sort, desc, p, len(got), got[:min(1, len(got))], len(want), want[:min(1, len(want))])
				}
			}
		}
	}
	if err := st.ApproveAgents(context.Background(), listIDs(t, st, store.ListOptions{Limit: 1})); err != nil { // any write: anchors start again
		t.Fatal(err)
	}
	opts := store.ListOptions{SortField: "LastSeen", Page: 40, Limit: 10}
	before := store.Anchors(st)
	listIDs(t, st, opts)
	if got := store.Anchors(st) - before; got != 2 {
		t.Errorf("page 40 found by OFFSET left %d new anchors; want 2 (the ends of pages 39 and 40)", got)
	}
}

// TestPager_AnchorsOutliveChangesToColumnsTheListingDoesNotRead: a run
// moving an agent's LastSeen leaves the anchors of a listing by machine
// and status usable, and drops those of listings that filter or sort on
// LastSeen; an approval drops those of a listing filtering on Status.
func TestPager_AnchorsOutliveChangesToColumnsTheListingDoesNotRead(t *testing.T) {
	ctx := context.Background()
	st := mustOpenStore(t)
	f := pagerFixture(240)
	for i := range f.Agents {
		f.Agents[i].Capabilities = []string{"LOGS"}
		f.Agents[i].Status = 2
		f.Agents[i].ClientMachine = ptr(fmt.Sprintf("m%03d", i)) // no NULLs: every page end is an anchor
	}
	mustReset(t, st, f)
	st.SetRunPolicy(store.RunPolicy{All: true})
	byMachine := store.ListOptions{Query: "Status -eq 2", SortField: "ClientMachine", Limit: 10}
	bySeen := store.ListOptions{SortField: "LastSeen", Limit: 10}
	seenFilter := store.ListOptions{Query: `LastSeen -ge "2000-01-01"`, Limit: 10}
	for _, o := range []store.ListOptions{byMachine, bySeen, seenFilter} {
		for p := 1; p <= 3; p++ {
			o.Page = p
			listIDs(t, st, o)
		}
		if n := store.ValidAnchors(st, o); n != 3 {
			t.Fatalf("%+v: %d anchors after reading pages 1-3, want 3", o, n)
		}
	}
	id := f.Agents[7].AgentId
	if _, err := st.ScheduleJob(ctx, store.ScheduleJobInput{AgentId: id, JobTypeName: "FetchLogs"}); err != nil {
		t.Fatal(err)
	}
	if a, err := st.GetAgent(ctx, id); err != nil || !a.LastSeen.Equal(testNow) {
		t.Fatalf("the run did not move LastSeen: %v, %v", a.LastSeen, err)
	}
	if n := store.ValidAnchors(st, byMachine); n != 3 {
		t.Errorf("listing by machine and status: %d anchors after LastSeen moved, want all 3", n)
	}
	for _, o := range []store.ListOptions{bySeen, seenFilter} {
		if n := store.ValidAnchors(st, o); n != 0 {
			t.Errorf("%+v: %d anchors after LastSeen moved, want none", o, n)
		}
	}
	if err := st.DisapproveAgents(ctx, []string{id}); err != nil {
		t.Fatal(err)
	}
	if n := store.ValidAnchors(st, byMachine); n != 0 {
		t.Errorf("listing filtered on Status: %d anchors after a disapproval, want none", n)
	}
}
