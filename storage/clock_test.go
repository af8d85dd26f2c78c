package storage

import (
	"sync"
	"time"
)

// TestClock is a clock a test sets by hand, shared by the internal tests
// and (being exported from a _test file) by package storage_test.
type TestClock struct {
	mu sync.Mutex
	t  time.Time
}

// NewTestClock starts a clock at t.
func NewTestClock(t time.Time) *TestClock { return &TestClock{t: t} }

// Now returns the time last set.
func (c *TestClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *TestClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// Add moves the clock by d.
func (c *TestClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
