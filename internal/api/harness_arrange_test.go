package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"
)

// Arrange state: /_mock/reset, /_mock/seed, /_mock/agents, /_mock/clock,
// the admin token, and 400s for bad admin input.

func TestHarness_ResetKeepsJournalFaultsClock(t *testing.T) {
	t.Parallel()
	s := newHarness(t)
	fx := fixtureAgents(t)
	a := pickAgent(t, "approved with FlushDnsCache", approvedWith("FlushDnsCache"))
	flushDNS(t, s, a.AgentId)
	s.adminOK(t, http.MethodPatch, "/_mock/agents/"+a.AgentId, map[string]any{"Status": 3, "ClientMachine": "changed"}, http.StatusOK)
	s.adminOK(t, http.MethodPost, "/_mock/agents", map[string]any{"ClientMachine": "extra", "Status": 2}, http.StatusCreated)
	addFault(t, s, map[string]any{"Path": "/nowhere", "Status": 500})
	advance(t, s, time.Hour)

	s.adminOK(t, http.MethodPost, "/_mock/reset", nil, http.StatusNoContent)

	list := listAgents(t, s, q("ReturnLimit", "1000"))
	if len(list) != len(fx) {
		t.Fatalf("%d agents after reset, want the %d fixtures", len(list), len(fx))
	}
	byID := map[string]fixtureAgent{}
	for _, f := range fx {
		byID[f.AgentId] = f
	}
	for _, m := range list {
		id := wantString(t, "agent", m, "AgentId")
		f, ok := byID[id]
		if !ok {
			t.Errorf("agent %s after reset is not a fixture", id)
			continue
		}
		checkAgent(t, m, f)
	}
	if n := countJobs(t, s); n != 0 {
		t.Errorf("%d scheduled jobs after reset, want 0", n)
	}
	if runs := historyWhere(t, s, ""); len(runs) != 0 {
		t.Errorf("%d job history entries after reset, want 0", len(runs))
	}
	// Without all=true the journal, the faults and the clock stay.
	if total, _ := journalPage(t, s, nil); total == 0 {
		t.Error("journal is empty after a plain reset, want it kept")
	}
	r := s.admin(t, http.MethodGet, "/_mock/faults", nil)
	wantJSON(t, r, http.StatusOK)
	if n := len(decodeArray(t, r.Body)); n != 1 {
		t.Errorf("%d fault rules after a plain reset, want 1", n)
	}
	c := s.adminOK(t, http.MethodGet, "/_mock/clock", nil, http.StatusOK)
	if got := wantTime(t, "clock", c, "Now"); !got.Equal(t0.Add(time.Hour)) || c["Frozen"] != true {
		t.Errorf("clock after a plain reset = %v frozen %v, want %v frozen", got, c["Frozen"], t0.Add(time.Hour))
	}
}

func TestHarness_ResetAll(t *testing.T) {
	t.Parallel()
	s := newHarness(t)
	a := pickAgent(t, "approved with FlushDnsCache", approvedWith("FlushDnsCache"))
	flushDNS(t, s, a.AgentId)
	addFault(t, s, map[string]any{"Path": "/nowhere", "Status": 500})

	s.adminOK(t, http.MethodPost, "/_mock/reset?all=true", nil, http.StatusNoContent)

	if total, entries := journalPage(t, s, nil); total != 0 || len(entries) != 0 {
		t.Errorf("journal after reset?all=true: Total %d, %d entries; want empty", total, len(entries))
	}
	r := s.admin(t, http.MethodGet, "/_mock/faults", nil)
	wantJSON(t, r, http.StatusOK)
	if n := len(decodeArray(t, r.Body)); n != 0 {
		t.Errorf("%d fault rules after reset?all=true, want 0", n)
	}
	c := s.adminOK(t, http.MethodGet, "/_mock/clock", nil, http.StatusOK)
	if c["Frozen"] != false {
		t.Errorf("clock Frozen = %v after reset?all=true, want false (real time)", c["Frozen"])
	}
	if now := wantTime(t, "clock", c, "Now"); time.Since(now).Abs() > time.Minute {
		t.Errorf("clock Now = %v after reset?all=true, want real time", now)
	}
	if n := countJobs(t, s); n != 0 {
		t.Errorf("%d scheduled jobs after reset?all=true, want 0", n)
	}
}

