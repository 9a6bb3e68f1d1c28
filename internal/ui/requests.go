package ui

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/mockcommand/mockcommand/internal/journal"
)

func (u *UI) requestRoutes(r chi.Router) {
	r.Get("/requests", u.handleRequests)
	r.Get("/requests/stream", u.handleRequestStream)
	r.Post("/requests/clear", u.handleRequestsClear)
}

// shownRequests is how many of the newest entries the page opens with.
const shownRequests = 100

type requestsView struct {
	Path, Method, Status string
	Faulted              bool
	Entries              []journal.Entry // newest first
	Total                int
	Last                 int64
	Stream               string // the live view's URL
}

// requestFilter reads the page's filters: path (with * wildcards),
// method, status and faulted.
func (u *UI) requestFilter(q url.Values) (journal.Filter, requestsView) {
	v := requestsView{Path: strings.TrimSpace(q.Get("path")), Method: strings.TrimSpace(q.Get("method")),
		Status: strings.TrimSpace(q.Get("status")), Faulted: q.Get("faulted") != ""}
	f := journal.Filter{Path: v.Path, Method: v.Method, Faulted: v.Faulted}
	if n, err := strconv.Atoi(v.Status); err == nil {
		f.Status = n
	} else {
		v.Status = ""
	}
	f.Path = routePattern(f.Path, u.Info.BasePath)
	return f, v
}

// routePattern makes the route filter a journal path pattern: text
// without a wildcard matches anywhere in the path (/Agents finds
// /KeyfactorAPI/Agents/{id}); a pattern with one matches after the base
// path when it does not name it.
func routePattern(p, base string) string {
	switch {
	case p == "":
		return ""
	case !strings.Contains(p, "*"):
		return "*" + p + "*"
	case strings.HasPrefix(p, "*") || strings.HasPrefix(strings.ToLower(p), strings.ToLower(base)+"/"):
		return p
	}
	return "*" + p
}

// upTo keeps the entries with ids up to last (a page lists oldest first).
func upTo(es []journal.Entry, last int64) []journal.Entry {
	for i, e := range es {
		if e.Id > last {
			return es[:i]
		}
	}
	return es
}

// newestFirst reverses a page of the journal, which lists oldest first.
func newestFirst(es []journal.Entry) []journal.Entry {
	for i, j := 0, len(es)-1; i < j; i, j = i+1, j-1 {
		es[i], es[j] = es[j], es[i]
	}
	return es
}

func (u *UI) handleRequests(w http.ResponseWriter, r *http.Request) {
	f, v := u.requestFilter(r.URL.Query())
	j := u.Mock.Journal()
	v.Last = j.Last() // the stream goes on after it: entries added since are left to the stream
	_, total := j.List(f, 0, 1)
	page, _ := j.List(f, max(0, total-shownRequests), shownRequests)
	v.Entries, v.Total = newestFirst(upTo(page, v.Last)), total
	q := r.URL.Query()
	q.Set("after", strconv.FormatInt(v.Last, 10))
	v.Stream = Prefix + "/requests/stream?" + q.Encode()
	u.render(w, r, http.StatusOK, "requests.html", "Requests", "requests", v)
}

// handleRequestStream sends the journal's new entries, as rendered rows, as
// server-sent events: each event carries the entries added since the last
// (its id is the newest entry's, so a reconnecting browser resumes there
// through Last-Event-ID).
func (u *UI) handleRequestStream(w http.ResponseWriter, r *http.Request) {
	f, _ := u.requestFilter(r.URL.Query())
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	if id, err := strconv.ParseInt(r.Header.Get("Last-Event-ID"), 10, 64); err == nil {
		after = id
	}
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 1000\n\n")
	if rc.Flush() != nil {
		return
	}
	j := u.Mock.Journal()
	for {
		wait, cancel := contextUntil(r.Context(), u.Stop, streamHeartbeat)
		err := j.Wait(wait, after)
		cancel()
		select {
		case <-r.Context().Done():
			return
		case <-u.Stop:
			return
		default:
		}
		if err != nil { // the heartbeat: keeps proxies from closing the stream
			fmt.Fprint(w, ": heartbeat\n\n")
		} else {
			// Entries up to last now; any added meanwhile go in the next event.
			last := j.Last()
			f.AfterId = after
			entries, _ := j.List(f, 0, 0)
			entries = upTo(entries, last)
			after = last
			if len(entries) > 0 {
				var buf bytes.Buffer
				if err := u.pages["requests.html"].ExecuteTemplate(&buf, "entries", newestFirst(entries)); err != nil {
					u.Logger.ErrorContext(r.Context(), "dashboard: rendering requests", "error", err)
					return
				}
				fmt.Fprintf(w, "id: %d\nevent: entries\n", last)
				// An event's lines end at CR, LF or CRLF: a CR in a request
				// (its path, its body) must not end a data line early.
				html := strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(buf.String())
				for line := range strings.Lines(html) {
					fmt.Fprintf(w, "data: %s\n", strings.TrimSuffix(line, "\n"))
				}
				fmt.Fprint(w, "\n")
			} else {
				fmt.Fprintf(w, "id: %d\nevent: seen\ndata: %d\n\n", last, last)
			}
		}
		if rc.Flush() != nil {
			return
		}
	}
}

func (u *UI) handleRequestsClear(w http.ResponseWriter, r *http.Request) {
	u.Mock.Journal().Clear()
	u.done(w, r, Prefix+"/requests", "The journal is empty.", nil)
}

// contextUntil is ctx ended also by stop or after d.
func contextUntil(ctx context.Context, stop <-chan struct{}, d time.Duration) (context.Context, context.CancelFunc) {
	c, cancel := context.WithTimeout(ctx, d)
	go func() {
		select {
		case <-stop:
			cancel()
		case <-c.Done():
		}
	}()
	return c, cancel
}
