// Package admission decides how much of what Slack and Teams send copbot
// takes on, and in what order. One story holds for every request (README
// "Security and limits"):
//
//  1. Intake, before authentication: the body is read under a short
//     deadline and a size cap, with at most a few bodies of one peer
//     address being read at once. A flood of slow or forged bodies from one
//     address is refused beyond that at once and holds nothing else, so it
//     cannot delay a signed request from another address.
//  2. Entry, after verification: at most a fixed number of verified
//     requests are in progress. Beyond it a request is refused at once
//     (503 with Retry-After; a Socket Mode envelope is left
//     unacknowledged) before anything is done, so the platform tells the
//     person, rather than a queue growing until memory runs out.
//  3. Turns: the database work of a request in progress waits for one of a
//     few turns, in arrival order, until its acknowledgement budget ends. On
//     two cores, 32 concurrent SQLite-backed calls cost far more CPU
//     (connections opened and closed, lock contention) than the same calls
//     in turn, and sharing the CPU would make every one of them late
//     instead of only the last ones.
//
// Beyond the bot, the service limits each person's rate (handlers) and
// storage lets one write transaction at a time reach SQLite.
package admission

import (
	"context"
	"net/http"
	"sync/atomic"
)

// Limit is steps 2 and 3: requests in progress and their turns. It is safe
// for concurrent use.
type Limit struct {
	inProgress chan struct{}
	turns      chan struct{}
	refused    atomic.Int64
}

// NewLimit admits inProgress requests at once, of which turns run their
// database work at once (each at least 1).
func NewLimit(inProgress, turns int) *Limit {
	return &Limit{inProgress: make(chan struct{}, max(inProgress, 1)), turns: make(chan struct{}, max(turns, 1))}
}

// Enter takes a place for a verified request without waiting, or returns
// nil when all are taken: refuse the request (see RefuseBusy).
func (l *Limit) Enter() *Ticket {
	select {
	case l.inProgress <- struct{}{}:
		t := &Ticket{l: l}
		t.held.Store(true)
		return t
	default:
		l.refused.Add(1)
		return nil
	}
}

// Refused is the number of requests refused since start.
func (l *Limit) Refused() int64 { return l.refused.Load() }

// InProgress is the number of places taken.
func (l *Limit) InProgress() int { return len(l.inProgress) }

// Turn waits for a turn of database work, in arrival order, until ctx
// ends, and returns the function that gives it back. When ctx ends first
// the work must still run, with that ended context: storage then refuses
// it without touching the database, and the service answers "too busy,
// nothing saved"; the returned function does nothing.
func (l *Limit) Turn(ctx context.Context) (done func()) {
	select {
	case l.turns <- struct{}{}:
		return l.endTurn
	default:
	}
	select {
	case l.turns <- struct{}{}:
		return l.endTurn
	case <-ctx.Done():
		return func() {}
	}
}

func (l *Limit) endTurn() { <-l.turns }

// TurnFree reports whether a turn is free now.
func (l *Limit) TurnFree() bool { return len(l.turns) < cap(l.turns) }

// Ticket is one request's place. Its holder gives it back with Leave when
// done; work that outlives the HTTP handler (a slow slash command) takes it
// along with Pass, which leaves the handler's own Leave a no-op.
type Ticket struct {
	l    *Limit
	held atomic.Bool
}

// Leave gives the place back; later calls do nothing.
func (t *Ticket) Leave() {
	if t != nil && t.held.CompareAndSwap(true, false) {
		<-t.l.inProgress
	}
}

// Pass moves the place to a new holder and returns it.
func (t *Ticket) Pass() *Ticket {
	n := &Ticket{}
	if t != nil && t.held.CompareAndSwap(true, false) {
		n.l = t.l
		n.held.Store(true)
	}
	return n
}

// RefuseBusy answers a request refused by Enter.
func RefuseBusy(w http.ResponseWriter) {
	w.Header().Set("Retry-After", "1")
	http.Error(w, "copbot is busy, try again", http.StatusServiceUnavailable)
}
