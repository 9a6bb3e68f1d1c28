package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mockcommand/mockcommand/internal/model"
	"github.com/mockcommand/mockcommand/internal/store"
)

// Ids of the filter fixture, named for readability.
const (
	idA = "aaaaaaaa-0000-0000-0000-000000000001"
	idB = "bbbbbbbb-0000-0000-0000-000000000002"
	idC = "cccccccc-0000-0000-0000-000000000003"
	idD = "dddddddd-0000-0000-0000-000000000004"
)

func filterFixture(t *testing.T) *store.Store {
	t.Helper()
	st := mustOpenStore(t)
	at := func(s string) model.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return model.NewTime(v)
	}
	a := agent(idA, "web01.corp.example.com", 2, "LOGS", "RebootHost")
	a.Username, a.LastSeen, a.Blueprint, a.Version = ptr(`CORP\svc-orch`), at("2026-11-28T09:00:00Z"), ptr("Edge"), ptr("24.4.0.0")
	b := agent(idB, "WEB02.corp.example.com", 2, "logs")
	b.Username, b.LastSeen, b.Version = ptr("svc_50%"), at("2026-11-27T23:59:59.999Z"), ptr("25.1.0.0")
	b.AgentPlatform = 6
	c := agent(idC, "db01.corp.example.com", 1)
	c.LastSeen = at("2026-11-28T00:00:00Z")
	c.Username = ptr("svc_x")
	d := agent(idD, "db02.corp.example.com", 3, "RebootHost")
	d.LastSeen = at("2026-10-01T12:00:00Z")
	mustReset(t, st, model.Fixtures{Agents: []model.Agent{d, c, b, a}})
	return st
}

