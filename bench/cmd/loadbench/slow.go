package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	_ "modernc.org/sqlite" // counts the jobs in the POST workload's database
)

// slowListing times single requests of a filtered listing of c.slowAgents
// agents sorted by ClientMachine and by LastSeen, page by page, with one
// connection and no response cache: the case a temp B-tree sort made slow.
func slowListing(ctx context.Context, c config, tmp string, report *strings.Builder) error {
	dir, err := writeFixtures(tmp, c.slowAgents, 0)
	if err != nil {
		return err
	}
	p, ready, err := startMock(ctx, c, "--fixtures", dir, "--response-cache=false")
	if err != nil {
		return err
	}
	defer p.stop()
	fmt.Printf("slow case: %d agents, ready in %s\n", c.slowAgents, fmtMs(ready))
	fmt.Fprintf(report, "\nFiltered listing of %d agents (`Status -eq 2`, 70%% of them), pages of 50, one connection, no response cache; 25 requests per page after 5 unmeasured:\n\n", c.slowAgents)
	report.WriteString("| sort | page | p50 ms | max ms |\n|---|---|---|---|\n")
	settle(c.idle, c.settleMax)
	for _, sort := range []string{"ClientMachine", "LastSeen"} {
		for _, page := range []int{1, 2, 10, 100, 500} {
			u := p.url + "/KeyfactorAPI/Agents?" + url.Values{"pq.queryString": {"Status -eq 2"}, "pq.sortField": {sort},
				"pq.pageReturned": {fmt.Sprint(page)}, "pq.returnLimit": {"50"}}.Encode()
			var times []time.Duration
			for i := range 30 {
				t0 := time.Now()
				status, body, err := fetch("GET", u, "")
				d := time.Since(t0)
				if err != nil || status != 200 || len(body) < 100 {
					return fmt.Errorf("slow case %s page %d: %d %v", sort, page, status, err)
				}
				if i >= 5 {
					times = append(times, d)
				}
			}
			slices.Sort(times)
			line := fmt.Sprintf("| %s | %d | %.2f | %.2f |", sort, page, float64(times[len(times)/2].Microseconds())/1000, float64(times[len(times)-1].Microseconds())/1000)
			fmt.Println(line)
			report.WriteString(line + "\n")
		}
	}
	return nil
}

// countJobs counts the jobs in a stopped mock's database (in its jobs
// file, next to the main one: see internal/store/jobsdb.go).
func countJobs(path string) (int64, error) {
	db, err := sql.Open("sqlite", path+".jobs?_pragma=query_only(1)")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var n int64
	err = db.QueryRow(`SELECT count(*) FROM jobs`).Scan(&n)
	return n, err
}
