package ui_test

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/mockcommand/mockcommand/commandtest"
)

const seedQuery = `Status -eq 2 AND Capabilities -contains "LOGS"`

// The seed query typed into the orchestrators page shows exactly what
// GET /Agents answers, in the same order; a bad query shows the API's
// error under the box; sorting and paging run on the server.
func TestBrowser_OrchestratorQuery(t *testing.T) {
	s := commandtest.NewServer(t)
	ctx := newTab(t)
	do(t, ctx, "query orchestrators",
		chromedp.Navigate(ui(s, "/orchestrators")),
		visible(`#q`),
		keys(`#q`, seedQuery),
		submit(`#q`),
		visible(`#orchestrators`),
		until(`location.search.includes("q=")`),
	)
	shot(t, ctx, "ui-orchestrators")
	var want []string
	for _, a := range agentsWhere(t, s, seedQuery) {
		want = append(want, *a.ClientMachine)
	}
	got := texts(t, ctx, "#orchestrators tbody td:first-child a")
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Fatalf("the page shows %q; GET /Agents answers %q", got, want)
	}
	if st := texts(t, ctx, "#orchestrators tbody td:nth-child(2)"); !hasPrefixAll(st, "Approved") {
		t.Errorf("statuses shown: %q", st)
	}

	// Sort by client machine, descending: the server's order.
	do(t, ctx, "sort", click(`#orchestrators thead th:first-child a`),
		visible(`#orchestrators th[aria-sort="ascending"]`),
		click(`#orchestrators thead th:first-child a`),
		visible(`#orchestrators th[aria-sort="descending"]`))
	var desc []commandtest.Agent
	apiGet(t, s, "/Agents?pq.queryString="+urlQuery(seedQuery)+"&pq.sortField=ClientMachine&pq.sortAscending=1", &desc)
	got = texts(t, ctx, "#orchestrators tbody td:first-child a")
	if len(desc) != len(got) || got[0] != *desc[0].ClientMachine {
		t.Errorf("sorted descending the page shows %q, the API starts with %q", got, *desc[0].ClientMachine)
	}

	// Paging: 5 a page over all orchestrators, page 2 is the API's page 2.
	do(t, ctx, "page", chromedp.Navigate(ui(s, "/orchestrators?limit=5&sort=ClientMachine")),
		click(`a[rel="next"]`), visible(`a[rel="prev"]`))
	var page2 []commandtest.Agent
	apiGet(t, s, "/Agents?pq.returnLimit=5&pq.pageReturned=2&pq.sortField=ClientMachine", &page2)
	got = texts(t, ctx, "#orchestrators tbody td:first-child a")
	if len(got) != 5 || got[0] != *page2[0].ClientMachine || got[4] != *page2[4].ClientMachine {
		t.Errorf("page 2 shows %q", got)
	}

	// A query the API refuses: the same code and message, inline.
	bad := `Status -eqq 2`
	resp, err := s.Client.Get(s.BaseURL + "/Agents?pq.queryString=" + urlQuery(bad))
	if err != nil {
		t.Fatal(err)
	}
	var apiErr struct{ ErrorCode, Message string }
	decodeBody(t, resp, &apiErr)
	do(t, ctx, "bad query", chromedp.Navigate(ui(s, "/orchestrators")),
		keys(`#q`, bad), submit(`#q`),
		visible(`#q-error`))
	shot(t, ctx, "ui-query-error")
	if msg := text(t, ctx, "#q-error"); resp.StatusCode != 400 || msg != apiErr.ErrorCode+" "+apiErr.Message {
		t.Errorf("inline error %q; the API answered %d %s %s", msg, resp.StatusCode, apiErr.ErrorCode, apiErr.Message)
	}
	if invalid := attr(t, ctx, "#q", "aria-invalid"); invalid != "true" {
		t.Errorf("the query box is not marked invalid")
	}

	// A page number the API refuses: the same paging error.
	resp, err = s.Client.Get(s.BaseURL + "/Agents?pq.pageReturned=0")
	if err != nil {
		t.Fatal(err)
	}
	decodeBody(t, resp, &apiErr)
	do(t, ctx, "bad page", chromedp.Navigate(ui(s, "/orchestrators?page=0")), visible(`#q-error`))
	if msg := text(t, ctx, "#q-error"); resp.StatusCode != 400 || msg != apiErr.ErrorCode+" "+apiErr.Message {
		t.Errorf("inline paging error %q; the API answered %d %s %s", msg, resp.StatusCode, apiErr.ErrorCode, apiErr.Message)
	}
}