func TestHarness_Seed(t *testing.T) {
	t.Parallel()
	s := newHarness(t)
	fx := fixtureAgents(t)
	existing := fx[0]

	m := s.adminOK(t, http.MethodPost, "/_mock/seed", map[string]any{
		"Agents": []any{
			map[string]any{"ClientMachine": "seeded-01", "Status": 2, "AgentPlatform": 7, "Capabilities": []string{"LOGS", "SeededJob"}},
			map[string]any{"AgentId": existing.AgentId, "ClientMachine": "renamed", "Status": 1, "Capabilities": []string{"LOGS"}},
		},
		"JobTypes": []any{map[string]any{"JobTypeName": "SeededJob", "Description": "from seed", "JobTypeFields": []any{
			// The fixture shapes: a type by name, a default that is a JSON number.
			map[string]any{"Name": "Count", "Type": "Int", "DefaultValue": 3, "Required": false},
		}}},
	}, http.StatusOK)
	wantMembers(t, "seed answer", m, []string{"Agents", "JobTypes"}, nil)
	agents, _ := m["Agents"].([]any)
	types, _ := m["JobTypes"].([]any)
	if len(agents) != 2 || len(types) != 1 {
		t.Fatalf("seed answer has %d agents and %d job types, want 2 and 1: %v", len(agents), len(types), m)
	}
	first, _ := agents[0].(map[string]any)
	newID := wantString(t, "seeded agent", first, "AgentId")
	wantGUID(t, "generated AgentId", newID)
	if got := wantTime(t, "seeded agent", first, "LastSeen"); !got.Equal(t0) {
		t.Errorf("seeded agent LastSeen = %v, want the clock's %v", got, t0)
	}
	jt, _ := types[0].(map[string]any)
	wantGUID(t, "generated job type Id", wantString(t, "seeded job type", jt, "Id"))

	got := getAgent(t, s, newID)
	if got["ClientMachine"] != "seeded-01" || wantInt(t, "agent", got, "Status") != 2 {
		t.Errorf("GET /Agents/%s = %v, want the seeded agent", newID, got)
	}
	if n := len(listAgents(t, s, q("ReturnLimit", "1000"))); n != len(fx)+1 {
		t.Errorf("%d agents after seeding one new and one existing, want %d", n, len(fx)+1)
	}
	replaced := getAgent(t, s, existing.AgentId)
	if replaced["ClientMachine"] != "renamed" || wantInt(t, "agent", replaced, "Status") != 1 {
		t.Errorf("agent %s after seed = %v, want ClientMachine renamed and Status 1", existing.AgentId, replaced)
	}
	checkJobType(t, jobTypeByName(t, s, "SeededJob"), "SeededJob", []wantField{{Name: "Count", Type: 2, DefaultValue: strp("3")}})
	// The seeded agent can run the seeded job type.
	schedule(t, s, newID, "SeededJob", nil, nil)

	t.Run("job type replaced by name", func(t *testing.T) {
		before := countJobTypes(t, s)
		s.adminOK(t, http.MethodPost, "/_mock/seed", map[string]any{
			"JobTypes": []any{map[string]any{"JobTypeName": "FlushDnsCache", "Description": "replaced"}},
		}, http.StatusOK)
		if got := jobTypeByName(t, s, "FlushDnsCache")["Description"]; got != "replaced" {
			t.Errorf("FlushDnsCache Description = %v, want replaced", got)
		}
		if after := countJobTypes(t, s); after != before {
			t.Errorf("%d job types after replacing one, want %d", after, before)
		}
	})
}

func TestHarness_SeedRejects(t *testing.T) {
	t.Parallel()
	s := newHarness(t)
	good := map[string]any{"ClientMachine": "good", "Status": 2}
	goodType := map[string]any{"JobTypeName": "GoodType"}
	for _, tc := range []struct {
		name string
		body any
		code string
		want string
	}{
		{"bad agent status", map[string]any{"Agents": []any{good, map[string]any{"Status": 9}}}, codeValidation, "Agents[1]"},
		{"bad agent id", map[string]any{"Agents": []any{map[string]any{"AgentId": "nope", "Status": 2}}}, codeValidation, "Agents[0]"},
		{"duplicate agent ids", map[string]any{"Agents": []any{
			map[string]any{"AgentId": unknownGUID, "Status": 2}, map[string]any{"AgentId": unknownGUID, "Status": 2}}}, codeValidation, "Agents[1]"},
		{"job type without name", map[string]any{"Agents": []any{good}, "JobTypes": []any{map[string]any{"Description": "x"}}}, codeValidation, "JobTypes[0]"},
		{"built-in job type", map[string]any{"JobTypes": []any{goodType, map[string]any{"JobTypeName": "FetchLogs"}}}, codeValidation, "JobTypes[1]"},
		{"unknown member", map[string]any{"Agentz": []any{}}, codeMalformed, "Agentz"},
		{"not JSON", "{", codeMalformed, ""},
		{"no body", nil, codeMalformed, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			agents, types := len(listAgents(t, s, q("ReturnLimit", "1000"))), countJobTypes(t, s)
			var parts []string
			if tc.want != "" {
				parts = append(parts, tc.want)
			}
			wantError(t, s.admin(t, http.MethodPost, "/_mock/seed", tc.body), http.StatusBadRequest, tc.code, parts...)
			if a, jt := len(listAgents(t, s, q("ReturnLimit", "1000"))), countJobTypes(t, s); a != agents || jt != types {
				t.Errorf("after a rejected seed: %d agents and %d job types, want %d and %d (nothing stored)", a, jt, agents, types)
			}
		})
	}
}

