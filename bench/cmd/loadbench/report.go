package main

import (
	"fmt"
	"strings"
)

// summarize gives, per workload and server, the mean of the rounds and the
// ratio to the ceiling measured in the same rounds, as a Markdown table.
func summarize(results []runResult, c config) string {
	type agg struct {
		rps, p50, p99 []float64
		errors        int64
		rss, pss      float64
	}
	byKey := map[string]*agg{}
	var order []string
	for _, r := range results {
		k := r.workload + "|" + r.server
		if byKey[k] == nil {
			byKey[k] = &agg{}
			order = append(order, k)
		}
		a := byKey[k]
		a.rps = append(a.rps, r.r.rps())
		a.p50 = append(a.p50, r.r.P50Us/1000)
		a.p99 = append(a.p99, r.r.P99Us/1000)
		a.errors += r.r.errors()
		a.rss = max(a.rss, r.rss)
		a.pss = max(a.pss, r.pss)
	}
	mean := func(v []float64) float64 {
		s := 0.0
		for _, x := range v {
			s += x
		}
		return s / float64(len(v))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d agents, wrk with %d threads and %d connections, %s per run after %s of warm-up, %d interleaved rounds (mean of the rounds; each round in brackets)\n\n",
		c.agents, c.threads, c.conns, c.duration, c.warmup, c.rounds)
	b.WriteString("| workload | server | req/s | p50 ms | p99 ms | errors | max RSS / PSS MB | req/s vs ceiling | p99 vs ceiling |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, k := range order {
		a := byKey[k]
		name, srv, _ := strings.Cut(k, "|")
		ratio, p99ratio := "", ""
		if ce := byKey[name+"|ceiling"]; srv != "ceiling" && ce != nil {
			ratio = fmt.Sprintf("%.0f%%", 100*mean(a.rps)/mean(ce.rps))
			p99ratio = fmt.Sprintf("%.2f×", mean(a.p99)/mean(ce.p99))
		}
		rss := ""
		if a.rss > 0 {
			rss = fmt.Sprintf("%.1f / %.1f", a.rss, a.pss)
		}
		fmt.Fprintf(&b, "| %s | %s | %.0f %s | %.2f | %.2f %s | %d | %s | %s | %s |\n", name, srv, mean(a.rps), bracket(a.rps, "%.0f"),
			mean(a.p50), mean(a.p99), bracket(a.p99, "%.2f"), a.errors, rss, ratio, p99ratio)
	}
	return b.String()
}

func bracket(v []float64, f string) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = fmt.Sprintf(f, x)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