// Approving a New orchestrator from its page changes its status, on the
// page and in the API; the other actions answer as the API does.
func TestBrowser_ApproveOrchestrator(t *testing.T) {
	s := commandtest.NewServer(t)
	ctx := newTab(t)
	fresh := agentsWhere(t, s, `Status -eq 1 AND Capabilities -contains "LOGS"`)
	if len(fresh) == 0 {
		t.Fatal("the fixtures have no New orchestrator")
	}
	a := fresh[0]
	do(t, ctx, "open the orchestrator", chromedp.Navigate(ui(s, "/orchestrators")),
		chromedp.Click(`//a[text()="`+*a.ClientMachine+`"]`),
		visible(`#agent-status`))
	if st := text(t, ctx, "#agent-status"); !strings.HasPrefix(st, "New") {
		t.Fatalf("status before: %q", st)
	}
	do(t, ctx, "approve", chromedp.Click(`//button[text()="Approve"]`),
		waitText(".flash.ok", "Approved."))
	shot(t, ctx, "ui-orchestrator")
	if st := text(t, ctx, "#agent-status"); !strings.HasPrefix(st, "Approved") {
		t.Errorf("status after approving: %q", st)
	}
	var got commandtest.Agent
	apiGet(t, s, "/Agents/"+a.AgentId, &got)
	if got.Status != 2 {
		t.Errorf("GET /Agents/{id} Status = %d after approving in the browser", got.Status)
	}

	do(t, ctx, "fetch logs", chromedp.Click(`//button[text()="Fetch logs"]`),
		waitText(".flash.ok", "Scheduled a FetchLogs job"))
	do(t, ctx, "re-enrollment", chromedp.Click(`//button[text()="Request re-enrollment"]`),
		waitText("#agent-reenroll", "Requested"))
	do(t, ctx, "disapprove", chromedp.Click(`//button[text()="Disapprove"]`),
		waitText("#agent-status", "Disapproved"))
	// A disapproved orchestrator cannot fetch logs: the API's error shows.
	do(t, ctx, "fetch logs refused", chromedp.Click(`//button[text()="Fetch logs"]`),
		visible(`.flash.error`))
	if msg := text(t, ctx, ".flash.error"); !strings.HasPrefix(msg, "0xA") {
		t.Errorf("error shown: %q", msg)
	}
	do(t, ctx, "reset", chromedp.Click(`//button[text()="Reset"]`),
		waitText("#agent-status", "New"))
}

