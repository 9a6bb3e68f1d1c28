package api_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mockcommand/mockcommand/internal/model"
)

// agentMembers are AgentResponse's members; JobTypes is Command v25's addition.
var (
	agentRequired = []string{"AgentId", "ClientMachine", "Username", "AgentPlatform", "Version", "Status", "LastSeen",
		"Capabilities", "Blueprint", "Thumbprint", "LegacyThumbprint", "AuthCertificateReenrollment",
		"LastThumbprintUsed", "LastErrorCode", "LastErrorMessage"}
	agentOptional = []string{"JobTypes"}
)

// listAgents GETs /Agents with params and returns the items.
func listAgents(t testing.TB, s *testServer, params url.Values) []map[string]any {
	t.Helper()
	r := s.get(t, withQuery(kf("/Agents"), params))
	wantJSON(t, r, http.StatusOK)
	return decodeArray(t, r.Body)
}

// queryAgentIDs returns the sorted ids of the agents a QueryString selects.
func queryAgentIDs(t testing.TB, s *testServer, query string) []string {
	t.Helper()
	return sortedCopy(idsOf(t, listAgents(t, s, q("QueryString", query, "ReturnLimit", "1000")), "AgentId"))
}

// checkAgent asserts the JSON shape of one AgentResponse and that it holds
// the fixture's values.
func checkAgent(t testing.TB, m map[string]any, want fixtureAgent) {
	t.Helper()
	what := "agent " + want.AgentId
	wantMembers(t, what, m, agentRequired, agentOptional)
	if got := wantString(t, what, m, "AgentId"); got != want.AgentId {
		t.Errorf("%s: AgentId = %q, want %q", what, got, want.AgentId)
	}
	if got := wantInt(t, what, m, "AgentPlatform"); got != int64(want.AgentPlatform) {
		t.Errorf("%s: AgentPlatform = %d, want %d", what, got, want.AgentPlatform)
	}
	if got := wantInt(t, what, m, "Status"); got != int64(want.Status) {
		t.Errorf("%s: Status = %d, want %d", what, got, want.Status)
	}
	if got := wantTime(t, what, m, "LastSeen"); !got.Equal(want.LastSeen) {
		t.Errorf("%s: LastSeen = %v, want %v", what, got, want.LastSeen)
	}
	for _, k := range []string{"ClientMachine", "Username", "Version", "Blueprint", "Thumbprint", "LegacyThumbprint",
		"AuthCertificateReenrollment", "LastThumbprintUsed", "LastErrorMessage"} {
		wantStringOrNull(t, what, m, k)
	}
	for k, w := range map[string]*string{"ClientMachine": want.ClientMachine, "Username": want.Username,
		"Version": want.Version, "Blueprint": want.Blueprint, "AuthCertificateReenrollment": want.AuthCertificateReenrollment} {
		if w == nil && m[k] != nil {
			t.Errorf("%s: %s = %#v, want null", what, k, m[k])
		}
		if w != nil && m[k] != *w {
			t.Errorf("%s: %s = %#v, want %q", what, k, m[k], *w)
		}
	}
	if v := m["LastErrorCode"]; v != nil {
		wantInt(t, what, m, "LastErrorCode")
	}
	caps, ok := m["Capabilities"].([]any)
	if !ok {
		t.Fatalf("%s: Capabilities = %#v, want an array", what, m["Capabilities"])
	}
	var got []string
	for _, c := range caps {
		s, ok := c.(string)
		if !ok {
			t.Errorf("%s: capability %#v is not a string", what, c)
		}
		got = append(got, s)
	}
	if !slices.Equal(got, want.Capabilities) {
		t.Errorf("%s: Capabilities = %q, want %q", what, got, want.Capabilities)
	}
}

func TestAgents_ListShape(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	fx := fixtureAgents(t)
	list := listAgents(t, s, nil)
	if len(list) != len(fx) {
		t.Fatalf("%d agents, want the %d fixture agents", len(list), len(fx))
	}
	byID := map[string]fixtureAgent{}
	for _, a := range fx {
		byID[a.AgentId] = a
	}
	for _, m := range list {
		id, _ := m["AgentId"].(string)
		want, ok := byID[id]
		if !ok {
			t.Errorf("agent %q is not in the fixtures", id)
			continue
		}
		checkAgent(t, m, want)
	}
}

