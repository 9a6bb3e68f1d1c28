package ui_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/mockcommand/mockcommand/commandtest"
)

const hostile = `<script>alert(1)</script><img src=x onerror=alert(2)>`

// Hostile values (an orchestrator's name and capabilities, request paths,
// queries and bodies, a fault's message, the outcome and query in a URL)
// show as text on every page: no script runs, no element is injected.
func TestBrowser_HostileValuesRenderAsText(t *testing.T) {
	s := commandtest.NewServer(t)
	agents, err := s.SeedAgents(commandtest.Agent{ClientMachine: commandtest.Ptr(hostile), Status: 2,
		Capabilities: []string{"LOGS", `"><svg onload=alert(3)>`}, Version: commandtest.Ptr(`</td></tr></table><h1>x</h1>`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SeedJobTypes(commandtest.JobType{JobTypeName: "Hostile", Description: commandtest.Ptr(hostile),
		JobTypeFields: []commandtest.JobTypeField{{Name: "Field", Type: commandtest.TypeString, DefaultValue: commandtest.Value(hostile)}}}); err != nil {
		t.Fatal(err)
	}
	// A job on the hostile orchestrator: the Jobs page shows its name.
	logs, err := s.Client.Post(s.BaseURL+"/Agents/"+agents[0].AgentId+"/FetchLogs", "application/json", nil)
	if err != nil || logs.StatusCode != http.StatusNoContent {
		t.Fatalf("fetch logs: %v %v", err, logs.Status)
	}
	logs.Body.Close()
	if _, err := s.AddFault(commandtest.FaultRule{Path: "*/JobTypes/Custom", Status: 503, Message: hostile}); err != nil {
		t.Fatal(err)
	}
	// Requests: a hostile path, query and body.
	for _, path := range []string{"/Agents/" + url.PathEscape(hostile), "/Agents?pq.queryString=" + url.QueryEscape(hostile), "/JobTypes/Custom"} {
		apiGet(t, s, path, nil)
	}
	resp, err := s.Client.Post(s.BaseURL+"/OrchestratorJobs/Custom", "application/json", strings.NewReader(`{"AgentId":"`+strings.ReplaceAll(hostile, `"`, `\"`)+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	ctx := newTab(t)
	opened := dialogs(ctx)
	pages := []struct {
		path  string
		shown bool // the page shows the hostile text (as text)
	}{
		{"/orchestrators", true},
		{"/orchestrators/" + agents[0].AgentId, true},
		{"/orchestrators?q=" + url.QueryEscape(`ClientMachine -eq "`+hostile+`"`), true},
		{"/orchestrators?q=" + url.QueryEscape(hostile), true},
		{"/requests", true},
		{"/faults", true},
		{"/jobs", true},
		{"/jobtypes", true},
		{"/jobs/new?agent=" + agents[0].AgentId + "&type=Hostile", true},
		{"/jobs/new?agent=" + url.QueryEscape(hostile) + "&type=" + url.QueryEscape(hostile), true},
		{"/stores?q=" + url.QueryEscape(hostile), true},
		{"/certificates?q=" + url.QueryEscape(`IssuedCN -eq "`+hostile+`"`), false},
		// Outcomes travel in a cookie: a link cannot put words on a page.
		{"/?ok=" + url.QueryEscape(hostile) + "&err=" + url.QueryEscape(hostile), false},
	}
	for _, pg := range pages {
		p := pg.path
		do(t, ctx, "open "+p, chromedp.Navigate(ui(s, p)), visible(`main`),
			// open every entry, so bodies and headers are rendered too
			chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				_, err := chromedp.Evaluate[int](`document.querySelectorAll("details").forEach(d => d.open = true); 0`)(ctx, tg)
				return err
			}))
		injected := get(t, ctx, "count injected elements", chromedp.Evaluate[string](
			`[document.scripts.length, document.querySelectorAll("img, svg, h1").length, document.body.innerText.includes("<script>alert(1)</script>")].join(",")`))
		if want := fmt.Sprintf("1,1,%t", pg.shown); injected != want { // the page's script; its h1; the text as text
			t.Errorf("%s: scripts, injected elements, hostile text shown = %s; want %s", p, injected, want)
		}
	}
	time.Sleep(300 * time.Millisecond) // a dialog opens asynchronously
	if n := opened.Load(); n != 0 {
		t.Fatalf("%d JavaScript dialogs opened", n)
	}
}

// A page on another site cannot drive the mock: its form POST to a
// dashboard action is refused, and nothing changes.
func TestBrowser_CrossSiteFormIsRefused(t *testing.T) {
	s := commandtest.NewServer(t)
	fresh := agentsWhere(t, s, "Status -eq 1")[0]
	target := ui(s, "/orchestrators/"+fresh.AgentId+"/approve")
	// Another origin: "localhost" rather than 127.0.0.1, and another port.
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<form id="f" method="post" action="%s"></form><script>document.getElementById("f").submit()</script>`, target)
	}))
	t.Cleanup(evil.Close)
	ctx := newTab(t)
	do(t, ctx, "visit the other site", chromedp.Navigate(strings.Replace(evil.URL, "127.0.0.1", "localhost", 1)),
		until(`location.pathname.startsWith("/_mock/ui/")`), visible(`main h1`))
	if h := text(t, ctx, "main h1"); h != "Refused" {
		t.Errorf("the cross-site POST landed on %q", h)
	}
	var got commandtest.Agent
	apiGet(t, s, "/Agents/"+fresh.AgentId, &got)
	if got.Status != 1 {
		t.Errorf("the orchestrator's status is %d after a cross-site POST", got.Status)
	}
}

// Every form control has a label, and the pages can be worked from the
// keyboard: Tab reaches the skip link, then the navigation.
func TestBrowser_LabelsAndKeyboard(t *testing.T) {
	s := commandtest.NewServer(t, commandtest.WithJobMode(commandtest.ModeManual))
	fetch, err := s.Client.Post(s.BaseURL+"/Agents/"+agentsWhere(t, s, `Status -eq 2 AND Capabilities -contains "LOGS"`)[0].AgentId+"/FetchLogs", "application/json", nil)
	if err != nil || fetch.StatusCode != http.StatusNoContent {
		t.Fatalf("fetch logs: %v %v", err, fetch.Status)
	}
	fetch.Body.Close() // a waiting run: the history shows its complete form
	ctx := newTab(t)
	agent := agentsWhere(t, s, "Status -eq 2")[0]
	for _, p := range []string{"/", "/orchestrators", "/orchestrators/" + agent.AgentId, "/jobtypes", "/jobs",
		"/jobs/new?agent=" + agent.AgentId + "&type=RebootHost", "/requests", "/faults", "/stores", "/certificates"} {
		do(t, ctx, "open "+p, chromedp.Navigate(ui(s, p)), visible(`main`))
		unlabelled := get(t, ctx, "labels", chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("input:not([type=hidden]), select, textarea"))
			.filter(e => e.labels.length === 0 && !e.getAttribute("aria-label")).map(e => e.outerHTML)`))
		if len(unlabelled) > 0 {
			t.Errorf("%s: controls without a label: %q", p, unlabelled)
		}
	}
	do(t, ctx, "tab", chromedp.Navigate(ui(s, "/orchestrators")), visible(`#q`),
		chromedp.KeyEvent("\t"))
	if f := get(t, ctx, "focus", chromedp.Evaluate[string](`document.activeElement.textContent`)); f != "Skip to content" {
		t.Errorf("the first Tab focuses %q", f)
	}
	do(t, ctx, "tab on", chromedp.KeyEvent("\t"), chromedp.KeyEvent("\t"))
	if f := get(t, ctx, "focus", chromedp.Evaluate[string](`document.activeElement.textContent`)); f != "Overview" {
		t.Errorf("after the brand link, Tab focuses %q", f)
	}
}

