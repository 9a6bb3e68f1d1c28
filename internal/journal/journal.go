// Package journal records the requests made to the mock's Keyfactor routes
// in a bounded ring buffer, so a test can check what a client sent.
package journal

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mockcommand/mockcommand/internal/model"
)

// Entry is one recorded request and its answer.
type Entry struct {
	Id           int64
	Time         model.Time // from the mock's clock, when the request arrived (millisecond precision)
	Method       string
	Path         string
	Query        string              // the raw query string
	Headers      map[string][]string // canonical names; credentials redacted
	Body         string              // up to MaxBody bytes
	Status       int                 // 0 when a fault dropped the connection
	ResponseBody string              // up to MaxResponseBody bytes
	DurationMs   float64
	Truncated    bool     // Body was cut at MaxBody or ResponseBody at MaxResponseBody
	Fault        int64    // the fault rule that acted on the request, 0 when none did
	Warnings     []string // what the mock noticed but Command lets pass, such as ignored query parameters
}

// MaxBody is how much of each request body is kept.
const MaxBody = 64 << 10

// MaxResponseBody is how much of each response body is kept: enough for
// any error body or single entity, while a large listing costs the
// journal's byte budget only its first 8 KiB.
const MaxResponseBody = 8 << 10

// DefaultMaxBytes is the default budget for the memory a journal's
// entries hold (bodies, headers, paths).
// The Go heap grows to about twice what is live, so this keeps the mock's
// memory small; raise it (--journal-bytes) to keep more history.
const DefaultMaxBytes = 2 << 20

// Journal is a ring of entries bounded both in number and in the bytes of
// the bodies it keeps, safe for concurrent use: the oldest entries are
// dropped when either bound is reached, so a long run never grows memory.
type Journal struct {
	mu       sync.Mutex
	entries  []Entry // ring storage
	sizes    []int   // entryBytes of each held entry, by ring index
	head     int     // index of the oldest entry
	n        int     // entries held
	bytes    int     // body bytes held
	maxBytes int
	seq      int64
	added    chan struct{} // closed and replaced by every Add (see Wait)
}

// New returns a journal keeping at most size entries (size >= 1) that hold
// at most maxBytes in all (DefaultMaxBytes when 0).
func New(size, maxBytes int) *Journal {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	return &Journal{entries: make([]Entry, max(size, 1)), sizes: make([]int, max(size, 1)), maxBytes: maxBytes, added: make(chan struct{})}
}

// entryBytes estimates the memory an entry holds: its strings, and its
// headers with some overhead per value.
func entryBytes(e *Entry) int {
	n := 256 + len(e.Path) + len(e.Query) + len(e.Body) + len(e.ResponseBody)
	for _, w := range e.Warnings {
		n += len(w) + 16
	}
	for k, vs := range e.Headers {
		n += len(k)
		for _, v := range vs {
			n += len(v) + 32
		}
	}
	return n
}

// Add records e, giving it the next id, and returns the id. The oldest
// entries are dropped to make room.
func (j *Journal) Add(e Entry) int64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.seq++
	e.Id = j.seq
	size := entryBytes(&e)
	for j.n > 0 && (j.n == len(j.entries) || j.bytes+size > j.maxBytes) {
		j.dropOldest()
	}
	at := (j.head + j.n) % len(j.entries)
	j.entries[at], j.sizes[at] = e, size
	j.n++
	j.bytes += size
	close(j.added)
	j.added = make(chan struct{})
	return e.Id
}

// Last is the id of the newest entry ever added (0 before the first).
func (j *Journal) Last() int64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.seq
}

// Wait returns once an entry with an id above after has been added, or
// when ctx ends (then with its error): a live view waits here instead of
// polling.
func (j *Journal) Wait(ctx context.Context, after int64) error {
	for {
		j.mu.Lock()
		seq, added := j.seq, j.added
		j.mu.Unlock()
		if seq > after {
			return nil
		}
		select {
		case <-added:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (j *Journal) dropOldest() {
	j.bytes -= j.sizes[j.head]
	j.entries[j.head], j.sizes[j.head] = Entry{}, 0
	j.head = (j.head + 1) % len(j.entries)
	j.n--
}

// Clear drops every entry. Ids keep increasing.
func (j *Journal) Clear() {
	j.mu.Lock()
	defer j.mu.Unlock()
	clear(j.entries)
	j.head, j.n, j.bytes = 0, 0, 0
}

// Filter selects entries. Zero fields match everything.
type Filter struct {
	Method  string    // case-insensitive
	Path    string    // case-insensitive; '*' matches any run of characters
	Since   time.Time // entries at or after
	Until   time.Time // entries before
	Status  int
	AfterId int64 // entries with a greater id (newer than one already seen)
	Faulted bool  // only entries a fault rule acted on
}

func (f Filter) match(e *Entry) bool {
	return (f.Method == "" || strings.EqualFold(f.Method, e.Method)) &&
		(f.Path == "" || Match(f.Path, e.Path)) &&
		(f.Since.IsZero() || !e.Time.Before(f.Since)) &&
		(f.Until.IsZero() || e.Time.Before(f.Until)) &&
		(f.Status == 0 || f.Status == e.Status) &&
		e.Id > f.AfterId &&
		(!f.Faulted || e.Fault != 0)
}

// List returns the entries matching f, oldest first, skipping offset and
// returning at most limit (all when limit <= 0), and how many matched.
func (j *Journal) List(f Filter, offset, limit int) (page []Entry, total int) {
	j.mu.Lock()
	defer j.mu.Unlock()
	page = []Entry{}
	for i := range j.n {
		e := &j.entries[(j.head+i)%len(j.entries)]
		if !f.match(e) {
			continue
		}
		if total >= offset && (limit <= 0 || len(page) < limit) {
			c := *e
			c.Warnings = slices.Clone(e.Warnings)
			c.Headers = make(map[string][]string, len(e.Headers)) // callers may change theirs
			for k, vs := range e.Headers {
				c.Headers[k] = slices.Clone(vs)
			}
			page = append(page, c)
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
