package bot

import (
	"net/http"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"copbot/scheduler"
)

// idleTrimAfter is how long serve must go without a request before it
// hands the Go heap's free pages back to the system. Go's collector keeps
// a heap of about twice the live data, and its scavenger gives back only
// what lies beyond that goal: after a burst, a server left idle kept its
// peak RSS for good (load tool: 64.3 MB still after 10 s without a
// request; 54.7 MB after one debug.FreeOSMemory). A chatbot is idle most
// of the time, so this is the RSS it mostly has.
const idleTrimAfter = 5 * time.Second

// idleTrim runs trim once in each idle period: when a whole period of
// after passes with no request, and not again until requests came and
// stopped again. It costs one forced collection per idle period, at a
// time nothing else runs. Its zero value does nothing.
type idleTrim struct {
	clock    scheduler.Clock
	after    time.Duration
	trim     func()
	requests atomic.Int64

	mu      sync.Mutex
	seen    int64 // requests at the last check
	trimmed bool  // trim ran since the last request
	stop    func() bool
	closed  bool
}

// newIdleTrim runs on the machine's clock, not the App's: idleness is
// wall time, and a test clock moved by months must not fire thousands of
// checks (nor count among the timers a test expects).
func newIdleTrim() *idleTrim {
	return &idleTrim{clock: scheduler.RealTime(time.Now), after: idleTrimAfter, trim: debug.FreeOSMemory}
}

// seenRequest notes activity (an HTTP request, a Socket Mode envelope).
func (t *idleTrim) seenRequest() {
	if t != nil {
		t.requests.Add(1)
	}
}

// wrap notes every request to h but health checks: a load balancer
// polling /healthz every few seconds must not keep the heap at its peak.
func (t *idleTrim) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			t.seenRequest()
		}
		h.ServeHTTP(w, r)
	})
}

// start arms the first check.
func (t *idleTrim) start() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.closed && t.stop == nil {
		t.stop = t.clock.AfterFunc(t.after, t.check)
	}
}

func (t *idleTrim) check() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return
	}
	switch n := t.requests.Load(); {
	case n != t.seen:
		t.seen, t.trimmed = n, false
	case !t.trimmed:
		t.trimmed = true
		t.trim()
	}
	t.stop = t.clock.AfterFunc(t.after, t.check)
}

// close stops the checks.
func (t *idleTrim) close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closed = true
	if t.stop != nil {
		t.stop()
	}
}