// In manual mode a job scheduled from the form (its defaults relied on)
// waits until it is completed from the page with a failure and message,
// which then show in the history, as JobHistory answers.
func TestBrowser_ManualJob(t *testing.T) {
	s := commandtest.NewServer(t)
	ctx := newTab(t)
	agent := agentsWhere(t, s, `ClientMachine -eq "uo-prod-01.corp.example.com"`)[0]
	do(t, ctx, "switch to manual mode", chromedp.Navigate(ui(s, "/jobs")),
		setValue(`#mode-select`, "manual"),
		chromedp.Click(`//button[text()="Switch"]`),
		waitText(".flash.ok", "Job mode: manual."))

	do(t, ctx, "schedule from the orchestrator's page", chromedp.Navigate(ui(s, "/orchestrators/"+agent.AgentId)),
		chromedp.Click(`//a[contains(text(), "Schedule a job")]`),
		visible(`#type`),
		setValue(`#type`, "RebootHost"),
		chromedp.Click(`//button[text()="Show its fields"]`),
		until(`document.readyState === "complete" && location.search.includes("type=RebootHost") && !!document.querySelector("#field-Host")`))
	delay, force := value(t, ctx, "#field-DelaySeconds"), value(t, ctx, "#field-Force")
	if delay != "30" || force != "false" {
		t.Errorf("pre-filled defaults: DelaySeconds %q, Force %q; want 30 and false", delay, force)
	}
	do(t, ctx, "fill and schedule", keys(`#field-Host`, "web01.corp.example.com"))
	shot(t, ctx, "ui-schedule-job")
	do(t, ctx, "schedule", chromedp.Click(`//button[text()="Schedule"]`),
		waitText(".flash.ok", "Scheduled RebootHost job"))
	flash := text(t, ctx, ".flash.ok")
	if !strings.Contains(flash, "DelaySeconds=30") || !strings.Contains(flash, "Host=web01.corp.example.com") {
		t.Errorf("the job's fields: %q", flash)
	}

	var runs []commandtest.JobHistory
	apiGet(t, s, "/OrchestratorJobs/JobHistory?pq.queryString="+urlQuery(`JobType -eq "RebootHost"`), &runs)
	if len(runs) != 1 || runs[0].Status != commandtest.StatusWaiting {
		t.Fatalf("JobHistory after scheduling in manual mode: %+v", runs)
	}
	run := runs[0]
	id := strconv.FormatInt(run.JobHistoryId, 10)
	row := `#history tr[data-job="` + run.JobId + `"]`
	// Work from a filtered history: the actions come back to it.
	do(t, ctx, "filter the history", chromedp.Navigate(ui(s, "/jobs?hq="+urlQuery(`JobType -eq "RebootHost"`))), visible(row))
	do(t, ctx, "start the run", click(`button[aria-label="Start run `+id+`"]`), waitText(".flash.ok", "is in process"))
	if loc := get(t, ctx, "location", chromedp.Location()); !strings.Contains(loc, "hq=JobType") {
		t.Errorf("after an action the page is %s: the history's filter is lost", loc)
	}
	if got := text(t, ctx, row+" .status"); got != "InProcess" {
		t.Errorf("status after starting: %q", got)
	}
	do(t, ctx, "complete with a failure",
		setValue(`#result-`+id, "Failure"),
		keys(`#message-`+id, "disk full on C:"),
		click(`button[aria-label="Complete run `+id+`"]`),
		waitText(".flash.ok", "completed: Failure"))
	shot(t, ctx, "ui-jobs")
	if got := text(t, ctx, row+" .result"); got != "Failure" {
		t.Errorf("result shown: %q", got)
	}
	if got := text(t, ctx, row+" .message"); got != "disk full on C:" {
		t.Errorf("message shown: %q", got)
	}
	apiGet(t, s, "/OrchestratorJobs/JobHistory?pq.queryString="+urlQuery(`JobType -eq "RebootHost"`), &runs)
	if len(runs) != 1 || runs[0].Result != commandtest.ResultFailure || runs[0].Message == nil || *runs[0].Message != "disk full on C:" {
		t.Errorf("JobHistory after completing in the browser: %+v", runs)
	}

	// A failed run can be rescheduled and acknowledged.
	do(t, ctx, "acknowledge", click(`button[aria-label="Acknowledge run `+id+`"]`),
		waitText(".flash.ok", "Acknowledged run "+id))
	if got := text(t, ctx, row+" .status"); got != "Acknowledged" {
		t.Errorf("status after acknowledging: %q", got)
	}
	do(t, ctx, "reschedule", chromedp.Click(`button[aria-label="Reschedule run `+id+`"]`),
		waitText(".flash.ok", "Rescheduled run "+id))

	// A recurring job shows as scheduled and can be unscheduled.
	do(t, ctx, "schedule an interval job", chromedp.Navigate(ui(s, "/jobs/new?agent="+agent.AgentId+"&type=FlushDnsCache")),
		visible(`#schedule-job`))
	do(t, ctx, "interval", chromedp.Navigate(ui(s, "/jobs/new?agent="+agent.AgentId+"&type=SampleCustomJobType")),
		keys(`#field-ParamDate`, "2027-01-01T00:00:00Z"),
		click(`input[value="interval"]`),
		keys(`input[name="minutes"]`, "60"),
		chromedp.Click(`//button[text()="Schedule"]`),
		waitText(".flash.ok", "Scheduled SampleCustomJobType job"),
		waitText("#scheduled", "every 60 min"))
	do(t, ctx, "unschedule", click(`#scheduled tr[data-type="SampleCustomJobType"] button`),
		waitText(".flash.ok", "Unscheduled job"))
	if st := apiGet(t, s, "/OrchestratorJobs/ScheduledJobs?pq.queryString="+urlQuery(`JobType -eq "SampleCustomJobType"`), &runs); st != 200 || len(runs) != 0 {
		t.Errorf("ScheduledJobs after unscheduling: %d %d", st, len(runs))
	}
}