func TestHarness_AdminAgentsCreateGetDelete(t *testing.T) {
	t.Parallel()
	s := newHarness(t)
	fx := fixtureAgents(t)

	created := s.adminOK(t, http.MethodPost, "/_mock/agents", map[string]any{
		"ClientMachine": "new-orch.example.test", "Status": 1, "AgentPlatform": 7, "Capabilities": []string{"LOGS"},
	}, http.StatusCreated)
	wantMembers(t, "created agent", created, agentRequired, agentOptional)
	id := wantString(t, "created agent", created, "AgentId")
	wantGUID(t, "AgentId", id)
	if got := wantTime(t, "created agent", created, "LastSeen"); !got.Equal(t0) {
		t.Errorf("LastSeen = %v, want the clock's %v", got, t0)
	}
	if got := getAgent(t, s, id); got["ClientMachine"] != "new-orch.example.test" || wantInt(t, "agent", got, "Status") != 1 {
		t.Errorf("GET /KeyfactorAPI/Agents/%s = %v", id, got)
	}
	if n := len(listAgents(t, s, q("ReturnLimit", "1000"))); n != len(fx)+1 {
		t.Errorf("GET /Agents lists %d agents, want %d", n, len(fx)+1)
	}

	t.Run("explicit id", func(t *testing.T) {
		m := s.adminOK(t, http.MethodPost, "/_mock/agents", map[string]any{"AgentId": "AAAAAAAA-0000-4000-8000-000000000001", "Status": 2}, http.StatusCreated)
		if got := m["AgentId"]; got != "aaaaaaaa-0000-4000-8000-000000000001" {
			t.Errorf("AgentId = %v, want the given id in canonical form", got)
		}
	})
	t.Run("duplicate", func(t *testing.T) {
		wantError(t, s.admin(t, http.MethodPost, "/_mock/agents", map[string]any{"AgentId": fx[0].AgentId, "Status": 2}),
			http.StatusBadRequest, codeDuplicate, fx[0].AgentId)
		checkAgent(t, getAgent(t, s, fx[0].AgentId), fx[0])
	})
	t.Run("admin list and get", func(t *testing.T) {
		r := s.admin(t, http.MethodGet, "/_mock/agents?ReturnLimit=1000", nil)
		wantJSON(t, r, http.StatusOK)
		if n := len(decodeArray(t, r.Body)); n != len(fx)+2 {
			t.Errorf("GET /_mock/agents lists %d, want %d", n, len(fx)+2)
		}
		m := s.adminOK(t, http.MethodGet, "/_mock/agents/"+fx[1].AgentId, nil, http.StatusOK)
		checkAgent(t, m, fx[1])
		wantError(t, s.admin(t, http.MethodGet, "/_mock/agents/"+unknownGUID, nil), http.StatusNotFound, codeNotFound)
	})
	t.Run("delete", func(t *testing.T) {
		s.adminOK(t, http.MethodDelete, "/_mock/agents/"+id, nil, http.StatusNoContent)
		wantError(t, s.get(t, kf("/Agents/"+id)), http.StatusNotFound, codeNotFound)
		wantError(t, s.admin(t, http.MethodGet, "/_mock/agents/"+id, nil), http.StatusNotFound, codeNotFound)
		if ids := queryAgentIDs(t, s, `AgentId -eq "`+id+`"`); len(ids) != 0 {
			t.Errorf("GET /Agents still lists the deleted agent")
		}
		wantError(t, s.admin(t, http.MethodDelete, "/_mock/agents/"+id, nil), http.StatusNotFound, codeNotFound)
	})
}

