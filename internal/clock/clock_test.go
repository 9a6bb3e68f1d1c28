package clock_test

import (
	"sync"
	"testing"
	"time"

	"github.com/mockcommand/mockcommand/internal/clock"
)

func TestClock(t *testing.T) {
	c := clock.New()
	if d := time.Since(c.Now()); d < 0 || d > time.Second || c.Frozen() {
		t.Fatalf("new clock is %v off real time, frozen %v", d, c.Frozen())
	}
	t0 := time.Date(2026, 12, 1, 8, 0, 0, 0, time.FixedZone("CET", 3600))
	c.Set(t0, true)
	if !c.Now().Equal(t0) || c.Now().Location() != time.UTC || !c.Frozen() {
		t.Errorf("frozen clock = %v (frozen %v), want %v in UTC", c.Now(), c.Frozen(), t0)
	}
	c.Advance(90 * time.Minute)
	if want := t0.Add(90 * time.Minute); !c.Now().Equal(want) {
		t.Errorf("after Advance: %v, want %v", c.Now(), want)
	}
	c.Set(t0, false) // running from t0
	time.Sleep(20 * time.Millisecond)
	if d := c.Now().Sub(t0); d < 20*time.Millisecond || d > time.Second {
		t.Errorf("running clock advanced %v since Set, want about 20ms", d)
	}
	c.Reset()
	if d := time.Since(c.Now()); d < 0 || d > time.Second || c.Frozen() {
		t.Errorf("after Reset the clock is %v off real time, frozen %v", d, c.Frozen())
	}
}

// TestClock_Concurrent runs every method at once under the race detector.
func TestClock_Concurrent(t *testing.T) {
	c := clock.New()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				switch i % 4 {
				case 0:
					c.Now()
				case 1:
					c.Advance(time.Second)
				case 2:
					c.Set(time.Now(), i%2 == 0)
				case 3:
					c.Reset()
				}
			}
		}()
	}
	wg.Wait()
}
