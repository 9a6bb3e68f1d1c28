// Package clock provides the mock's controllable clock. Every timestamp the
// mock writes comes from one Clock, so a test can freeze, set or advance
// time and see it reflected in LastSeen, RequestTimestamp and job history.
package clock

import (
	"sync"
	"time"
)

// Clock is real time plus an offset, or a frozen instant. It is safe for
// concurrent use. The zero value is a real-time clock.
type Clock struct {
	mu     sync.RWMutex
	offset time.Duration
	frozen bool
	at     time.Time
}

// New returns a real-time clock.
func New() *Clock { return &Clock{} }

// Now reports the clock's current time in UTC.
func (c *Clock) Now() time.Time {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.frozen {
		return c.at
	}
	return time.Now().Add(c.offset).UTC()
}

// Set moves the clock to t. When frozen is true the clock stops there until
// it is advanced, set again or resumed; otherwise it keeps ticking from t.
func (c *Clock) Set(t time.Time, frozen bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.frozen = frozen
	c.at = t.UTC()
	c.offset = time.Until(t)
}

// Advance moves the clock forward by d (backwards when d is negative),
// keeping it frozen or running as it was.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at = c.at.Add(d)
	c.offset += d
}

// Reset returns the clock to real time.
func (c *Clock) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset, c.frozen, c.at = 0, false, time.Time{}
}

// Frozen reports whether the clock is stopped.
func (c *Clock) Frozen() bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.frozen
}