// With an admin token, the dashboard asks for it (401 and the login form),
// sets an HttpOnly, SameSite=Strict cookie for the right one, and takes
// the bearer header as the admin API does.
func TestDashboard_AdminToken(t *testing.T) {
	s := commandtest.NewServer(t, commandtest.WithAdminToken("s3cret"))
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string, h map[string]string) (*http.Response, string) {
		req, _ := http.NewRequest(http.MethodGet, ui(s, path), nil)
		for k, v := range h {
			req.Header.Set(k, v)
		}
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	for _, p := range []string{"/", "/orchestrators", "/requests/stream", "/nope", "/login"} {
		if resp, body := get(p, nil); resp.StatusCode != 401 || !strings.Contains(body, `name="token"`) {
			t.Errorf("GET %s without the token: %d", p, resp.StatusCode)
		}
	}
	// The form comes back to the page asked for, query and all.
	if _, body := get("/orchestrators?q=Status+-eq+2", nil); !strings.Contains(body, `name="next" value="/_mock/ui/orchestrators?q=Status&#43;-eq&#43;2"`) {
		t.Errorf("the login form's next: %s", body)
	}
	if resp, _ := get("/", map[string]string{"Authorization": "Bearer s3cret"}); resp.StatusCode != 200 {
		t.Errorf("with the bearer token: %d", resp.StatusCode)
	}
	login := func(token string) *http.Response {
		resp, err := noRedirect.PostForm(ui(s, "/login"), url.Values{"token": {token}, "next": {"/_mock/ui/faults"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := login("wrong"); resp.StatusCode != 401 || len(resp.Cookies()) != 0 {
		t.Errorf("a wrong token: %d, cookies %v", resp.StatusCode, resp.Cookies())
	}
	resp := login("s3cret")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/_mock/ui/faults" || len(resp.Cookies()) != 1 {
		t.Fatalf("login: %d to %q, cookies %v", resp.StatusCode, resp.Header.Get("Location"), resp.Cookies())
	}
	c := resp.Cookies()[0]
	if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/_mock/" || strings.Contains(c.Value, "s3cret") {
		t.Errorf("cookie %+v", c)
	}
	if resp, _ := get("/faults", map[string]string{"Cookie": c.Name + "=" + c.Value}); resp.StatusCode != 200 {
		t.Errorf("with the cookie: %d", resp.StatusCode)
	}
	if resp, _ := get("/faults", map[string]string{"Cookie": c.Name + "=forged"}); resp.StatusCode != 401 {
		t.Errorf("with a forged cookie: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodPost, ui(s, "/logout"), nil)
	req.Header.Set("Cookie", c.Name+"="+c.Value)
	out, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	out.Body.Close()
	if cs := out.Cookies(); len(cs) != 1 || cs[0].Name != c.Name || cs[0].MaxAge >= 0 {
		t.Errorf("logout cookies: %v", cs)
	}
	// The cookie does not open the admin API: it keeps its bearer token.
	req, _ = http.NewRequest(http.MethodGet, s.URL+"/_mock/clock", nil)
	req.Header.Set("Cookie", c.Name+"="+c.Value)
	if r2, err := http.DefaultClient.Do(req); err != nil || r2.StatusCode != 401 {
		t.Errorf("GET /_mock/clock with the dashboard's cookie: %v %v", r2.StatusCode, err)
	}
	// A login cannot redirect off the dashboard.
	r3, err := noRedirect.PostForm(ui(s, "/login"), url.Values{"token": {"s3cret"}, "next": {"//evil.example/"}})
	if err != nil {
		t.Fatal(err)
	}
	r3.Body.Close()
	if loc := r3.Header.Get("Location"); loc != "/_mock/ui/" {
		t.Errorf("login with an outside next goes to %q", loc)
	}
}

// Cross-origin POSTs are refused before they act; same-origin ones and
// tools that send neither Origin nor Sec-Fetch-Site (curl) are not.
func TestDashboard_CrossOriginPost(t *testing.T) {
	s := commandtest.NewServer(t)
	fresh := agentsWhere(t, s, "Status -eq 1")[0]
	post := func(h map[string]string) int {
		req, _ := http.NewRequest(http.MethodPost, ui(s, "/orchestrators/"+fresh.AgentId+"/approve"), nil)
		for k, v := range h {
			req.Header.Set(k, v)
		}
		resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, h := range []map[string]string{{"Origin": "http://evil.example"}, {"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"}} {
		if st := post(h); st != http.StatusForbidden {
			t.Errorf("POST with %v: %d", h, st)
		}
	}
	if got, _ := s.Agent(fresh.AgentId); got.Status != 1 {
		t.Fatalf("refused POSTs changed the orchestrator: status %d", got.Status)
	}
	if st := post(map[string]string{"Sec-Fetch-Site": "same-origin"}); st != http.StatusSeeOther {
		t.Errorf("same-origin POST: %d", st)
	}
	if got, _ := s.Agent(fresh.AgentId); got.Status != 2 {
		t.Errorf("the same-origin approve did not act: status %d", got.Status)
	}
}
