package query

import (
	"testing"
	"time"
)

var benchQueries = map[string]string{
	"seed":    `Status -eq 2 AND Capabilities -contains "LOGS"`,
	"complex": `(ClientMachine -startswith "uo-prod" OR Identity -eq "CORP\svc-kf-orch")AND LastSeen -ge "2026-11-01" AND Status -ne Disapproved AND Capabilities -notcontains "SSH"`,
}

var benchSchema = NewSchema(
	Field{Name: "AgentId", Type: String},
	Field{Name: "ClientMachine", Type: String},
	Field{Name: "Username", Type: String, Aliases: []string{"Identity"}},
	Field{Name: "Status", Type: Int, Enum: map[string]int64{"New": 1, "Approved": 2, "Disapproved": 3}},
	Field{Name: "LastSeen", Type: Date},
	Field{Name: "Capabilities", Type: StringList},
)

// BenchmarkParse measures lexing and parsing into the syntax tree.
func BenchmarkParse(b *testing.B) {
	for name, q := range benchQueries {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCompile measures parsing plus type checking against a schema.
func BenchmarkCompile(b *testing.B) {
	now := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	for name, q := range benchQueries {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Compile(q, benchSchema, now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
