package storage

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
)

// The start-up integrity check. PRAGMA quick_check reads every page of
// the file: with 100,000 members it took 375 of the 434 ms from start to
// ready. A serving process needs its verdict before it saves anything,
// not before it answers a question, so CheckInBackground runs it beside
// the first requests: reads go ahead, and every write transaction of
// this process (the write gate's, see writegate.go, so the vote writer's
// too) waits for the verdict. If the file is damaged, each of them fails
// with EUNAVAILABLE db_error_damaged before it begins: nothing is written,
// so nothing is acknowledged that is not stored.

// integrityGate holds write transactions until the background check passes.
type integrityGate struct {
	started atomic.Bool
	done    chan struct{} // closed when the check has its verdict
	mu      sync.Mutex
	stop    context.CancelFunc // ends the check early, for Close
	// Set before done is closed: nil when the check passed, else the
	// check's finding (cause, wrapping ErrUnhealthy) and the *Error that
	// write transactions get (err).
	err, cause error
}

func newIntegrityGate() *integrityGate { return &integrityGate{done: make(chan struct{})} }

// wait returns nil at once when no background check was started (a CLI
// command, a test; or no gate at all) or after one passed; the check's
// failure once it failed; ctx's error, or errWriteBusy when timeout
// fires, if the verdict comes too late.
func (g *integrityGate) wait(ctx context.Context, timeout <-chan time.Time) error {
	if g == nil || !g.started.Load() {
		return nil
	}
	select {
	case <-g.done:
		return g.err
	case <-ctx.Done():
		return ctx.Err()
	case <-timeout:
		return errWriteBusy
	}
}

// Integrity is the state of the background check: Running until it has a
// verdict, then Err is nil (passed) or why it failed (wrapping
// ErrUnhealthy). Started is false when CheckInBackground was not called.
type Integrity struct {
	Started, Running bool
	Err              error
}

// Integrity reports the background check's state (see CheckInBackground).
func (d *DB) Integrity() Integrity {
	g := d.integrity
	if !g.started.Load() {
		return Integrity{}
	}
	select {
	case <-g.done:
		return Integrity{Started: true, Err: g.cause}
	default:
		return Integrity{Started: true, Running: true}
	}
}

// WaitIntegrity waits for the background check's verdict (nil at once if
// none was started) or ctx: nil when it passed, else what it found.
func (d *DB) WaitIntegrity(ctx context.Context) error {
	g := d.integrity
	if !g.started.Load() {
		return nil
	}
	select {
	case <-g.done:
		return g.cause
	case <-ctx.Done():
		return ctx.Err()
	}
}

// CheckInBackground starts PRAGMA quick_check on a connection of its own
// and returns at once; from now on every write transaction waits for its
// verdict (see integrityGate). A failure is logged by the caller through
// Integrity or Health, and makes every later write fail with EUNAVAILABLE
// db_error_damaged {Path}. The check outlives ctx (its values are kept):
// a server stopping still finishes the writes its requests began, which
// need the verdict. Close ends it early; writes still waiting then get
// EBUSY error_busy (nothing saved), not a verdict on the file. A second
// call does nothing.
func (d *DB) CheckInBackground(ctx context.Context) {
	g := d.integrity
	cctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.stop != nil {
		cancel()
		return
	}
	g.stop = cancel
	g.started.Store(true)
	go func() {
		defer cancel()
		err := d.checkOnce(cctx)
		switch {
		case err == nil:
		case cctx.Err() != nil:
			g.cause = fmt.Errorf("%w: quick_check did not finish: the database was closed", ErrUnhealthy)
			g.err = errClosedUnchecked
		default:
			g.cause = err
			g.err = Errorf(EUNAVAILABLE, "db_error_damaged", map[string]any{"Path": d.path},
				"the database %s failed its start-up check, so copbot saves nothing until it is restored from a backup: %v", d.path, err)
		}
		close(g.done)
	}()
}

// errClosedUnchecked is what writes get when Close ended the start-up
// check before its verdict: nothing was saved.
var errClosedUnchecked = &Error{Code: EBUSY, Key: "error_busy",
	Message: "the database was closed before its start-up check finished"}

// stopCheck ends a background check still running and waits for it.
func (g *integrityGate) stopCheck() {
	g.mu.Lock()
	stop := g.stop
	g.mu.Unlock()
	if stop != nil {
		stop()
		<-g.done
	}
}

// checkOnce runs quick_check through a pool of its own, closed after: the
// check reads every page, and in one of the serving pool's connections
// those pages would stay in its page cache (up to cache_size, 32 MiB) for
// the life of the process. A read-only DB (OpenReadOnly) checks through
// its own pool, which knows how the file can be opened.
func (d *DB) checkOnce(ctx context.Context) error {
	if d.readOnly {
		return d.quickCheck(ctx, d.db, "quick_check")
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	db, err := sql.Open("sqlite", "file:"+escapePath(d.path)+"?"+q.Encode())
	if err != nil {
		return fmt.Errorf("%w: quick_check: %v", ErrUnhealthy, err)
	}
	defer db.Close()
	return d.quickCheck(ctx, db, "quick_check")
}
