// Package outbox runs the work that follows an acknowledgement on a fixed
// number of workers reading a bounded queue.
package outbox

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Outbox runs the work that follows an acknowledgement (Slack
// confirmations through response_url, direct messages, modal opens, App
// Home publishes; Teams replies through the Bot Connector) on a fixed
// number of workers reading a bounded queue. A flood of clicks therefore
// costs at most cap(jobs) queued closures and a fixed number of
// goroutines, whatever the platform sends.
//
// Policy when the queue is full: the job is dropped, counted and logged.
// Nothing is lost that the user was told succeeded: every job is a
// notification about work already committed (a stored vote shows on the
// poll card at its next coalesced update), never the work itself.
type Outbox struct {
	log     *slog.Logger
	timeout time.Duration // each job's deadline
	ctx     context.Context
	cancel  context.CancelFunc

	mu      sync.RWMutex // guards closed against a send on a closed channel
	closed  bool
	jobs    chan outJob
	wg      sync.WaitGroup
	dropped atomic.Int64

	idle    sync.Cond // signalled when pending drops to zero
	pending int       // jobs taken and not yet run, guarded by idle.L
}

type outJob struct {
	kind string // for the log: "reply", "home", "event"
	run  func(ctx context.Context)
}

// New starts workers goroutines serving a queue of size jobs, each run
// with a deadline of timeout.
func New(workers, size int, timeout time.Duration, log *slog.Logger) *Outbox {
	ctx, cancel := context.WithCancel(context.Background())
	o := &Outbox{log: log, timeout: timeout, ctx: ctx, cancel: cancel,
		jobs: make(chan outJob, max(size, 1)), idle: sync.Cond{L: &sync.Mutex{}}}
	for range max(workers, 1) {
		o.wg.Go(o.work)
	}
	return o
}

func (o *Outbox) work() {
	for j := range o.jobs {
		o.run(j)
		o.idle.L.Lock()
		if o.pending--; o.pending == 0 {
			o.idle.Broadcast()
		}
		o.idle.L.Unlock()
	}
}

func (o *Outbox) run(j outJob) {
	defer func() {
		if v := recover(); v != nil {
			o.log.Error("outbox panic", "kind", j.kind, "panic", v)
		}
	}()
	ctx, cancel := context.WithTimeout(o.ctx, o.timeout)
	defer cancel()
	j.run(ctx)
}

// Enqueue queues f without blocking and reports whether it was taken. A
// full queue, or a closed outbox, drops f (see the type's policy).
func (o *Outbox) Enqueue(kind string, f func(ctx context.Context)) bool {
	o.mu.RLock()
	defer o.mu.RUnlock()
	if !o.closed {
		o.idle.L.Lock()
		o.pending++
		o.idle.L.Unlock()
		select {
		case o.jobs <- outJob{kind: kind, run: f}:
			return true
		default:
			o.idle.L.Lock()
			if o.pending--; o.pending == 0 {
				o.idle.Broadcast()
			}
			o.idle.L.Unlock()
		}
	}
	n := o.dropped.Add(1)
	o.log.Warn("outbox full: delivery dropped", "kind", kind, "dropped_total", n)
	return false
}

// Depth is the number of jobs queued or running (the metrics' outbox depth).
func (o *Outbox) Depth() int {
	o.idle.L.Lock()
	defer o.idle.L.Unlock()
	return o.pending
}

// Dropped is the number of deliveries dropped since start.
func (o *Outbox) Dropped() int64 { return o.dropped.Load() }

// Wait waits until every job taken so far has run (tests use it to see
// the deliveries that follow an acknowledgement).
func (o *Outbox) Wait() {
	o.idle.L.Lock()
	defer o.idle.L.Unlock()
	for o.pending > 0 {
		o.idle.Wait()
	}
}

// Close stops taking jobs, lets the workers finish the queued ones and
// waits for them. It may be called more than once.
func (o *Outbox) Close() {
	o.mu.Lock()
	if !o.closed {
		o.closed = true
		close(o.jobs)
	}
	o.mu.Unlock()
	o.wg.Wait()
	o.cancel()
}