func TestHarness_AdminAgentsPutPatch(t *testing.T) {
	t.Parallel()
	s := newHarness(t)
	a := pickAgent(t, "approved with LOGS", approvedWith("LOGS"))
	other := pickAgent(t, "another approved agent", func(f fixtureAgent) bool { return f.Status == 2 && f.AgentId != a.AgentId })

	t.Run("patch status to New", func(t *testing.T) {
		m := s.adminOK(t, http.MethodPatch, "/_mock/agents/"+a.AgentId, map[string]any{"Status": 1}, http.StatusOK)
		if wantInt(t, "patched", m, "Status") != 1 {
			t.Errorf("PATCH answer Status = %v, want 1", m["Status"])
		}
		if got := agentStatus(t, s, a.AgentId); got != 1 {
			t.Errorf("GET /Agents Status = %d after PATCH, want 1", got)
		}
		got := getAgent(t, s, a.AgentId)
		if got["ClientMachine"] != a.machine() || len(got["Capabilities"].([]any)) != len(a.Capabilities) {
			t.Errorf("PATCH changed members it did not name: %v", got)
		}
		wantError(t, s.do(t, http.MethodPost, kf("/Agents/"+a.AgentId+"/FetchLogs"), nil), http.StatusBadRequest, codeValidation)
		s.adminOK(t, http.MethodPatch, "/_mock/agents/"+a.AgentId, map[string]any{"Status": 2}, http.StatusOK)
	})
	t.Run("patch drops LOGS", func(t *testing.T) {
		s.adminOK(t, http.MethodPatch, "/_mock/agents/"+a.AgentId, map[string]any{"Capabilities": []string{"RebootHost"}}, http.StatusOK)
		caps := getAgent(t, s, a.AgentId)["Capabilities"]
		if jsonText(caps) != `["RebootHost"]` {
			t.Errorf("Capabilities = %s, want [\"RebootHost\"]", jsonText(caps))
		}
		if ids := queryAgentIDs(t, s, `Capabilities -contains "LOGS" AND AgentId -eq "`+a.AgentId+`"`); len(ids) != 0 {
			t.Errorf("the agent still matches Capabilities -contains LOGS")
		}
		wantError(t, s.do(t, http.MethodPost, kf("/Agents/"+a.AgentId+"/FetchLogs"), nil), http.StatusBadRequest, codeValidation, "LOGS")
	})
	for _, tc := range []struct {
		name, id string
		body     any
		status   int
		code     string
	}{
		{"unknown member", a.AgentId, map[string]any{"Colour": "red"}, http.StatusBadRequest, codeMalformed},
		{"JobTypes is derived", a.AgentId, map[string]any{"JobTypes": []any{}}, http.StatusBadRequest, codeMalformed},
		{"AgentId change", a.AgentId, map[string]any{"AgentId": other.AgentId}, http.StatusBadRequest, codeValidation},
		{"bad status", a.AgentId, map[string]any{"Status": 7}, http.StatusBadRequest, codeValidation},
		{"wrong type", a.AgentId, map[string]any{"Status": "one"}, http.StatusBadRequest, codeMalformed},
		{"not an object", a.AgentId, `[1]`, http.StatusBadRequest, codeMalformed},
		{"unknown agent", unknownGUID, map[string]any{"Status": 1}, http.StatusNotFound, codeNotFound},
	} {
		t.Run("patch rejects "+tc.name, func(t *testing.T) {
			before := getAgent(t, s, a.AgentId)
			wantError(t, s.admin(t, http.MethodPatch, "/_mock/agents/"+tc.id, tc.body), tc.status, tc.code)
			if after := getAgent(t, s, a.AgentId); jsonText(after) != jsonText(before) {
				t.Errorf("a rejected PATCH changed the agent: %s -> %s", jsonText(before), jsonText(after))
			}
		})
	}
	t.Run("put replaces", func(t *testing.T) {
		m := s.adminOK(t, http.MethodPut, "/_mock/agents/"+other.AgentId, map[string]any{
			"ClientMachine": "replaced.example.test", "Status": 3, "Capabilities": []string{"X"}}, http.StatusOK)
		if m["AgentId"] != other.AgentId {
			t.Errorf("PUT answer AgentId = %v, want %s", m["AgentId"], other.AgentId)
		}
		got := getAgent(t, s, other.AgentId)
		if got["ClientMachine"] != "replaced.example.test" || wantInt(t, "agent", got, "Status") != 3 || got["Username"] != nil {
			t.Errorf("after PUT the agent is %v, want the body's members and the rest empty", got)
		}
	})
	t.Run("put rejects", func(t *testing.T) {
		wantError(t, s.admin(t, http.MethodPut, "/_mock/agents/"+other.AgentId, map[string]any{"AgentId": a.AgentId, "Status": 2}),
			http.StatusBadRequest, codeValidation)
		wantError(t, s.admin(t, http.MethodPut, "/_mock/agents/"+unknownGUID, map[string]any{"Status": 2}), http.StatusNotFound, codeNotFound)
		wantError(t, s.admin(t, http.MethodPut, "/_mock/agents/"+other.AgentId, map[string]any{"Status": 2, "Extra": 1}),
			http.StatusBadRequest, codeMalformed)
	})
	t.Run("put accepts the id in another spelling", func(t *testing.T) {
		braced := "{" + strings.ToUpper(other.AgentId) + "}"
		m := s.adminOK(t, http.MethodPut, "/_mock/agents/"+other.AgentId, map[string]any{"AgentId": braced, "Status": 2}, http.StatusOK)
		if m["AgentId"] != other.AgentId {
			t.Errorf("PUT answer AgentId = %v, want the stored spelling %s", m["AgentId"], other.AgentId)
		}
	})
}

