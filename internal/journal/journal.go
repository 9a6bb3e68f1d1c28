// Package journal records the requests made to the mock's Keyfactor routes
// in a bounded ring buffer, so a test can check what a client sent.
package journal

import (
	"net/http"
	"strings"
	"sync"
	"time"
)

// Entry is one recorded request and its answer.
type Entry struct {
	Id           int64
	Time         time.Time // from the mock's clock, when the request arrived
	Method       string
	Path         string
	Query        string              // the raw query string
	Headers      map[string][]string // canonical names; credentials redacted
	Body         string              // up to MaxBody bytes
	Status       int
	ResponseBody string // up to MaxBody bytes
	DurationMs   float64
	Truncated    bool // Body or ResponseBody was cut at MaxBody
}

// MaxBody is how much of each request and response body is kept.
const MaxBody = 64 << 10

// Journal is a fixed-size ring of entries, safe for concurrent use.
type Journal struct {
	mu      sync.Mutex
	entries []Entry // ring storage
	next    int     // index of the slot the next entry goes to
	full    bool
	seq     int64
}

// New returns a journal keeping the last size entries (size >= 1).
func New(size int) *Journal {
	return &Journal{entries: make([]Entry, max(size, 1))}
}

// Size is the journal's capacity.
func (j *Journal) Size() int { return len(j.entries) }

// Add records e, giving it the next id, and returns the id. The oldest
// entry is dropped when the journal is full.
func (j *Journal) Add(e Entry) int64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.seq++
	e.Id = j.seq
	j.entries[j.next] = e
	j.next = (j.next + 1) % len(j.entries)
	if j.next == 0 {
		j.full = true
	}
	return e.Id
}

// Clear drops every entry. Ids keep increasing.
func (j *Journal) Clear() {
	j.mu.Lock()
	defer j.mu.Unlock()
	clear(j.entries)
	j.next, j.full = 0, false
}

// Filter selects entries. Zero fields match everything.
type Filter struct {
	Method string    // case-insensitive
	Path   string    // case-insensitive; '*' matches any run of characters
	Since  time.Time // entries at or after
	Until  time.Time // entries before
	Status int
}

func (f Filter) match(e *Entry) bool {
	return (f.Method == "" || strings.EqualFold(f.Method, e.Method)) &&
		(f.Path == "" || Match(f.Path, e.Path)) &&
		(f.Since.IsZero() || !e.Time.Before(f.Since)) &&
		(f.Until.IsZero() || e.Time.Before(f.Until)) &&
		(f.Status == 0 || f.Status == e.Status)
}

// List returns the entries matching f, oldest first, skipping offset and
// returning at most limit (all when limit <= 0), and how many matched.
func (j *Journal) List(f Filter, offset, limit int) (page []Entry, total int) {
	j.mu.Lock()
	defer j.mu.Unlock()
	n := j.next
	start := 0
	if j.full {
		n, start = len(j.entries), j.next
	}
	page = []Entry{}
	for i := range n {
		e := &j.entries[(start+i)%len(j.entries)]
		if !f.match(e) {
			continue
		}
		if total >= offset && (limit <= 0 || len(page) < limit) {
			page = append(page, *e)
		}
		total++
	}
	return page, total
}

// Match reports whether path matches pattern, case-insensitively, where
// '*' in pattern matches any run of characters (slashes included).
func Match(pattern, path string) bool {
	pattern, path = strings.ToLower(pattern), strings.ToLower(path)
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == path
	}
	if !strings.HasPrefix(path, parts[0]) {
		return false
	}
	path = path[len(parts[0]):]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(path, p)
		if i < 0 {
			return false
		}
		path = path[i+len(p):]
	}
	return strings.HasSuffix(path, parts[len(parts)-1])
}

// RedactHeaders copies h, hiding credentials: Authorization keeps its
// scheme and, for Basic, the user name (so a test can see who called);
// cookies and tokens are replaced.
func RedactHeaders(h http.Header) map[string][]string {
	out := make(map[string][]string, len(h))
	for k, vs := range h {
		switch http.CanonicalHeaderKey(k) {
		case "Authorization", "Proxy-Authorization":
			red := make([]string, len(vs))
			for i, v := range vs {
				red[i] = redactAuthorization(v)
			}
			out[k] = red
		case "Cookie", "Set-Cookie", "X-Api-Key":
			out[k] = []string{"[redacted]"}
		default:
			out[k] = append([]string(nil), vs...)
		}
	}
	return out
}

func redactAuthorization(v string) string {
	scheme, _, found := strings.Cut(strings.TrimSpace(v), " ")
	if !found { // no scheme: the whole value is the credential
		return "[redacted]"
	}
	if strings.EqualFold(scheme, "Basic") {
		r := http.Request{Header: http.Header{"Authorization": {v}}}
		if user, _, ok := r.BasicAuth(); ok {
			return scheme + " " + user + ":[redacted]"
		}
	}
	return scheme + " [redacted]"
}