// Requests sent while the page is open appear without a reload; an entry
// opens to its headers (credentials redacted) and pretty-printed bodies.
func TestBrowser_LiveRequests(t *testing.T) {
	s := commandtest.NewServer(t)
	ctx := newTab(t)
	do(t, ctx, "open the journal", chromedp.Navigate(ui(s, "/requests")),
		visible(`#requests.live`),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](`window.notReloaded = true`)(ctx, tg)
			return err
		}))

	apiGet(t, s, "/Agents?pq.queryString="+urlQuery(seedQuery), nil)
	resp, err := s.Client.Post(s.BaseURL+"/OrchestratorJobs/Custom", "application/json",
		strings.NewReader(`{"AgentId":"not-a-guid","JobTypeName":"RebootHost"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	seen := s.Requests(commandtest.RequestQuery{})
	if len(seen) != 2 {
		t.Fatalf("journal: %d entries", len(seen))
	}
	last := strconv.FormatInt(seen[1].Id, 10)
	do(t, ctx, "see them arrive", visible(`#req-`+last))
	if still, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.notReloaded === true`)); err != nil || !still {
		t.Fatal("the page reloaded")
	}
	if got := texts(t, ctx, "#requests details.entry .method"); !slices.Equal(got, []string{"POST", "GET"}) {
		t.Errorf("entries, newest first: %q", got)
	}
	do(t, ctx, "open the POST", click(`#req-`+last+` summary`),
		visible(`#req-`+last+` pre.json`))
	shot(t, ctx, "ui-requests")
	body := texts(t, ctx, `#req-`+last+` pre.json`)
	if len(body) != 2 || !strings.Contains(body[0], "\"AgentId\": \"not-a-guid\"") || !strings.Contains(body[1], "\"ErrorCode\"") {
		t.Errorf("bodies shown: %q", body)
	}
	headers := strings.Join(texts(t, ctx, `#req-`+last+` table.headers tr`), "\n")
	if !strings.Contains(headers, "Authorization") || strings.Contains(headers, s.Password) || strings.Contains(headers, "YWRtaW46") {
		t.Errorf("headers shown (credentials must be redacted): %s", headers)
	}
	if st := text(t, ctx, `#req-`+last+` .status-code`); st != "400" {
		t.Errorf("status shown %q", st)
	}

	// Filters: by route and by status.
	do(t, ctx, "filter by status", chromedp.Navigate(ui(s, "/requests?status=400")), visible(`#requests`))
	if got := texts(t, ctx, "#requests details.entry .method"); !slices.Equal(got, []string{"POST"}) {
		t.Errorf("status 400 shows %q", got)
	}
	do(t, ctx, "filter by route", chromedp.Navigate(ui(s, "/requests")),
		keys(`#f-path`, "/Agents*"), submit(`#f-path`),
		until(`location.search.includes("path=")`), visible(`#requests.live`))
	if got := texts(t, ctx, "#requests details.entry .method"); !slices.Equal(got, []string{"GET"}) {
		t.Errorf("route /Agents* shows %q", got)
	}
	// The filter applies to live entries too.
	apiGet(t, s, "/JobTypes/Custom", nil)
	apiGet(t, s, "/Agents", nil)
	seen = s.Requests(commandtest.RequestQuery{})
	do(t, ctx, "filtered live", visible(`#req-`+strconv.FormatInt(seen[len(seen)-1].Id, 10)))
	if got := texts(t, ctx, "#requests details.entry .path"); len(got) != 2 || strings.Contains(strings.Join(got, " "), "JobTypes") {
		t.Errorf("route filter, live: %q", got)
	}
}