// Concurrent PATCHes of different members must all survive: each one reads
// and writes the agent in one transaction, so none undoes another.
func TestHarness_AdminAgentPatchesDoNotLoseUpdates(t *testing.T) {
	t.Parallel()
	s := newHarness(t)
	a := pickAgent(t, "approved agent", func(f fixtureAgent) bool { return f.Status == 2 })
	members := []string{"ClientMachine", "Username", "Version", "Blueprint", "LastErrorMessage", "Thumbprint"}
	var wg sync.WaitGroup
	for round := range 8 {
		for _, name := range members {
			wg.Go(func() {
				s.adminOK(t, http.MethodPatch, "/_mock/agents/"+a.AgentId, map[string]any{name: fmt.Sprintf("%s-%d", name, round)}, http.StatusOK)
			})
		}
	}
	wg.Wait()
	s.adminOK(t, http.MethodPatch, "/_mock/agents/"+a.AgentId, map[string]any{"Status": 2}, http.StatusOK)
	got := getAgent(t, s, a.AgentId)
	for _, name := range members {
		v, _ := got[name].(string)
		if !strings.HasPrefix(v, name+"-") {
			t.Errorf("%s = %q after concurrent PATCHes, want one of the patched values: an update was lost", name, v)
		}
	}
}

func TestHarness_Clock(t *testing.T) {
	t.Parallel()
	s := newHarness(t)
	check := func(t *testing.T, m map[string]any, now time.Time, frozen bool) {
		t.Helper()
		wantMembers(t, "clock", m, []string{"Now", "Frozen"}, nil)
		if got := wantTime(t, "clock", m, "Now"); !got.Equal(now) {
			t.Errorf("Now = %v, want %v", got, now)
		}
		if m["Frozen"] != frozen {
			t.Errorf("Frozen = %v, want %v", m["Frozen"], frozen)
		}
	}
	check(t, s.adminOK(t, http.MethodGet, "/_mock/clock", nil, http.StatusOK), t0, true)

	steps := []struct {
		name   string
		body   any
		now    time.Time
		frozen bool
	}{
		{"advance by duration", map[string]any{"Advance": "90m"}, t0.Add(90 * time.Minute), true},
		{"advance by milliseconds", map[string]any{"Advance": 60000}, t0.Add(91 * time.Minute), true},
		{"set", map[string]any{"Now": "2027-01-02T03:04:05Z"}, time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC), true},
		{"freeze again", map[string]any{"Freeze": true}, time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC), true},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			check(t, setClock(t, s, st.body), st.now, st.frozen)
			check(t, s.adminOK(t, http.MethodGet, "/_mock/clock", nil, http.StatusOK), st.now, st.frozen)
		})
	}
	t.Run("unfreeze", func(t *testing.T) {
		base := time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC)
		m := setClock(t, s, map[string]any{"Freeze": false})
		if m["Frozen"] != false {
			t.Fatalf("Frozen = %v after Freeze:false", m["Frozen"])
		}
		time.Sleep(20 * time.Millisecond)
		now := clockNow(t, s)
		if !now.After(base) || now.Sub(base) > time.Minute {
			t.Errorf("running clock reads %v, want a little after %v", now, base)
		}
	})
	t.Run("set running", func(t *testing.T) {
		m := setClock(t, s, map[string]any{"Now": "2030-06-01T00:00:00Z", "Freeze": false})
		if m["Frozen"] != false {
			t.Errorf("Frozen = %v, want false", m["Frozen"])
		}
		if now := clockNow(t, s); now.Before(time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC)) || now.After(time.Date(2030, 6, 1, 0, 1, 0, 0, time.UTC)) {
			t.Errorf("clock reads %v, want just after 2030-06-01", now)
		}
	})
	t.Run("real", func(t *testing.T) {
		m := setClock(t, s, map[string]any{"Real": true})
		if m["Frozen"] != false {
			t.Errorf("Frozen = %v, want false", m["Frozen"])
		}
		if now := wantTime(t, "clock", m, "Now"); time.Since(now).Abs() > time.Minute {
			t.Errorf("Real clock reads %v, want about %v", now, time.Now().UTC())
		}
	})
}

