package api

import (
	"fmt"
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
// each tagged with the store generation it was read under. An answer is
// served again only while the generation is unchanged, that is while no
// write at all has been committed, so it is always exactly what the query
// would return. Clients that poll the same listing get it without a query.
type responseCache struct {
	mu      sync.Mutex
	entries map[string]cachedResponse
	bytes   int
}

type cachedResponse struct {
	gen  uint64
	body []byte
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

func (c *responseCache) get(key string, gen uint64) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || e.gen != gen {
		return nil, false
	}
	return e.body, true
}

func (c *responseCache) put(key string, gen uint64, body []byte) {
	if len(body) > cacheMaxBytes/8 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.entries[key]; ok {
		c.bytes -= len(old.body)
	}
	if len(c.entries) >= cacheMaxEntries || c.bytes+len(body) > cacheMaxBytes {
		clear(c.entries) // simplest eviction: entries of older generations are dead anyway
		c.bytes = 0
	}
	c.entries[key] = cachedResponse{gen: gen, body: body}
	c.bytes += len(body)
}

// cachedList serves a list request from the cache or through list, which
// reads the store and returns the value to encode.
func (s *Server) cachedList(w http.ResponseWriter, r *http.Request, route string, opts store.ListOptions, list func() (any, error)) {
	var key string
	var gen uint64
	cacheable := false
	if s.cache != nil {
		key, cacheable = cacheKey(route, opts)
		gen = s.store.Generation() // read before the query: a write during it invalidates the entry
	}
	if cacheable {
		if body, ok := s.cache.get(key, gen); ok {
			writeJSON(w, http.StatusOK, body)
			return
		}
	}
	v, err := list()
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	body, status := marshal(v)
	if cacheable && status == http.StatusOK {
		s.cache.put(key, gen, body)
	}
	writeJSON(w, status, body)
}