// A 500 fault added on the page hits the next matching request, which the
// request view marks; removed, requests pass again.
func TestBrowser_Faults(t *testing.T) {
	s := commandtest.NewServer(t)
	ctx := newTab(t)
	do(t, ctx, "add a fault", chromedp.Navigate(ui(s, "/faults")),
		keys(`#fa-path`, "*/Agents"),
		keys(`#fa-status`, "500"),
		keys(`#fa-message`, "injected by the dashboard test"),
		chromedp.Click(`//button[text()="Add rule"]`),
		waitText(".flash.ok", "Added fault rule"))
	rules := s.Faults()
	if len(rules) != 1 || rules[0].Status != 500 || rules[0].Path != "*/Agents" {
		t.Fatalf("rules after adding: %+v", rules)
	}
	if st := apiGet(t, s, "/Agents", nil); st != http.StatusInternalServerError {
		t.Fatalf("GET /Agents with the fault: %d", st)
	}
	if st := apiGet(t, s, "/JobTypes/Custom", nil); st != http.StatusOK {
		t.Fatalf("GET /JobTypes/Custom (no fault): %d", st)
	}
	do(t, ctx, "see it applied", chromedp.Reload(), waitText(`#faults tr[data-rule] .applied`, "1"))
	shot(t, ctx, "ui-faults")
	do(t, ctx, "see it marked", chromedp.Navigate(ui(s, "/requests")), visible(`#requests`),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](`document.querySelector("details.entry.faulted").open = true`)(ctx, tg)
			return err
		}))
	shot(t, ctx, "ui-requests-fault")
	marked := texts(t, ctx, "#requests details.entry.faulted .path")
	if len(marked) != 1 || !strings.HasSuffix(marked[0], "/Agents") {
		t.Errorf("entries marked as faulted: %q", marked)
	}
	if b := text(t, ctx, "#requests details.entry.faulted .badge.fault"); b != "fault #"+strconv.FormatInt(rules[0].Id, 10) {
		t.Errorf("fault badge %q", b)
	}
	do(t, ctx, "only faulted", click(`input[name="faulted"]`), submit(`#f-path`),
		until(`location.search.includes("faulted=1")`), visible(`#requests`))
	if n := len(texts(t, ctx, "#requests details.entry")); n != 1 {
		t.Errorf("faulted filter shows %d entries", n)
	}
	do(t, ctx, "remove it", chromedp.Navigate(ui(s, "/faults")),
		click(`button[aria-label^="Remove fault rule"]`), waitText(".flash.ok", "Removed fault rule"))
	if len(s.Faults()) != 0 {
		t.Fatal("the rule is still there")
	}
	if st := apiGet(t, s, "/Agents", nil); st != http.StatusOK {
		t.Errorf("GET /Agents after removing the fault: %d", st)
	}
	// A bad rule is refused with the admin API's message.
	do(t, ctx, "bad rule", keys(`#fa-status`, "700"),
		chromedp.Click(`//button[text()="Add rule"]`), visible(`.flash.error`))
	if msg := text(t, ctx, ".flash.error"); !strings.Contains(msg, "700") {
		t.Errorf("bad rule error: %q", msg)
	}
}