func TestAgents_SeedQuery(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	want := matching(fixtureAgents(t), func(a fixtureAgent) bool { return a.Status == 2 && a.has("LOGS") })
	if len(want) == 0 {
		t.Fatal("the fixtures have no approved agent with LOGS; the seed scenario needs one")
	}
	got := queryAgentIDs(t, s, `Status -eq 2 AND Capabilities -contains "LOGS"`)
	if !slices.Equal(got, want) {
		t.Errorf("seed query returned %q, want %q", got, want)
	}
}

func TestAgents_ParameterSpellings(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	fx := fixtureAgents(t)
	const query = `Status -eq 2 AND Capabilities -contains "LOGS"`
	want := matching(fx, func(a fixtureAgent) bool { return a.Status == 2 && a.has("LOGS") })
	for _, key := range []string{"pq.queryString", "QueryString", "PQ.QUERYSTRING", "querystring", "Pq.QueryString"} {
		t.Run(key, func(t *testing.T) {
			got := sortedCopy(idsOf(t, listAgents(t, s, q(key, query)), "AgentId"))
			if !slices.Equal(got, want) {
				t.Errorf("%s: got %q, want %q", key, got, want)
			}
		})
	}
	for _, key := range []string{"pq.returnLimit", "ReturnLimit", "PQ.RETURNLIMIT", "returnlimit"} {
		t.Run(key, func(t *testing.T) {
			if got := len(listAgents(t, s, q(key, "2"))); got != 2 {
				t.Errorf("%s=2: %d agents, want 2", key, got)
			}
		})
	}
	all := sortedCopy(matching(fx, func(fixtureAgent) bool { return true }))
	for _, tc := range []struct{ page, sort, asc string }{
		{"pq.pageReturned", "pq.sortField", "pq.sortAscending"},
		{"PageReturned", "SortField", "SortAscending"},
		{"PAGERETURNED", "SORTFIELD", "SORTASCENDING"},
	} {
		t.Run(tc.page+"/"+tc.sort+"/"+tc.asc, func(t *testing.T) {
			got := idsOf(t, listAgents(t, s, q(tc.page, "2", "ReturnLimit", "3", tc.sort, "AgentId", tc.asc, "1")), "AgentId")
			rev := slices.Clone(all)
			slices.Reverse(rev)
			if want := rev[3:6]; !slices.Equal(got, want) {
				t.Errorf("page 2 of 3, AgentId descending: got %q, want %q", got, want)
			}
		})
	}
	t.Run("pq. form wins over the bare form", func(t *testing.T) {
		got := listAgents(t, s, q("pq.returnLimit", "1", "ReturnLimit", "4"))
		if len(got) != 1 {
			t.Errorf("%d agents, want 1 (pq.returnLimit)", len(got))
		}
	})
}

