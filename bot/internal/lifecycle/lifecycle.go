// Package lifecycle tracks the work in flight in both chat adapters, so
// that closing an adapter waits for it and refuses new work.
package lifecycle

import "sync"

// Group tracks units of work so that Close can wait for them. Once Close
// has been called, Begin refuses new work. The zero value is ready to use;
// a Group must not be copied after first use.
//
// Begin checks the closed flag and adds to the WaitGroup under one lock:
// a unit begun concurrently with Close is either refused or waited for,
// never started after Wait returned (which sync.WaitGroup forbids).
type Group struct {
	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup
}

// Begin registers one unit of work and reports true, or reports false once
// the group is closed. Every true must be matched by one Done.
func (g *Group) Begin() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return false
	}
	g.wg.Add(1)
	return true
}

// Done ends a unit registered by Begin.
func (g *Group) Done() { g.wg.Done() }

// Close refuses new work and waits for the units in flight. It may be
// called more than once.
func (g *Group) Close() {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
	g.wg.Wait()
}
