// Package clocktest is a clock that moves only when a test moves it. It
// satisfies scheduler.Clock, and any code that takes a now function can use
// its Now.
package clocktest

import (
	"sort"
	"sync"
	"time"
)

// Clock reads a time set by the test. Timers set with AfterFunc fire when
// Set or Advance reaches them, in due order, each seeing Now at its own due
// time; the clock then ends at the time asked for.
type Clock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*timer
	seq    int // breaks ties between timers due at the same instant
}

type timer struct {
	at  time.Time
	seq int
	f   func()
}

// New returns a clock reading t.
func New(t time.Time) *Clock { return &Clock{now: t} }

// Now is the clock's reading.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc calls f when the clock has moved d forward. With d <= 0, f
// runs at once in its own goroutine, as with time.AfterFunc; otherwise it
// runs in the goroutine that moves the clock past it.
func (c *Clock) AfterFunc(d time.Duration, f func()) (stop func() bool) {
	if d <= 0 {
		go f()
		return func() bool { return false }
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	t := &timer{at: c.now.Add(d), seq: c.seq, f: f}
	c.timers = append(c.timers, t)
	return func() bool { return c.remove(t) }
}

// Pending is the number of timers that have not fired nor been stopped.
func (c *Clock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

// Advance moves the clock d forward, firing the timers it reaches.
func (c *Clock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// Set moves the clock to t, firing the timers due by then, including those
// their callbacks set. Setting it back fires nothing: timers wait for the
// clock to reach them again.
func (c *Clock) Set(t time.Time) {
	for {
		c.mu.Lock()
		next := c.nextDue(t)
		if next == nil {
			c.now = t
			c.mu.Unlock()
			return
		}
		c.now = next.at
		c.mu.Unlock()
		next.f() // outside the lock: f may read the clock or set timers
	}
}

// nextDue removes and returns the earliest timer due by t; c.mu is held.
func (c *Clock) nextDue(t time.Time) *timer {
	if len(c.timers) == 0 {
		return nil
	}
	sort.Slice(c.timers, func(i, j int) bool {
		a, b := c.timers[i], c.timers[j]
		return a.at.Before(b.at) || (a.at.Equal(b.at) && a.seq < b.seq)
	})
	first := c.timers[0]
	if first.at.After(t) {
		return nil
	}
	c.timers = c.timers[1:]
	return first
}

func (c *Clock) remove(t *timer) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, x := range c.timers {
		if x == t {
			c.timers = append(c.timers[:i], c.timers[i+1:]...)
			return true
		}
	}
	return false
}