func TestHarness_ClockRejects(t *testing.T) {
	t.Parallel()
	s := newHarness(t)
	for _, tc := range []struct {
		name string
		body any
		code string
	}{
		{"empty object", map[string]any{}, codeValidation},
		{"no body", nil, codeMalformed},
		{"not JSON", "soon", codeMalformed},
		{"array", `[]`, codeMalformed},
		{"bad duration", map[string]any{"Advance": "a while"}, codeMalformed},
		{"bad time", map[string]any{"Now": "yesterday"}, codeMalformed},
		{"now and advance", map[string]any{"Now": "2027-01-01T00:00:00Z", "Advance": "1m"}, codeValidation},
		{"real and advance", map[string]any{"Real": true, "Advance": "1m"}, codeValidation},
		{"real and freeze", map[string]any{"Real": true, "Freeze": true}, codeValidation},
		{"unknown member", map[string]any{"Tick": 1}, codeMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, s.admin(t, http.MethodPost, "/_mock/clock", tc.body), http.StatusBadRequest, tc.code)
			if now := clockNow(t, s); !now.Equal(t0) {
				t.Errorf("a rejected clock change moved the clock to %v", now)
			}
		})
	}
}

func TestHarness_ClockStampsWrites(t *testing.T) {
	t.Parallel()
	s := newHarness(t)
	a := pickAgent(t, "approved with FlushDnsCache", approvedWith("FlushDnsCache"))
	advance(t, s, 90*time.Minute)
	at := t0.Add(90 * time.Minute)

	r := postJob(t, s, map[string]any{"AgentId": a.AgentId, "JobTypeName": "FlushDnsCache"})
	wantJSON(t, r, http.StatusOK)
	job := decodeObject(t, r.Body)
	if got := wantTime(t, "job", job, "RequestTimestamp"); !got.Equal(at) {
		t.Errorf("RequestTimestamp = %v, want the clock's %v", got, at)
	}
	id := job["JobId"].(string)
	if got := wantTime(t, "run", onlyRun(t, s, id), "OperationStart"); !got.Equal(at) {
		t.Errorf("OperationStart = %v, want %v", got, at)
	}
	advance(t, s, 10*time.Minute)
	mustComplete(t, s, id, nil)
	end := t0.Add(100 * time.Minute)
	if got := wantTime(t, "run", onlyRun(t, s, id), "OperationEnd"); !got.Equal(end) {
		t.Errorf("OperationEnd = %v, want %v", got, end)
	}
	if got := wantTime(t, "agent", getAgent(t, s, a.AgentId), "LastSeen"); !got.Equal(end) {
		t.Errorf("LastSeen = %v, want %v", got, end)
	}
}

