package ui_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/mockcommand/mockcommand/commandtest"
)

// screenshots, when set, makes the browser tests save their screenshots
// in docs/img (go test ./internal/ui -run TestBrowser -screenshots).
var screenshots = flag.Bool("screenshots", false, "write the dashboard's screenshots to docs/img")

// browser is one headless Chromium for the package's tests; each test
// opens its own tab.
var browser struct {
	once   sync.Once
	ctx    context.Context
	cancel context.CancelFunc
	err    error
}

// chromiumPath finds Debian's chromium (or another Chromium build).
func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if browser.cancel != nil {
		browser.cancel()
	}
	os.Exit(code)
}

// newTab opens a tab in the shared browser, closed when the test ends. A
// machine without Chromium skips the browser tests, unless
// MOCKCOMMAND_BROWSER_TEST=1 (which .ci/run sets after installing it)
// says they must run.
func newTab(t testing.TB) context.Context {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		if os.Getenv("MOCKCOMMAND_BROWSER_TEST") == "1" {
			t.Fatal("MOCKCOMMAND_BROWSER_TEST=1 but no chromium is installed")
		}
		t.Skip("no chromium on this machine: the browser tests need Debian's chromium package (.ci/run installs it)")
	}
	browser.once.Do(func() {
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.WindowSize(1366, 860),
			chromedp.Flag("lang", "en-US"))
		alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancelCtx := chromedp.NewContext(alloc)
		browser.err = chromedp.Do(ctx) // starts the browser
		browser.ctx, browser.cancel = ctx, func() { cancelCtx(); cancelAlloc() }
	})
	if browser.err != nil {
		t.Fatalf("start chromium: %v", browser.err)
	}
	tab, cancelTab := chromedp.NewContext(browser.ctx)
	ctx, cancel := context.WithTimeout(tab, 90*time.Second)
	// The dashboard's script must never fail: an exception fails the test.
	var mu sync.Mutex
	var thrown []string
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*runtime.EventExceptionThrown); ok {
			mu.Lock()
			thrown = append(thrown, e.ExceptionDetails.Text+" "+exceptionText(e))
			mu.Unlock()
		}
	}); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		cancelTab()
		mu.Lock()
		defer mu.Unlock()
		for _, x := range thrown {
			t.Errorf("the page threw: %s", x)
		}
	})
	return ctx
}

// exceptionText is the description of a thrown exception, when it has one.
func exceptionText(e *runtime.EventExceptionThrown) string {
	if ex := e.ExceptionDetails.Exception; ex != nil {
		return ex.Description
	}
	return ""
}

// dialogs counts the JavaScript dialogs a tab opens (alert, confirm): an
// escaped page opens none.
func dialogs(ctx context.Context) *atomic.Int32 {
	var n atomic.Int32
	_ = chromedp.Listen(ctx, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			n.Add(1)
			go func() {
				_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
			}()
		}
	})
	return &n
}

// do runs browser actions and fails the test on an error.
func do(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		t.Fatalf("%s (at %s): %v", what, loc, err)
	}
}

// get runs a browser action that returns a value, failing the test on an error.
func get[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		t.Fatalf("%s (at %s): %v", what, loc, err)
	}
	return v
}

// Actions on the first element a CSS selector matches.
func click(sel string) chromedp.Action[chromedp.Void] { return chromedp.Click(chromedp.CSS(sel)) }
func visible(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.WaitVisible(chromedp.CSS(sel))
}
func submit(sel string) chromedp.Action[chromedp.Void] { return chromedp.Submit(chromedp.CSS(sel)) }
func keys(sel, v string) chromedp.Action[chromedp.Void] {
	return chromedp.SendKeys(chromedp.CSS(sel), v)
}
func setValue(sel, v string) chromedp.Action[chromedp.Void] {
	return chromedp.SetValue(chromedp.CSS(sel), v)
}

// until waits for a JavaScript expression to be true.
func until(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		// Evaluate, not Poll: a form's POST and redirect replace the page
		// (and its JavaScript context) while the condition is awaited.
		deadline := time.Now().Add(15 * time.Second)
		loaded := `document.readyState === "complete" && (` + expr + `)` // not the page being left
		for {
			ok, err := chromedp.Evaluate[bool](loaded)(ctx, tg)
			if err == nil && ok {
				return nil
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("waited 15s for %s (last error: %v)", expr, err)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
}

// postForm submits an empty POST form to a dashboard path from the page,
// as a stale page's button would.
func postForm(path string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](fmt.Sprintf(`(() => { const f = document.createElement("form"); f.method = "post"; f.action = %q; document.body.append(f); f.submit(); return true; })()`, path))(ctx, tg)
		return err
	})
}

// value is the value of a form control, read by script (a query by node
// id can race a form's navigation).
func value(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	return get(t, ctx, "value of "+sel, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q).value`, sel)))
}

// attr is an attribute of an element.
func attr(t *testing.T, ctx context.Context, sel, name string) string {
	t.Helper()
	return get(t, ctx, name+" of "+sel, chromedp.AttributeValue(chromedp.CSS(sel), name)).Value
}

// texts is the trimmed text of every element sel matches.
func texts(t *testing.T, ctx context.Context, sel string) []string {
	t.Helper()
	js := fmt.Sprintf(`Array.from(document.querySelectorAll(%q)).map(e => e.textContent.trim())`, sel)
	return get(t, ctx, "read "+sel, chromedp.Evaluate[[]string](js))
}

// text is the trimmed text of the first element sel matches.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	all := texts(t, ctx, sel)
	if len(all) == 0 {
		t.Fatalf("nothing matches %s", sel)
	}
	return all[0]
}

// ui is the URL of a dashboard page.
func ui(s *commandtest.Server, path string) string { return s.URL + "/_mock/ui" + path }

// apiGet decodes the answer of a Keyfactor GET into v and returns the status.
func apiGet(t *testing.T, s *commandtest.Server, path string, v any) int {
	t.Helper()
	resp, err := s.Client.Get(s.BaseURL + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	if v != nil && resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatalf("GET %s: decode: %v", path, err)
		}
	}
	return resp.StatusCode
}

// agentsWhere lists the client machines of GET /Agents with a query, as
// the API answers it.
func agentsWhere(t *testing.T, s *commandtest.Server, query string) []commandtest.Agent {
	t.Helper()
	var agents []commandtest.Agent
	if st := apiGet(t, s, "/Agents?pq.queryString="+url.QueryEscape(query), &agents); st != http.StatusOK {
		t.Fatalf("GET /Agents?%s: status %d", query, st)
	}
	return agents
}

// shot saves a screenshot of the tab as docs/img/<name>.png when
// -screenshots is given.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if !*screenshots {
		return
	}
	png := get(t, ctx, "screenshot", chromedp.CaptureScreenshot())
	dir := filepath.Join("..", "..", "docs", "img")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// waitText waits until the element sel matches has text containing want.
func waitText(sel, want string) chromedp.Action[chromedp.Void] {
	return until(fmt.Sprintf(`(() => { const e = document.querySelector(%q); return !!e && e.textContent.includes(%q); })()`, sel, want))
}

// hasPrefixAll reports whether every string starts with prefix.
func hasPrefixAll(ss []string, prefix string) bool {
	for _, s := range ss {
		if !strings.HasPrefix(s, prefix) {
			return false
		}
	}
	return true
}

func urlQuery(s string) string { return url.QueryEscape(s) }

// decodeBody decodes a response's JSON body into v and closes it.
func decodeBody(t *testing.T, resp *http.Response, v any) {
	t.Helper()
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("decode %s: %v", resp.Request.URL.Path, err)
	}
}
