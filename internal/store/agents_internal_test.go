package store

import (
	"bytes"
	"encoding/json"
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
