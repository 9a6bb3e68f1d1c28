package store

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"

	"github.com/mockcommand/mockcommand/internal/model"
)

// TestCapabilitiesOf finds the Capabilities of stored agent JSON whatever
// the strings around and inside it hold.
func TestCapabilitiesOf(t *testing.T) {
	tricky := `x"Capabilities":["y"] \ ] ["`
	for _, caps := range [][]string{nil, {}, {"LOGS"}, {`a]b`, `c"]d`, `e\`, tricky}} {
		a := model.Agent{AgentId: "a", Username: &tricky, LastErrorMessage: &tricky, Capabilities: caps}
		doc, err := agentDoc(&a)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := capabilitiesOf(doc)
		want, _ := json.Marshal(caps)
		if !ok || !bytes.Equal(got, want) {
			t.Errorf("capabilitiesOf(%s) = %s, %v; want %s", doc, got, ok, want)
		}
	}
	for _, bad := range []string{`{}`, `{"Capabilities":`, `{"Capabilities":["a"`, `{"Capabilities":7}`} {
		if got, ok := capabilitiesOf([]byte(bad)); ok {
			t.Errorf("capabilitiesOf(%s) = %s, true; want not found", bad, got)
		}
	}
}

func TestJSONMember(t *testing.T) {
	doc := []byte(`{"A":"x\"B\":1","B":-12,"C":null,"D":["]","\\"],"E":"é\\\\","F":true}`)
	for name, want := range map[string]string{"A": `"x\"B\":1"`, "B": "-12", "C": "null", "D": `["]","\\"]`, "E": `"é\\\\"`, "F": "true"} {
		if got, ok := jsonMember(doc, name); !ok || string(got) != want {
			t.Errorf("jsonMember(%q) = %s, %v; want %s", name, got, ok, want)
		}
	}
	for _, name := range []string{"G", "x"} {
		if got, ok := jsonMember(doc, name); ok {
			t.Errorf("jsonMember(%q) = %s; want not found", name, got)
		}
	}
}

func TestParseDML(t *testing.T) {
	for q, want := range map[string]dml{
		"UPDATE agents SET status = ?, last_error_code = NULL WHERE agent_id IN (SELECT value FROM json_each(?))": {TableAgents, []string{"status", "last_error_code"}},
		"UPDATE agents SET last_seen = max(last_seen, ?), doc = json_set(doc, '$.A', ?) WHERE x = 1":              {TableAgents, []string{"last_seen", "doc"}},
		"INSERT INTO agents (a, b) VALUES (?, ?) ON CONFLICT (agent_id) DO UPDATE SET status = excluded.status":   {TableAgents, nil},
		"DELETE FROM jobs WHERE job_id = ?":          {TableJobs, nil},
		"UPDATE job_history SET status = ?":          {TableJobHistory, []string{"status"}},
		"INSERT OR REPLACE INTO meta (k) VALUES (?)": {-1, nil},
	} {
		got := parseDML(q)
		if got.table != want.table || !slices.Equal(got.cols, want.cols) {
			t.Errorf("parseDML(%.50q) = %+v, want %+v", q, got, want)
		}
	}
}
