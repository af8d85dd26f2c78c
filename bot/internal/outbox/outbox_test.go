package outbox

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"
)

// TestBoundedQueue: with the one worker held, the queue takes its size and
// drops the rest, counted; Wait returns once every taken job ran; a panic
// in a job does not stop the worker.
func TestBoundedQueue(t *testing.T) {
	o := New(1, 2, time.Minute, slog.New(slog.DiscardHandler))
	defer o.Close()
	hold, held := make(chan struct{}), make(chan struct{})
	var ran atomic.Int64
	if !o.Enqueue("hold", func(context.Context) { close(held); <-hold; ran.Add(1) }) {
		t.Fatal("first job refused")
	}
	<-held // the worker is busy: what follows waits in the queue
	took := 0
	for range 5 {
		if o.Enqueue("job", func(context.Context) { ran.Add(1) }) {
			took++
		}
	}
	if took != 2 || o.Dropped() != 3 {
		t.Errorf("took %d, dropped %d; want 2 and 3", took, o.Dropped())
	}
	close(hold)
	o.Wait()
	if ran.Load() != 3 {
		t.Errorf("%d jobs ran after Wait, want 3", ran.Load())
	}
	o.Enqueue("panics", func(context.Context) { panic("boom") })
	o.Enqueue("after", func(context.Context) { ran.Add(1) })
	o.Wait()
	if ran.Load() != 4 {
		t.Errorf("the job after a panic did not run")
	}
}

// TestCloseRunsWhatIsQueued: Close lets queued jobs finish, then refuses.
func TestCloseRunsWhatIsQueued(t *testing.T) {
	o := New(2, 10, time.Minute, slog.New(slog.DiscardHandler))
	var ran atomic.Int64
	for range 10 {
		o.Enqueue("job", func(ctx context.Context) {
			if _, ok := ctx.Deadline(); ok {
				ran.Add(1)
			}
		})
	}
	o.Close()
	if ran.Load() != 10 {
		t.Errorf("%d of 10 queued jobs ran (with a deadline) before Close returned", ran.Load())
	}
	if o.Enqueue("late", func(context.Context) {}) {
		t.Error("a closed outbox took a job")
	}
	o.Close()
}
