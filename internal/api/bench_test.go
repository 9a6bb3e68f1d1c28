package api_test

import (
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/mockcommand/mockcommand/fixtures"
	"github.com/mockcommand/mockcommand/internal/api"
	"github.com/mockcommand/mockcommand/internal/app"
	"github.com/mockcommand/mockcommand/internal/fixturegen"
	"github.com/mockcommand/mockcommand/internal/mock"
)

// benchServer serves n generated agents plus the built-in job types.
func benchServer(b *testing.B, n int, mode string) (*httptest.Server, string) {
	b.Helper()
	agents, err := json.Marshal(fixturegen.Agents(n, 1))
	if err != nil {
		b.Fatal(err)
	}
	jt, err := fs.ReadFile(fixtures.Default(), fixtures.JobTypesFile)
	if err != nil {
		b.Fatal(err)
	}
	a, err := app.New(context.Background(), app.Options{
		DBPath:   filepath.Join(b.TempDir(), "bench.db"),
		Fixtures: fstest.MapFS{"agents.json": {Data: agents}, "jobtypes.json": {Data: jt}}, FixturesLabel: "bench",
		API: api.DefaultConfig(), JobMode: mock.JobMode{Mode: mode},
	})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler)
	b.Cleanup(func() { srv.Close(); a.Close() })
	return srv, srv.URL + "/KeyfactorAPI"
}

func benchDo(b *testing.B, client *http.Client, method, u, body string) {
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	req.SetBasicAuth("admin", "password")
	req.Header.Set("x-keyfactor-requested-with", "APIClient")
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		b.Fatalf("%s %s: %d", method, u, resp.StatusCode)
	}
}

// BenchmarkAgentsHTTP is GET /Agents with the seed query and a page of 50
// at 10k agents through the whole handler, 32 requests in flight.
func BenchmarkAgentsHTTP(b *testing.B) {
	srv, base := benchServer(b, 10_000, mock.ModeImmediate)
	u := base + "/Agents?" + url.Values{"pq.queryString": {`Status -eq 2 AND Capabilities -contains "LOGS"`}, "pq.returnLimit": {"50"}}.Encode()
	client := srv.Client()
	client.Transport.(*http.Transport).MaxIdleConnsPerHost = 64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			benchDo(b, client, "GET", u, "")
		}
	})
}

// BenchmarkScheduleHTTP is POST /OrchestratorJobs/Custom with defaults
// applied (immediate mode), 32 requests in flight.
func BenchmarkScheduleHTTP(b *testing.B) {
	srv, base := benchServer(b, 1_000, mock.ModeImmediate)
	client := srv.Client()
	client.Transport.(*http.Transport).MaxIdleConnsPerHost = 64
	var agents []struct{ AgentId string }
	req, _ := http.NewRequest("GET", base+"/Agents?"+url.Values{"pq.queryString": {`Status -eq 2 AND Capabilities -contains "RebootHost"`}}.Encode(), nil)
	req.SetBasicAuth("admin", "password")
	req.Header.Set("x-keyfactor-requested-with", "APIClient")
	resp, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&agents)
	resp.Body.Close()
	body := `{"AgentId":"` + agents[0].AgentId + `","JobTypeName":"RebootHost","JobFields":{"Host":"web01"}}`
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			benchDo(b, client, "POST", base+"/OrchestratorJobs/Custom", body)
		}
	})
}