// The overview counts what the API lists; its buttons advance the clock,
// switch the job mode and reset. Times show in the browser's zone with
// UTC on hover.
func TestBrowser_Overview(t *testing.T) {
	s := commandtest.NewServer(t, commandtest.WithClock(time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)))
	ctx := newTab(t)
	if _, err := chromedp.Call(ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Asia/Tokyo"}); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, "open", chromedp.Navigate(ui(s, "/")), visible(`#clock time`))
	shot(t, ctx, "ui-overview")
	approved := len(agentsWhere(t, s, "Status -eq 2"))
	counts := texts(t, ctx, "#h-orch + dl div")
	if len(counts) != 3 || counts[1] != "Approved"+strconv.Itoa(approved) {
		t.Errorf("orchestrator counts %q; the API lists %d approved", counts, approved)
	}
	clock := text(t, ctx, "#clock time")
	title := attr(t, ctx, "#clock time", "title")
	if clock != "2026-06-01 21:00:00 GMT+9" || title != "UTC: 2026-06-01 12:00:00 UTC" {
		t.Errorf("clock shown %q (title %q): want Tokyo time with UTC on hover", clock, title)
	}
	do(t, ctx, "advance", setValue(`#advance`, "90m"),
		chromedp.Click(`//button[text()="Advance"]`), waitText(".flash.ok", "2026-06-01T13:30:00Z"))
	if now := s.Now(); !now.Equal(time.Date(2026, 6, 1, 13, 30, 0, 0, time.UTC)) {
		t.Errorf("the mock's clock: %v", now)
	}
	do(t, ctx, "mode", setValue(`#mode-select`, "immediate"),
		chromedp.Click(`//button[text()="Switch"]`), waitText("#mode", "immediate"))

	// Reset undoes a change made through the API.
	if _, err := s.SeedAgents(commandtest.Agent{ClientMachine: commandtest.Ptr("extra.example"), Status: 1}); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, "reset", chromedp.Click(`//button[text()="Reset to the fixtures"]`), waitText(".flash.ok", "Reset"))
	if extra := agentsWhere(t, s, `ClientMachine -eq "extra.example"`); len(extra) != 0 {
		t.Errorf("the seeded orchestrator survived the reset")
	}
}

// The job types page shows each field's type, default and whether it is
// required; the stores and certificates pages list as the API does.
func TestBrowser_TypesStoresCertificates(t *testing.T) {
	s := commandtest.NewServer(t)
	ctx := newTab(t)
	do(t, ctx, "job types", chromedp.Navigate(ui(s, "/jobtypes")), visible(`section.jobtype`))
	shot(t, ctx, "ui-jobtypes")
	rows := strings.Join(texts(t, ctx, `section.jobtype tbody tr`), "|")
	for _, want := range []string{"DelaySecondsInt30no", "HostStringnoneyes", "ForceBoolfalseno"} {
		if !strings.Contains(rows, want) {
			t.Errorf("job type fields %q lack %q", rows, want)
		}
	}

	var stores []map[string]any
	apiGet(t, s, "/CertificateStores?pq.sortField=StorePath", &stores)
	do(t, ctx, "stores", chromedp.Navigate(ui(s, "/stores?sort=StorePath")), visible(`#resources`))
	shot(t, ctx, "ui-stores")
	paths := texts(t, ctx, "#resources tbody td:nth-child(2)")
	if len(stores) == 0 || len(paths) != len(stores) || paths[0] != stores[0]["Storepath"] {
		t.Errorf("stores page %q; API %d stores", paths, len(stores))
	}

	var certs []map[string]any
	q := `IssuedCN -contains "example"`
	apiGet(t, s, "/Certificates?includeRevoked=true&includeExpired=true&pq.queryString="+urlQuery(q), &certs)
	do(t, ctx, "certificates", chromedp.Navigate(ui(s, "/certificates")),
		keys(`#q`, q), submit(`#q`),
		until(`location.search.includes("q=")`), visible(`#resources`))
	shot(t, ctx, "ui-certificates")
	cns := texts(t, ctx, "#resources tbody td:nth-child(2)")
	if len(certs) == 0 || len(cns) != len(certs) {
		t.Errorf("certificates page %q; API %d certificates", cns, len(certs))
	}
	do(t, ctx, "open a certificate", click(`#resources tbody details summary`),
		visible(`#resources tbody details pre`))
	if j := text(t, ctx, "#resources tbody details pre"); !strings.Contains(j, `"Thumbprint"`) {
		t.Errorf("certificate detail: %.200s", j)
	}
}
