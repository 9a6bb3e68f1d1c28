package ui_test

import (
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/mockcommand/mockcommand/commandtest"
	"github.com/mockcommand/mockcommand/fixtures"
	"github.com/mockcommand/mockcommand/internal/fixturegen"
)

// benchOrchestrators is the size the issue sets the first-screen target at.
const benchOrchestrators = 10_000

// bigServer serves benchOrchestrators generated orchestrators, the
// built-in job types and no stores or certificates.
func bigServer(b *testing.B) *commandtest.Server {
	b.Helper()
	dir := b.TempDir()
	agents, err := json.Marshal(fixturegen.Agents(benchOrchestrators, 1))
	if err != nil {
		b.Fatal(err)
	}
	jt, err := fs.ReadFile(fixtures.Default(), fixtures.JobTypesFile)
	if err != nil {
		b.Fatal(err)
	}
	for name, data := range map[string][]byte{"agents.json": agents, "jobtypes.json": jt} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return commandtest.NewServer(b, commandtest.WithFixturesDir(dir), commandtest.WithDatabase(filepath.Join(dir, "bench.db")))
}

// BenchmarkDashboard_Pages is the server's time for whole dashboard pages
// at 10,000 orchestrators: HTTP request to the last byte of HTML.
func BenchmarkDashboard_Pages(b *testing.B) {
	s := bigServer(b)
	for _, p := range []struct{ name, path string }{
		{"overview", "/"},
		{"orchestrators", "/orchestrators"},
		{"orchestrators-seed-query", "/orchestrators?q=" + url.QueryEscape(seedQuery)},
		{"orchestrators-by-LastSeen-page-100", "/orchestrators?sort=LastSeen&desc=1&page=100"},
		{"jobs", "/jobs"},
		{"requests", "/requests"},
	} {
		b.Run(p.name, func(b *testing.B) {
			for b.Loop() {
				resp, err := http.Get(ui(s, p.path))
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("%s: %d", p.path, resp.StatusCode)
				}
			}
		})
	}
}

// BenchmarkDashboard_BrowserFirstLoad is the first screen in headless
// Chromium at 10,000 orchestrators: from navigation start to the load
// event (the page is one response: its CSS and JavaScript are inline, and
// it is never cached), as the browser's Navigation Timing reports it, as
// ms-to-load. floor-a-404-page is the same layout with nothing in it: what
// the browser itself takes on the machine.
func BenchmarkDashboard_BrowserFirstLoad(b *testing.B) {
	s := bigServer(b)
	ctx := newTab(b)
	for _, p := range []struct{ name, path string }{{"overview", "/"}, {"orchestrators", "/orchestrators"},
		{"floor-a-404-page", "/nope"}} {
		b.Run(p.name, func(b *testing.B) {
			var total float64
			for b.Loop() {
				if err := chromedp.Do(ctx, chromedp.Navigate(ui(s, p.path))); err != nil {
					b.Fatal(err)
				}
				ms, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`(() => { const n = performance.getEntriesByType("navigation")[0]; return n.loadEventEnd - n.startTime; })()`))
				if err != nil {
					b.Fatal(err)
				}
				total += ms
				if os.Getenv("UI_BENCH_DETAIL") != "" {
					d, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify(performance.getEntriesByType("navigation")[0])`))
					b.Log(d)
				}
			}
			b.ReportMetric(total/float64(b.N), "ms-to-load")
		})
	}
}