func TestListAgents_FilterSemantics(t *testing.T) {
	st := filterFixture(t)
	tests := []struct {
		query string
		want  []string // in AgentId order
	}{
		{``, []string{idA, idB, idC, idD}},
		{`Status -eq 2 AND Capabilities -contains "LOGS"`, []string{idA, idB}}, // membership is case-insensitive
		{`Capabilities -notcontains "logs"`, []string{idC, idD}},
		{`Capabilities -eq NULL`, []string{idC}},
		{`Capabilities -ne NULL`, []string{idA, idB, idD}},
		{`Capabilities -contains "LOG"`, nil}, // membership, not substring
		{`ClientMachine -eq "web02.CORP.example.com"`, []string{idB}},
		{`ClientMachine -startswith "web"`, []string{idA, idB}},
		{`ClientMachine -endswith "01.corp.example.com"`, []string{idA, idC}},
		{`ClientMachine -contains "DB0"`, []string{idC, idD}},
		{`Username -contains "50%"`, []string{idB}},     // % is literal, not a wildcard
		{`Username -contains "_"`, []string{idB, idC}},  // so is _
		{`Identity -contains "\\"`, []string{idA}},      // an escaped backslash
		{`Identity -eq "corp\svc-orch"`, []string{idA}}, // a backslash before a letter is literal
		{`Blueprint -eq NULL`, []string{idB, idC, idD}},
		{`Blueprint -ne NULL`, []string{idA}},
		{`Blueprint -ne "edge"`, []string{idB, idC, idD}}, // NULL differs from any value
		{`Blueprint -notcontains "dg"`, []string{idB, idC, idD}},
		{`Status -eq Approved`, []string{idA, idB}},
		{`Status -ne "2"`, []string{idC, idD}},
		{`Status -lt 3 AND Status -gt 1`, []string{idA, idB}},
		{`Platform -eq 6`, []string{idB}},
		{`LastSeen -eq "2026-11-28"`, []string{idA, idC}}, // a date-only value is the whole UTC day
		{`LastSeen -ne "2026-11-28"`, []string{idB, idD}},
		{`LastSeen -lt "2026-11-28"`, []string{idB, idD}},
		{`LastSeen -le "2026-11-27"`, []string{idB, idD}},
		{`LastSeen -gt "2026-11-27"`, []string{idA, idC}},
		{`LastSeen -ge "2026-11-28T00:00:00Z"`, []string{idA, idC}},
		{`LastSeen -gt "2026-11-28T00:00:00Z"`, []string{idA}},
		{`LastSeen -eq "2026-11-28T09:00:00Z"`, []string{idA}},
		{`LastSeen -lt "2026-11-28T02:00:00+01:00"`, []string{idB, idC, idD}}, // offsets are honoured
		{`LastSeen -ge %TODAY%`, []string{idA, idC}},                          // testNow is 2026-11-28
		{`Version -startswith "24" OR Status -eq 1 AND Capabilities -eq NULL`, []string{idA, idC}},
		{`(Version -startswith "24" OR Status -eq 1) AND Capabilities -eq NULL`, []string{idC}},
		{`ClientMachine -eq "x' OR 1=1 --"`, nil},
		{`AgentId -eq "AAAAAAAA-0000-0000-0000-000000000001"`, []string{idA}},
		{`LastSeen -le "9999-12-31"`, []string{idA, idB, idC, idD}}, // the last storable day is still compared as a day
		{`LastSeen -gt "9999-12-31"`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			got := listIDs(t, st, store.ListOptions{Query: tt.query})
			if !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
				t.Errorf("ids = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestListAgents_SortAndPage(t *testing.T) {
	st := filterFixture(t)
	tests := []struct {
		name string
		opts store.ListOptions
		want []string
	}{
		{"default sort is AgentId", store.ListOptions{}, []string{idA, idB, idC, idD}},
		{"descending", store.ListOptions{Descending: true}, []string{idD, idC, idB, idA}},
		{"ClientMachine ignores case", store.ListOptions{SortField: "clientmachine"}, []string{idC, idD, idA, idB}},
		{"Status ties broken by AgentId", store.ListOptions{SortField: "Status"}, []string{idC, idA, idB, idD}},
		{"Status descending ties descending", store.ListOptions{SortField: "Status", Descending: true}, []string{idD, idB, idA, idC}},
		{"alias sorts", store.ListOptions{SortField: "Identity"}, []string{idD, idA, idB, idC}}, // NULL sorts first
		{"LastSeen", store.ListOptions{SortField: "LastSeen"}, []string{idD, idB, idC, idA}},
		{"page 2 of 3", store.ListOptions{Page: 2, Limit: 3}, []string{idD}},
		{"page past the end", store.ListOptions{Page: 5, Limit: 3}, nil},
		{"filter, sort and page together", store.ListOptions{Query: "Status -ne 3", SortField: "ClientMachine", Descending: true, Page: 1, Limit: 2}, []string{idB, idA}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := listIDs(t, st, tt.opts)
			if !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
				t.Errorf("ids = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestListAgents_Errors(t *testing.T) {
	st := filterFixture(t)
	tests := []struct {
		name string
		opts store.ListOptions
		kind model.Kind
		msg  string
	}{
		{"unknown sort field", store.ListOptions{SortField: "Nope", Page: 1, Limit: 1}, model.InvalidSort, "Invalid sort field: Nope."},
		{"list fields cannot sort", store.ListOptions{SortField: "Capabilities", Page: 1, Limit: 1}, model.InvalidSort, "Invalid sort field: Capabilities."},
		{"unknown field", store.ListOptions{Query: `Foo -eq 1`, Page: 1, Limit: 1}, model.InvalidQuery, `position 1: unknown field "Foo"`},
		{"operator on date", store.ListOptions{Query: `LastSeen -contains "x"`, Page: 1, Limit: 1}, model.InvalidQuery, "-contains"},
		{"bad int", store.ListOptions{Query: `Status -eq "abc"`, Page: 1, Limit: 1}, model.InvalidQuery, `"abc"`},
		{"zero page", store.ListOptions{Page: 0, Limit: 1}, model.Invalid, "PageReturned"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := st.ListAgents(context.Background(), tt.opts)
			if err == nil {
				t.Fatal("ListAgents succeeded, want an error")
			}
			if kindOf(err) != tt.kind {
				t.Errorf("kind = %v, want %v (err %v)", kindOf(err), tt.kind, err)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not contain %q", err, tt.msg)
			}
		})
	}
}
