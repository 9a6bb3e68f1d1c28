package store

import (
	"testing"
	"time"
)

// BenchmarkListSQL measures compiling a query, sort and page into the
// parameterised SQL of GET /Agents (query parsing and checking included).
func BenchmarkListSQL(b *testing.B) {
	now := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	for name, q := range map[string]string{
		"seed":    `Status -eq 2 AND Capabilities -contains "LOGS"`,
		"complex": `(ClientMachine -startswith "uo-prod" OR Identity -eq "CORP\svc-kf-orch")AND LastSeen -ge "2026-11-01" AND Status -ne Disapproved AND Capabilities -notcontains "SSH"`,
	} {
		b.Run(name, func(b *testing.B) {
			opts := ListOptions{Query: q, SortField: "ClientMachine", Page: 3, Limit: 50}
			b.ReportAllocs()
			for b.Loop() {
				if _, _, _, err := agentResource.listSQL(opts, now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