func TestHarness_AdminToken(t *testing.T) {
	t.Parallel()
	const tok = "s3cret-token"
	s := newHarness(t, adminToken(tok))
	routes := []struct{ method, path string }{
		{http.MethodPost, "/_mock/reset"}, {http.MethodPost, "/_mock/seed"},
		{http.MethodGet, "/_mock/clock"}, {http.MethodPost, "/_mock/clock"},
		{http.MethodGet, "/_mock/agents"}, {http.MethodPost, "/_mock/agents"},
		{http.MethodGet, "/_mock/agents/" + unknownGUID}, {http.MethodPut, "/_mock/agents/" + unknownGUID},
		{http.MethodPatch, "/_mock/agents/" + unknownGUID}, {http.MethodDelete, "/_mock/agents/" + unknownGUID},
		{http.MethodGet, "/_mock/jobs/mode"}, {http.MethodPut, "/_mock/jobs/mode"},
		{http.MethodPost, "/_mock/jobs/" + unknownGUID + "/start"}, {http.MethodPost, "/_mock/jobs/" + unknownGUID + "/complete"},
		{http.MethodGet, "/_mock/requests"}, {http.MethodDelete, "/_mock/requests"},
		{http.MethodGet, "/_mock/faults"}, {http.MethodPost, "/_mock/faults"},
		{http.MethodDelete, "/_mock/faults"}, {http.MethodDelete, "/_mock/faults/1"},
	}
	for _, rt := range routes {
		t.Run(rt.method+" "+rt.path, func(t *testing.T) {
			for name, opt := range map[string]reqOpt{
				"no header":   withoutAuth(),
				"wrong token": bearer("nope"),
				"basic":       withBasic("admin", "password"),
				"bare token":  withHeader("Authorization", tok),
			} {
				r := s.admin(t, rt.method, rt.path, `{}`, opt)
				wantError(t, r, http.StatusUnauthorized, codeUnauthenticated, "Bearer")
				if r.Header.Get("WWW-Authenticate") == "" {
					t.Errorf("%s: 401 without WWW-Authenticate", name)
				}
			}
		})
	}
	t.Run("scheme is case-insensitive", func(t *testing.T) {
		// RFC 9110 §11.1: the authentication scheme is a case-insensitive token.
		wantJSON(t, s.admin(t, http.MethodGet, "/_mock/clock", nil, withHeader("Authorization", "bearer "+tok)), http.StatusOK)
	})
	t.Run("with the token", func(t *testing.T) {
		r := s.admin(t, http.MethodGet, "/_mock/clock", nil, bearer(tok))
		wantJSON(t, r, http.StatusOK)
		r = s.admin(t, http.MethodPost, "/_mock/reset", nil, bearer(tok))
		if r.Status != http.StatusNoContent {
			t.Errorf("POST /_mock/reset with the token: %d %s", r.Status, r.Body)
		}
	})
	t.Run("health needs no token", func(t *testing.T) {
		wantJSON(t, s.admin(t, http.MethodGet, "/_mock/health", nil), http.StatusOK)
	})
	t.Run("Keyfactor routes keep Basic auth", func(t *testing.T) {
		wantJSON(t, s.get(t, kf("/Agents")), http.StatusOK)
		if r := s.get(t, kf("/Agents"), bearer(tok)); r.Status != http.StatusUnauthorized {
			t.Errorf("the admin token opened a Keyfactor route: %d", r.Status)
		}
	})
}

func TestHarness_AdminBadInput(t *testing.T) {
	t.Parallel()
	s := newHarness(t)
	a := pickAgent(t, "approved with FlushDnsCache", approvedWith("FlushDnsCache"))
	job := flushDNS(t, s, a.AgentId)
	wantJSON(t, startJob(t, s, job), http.StatusOK)
	for _, tc := range []struct {
		method, path string
		body         any
		code         string
	}{
		{http.MethodPost, "/_mock/reset?all=maybe", nil, codeValidation},
		{http.MethodPost, "/_mock/seed", map[string]any{"Agents": map[string]any{}}, codeMalformed},
		{http.MethodPost, "/_mock/clock", map[string]any{}, codeValidation},
		{http.MethodGet, "/_mock/agents?ReturnLimit=0", nil, codePaging},
		{http.MethodGet, "/_mock/agents?QueryString=Bogus+-eq+1", nil, codeQuery},
		{http.MethodPost, "/_mock/agents", map[string]any{"Status": "new"}, codeMalformed},
		{http.MethodPost, "/_mock/agents", map[string]any{"Status": 2, "AgentId": "x"}, codeValidation},
		{http.MethodPut, "/_mock/agents/" + a.AgentId, `[1]`, codeMalformed},
		{http.MethodPatch, "/_mock/agents/" + a.AgentId, map[string]any{"Bogus": true}, codeMalformed},
		{http.MethodPut, "/_mock/jobs/mode", map[string]any{"Mode": "later"}, codeValidation},
		{http.MethodPost, "/_mock/jobs/" + job + "/start", nil, codeValidation},
		{http.MethodPost, "/_mock/jobs/" + job + "/complete", map[string]any{"Result": "Great"}, codeMalformed},
		{http.MethodGet, "/_mock/requests?limit=0", nil, codeValidation},
		{http.MethodPost, "/_mock/faults", map[string]any{"Status": 42}, codeValidation},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			wantError(t, s.admin(t, tc.method, tc.path, tc.body), http.StatusBadRequest, tc.code)
		})
	}
	// The rejected complete left the run in process.
	wantRun(t, "run", onlyRun(t, s, job), 2, 0)
}

