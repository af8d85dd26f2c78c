package handlers

import (
	"math"
	"sync"
	"time"

	"copbot/storage"
)

// RateLimit is how fast one person may send requests (commands, questions,
// button clicks and form submissions): Burst at once, then one more every
// Every. The zero value sets no limit.
//
// Clicks count: each one writes to the database and may rewrite a channel
// message, so a script clicking a vote button must not get a free pass.
// Limits are per person, so they stay fair: one person's clicks never use
// up another's, and a vote storm of one click each is never slowed.
type RateLimit struct {
	Burst int
	Every time.Duration
}

// DefaultRateLimit lets a person send 20 requests at once, then one every
// 2 seconds: far above what anyone types or clicks, far below a script.
func DefaultRateLimit() RateLimit { return RateLimit{Burst: 20, Every: 2 * time.Second} }

func (r RateLimit) enabled() bool { return r.Burst > 0 && r.Every > 0 }

// limiterSweepAt is the number of remembered people above which idle
// entries are dropped at once (and again each time the number doubles).
// Only authenticated identities get an entry, and one is idle again
// Burst×Every after its last request.
const limiterSweepAt = 10000

// limiter is a per-identity token bucket, kept as the generic cell rate
// algorithm: each identity has one time, when its bucket will be full
// again ("theoretical arrival time"). Idle identities are forgotten once
// per Burst×Every, and sooner when many arrive, so memory follows the
// people active lately, not the largest flood seen. It is safe for
// concurrent use.
type limiter struct {
	lim   RateLimit
	mu    sync.Mutex
	full  map[storage.Identity]time.Time
	swept time.Time // last sweep
	kept  int       // entries the last sweep kept
}

func newLimiter(lim RateLimit) *limiter {
	return &limiter{lim: lim, full: map[storage.Identity]time.Time{}}
}

// take spends one request of id's allowance at now. When none is left it
// spends nothing and returns how long until one is.
func (l *limiter) take(id storage.Identity, now time.Time) (wait time.Duration, ok bool) {
	if !l.lim.enabled() {
		return 0, true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	tat := l.full[id]
	if tat.Before(now) {
		tat = now
	}
	slack := time.Duration(l.lim.Burst-1) * l.lim.Every
	if over := tat.Sub(now) - slack; over > 0 {
		return over, false
	}
	l.full[id] = tat.Add(l.lim.Every)
	if n := len(l.full); n > max(limiterSweepAt, 2*l.kept) || now.Sub(l.swept) >= l.idle() {
		l.sweep(now)
	}
	return 0, true
}

// idle is how long after its last request an identity's allowance is
// whole again.
func (l *limiter) idle() time.Duration { return time.Duration(l.lim.Burst) * l.lim.Every }

// sweep forgets the identities whose allowance is whole again: they are
// the same as identities never seen. The survivors move to a new map, as
// a Go map keeps the buckets of its largest size.
func (l *limiter) sweep(now time.Time) {
	full := make(map[storage.Identity]time.Time)
	for id, tat := range l.full {
		if tat.After(now) {
			full[id] = tat
		}
	}
	l.full, l.swept, l.kept = full, now, len(full)
}

// throttle refuses the call when its sender has used up their allowance:
// a translated "slow down, try again in N seconds" that changes nothing.
// The console is not limited: it is the operator at the server's own
// terminal, who can open the database anyway.
func (s *Service) throttle(c *Call) (Reply, bool) {
	id := c.Req.Identity
	if id.IsZero() || id.Platform == storage.PlatformConsole {
		return Reply{}, false
	}
	wait, ok := s.limit.take(id, s.now())
	if ok {
		return Reply{}, false
	}
	if s.opts.OnRateLimited != nil {
		s.opts.OnRateLimited(id.Platform)
	}
	secs := int(math.Ceil(wait.Seconds()))
	s.log.Info("request rate limited", "identity", id.String(), "wait_s", secs)
	msg := c.N("error_rate_limited", secs, nil)
	return Reply{Kind: "error", Lang: c.Lang, Text: msg, Blocks: []Block{Section{Text: msg}}}, true
}
