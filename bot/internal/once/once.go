// Package once makes a request that a platform may deliver more than once
// act once: a replayed Slack request, a retried Events API event, a Socket
// Mode envelope or a Teams activity redelivered because its
// acknowledgement was lost, before or after a restart.
//
// A delivery is named by keys (what the adapter verified: a decoded
// signature, an envelope, event or activity id). Deliveries in progress are
// known in memory, so a copy arriving meanwhile can wait for the first;
// handled ones are known from the database (storage/requests.go), where
// the keys commit in the same transaction as the request's first write.
// Memory therefore holds only requests in progress, which the admission
// limit bounds, and returns to nothing when they end.
package once

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"copbot/storage"
)

// Store is the persistent record of handled requests (*storage.DB).
type Store interface {
	ClaimRequest(expires time.Time, keys ...string) *storage.RequestClaim
	RecordRequest(ctx context.Context, c *storage.RequestClaim) error
	RequestHandled(ctx context.Context, keys ...string) (key string, ok bool, err error)
	PruneRequests(ctx context.Context) (int64, error)
}

// Status says what to do with a delivery.
type Status int

const (
	// First: no other delivery of the request is known; run it, then Finish.
	First Status = iota
	// InFlight: another delivery of the request is being handled now; its
	// Done channel closes when it has been answered.
	InFlight
	// Handled: a delivery of the request was handled before; do nothing.
	Handled
)

// PruneEvery is how often expired records are deleted, at most.
const PruneEvery = time.Minute

// Guard tells first deliveries from repeated ones. It is safe for
// concurrent use.
type Guard struct {
	db  Store
	now func() time.Time
	log *slog.Logger

	mu   sync.Mutex
	live map[string]*first // deliveries in progress, under each of their keys

	pruneMu  sync.Mutex
	prunedAt time.Time
	pruning  bool
	prunes   sync.WaitGroup
}

// New returns a guard over db. now is the clock of pruning.
func New(db Store, now func() time.Time, log *slog.Logger) *Guard {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Guard{db: db, now: now, log: log, live: map[string]*first{}}
}

// first is the state of a first delivery, shared with its copies.
type first struct {
	keys     []string
	claim    *storage.RequestClaim
	done     chan struct{}
	result   any
	finished sync.Once
}

// Delivery is one delivery of a request: a first one, or a copy of one in
// flight or handled.
type Delivery struct {
	*first
	matched string
}

// Matched is the key under which the request was found in flight or
// handled; empty for a first delivery.
func (d *Delivery) Matched() string { return d.matched }

// Done is closed once the first delivery has been answered.
func (d *Delivery) Done() <-chan struct{} { return d.done }

// Result is what the first delivery passed to Finish, once Done is closed
// (nil for one handled before this process started).
func (d *Delivery) Result() any { return d.result }

// Context returns ctx whose write transactions record the delivery's keys
// (see storage.WithRequestClaim): run the request's work under it.
func (d *Delivery) Context(ctx context.Context) context.Context {
	if d.claim == nil {
		return ctx
	}
	return storage.WithRequestClaim(ctx, d.claim)
}

// Recorded reports whether the delivery's work already recorded it, so
// that Finish will not write.
func (d *Delivery) Recorded() bool { return d.claim == nil || d.claim.Recorded() }

// Begin looks for keys in flight, then in the record, and otherwise
// claims them for a first delivery, which the caller must Finish. Keys are
// searched in order, so Matched names the first one found; expires is when
// the platform can no longer send the request again. An error means the
// record could not be read: answer as if busy, so that the platform tries
// again.
func (g *Guard) Begin(ctx context.Context, expires time.Time, keys ...string) (*Delivery, Status, error) {
	g.mu.Lock()
	for _, k := range keys {
		if f, ok := g.live[k]; ok {
			g.mu.Unlock()
			return &Delivery{first: f, matched: k}, InFlight, nil
		}
	}
	f := &first{keys: keys, done: make(chan struct{})}
	for _, k := range keys {
		g.live[k] = f
	}
	g.mu.Unlock()
	k, ok, err := g.db.RequestHandled(ctx, keys...)
	if err != nil || ok {
		g.forget(f)
		close(f.done)
		if err != nil {
			return nil, First, err
		}
		return &Delivery{first: f, matched: k}, Handled, nil
	}
	f.claim = g.db.ClaimRequest(expires, keys...)
	return &Delivery{first: f}, First, nil
}

// BeginUnrecorded is Begin for a request whose work writes nothing (a
// read-only command): a repeated delivery may simply be answered again, so
// the record is neither read nor written, and only a copy in flight is
// found (InFlight). A first delivery must still be Finished, which then
// writes nothing.
func (g *Guard) BeginUnrecorded(keys ...string) (*Delivery, Status) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, k := range keys {
		if f, ok := g.live[k]; ok {
			return &Delivery{first: f, matched: k}, InFlight
		}
	}
	f := &first{keys: keys, done: make(chan struct{})}
	for _, k := range keys {
		g.live[k] = f
	}
	return &Delivery{first: f}, First
}

// Finish records a first delivery as handled (unless its work already
// did), then releases the copies waiting on it with result. Call it
// before answering the platform, so that a copy arriving after the
// answer, or after a restart, is known; defer it as well, so that a panic
// does not leave the delivery in flight: calls after the first do
// nothing. A failure to record is logged: the answer still goes out,
// since the work was done.
func (g *Guard) Finish(ctx context.Context, d *Delivery, result any) {
	d.finished.Do(func() {
		if d.claim != nil { // nil: begun unrecorded
			if err := g.db.RecordRequest(context.WithoutCancel(ctx), d.claim); err != nil {
				g.log.Error("request handled but not recorded: a redelivery may act again", "err", err)
			}
		}
		d.result = result
		g.forget(d.first)
		close(d.done)
		g.maybePrune()
	})
}

func (g *Guard) forget(f *first) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, k := range f.keys {
		if g.live[k] == f {
			delete(g.live, k)
		}
	}
	if len(g.live) == 0 {
		// A map keeps the buckets of its largest size: start afresh once
		// idle, so that memory returns to nothing after a burst.
		g.live = map[string]*first{}
	}
}

// InFlight is the number of keys of deliveries in progress.
func (g *Guard) InFlight() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.live)
}

// maybePrune deletes expired records in the background, at most once per
// PruneEvery, one pass at a time.
func (g *Guard) maybePrune() {
	now := g.now()
	g.pruneMu.Lock()
	defer g.pruneMu.Unlock()
	if g.pruning || (!g.prunedAt.IsZero() && now.Sub(g.prunedAt) < PruneEvery) {
		return
	}
	g.prunedAt, g.pruning = now, true
	g.prunes.Go(func() {
		if _, err := g.db.PruneRequests(context.Background()); err != nil {
			g.log.Warn("pruning handled requests", "err", err)
		}
		g.pruneMu.Lock()
		g.pruning = false
		g.pruneMu.Unlock()
	})
}

// Close waits for a pruning pass in progress.
func (g *Guard) Close() { g.prunes.Wait() }