func TestHarness_ResetToCustomFixtures(t *testing.T) {
	t.Parallel()
	const id = "0f0f0f0f-1111-4222-8333-444444444444"
	s := newHarness(t, withFixtures(fstest.MapFS{
		"agents.json": {Data: []byte(`[{"AgentId":"` + id + `","ClientMachine":"only-one","Status":2,"AgentPlatform":7,` +
			`"LastSeen":"2026-01-02T03:04:05Z","Capabilities":["Ping"]}]`)},
		"jobtypes.json": {Data: []byte(`[{"JobTypeName":"Ping","JobTypeFields":[{"Name":"Count","Type":"Int","DefaultValue":3,"Required":false}]}]`)},
	}))
	only := func(t *testing.T) {
		t.Helper()
		list := listAgents(t, s, q("ReturnLimit", "1000"))
		if got := idsOf(t, list, "AgentId"); !slices.Equal(got, []string{id}) {
			t.Fatalf("agents = %v, want only the fixture %s", got, id)
		}
		if got := wantTime(t, "agent", list[0], "LastSeen"); !got.Equal(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) {
			t.Errorf("LastSeen = %v, want the fixture's", got)
		}
		jobTypeByName(t, s, "Ping")
	}
	only(t)
	schedule(t, s, id, "Ping", nil, nil)
	s.adminOK(t, http.MethodPost, "/_mock/seed", map[string]any{
		"Agents":   []any{map[string]any{"ClientMachine": "seeded", "Status": 1}},
		"JobTypes": []any{map[string]any{"JobTypeName": "Pong"}},
	}, http.StatusOK)
	s.adminOK(t, http.MethodPatch, "/_mock/agents/"+id, map[string]any{"ClientMachine": "patched"}, http.StatusOK)

	s.adminOK(t, http.MethodPost, "/_mock/reset", nil, http.StatusNoContent)
	only(t)
	if got := getAgent(t, s, id)["ClientMachine"]; got != "only-one" {
		t.Errorf("ClientMachine = %v after reset, want the fixture's only-one", got)
	}
	if list := listJobTypes(t, s, q("QueryString", `JobTypeName -eq "Pong"`)); len(list) != 0 {
		t.Errorf("the seeded job type survived the reset")
	}
	if n := countJobs(t, s); n != 0 {
		t.Errorf("%d jobs after reset, want 0", n)
	}
}

// One seed entry replaces at most one entity: an entry whose Id is one job
// type's and whose name is another's must not silently delete the other.
func TestHarness_SeedEntryMatchingTwoJobTypes(t *testing.T) {
	t.Parallel()
	s := newHarness(t)
	ids := map[string]string{}
	for _, jt := range fixtureJobTypes(t) {
		ids[jt.JobTypeName] = jt.Id
	}
	before := countJobTypes(t, s)
	r := s.admin(t, http.MethodPost, "/_mock/seed", map[string]any{
		"JobTypes": []any{map[string]any{"Id": ids["RebootHost"], "JobTypeName": "FlushDnsCache"}}})
	if r.Status != http.StatusBadRequest {
		t.Errorf("seed status %d, want 400 naming JobTypes[0]; body: %s", r.Status, r.Body)
	} else {
		wantError(t, r, http.StatusBadRequest, codeValidation, "JobTypes[0]")
	}
	if after := countJobTypes(t, s); after != before {
		t.Errorf("%d job types after the seed, want %d: an entity the seed did not name disappeared", after, before)
	}
	for _, name := range []string{"RebootHost", "FlushDnsCache"} {
		if got := s.get(t, kf("/JobTypes/Custom/"+ids[name])); got.Status != http.StatusOK {
			t.Errorf("job type %s (%s): %d after the seed, want it unchanged", name, ids[name], got.Status)
		} else if m := decodeObject(t, got.Body); m["JobTypeName"] != name {
			t.Errorf("job type %s is now named %v", ids[name], m["JobTypeName"])
		}
	}
}
