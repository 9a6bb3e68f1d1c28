// Package fault holds the mock's fault-injection rules: which requests a
// rule matches, what it does to them (an error status, a delay, a dropped
// connection) and how often.
package fault

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/mockcommand/mockcommand/internal/journal"
	"github.com/mockcommand/mockcommand/internal/model"
)

// Rule is one fault. Matching fields that are empty match everything.
type Rule struct {
	Id int64 // assigned when added

	Method string // HTTP method, case-insensitive
	Path   string // path pattern, case-insensitive; '*' matches any run of characters
	Query  string // text the decoded query string must contain, case-insensitive

	Status    int               // answer with this status and a Command error body; 0 lets the request through (after any delay)
	ErrorCode string            // ErrorCode of the body; a default per status when empty
	Message   string            // Message of the body; a default when empty
	Headers   map[string]string // extra response headers, such as Retry-After
	Delay     model.Duration    // wait this long first
	DelayMax  model.Duration    // when above Delay, wait a random time between Delay and DelayMax
	Drop      bool              // close the connection without answering (after any delay)

	After       int     // let the first After matching requests through untouched
	Times       int     // apply at most this many times (0: no limit)
	Probability float64 // apply with this probability (0 means 1)
	Seed        uint64  // seeds the rule's random source, so runs repeat

	Matched int // requests that matched so far (read-only)
	Applied int // times applied so far (read-only)

	rng *rand.Rand
}

// Validate checks a rule before it is added.
func (r *Rule) Validate() error {
	switch {
	case r.Status != 0 && (r.Status < 200 || r.Status > 599):
		return fmt.Errorf("Status %d is not a final HTTP status (200-599, or 0 to let the request through)", r.Status)
	case r.Status == 0 && !r.Drop && r.Delay == 0 && r.DelayMax == 0:
		return fmt.Errorf("the rule does nothing: give a Status, a Delay or Drop")
	case r.Status != 0 && r.Drop:
		return fmt.Errorf("Status and Drop cannot both be set: a dropped connection has no status")
	case r.Delay < 0 || r.DelayMax < 0:
		return fmt.Errorf("Delay and DelayMax must be from 0 to 10 minutes")
	case r.DelayMax != 0 && r.DelayMax < r.Delay:
		return fmt.Errorf("DelayMax (%s) must not be below Delay (%s)", time.Duration(r.DelayMax), time.Duration(r.Delay))
	case time.Duration(max(r.Delay, r.DelayMax)) > 10*time.Minute:
		return fmt.Errorf("delays are limited to 10 minutes")
	case r.After < 0 || r.Times < 0:
		return fmt.Errorf("After and Times must not be negative")
	case r.Probability < 0 || r.Probability > 1:
		return fmt.Errorf("Probability %v must be between 0 and 1", r.Probability)
	}
	for k := range r.Headers {
		if k == "" || strings.ContainsAny(k, " :\r\n") {
			return fmt.Errorf("header name %q is not valid", k)
		}
	}
	return nil
}

// Decision is what a matching rule does to one request.
type Decision struct {
	Rule      int64
	Delay     time.Duration
	Drop      bool
	Status    int
	ErrorCode string
	Message   string
	Headers   map[string]string
}

// Set is the list of rules, safe for concurrent use. The first rule that
// matches a request and is active decides what happens to it.
type Set struct {
	mu    sync.Mutex
	rules []*Rule
	seq   int64
}

// MaxRules is how many rules a Set holds at most: every request is
// matched against each of them.
const MaxRules = 100

// Add validates r and appends it, returning it with its Id.
func (s *Set) Add(r Rule) (Rule, error) {
	if err := r.Validate(); err != nil {
		return Rule{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.rules) >= MaxRules {
		return Rule{}, fmt.Errorf("there are already %d fault rules, the most the mock keeps; delete some first", MaxRules)
	}
	s.seq++
	r.Id, r.Matched, r.Applied = s.seq, 0, 0
	r.Headers = maps.Clone(r.Headers) // the caller's map stays the caller's
	r.rng = rand.New(rand.NewPCG(r.Seed, uint64(r.Id)))
	s.rules = append(s.rules, &r)
	return r.snapshot(), nil
}

// List returns the rules with their counters.
func (s *Set) List() []Rule {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Rule, len(s.rules))
	for i, r := range s.rules {
		out[i] = r.snapshot()
	}
	return out
}

// Delete removes rule id; it reports whether the rule existed.
func (s *Set) Delete(id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, r := range s.rules {
		if r.Id == id {
			s.rules = append(s.rules[:i], s.rules[i+1:]...)
			return true
		}
	}
	return false
}

// Clear removes every rule.
func (s *Set) Clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rules = nil
}

// Decide returns what to do with a request, or nil to let it through.
func (s *Set) Decide(r *http.Request) *Decision {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.rules) == 0 {
		return nil
	}
	q, err := url.QueryUnescape(r.URL.RawQuery)
	if err != nil {
		q = r.URL.RawQuery
	}
	q = strings.ToLower(q)
	for _, rule := range s.rules {
		if !rule.matches(r, q) {
			continue
		}
		rule.Matched++
		if rule.Matched <= rule.After || (rule.Times > 0 && rule.Applied >= rule.Times) {
			continue
		}
		if rule.Probability > 0 && rule.Probability < 1 && rule.rng.Float64() >= rule.Probability {
			continue
		}
		rule.Applied++
		d := &Decision{Rule: rule.Id, Drop: rule.Drop, Status: rule.Status, ErrorCode: rule.ErrorCode, Message: rule.Message, Headers: rule.Headers}
		d.Delay = time.Duration(rule.Delay)
		if rule.DelayMax > rule.Delay {
			d.Delay += time.Duration(rule.rng.Int64N(int64(rule.DelayMax - rule.Delay + 1)))
		}
		return d
	}
	return nil
}

func (r *Rule) matches(req *http.Request, lowerQuery string) bool {
	return (r.Method == "" || strings.EqualFold(r.Method, req.Method)) &&
		(r.Path == "" || journal.Match(r.Path, req.URL.Path)) &&
		(r.Query == "" || strings.Contains(lowerQuery, strings.ToLower(r.Query)))
}

func (r *Rule) snapshot() Rule {
	c := *r
	c.rng = nil
	c.Headers = maps.Clone(r.Headers)
	return c
}