func TestAgents_Paging(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	fx := fixtureAgents(t)
	all := sortedCopy(matching(fx, func(fixtureAgent) bool { return true }))
	if len(all) < 7 {
		t.Fatalf("paging test needs at least 7 fixture agents, have %d", len(all))
	}
	t.Run("default is page 1 of 50 sorted by AgentId", func(t *testing.T) {
		got := idsOf(t, listAgents(t, s, nil), "AgentId")
		want := all[:min(50, len(all))]
		if !slices.Equal(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
	})
	t.Run("page 2 continues page 1", func(t *testing.T) {
		p1 := idsOf(t, listAgents(t, s, q("PageReturned", "1", "ReturnLimit", "3")), "AgentId")
		p2 := idsOf(t, listAgents(t, s, q("PageReturned", "2", "ReturnLimit", "3")), "AgentId")
		if len(p1) != 3 || len(p2) != 3 {
			t.Fatalf("page sizes %d and %d, want 3 and 3", len(p1), len(p2))
		}
		for _, id := range p2 {
			if slices.Contains(p1, id) {
				t.Errorf("agent %s is on both pages", id)
			}
		}
		if got := append(p1, p2...); !slices.Equal(got, all[:6]) {
			t.Errorf("pages 1+2 = %q, want %q", got, all[:6])
		}
	})
	t.Run("every page together is the whole list", func(t *testing.T) {
		var got []string
		for page := 1; page <= len(all)/3+1; page++ {
			got = append(got, idsOf(t, listAgents(t, s, q("pq.pageReturned", fmt.Sprint(page), "pq.returnLimit", "3")), "AgentId")...)
		}
		if !slices.Equal(got, all) {
			t.Errorf("concatenated pages = %q, want %q", got, all)
		}
	})
	t.Run("paging on a field with ties is stable", func(t *testing.T) {
		for _, asc := range []string{"0", "1"} {
			seen := map[string]int{}
			for page := 1; page <= len(all)/3+1; page++ {
				for _, id := range idsOf(t, listAgents(t, s, q("SortField", "Status", "SortAscending", asc, "PageReturned", fmt.Sprint(page), "ReturnLimit", "3")), "AgentId") {
					seen[id]++
				}
			}
			for _, id := range all {
				if seen[id] != 1 {
					t.Errorf("SortAscending=%s: agent %s appears on %d pages, want 1", asc, id, seen[id])
				}
			}
		}
	})
	t.Run("beyond the end is an empty array", func(t *testing.T) {
		for _, params := range []url.Values{
			q("PageReturned", "100", "ReturnLimit", "3"),
			q("QueryString", `ClientMachine -eq "no-such-host"`),
		} {
			r := s.get(t, withQuery(kf("/Agents"), params))
			wantJSON(t, r, http.StatusOK)
			if got := string(bytes.TrimSpace(r.Body)); got != "[]" {
				t.Errorf("%v: body = %s, want []", params, got)
			}
		}
	})
	t.Run("largest page number is accepted", func(t *testing.T) {
		if got := listAgents(t, s, q("PageReturned", "2147483647", "ReturnLimit", "2147483647")); len(got) != 0 {
			t.Errorf("%d agents on page 2147483647, want 0", len(got))
		}
	})
}

func TestAgents_BadPaging(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	for _, name := range []string{"PageReturned", "pq.pageReturned", "ReturnLimit", "pq.returnLimit"} {
		for _, v := range []string{"0", "-1", "abc", "1.5", "99999999999", "2147483648"} {
			t.Run(name+"="+v, func(t *testing.T) {
				r := s.get(t, withQuery(kf("/Agents"), q(name, v)))
				wantError(t, r, http.StatusBadRequest, codePaging, v)
			})
		}
	}
	for _, v := range []string{"2", "-1", "yes", "true"} {
		t.Run("SortAscending="+v, func(t *testing.T) {
			r := s.get(t, withQuery(kf("/Agents"), q("SortAscending", v)))
			wantError(t, r, http.StatusBadRequest, codePaging, "SortAscending")
		})
	}
}

func TestAgents_Sorting(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	fx := fixtureAgents(t)
	byMachine := slices.Clone(fx)
	slices.SortFunc(byMachine, func(a, b fixtureAgent) int {
		return strings.Compare(strings.ToLower(a.machine()), strings.ToLower(b.machine()))
	})
	var machinesAsc []string
	for _, a := range byMachine {
		machinesAsc = append(machinesAsc, a.AgentId)
	}
	machinesDesc := slices.Clone(machinesAsc)
	slices.Reverse(machinesDesc)
	idsAsc := sortedCopy(matching(fx, func(fixtureAgent) bool { return true }))
	idsDesc := slices.Clone(idsAsc)
	slices.Reverse(idsDesc)

	for _, tc := range []struct {
		name   string
		params url.Values
		want   []string
	}{
		{"ClientMachine ascending by default", q("SortField", "ClientMachine"), machinesAsc},
		{"ClientMachine SortAscending=0", q("SortField", "ClientMachine", "SortAscending", "0"), machinesAsc},
		{"ClientMachine SortAscending=1 is descending", q("SortField", "ClientMachine", "SortAscending", "1"), machinesDesc},
		{"sort field is case-insensitive", q("pq.sortField", "clientmachine", "pq.sortAscending", "1"), machinesDesc},
		{"default sort is AgentId", nil, idsAsc},
		{"default sort descending", q("SortAscending", "1"), idsDesc},
		{"AgentId explicitly", q("SortField", "AgentId"), idsAsc},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := idsOf(t, listAgents(t, s, tc.params), "AgentId")
			if !slices.Equal(got, tc.want) {
				t.Errorf("order = %q, want %q", got, tc.want)
			}
		})
	}
	t.Run("LastSeen descending is newest first", func(t *testing.T) {
		list := listAgents(t, s, q("SortField", "LastSeen", "SortAscending", "1"))
		var prev time.Time
		for i, m := range list {
			ls := wantTime(t, "agent", m, "LastSeen")
			if i > 0 && ls.After(prev) {
				t.Errorf("item %d LastSeen %v is after the previous %v", i, ls, prev)
			}
			prev = ls
		}
	})
	t.Run("Status ascending", func(t *testing.T) {
		list := listAgents(t, s, q("SortField", "Status"))
		var prev int64
		for i, m := range list {
			st := wantInt(t, "agent", m, "Status")
			if i > 0 && st < prev {
				t.Errorf("item %d Status %d after %d", i, st, prev)
			}
			prev = st
		}
	})
	for _, field := range []string{"NoSuchField", "Capabilities", "Password"} {
		t.Run("unknown sort field "+field, func(t *testing.T) {
			r := s.get(t, withQuery(kf("/Agents"), q("SortField", field)))
			wantError(t, r, http.StatusBadRequest, codeSortField, "Invalid sort field", field)
		})
	}
}

