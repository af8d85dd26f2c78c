package handlers

import (
	"hash/maphash"
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
//
// An identity is remembered by a 64-bit hash of it (platform, workspace
// and user id, with a seed of this process), its time as nanoseconds: 16
// bytes an entry instead of the identity's strings and a time.Time (a
// storm of 10,000 people held 2.2 MB of them). Two people share an
// allowance only if their hashes collide: about one chance in 10^10 among
// 50,000 people at once. Times are kept as nanoseconds since the first
// request seen, taken with Time.Sub, so that they keep the monotonic clock
// as time.Time did: a wall clock set back does not lock everyone out.
type limiter struct {
	lim   RateLimit
	seed  maphash.Seed
	mu    sync.Mutex
	base  time.Time        // the first request's time, which l.full counts from
	full  map[uint64]int64 // identity's hash -> its time, in ns since base
	swept time.Time        // last sweep
	kept  int              // entries the last sweep kept
}

func newLimiter(lim RateLimit) *limiter {
	return &limiter{lim: lim, seed: maphash.MakeSeed(), full: map[uint64]int64{}}
}

// key is id's entry in l.full. A NUL cannot occur in a platform, a
// workspace or a user id, so the fields cannot run into each other.
func (l *limiter) key(id storage.Identity) uint64 {
	var h maphash.Hash
	h.SetSeed(l.seed)
	h.WriteString(string(id.Platform))
	h.WriteByte(0)
	h.WriteString(id.Workspace)
	h.WriteByte(0)
	h.WriteString(id.ID)
	return h.Sum64()
}

// take spends one request of id's allowance at now. When none is left it
// spends nothing and returns how long until one is.
func (l *limiter) take(id storage.Identity, now time.Time) (wait time.Duration, ok bool) {
	if !l.lim.enabled() {
		return 0, true
	}
	k := l.key(id)
	l.mu.Lock()
	defer l.mu.Unlock()
	at := l.since(now)
	tat, ok := l.full[k]
	if !ok || tat < at {
		tat = at
	}
	slack := time.Duration(l.lim.Burst-1) * l.lim.Every
	if over := time.Duration(tat-at) - slack; over > 0 {
		return over, false
	}
	l.full[k] = tat + int64(l.lim.Every)
	if n := len(l.full); n > max(limiterSweepAt, 2*l.kept) || now.Sub(l.swept) >= l.idle() {
		l.sweep(now)
	}
	return 0, true
}

// since is now in l.full's terms: nanoseconds since the first request.
func (l *limiter) since(now time.Time) int64 {
	if l.base.IsZero() {
		l.base = now
	}
	return int64(now.Sub(l.base))
}

// idle is how long after its last request an identity's allowance is
// whole again.
func (l *limiter) idle() time.Duration { return time.Duration(l.lim.Burst) * l.lim.Every }

// sweep forgets the identities whose allowance is whole again: they are
// the same as identities never seen. The survivors move to a new map, as
// a Go map keeps the buckets of its largest size.
func (l *limiter) sweep(now time.Time) {
	full := make(map[uint64]int64)
	at := l.since(now)
	for k, tat := range l.full {
		if tat > at {
			full[k] = tat
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
