package lifecycle

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestGroupCloseWaits checks that Close returns only after the units in
// flight are done, and that Begin refuses work afterwards.
func TestGroupCloseWaits(t *testing.T) {
	var g Group
	release := make(chan struct{})
	var finished atomic.Bool
	if !g.Begin() {
		t.Fatal("Begin on an open group refused")
	}
	go func() {
		<-release
		finished.Store(true)
		g.Done()
	}()
	closed := make(chan struct{})
	go func() { g.Close(); close(closed) }()
	// A correct Close cannot return while the unit is blocked, so this
	// grace period never fails it; a Close that does not wait is caught.
	select {
	case <-closed:
		t.Fatal("Close returned while a unit was still running")
	case <-time.After(20 * time.Millisecond):
	}
	close(release)
	<-closed
	if !finished.Load() {
		t.Error("Close returned before the unit in flight was done")
	}
	if g.Begin() {
		t.Error("Begin after Close accepted work")
	}
	g.Close() // a second Close is harmless
}

// TestGroupBeginRacesClose runs Begin against Close: every unit accepted
// must be finished when Close returns, and none accepted afterwards.
func TestGroupBeginRacesClose(t *testing.T) {
	for range 50 {
		var g Group
		var started, done atomic.Int32
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				if g.Begin() {
					started.Add(1)
					done.Add(1)
					g.Done()
				}
			})
		}
		g.Close()
		s, d := started.Load(), done.Load()
		wg.Wait()
		if s != d {
			t.Fatalf("Close returned with %d units started and %d done", s, d)
		}
		if late := started.Load(); late != s {
			t.Fatalf("%d units accepted after Close", late-s)
		}
	}
}