func TestAgents_QueryFilters(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	fx := fixtureAgents(t)
	day := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		query string
		want  func(fixtureAgent) bool
	}{
		{`Status -eq 2`, func(a fixtureAgent) bool { return a.Status == 2 }},
		{`Status -eq "2"`, func(a fixtureAgent) bool { return a.Status == 2 }},
		{`status -EQ 1`, func(a fixtureAgent) bool { return a.Status == 1 }},
		{`Status -ne 2`, func(a fixtureAgent) bool { return a.Status != 2 }},
		{`Status -gt 1 AND Status -lt 3`, func(a fixtureAgent) bool { return a.Status == 2 }},
		{`Platform -eq 7`, func(a fixtureAgent) bool { return a.AgentPlatform == 7 }},
		{`AgentPlatform -ne 7`, func(a fixtureAgent) bool { return a.AgentPlatform != 7 }},
		{`Identity -eq "svc-kf-linux"`, func(a fixtureAgent) bool { return model.Deref(a.Username) == "svc-kf-linux" }},
		{`Username -eq "SVC-KF-LINUX"`, func(a fixtureAgent) bool { return strings.EqualFold(model.Deref(a.Username), "svc-kf-linux") }},
		{`Identity -eq "CORP\\svc-kf-orch"`, func(a fixtureAgent) bool { return strings.EqualFold(model.Deref(a.Username), `CORP\svc-kf-orch`) }},
		{`Identity -startswith "corp\\"`, func(a fixtureAgent) bool { return strings.HasPrefix(strings.ToLower(model.Deref(a.Username)), `corp\`) }},
		{`ClientMachine -eq "` + strings.ToUpper(fx[0].machine()) + `"`, func(a fixtureAgent) bool { return strings.EqualFold(a.machine(), fx[0].machine()) }},
		{`ClientMachine -startswith "UO-"`, func(a fixtureAgent) bool { return strings.HasPrefix(strings.ToLower(a.machine()), "uo-") }},
		{`ClientMachine -endswith ".CORP.EXAMPLE.COM"`, func(a fixtureAgent) bool { return strings.HasSuffix(strings.ToLower(a.machine()), ".corp.example.com") }},
		{`ClientMachine -contains "PROD"`, func(a fixtureAgent) bool { return strings.Contains(strings.ToLower(a.machine()), "prod") }},
		{`ClientMachine -notcontains "prod"`, func(a fixtureAgent) bool { return !strings.Contains(strings.ToLower(a.machine()), "prod") }},
		{`ClientMachine -contains "_"`, func(a fixtureAgent) bool { return strings.Contains(a.machine(), "_") }},
		{`ClientMachine -contains "%"`, func(a fixtureAgent) bool { return strings.Contains(a.machine(), "%") }},
		{`Version -startswith "24."`, func(a fixtureAgent) bool { return strings.HasPrefix(model.Deref(a.Version), "24.") }},
		{`Blueprint -eq NULL`, func(a fixtureAgent) bool { return a.Blueprint == nil }},
		{`Blueprint -ne null`, func(a fixtureAgent) bool { return a.Blueprint != nil }},
		{`Blueprint -eq "dmz edge"`, func(a fixtureAgent) bool { return strings.EqualFold(model.Deref(a.Blueprint), "DMZ Edge") }},
		{`LastSeen -ge "2026-11-28"`, func(a fixtureAgent) bool { return !a.LastSeen.Before(day) }},
		{`LastSeen -lt "2026-11-28"`, func(a fixtureAgent) bool { return a.LastSeen.Before(day) }},
		{`LastSeen -eq "2026-11-28"`, func(a fixtureAgent) bool { return !a.LastSeen.Before(day) && a.LastSeen.Before(day.AddDate(0, 0, 1)) }},
		{`LastSeen -gt "2026-11-28T09:00:00Z"`, func(a fixtureAgent) bool { return a.LastSeen.After(day.Add(9 * time.Hour)) }},
		{`Capabilities -contains "LOGS"`, func(a fixtureAgent) bool { return a.has("LOGS") }},
		{`Capabilities -contains "logs"`, func(a fixtureAgent) bool { return a.has("LOGS") }},
		{`Capabilities -notcontains "LOGS"`, func(a fixtureAgent) bool { return !a.has("LOGS") }},
		{`Capabilities -contains "LOG"`, func(a fixtureAgent) bool { return a.has("LOG") }},
		{`Capabilities -contains "RebootHost" AND Capabilities -contains "SampleCustomJobType"`, func(a fixtureAgent) bool { return a.has("RebootHost") && a.has("SampleCustomJobType") }},
		// AND binds tighter than OR.
		{`Status -eq 1 OR Status -eq 3 AND Capabilities -contains "LOGS"`, func(a fixtureAgent) bool { return a.Status == 1 || (a.Status == 3 && a.has("LOGS")) }},
		{`(Status -eq 1 OR Status -eq 3) AND Capabilities -contains "LOGS"`, func(a fixtureAgent) bool { return (a.Status == 1 || a.Status == 3) && a.has("LOGS") }},
		{`Capabilities -contains "LOGS" AND Status -eq 1 OR Status -eq 3`, func(a fixtureAgent) bool { return (a.has("LOGS") && a.Status == 1) || a.Status == 3 }},
		{`(ClientMachine -startswith "uo-prod" OR ClientMachine -startswith "uo-lab")AND Status -eq 2`, func(a fixtureAgent) bool {
			m := strings.ToLower(a.machine())
			return (strings.HasPrefix(m, "uo-prod") || strings.HasPrefix(m, "uo-lab")) && a.Status == 2
		}},
		{`status -eq 2 and (platform -eq 6 or platform -eq 2)`, func(a fixtureAgent) bool { return a.Status == 2 && (a.AgentPlatform == 6 || a.AgentPlatform == 2) }},
		{`AgentId -eq "` + strings.ToUpper(fx[1].AgentId) + `"`, func(a fixtureAgent) bool { return a.AgentId == fx[1].AgentId }},
		{`  `, func(fixtureAgent) bool { return true }},
		{`Capabilities -ne NULL`, func(a fixtureAgent) bool { return len(a.Capabilities) > 0 }},
		{`Capabilities -eq NULL`, func(a fixtureAgent) bool { return len(a.Capabilities) == 0 }},
		{`LastSeen -lt %TODAY%`, func(a fixtureAgent) bool { return a.LastSeen.Before(today()) }},
		{`LastSeen -ge %today%`, func(a fixtureAgent) bool { return !a.LastSeen.Before(today()) }},
		// Enum names, as the portal shows them, are accepted for Status and Platform.
		{`Status -eq Approved`, func(a fixtureAgent) bool { return a.Status == 2 }},
		{`Status -eq "disapproved"`, func(a fixtureAgent) bool { return a.Status == 3 }},
		{`Platform -eq UniversalOrchestrator`, func(a fixtureAgent) bool { return a.AgentPlatform == 7 }},
		{`ClientMachine -eq ""`, func(a fixtureAgent) bool { return a.ClientMachine != nil && *a.ClientMachine == "" }},
	} {
		t.Run(tc.query, func(t *testing.T) {
			want := matching(fx, tc.want)
			if got := queryAgentIDs(t, s, tc.query); !slices.Equal(got, want) {
				t.Errorf("got %q,\nwant %q", got, want)
			}
		})
	}
}

// today is the current UTC date at midnight, what %TODAY% means.
func today() time.Time {
	y, m, d := time.Now().UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func TestAgents_IgnoredParameters(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	want := idsOf(t, listAgents(t, s, q("ReturnLimit", "4")), "AgentId")
	for _, params := range []url.Values{
		q("ReturnLimit", "4", "pq.skipCount", "5"),
		q("ReturnLimit", "4", "SkipCount", "7"),
		q("ReturnLimit", "4", "unrelated", "x"),
		q("ReturnLimit", "4", "QueryString", ""),
		q("ReturnLimit", "4", "SortField", ""),
		q("ReturnLimit", "4", "PageReturned", ""),
	} {
		t.Run(params.Encode(), func(t *testing.T) {
			if got := idsOf(t, listAgents(t, s, params), "AgentId"); !slices.Equal(got, want) {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
}

func TestAgents_QueryInjection(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	all := len(fixtureAgents(t))
	for _, query := range []string{
		`ClientMachine -eq "x' OR 1=1 --"`,
		`ClientMachine -eq "x\" OR 1=1 --"`,
		`ClientMachine -eq "'; DROP TABLE agents; --"`,
		`ClientMachine -contains "' OR ''='"`,
		`Capabilities -contains "x') OR 1=1 --"`,
	} {
		t.Run(query, func(t *testing.T) {
			if got := queryAgentIDs(t, s, query); len(got) != 0 {
				t.Errorf("injection attempt matched %q, want nothing", got)
			}
		})
	}
	t.Run("trailing SQL is a query error", func(t *testing.T) {
		r := s.get(t, withQuery(kf("/Agents"), q("QueryString", `Status -eq 2; DROP TABLE agents`)))
		wantError(t, r, http.StatusBadRequest, codeQuery, "position")
	})
	if got := len(listAgents(t, s, nil)); got != all {
		t.Errorf("after the injection attempts %d agents, want %d", got, all)
	}
}

func TestAgents_QueryErrors(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	for _, tc := range []struct {
		query string
		parts []string
	}{
		{`NoSuchField -eq "x"`, []string{"position 1", "NoSuchField"}},
		{`LastSeen -contains "2026"`, []string{"position 10", "-contains"}},
		{`Status -eq "abc"`, []string{"position 12", "abc"}},
		{`Status -eq abc`, []string{"position 12", "abc"}},
		{`(Status -eq 2`, []string{"position", ")"}},
		{`Status -eq 2)`, []string{"position 13", ")"}},
		{`Status -eq`, []string{"position 11"}},
		{`Status -like 2`, []string{"position 8", "-like"}},
		{`Status -eq 2 AND`, []string{"position"}},
		{`Status -eq 2 XOR Status -eq 3`, []string{"position 14"}},
		{`ClientMachine -eq "unterminated`, []string{"position 19"}},
		{`LastSeen -ge "yesterday"`, []string{"position", "yesterday"}},
		{`Capabilities -eq "LOGS"`, []string{"position"}},
		{`Capabilities -startswith "LO"`, []string{"position"}},
		{`ClientMachine -gt "a"`, []string{"position"}},
		{`Status -contains 2`, []string{"position"}},
		{strings.Repeat("(", 40) + `Status -eq 2` + strings.Repeat(")", 40), []string{"position", "nested"}},
		{`ClientMachine -eq "` + strings.Repeat("a", 9000) + `"`, []string{"position", "long"}},
	} {
		name := tc.query
		if len(name) > 60 {
			name = name[:60]
		}
		t.Run(name, func(t *testing.T) {
			r := s.get(t, withQuery(kf("/Agents"), q("QueryString", tc.query)))
			wantError(t, r, http.StatusBadRequest, codeQuery, tc.parts...)
		})
	}
}

func TestAgents_Get(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	fx := fixtureAgents(t)
	for _, a := range fx[:3] {
		t.Run(a.AgentId, func(t *testing.T) {
			r := s.get(t, kf("/Agents/"+a.AgentId))
			wantJSON(t, r, http.StatusOK)
			checkAgent(t, decodeObject(t, r.Body), a)
		})
	}
	t.Run("upper-case GUID", func(t *testing.T) {
		r := s.get(t, kf("/Agents/"+strings.ToUpper(fx[0].AgentId)))
		wantJSON(t, r, http.StatusOK)
		checkAgent(t, decodeObject(t, r.Body), fx[0])
	})
	t.Run("lower-case path with a trailing slash", func(t *testing.T) {
		r := s.get(t, "/keyfactorapi/agents/"+fx[0].AgentId+"/")
		wantJSON(t, r, http.StatusOK)
		checkAgent(t, decodeObject(t, r.Body), fx[0])
	})
	t.Run("unknown GUID", func(t *testing.T) {
		const id = "00000000-1111-2222-3333-444444444444"
		wantError(t, s.get(t, kf("/Agents/"+id)), http.StatusNotFound, codeNotFound, id)
	})
	t.Run("not a GUID", func(t *testing.T) {
		wantError(t, s.get(t, kf("/Agents/not-a-guid")), http.StatusNotFound, codeNotFound, "not-a-guid")
	})
}
