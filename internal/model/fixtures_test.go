package model_test

import (
	"testing"
	"time"

	"github.com/mockcommand/mockcommand/internal/model"
)

var now = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// agent builds a minimal fixture agent.
func agent(id, machine string, status int) model.Agent {
	return model.Agent{AgentId: id, ClientMachine: &machine, Status: status, AgentPlatform: 7}
}

func TestFixturesNormalize_Errors(t *testing.T) {
	tests := []struct {
		name string
		f    model.Fixtures
		want string
	}{
		{"duplicate agent id", model.Fixtures{Agents: []model.Agent{
			agent("44444444-4444-4444-4444-444444444444", "a", 2),
			agent("44444444-4444-4444-4444-444444444444", "b", 2),
		}}, "Agents[1]: AgentId 44444444-4444-4444-4444-444444444444 is also used by Agents[0]."},
		{"bad status", model.Fixtures{Agents: []model.Agent{agent("", "a", 9)}},
			"Agents[0]: Status 9 is not an agent status; use 1 (New), 2 (Approved), 3 (Disapproved)"},
		{"bad guid", model.Fixtures{Agents: []model.Agent{agent("not-a-guid", "a", 2)}},
			`Agents[0]: AgentId "not-a-guid" is not a GUID`},
		{"duplicate job type name", model.Fixtures{JobTypes: []model.JobType{{JobTypeName: "A"}, {JobTypeName: "a"}}},
			`JobTypes[1]: JobTypeName "a" is also used by JobTypes[0].`},
		{"FetchLogs redefined", model.Fixtures{JobTypes: []model.JobType{{JobTypeName: "fetchlogs"}}},
			"JobTypes[0]: FetchLogs is built in and cannot be defined."},
		{"default does not fit", model.Fixtures{JobTypes: []model.JobType{{JobTypeName: "X", JobTypeFields: []model.JobTypeField{
			{Name: "N", Type: model.TypeInt, DefaultValue: model.S("ten")},
		}}}}, `JobTypes[0]: JobTypeFields[0] (N): DefaultValue "ten" is not a valid Int`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.f.Normalize(now)
			if err == nil {
				t.Fatalf("Normalize succeeded, want error %q", tt.want)
			}
			if got := err.Error(); len(got) < len(tt.want) || got[:len(tt.want)] != tt.want {
				t.Errorf("error = %q, want prefix %q", got, tt.want)
			}
			if model.KindOf(err) != model.Invalid {
				t.Errorf("kind = %v, want Invalid", model.KindOf(err))
			}
		})
	}
}

func TestFixturesNormalize_FillsDefaults(t *testing.T) {
	f := model.Fixtures{Agents: []model.Agent{{Status: 1, Capabilities: []string{" LOGS ", "logs", "", "X"}}}}
	if err := f.Normalize(now); err != nil {
		t.Fatal(err)
	}
	a := f.Agents[0]
	if _, err := model.NormalizeGUID(a.AgentId); err != nil {
		t.Errorf("generated AgentId %q is not a GUID", a.AgentId)
	}
	if !a.LastSeen.Equal(now) {
		t.Errorf("LastSeen = %v, want the clock's now %v", a.LastSeen, now)
	}
	if got := a.Capabilities; len(got) != 2 || got[0] != "LOGS" || got[1] != "X" {
		t.Errorf("Capabilities = %q, want [LOGS X]", got)
	}
}
