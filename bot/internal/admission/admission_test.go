package admission

import (
	"context"
	"testing"
	"testing/synctest"
	"time"
)

func TestEnterRefusesBeyondTheLimit(t *testing.T) {
	l := NewLimit(2, 1)
	a, b := l.Enter(), l.Enter()
	if a == nil || b == nil {
		t.Fatal("the first two were refused")
	}
	if c := l.Enter(); c != nil || l.Refused() != 1 {
		t.Fatalf("third: %v, refused %d; want refused once", c, l.Refused())
	}
	moved := b.Pass()
	b.Leave() // passed on: nothing to give back
	if l.InProgress() != 2 {
		t.Fatalf("%d in progress after a passed Leave, want 2", l.InProgress())
	}
	moved.Leave()
	moved.Leave()
	if l.InProgress() != 1 || l.Enter() == nil {
		t.Errorf("after Leave: %d in progress, or no place", l.InProgress())
	}
	a.Leave()
}

// TestTurnsInOrderUntilTheContextEnds: one turn at a time, the waiters in
// arrival order; a waiter whose context ends goes on without a turn.
func TestTurnsInOrderUntilTheContextEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := NewLimit(10, 1)
		done := l.Turn(context.Background())
		order := make(chan int, 3)
		for i := range 3 {
			go func() {
				end := l.Turn(context.Background())
				order <- i
				end()
			}()
			synctest.Wait() // waiter i is queued before the next one starts
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		t0 := time.Now()
		l.Turn(ctx)() // waits for its context, then gives nothing back
		if waited := time.Since(t0); waited != time.Second {
			t.Errorf("a waiter whose context ends went on after %v, want 1s", waited)
		}
		done()
		for want := range 3 {
			if got := <-order; got != want {
				t.Errorf("turn %d went to waiter %d", want, got)
			}
		}
	})
}
