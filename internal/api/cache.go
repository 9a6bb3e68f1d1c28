package api

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/mockcommand/mockcommand/internal/store"
)

// Bounds of the response cache.
const (
	cacheMaxEntries = 256
	cacheMaxBytes   = 4 << 20
)

// responseCache keeps the encoded answers of idempotent list requests,
// each tagged with the version of the tables the listing reads (see
// store.Version). An answer is served again only while that version is
// unchanged, that is while nothing it shows was written, so it is always
// exactly what the query would return. Clients that poll the same listing
// get it without a query, and writes elsewhere (scheduling a job) leave
// cached agent listings valid.
type responseCache struct {
	mu      sync.Mutex
	entries map[string]cachedResponse
	bytes   int
}

type cachedResponse struct {
	version uint64
	body    []byte
}

func newResponseCache() *responseCache {
	return &responseCache{entries: map[string]cachedResponse{}}
}

// cacheKey identifies a list request; ok is false for requests that must
// not be cached (a query on %TODAY% depends on the clock, not only on the
// stored data).
func cacheKey(route string, opts store.ListOptions) (key string, ok bool) {
	if strings.Contains(strings.ToLower(opts.Query), "%today%") {
		return "", false
	}
	return fmt.Sprintf("%s\x00%s\x00%s\x00%t\x00%d\x00%d", route, opts.Query, strings.ToLower(opts.SortField), opts.Descending, opts.Page, opts.Limit), true
}

func (c *responseCache) get(key string, version uint64) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || e.version != version {
		return nil, false
	}
	return e.body, true
}

func (c *responseCache) put(key string, version uint64, body []byte) {
	if len(body) > cacheMaxBytes/8 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.entries[key]; ok {
		c.bytes -= len(old.body)
	}
	if len(c.entries) >= cacheMaxEntries || c.bytes+len(body) > cacheMaxBytes {
		clear(c.entries) // simplest eviction: entries of older versions are dead anyway
		c.bytes = 0
	}
	c.entries[key] = cachedResponse{version: version, body: body}
	c.bytes += len(body)
}

// listRequest is a list request to answer: the route (for the cache key),
// the version of what it shows, and how to write the JSON answer.
type listRequest struct {
	route   string
	opts    store.ListOptions
	version func() uint64
	write   func(w io.Writer) error
}

// cachedList answers a list request from the cache, or by writing it. An
// answer of up to spillLimit bytes is buffered, sent with its length and
// kept in the cache; a larger one is streamed as it is written (chunked),
// so a huge page costs little memory. Should writing fail once streaming
// has begun, the connection is aborted: the client sees a broken answer,
// never a short one that looks whole.
func (s *Server) cachedList(w http.ResponseWriter, r *http.Request, l listRequest) {
	var key string
	cacheable := false
	if s.cache != nil {
		key, cacheable = cacheKey(l.route, l.opts)
	}
	version := l.version() // before the query: a write during it makes the entry stale
	if cacheable {
		if body, ok := s.cache.get(key, version); ok {
			writeJSON(w, http.StatusOK, body)
			return
		}
	}
	sw := newSpillWriter(w)
	defer sw.release()
	if err := l.write(sw); err != nil {
		if !sw.streaming {
			writeError(w, r, s.logger, err)
			return
		}
		s.logger.LogAttrs(r.Context(), slog.LevelError, "listing failed while it was being sent; connection aborted",
			slog.String("path", r.URL.Path), slog.String("error", err.Error()))
		panic(http.ErrAbortHandler)
	}
	if sw.streaming {
		return
	}
	body := sw.buf.Bytes()
	if cacheable && len(body) <= cacheMaxBytes/8 {
		s.cache.put(key, version, bytes.Clone(body))
	}
	writeJSON(w, http.StatusOK, body)
}

// spillLimit is the largest answer cachedList buffers.
var spillLimit = 1 << 20

// spillWriter buffers a 200 answer up to spillLimit bytes, then sends the
// headers and what it holds and writes the rest straight through.
type spillWriter struct {
	w         http.ResponseWriter
	buf       *bytes.Buffer
	streaming bool
}

func newSpillWriter(w http.ResponseWriter) *spillWriter {
	buf := encodeBuffers.Get().(*bytes.Buffer)
	buf.Reset()
	return &spillWriter{w: w, buf: buf}
}

func (s *spillWriter) Write(p []byte) (int, error) {
	if s.streaming {
		return s.w.Write(p)
	}
	if s.buf.Len()+len(p) <= spillLimit {
		return s.buf.Write(p)
	}
	s.streaming = true
	s.w.Header().Set("Content-Type", contentTypeJSON)
	s.w.WriteHeader(http.StatusOK)
	if _, err := s.w.Write(s.buf.Bytes()); err != nil {
		return 0, err
	}
	s.buf.Reset()
	return s.w.Write(p)
}

func (s *spillWriter) release() {
	if s.buf.Cap() <= spillLimit+64<<10 {
		encodeBuffers.Put(s.buf)
	}
	s.buf = nil
}
