package slackbot

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// outbox runs the work that follows an acknowledgement (confirmations
// through response_url, direct messages, modal opens, App Home publishes)
// on a fixed number of workers reading a bounded queue. A flood of clicks
// therefore costs at most cap(jobs) queued closures and a fixed number of
// goroutines, whatever Slack sends.
//
// Policy when the queue is full: the job is dropped, counted and logged.
// Nothing is lost that the user was told succeeded: every job is a
// notification about work already committed (a stored vote shows on the
// poll card at its next coalesced update), never the work itself.
type outbox struct {
	log     *slog.Logger
	timeout time.Duration // each job's deadline
	ctx     context.Context
	cancel  context.CancelFunc

	mu      sync.RWMutex // guards closed against a send on a closed channel
	closed  bool
	jobs    chan outJob
	wg      sync.WaitGroup
	dropped atomic.Int64
}

type outJob struct {
	kind string // for the log: "reply", "home", "event"
	run  func(ctx context.Context)
}

// newOutbox starts workers goroutines serving a queue of size jobs.
func newOutbox(workers, size int, timeout time.Duration, log *slog.Logger) *outbox {
	ctx, cancel := context.WithCancel(context.Background())
	o := &outbox{log: log, timeout: timeout, ctx: ctx, cancel: cancel,
		jobs: make(chan outJob, max(size, 1))}
	for range max(workers, 1) {
		o.wg.Go(o.work)
	}
	return o
}

func (o *outbox) work() {
	for j := range o.jobs {
		o.run(j)
	}
}

func (o *outbox) run(j outJob) {
	defer func() {
		if v := recover(); v != nil {
			o.log.Error("slack outbox panic", "kind", j.kind, "panic", v)
		}
	}()
	ctx, cancel := context.WithTimeout(o.ctx, o.timeout)
	defer cancel()
	j.run(ctx)
}

// enqueue queues f without blocking and reports whether it was taken. A
// full queue, or a closed outbox, drops f (see the type's policy).
func (o *outbox) enqueue(kind string, f func(ctx context.Context)) bool {
	o.mu.RLock()
	defer o.mu.RUnlock()
	if !o.closed {
		select {
		case o.jobs <- outJob{kind: kind, run: f}:
			return true
		default:
		}
	}
	n := o.dropped.Add(1)
	o.log.Warn("slack outbox full: delivery dropped", "kind", kind, "dropped_total", n)
	return false
}

// Dropped is the number of deliveries dropped since start.
func (o *outbox) Dropped() int64 { return o.dropped.Load() }

// close stops taking jobs, lets the workers finish the queued ones and
// waits for them. It may be called more than once.
func (o *outbox) close() {
	o.mu.Lock()
	if !o.closed {
		o.closed = true
		close(o.jobs)
	}
	o.mu.Unlock()
	o.wg.Wait()
	o.cancel()
}
