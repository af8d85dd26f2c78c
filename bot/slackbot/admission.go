package slackbot

import (
	"net/http"
	"sync/atomic"
)

// admission is the adapter's hard admission limit: at most cap(slots) Slack
// requests (HTTP or Socket Mode) are being worked on at once. A request
// over the limit is refused at once (HTTP 503 with Retry-After; a Socket
// Mode envelope is left unacknowledged), so Slack shows the person that
// the app did not answer and nothing was saved, rather than a queue that
// grows until memory runs out.
type admission struct {
	slots   chan struct{}
	refused atomic.Int64
}

func newAdmission(n int) *admission { return &admission{slots: make(chan struct{}, max(n, 1))} }

// acquire takes a slot without waiting, or returns nil when all are taken.
func (g *admission) acquire() *slot {
	select {
	case g.slots <- struct{}{}:
		s := &slot{g: g}
		s.held.Store(true)
		return s
	default:
		g.refused.Add(1)
		return nil
	}
}

// Refused is the number of requests refused since start.
func (g *admission) Refused() int64 { return g.refused.Load() }

// slot is one admitted request. Its holder releases it when done; work
// that outlives the HTTP handler (a slow slash command) takes it along
// with pass, which leaves the handler's own release a no-op.
type slot struct {
	g    *admission
	held atomic.Bool
}

// release frees the slot; later calls do nothing.
func (s *slot) release() {
	if s != nil && s.held.CompareAndSwap(true, false) {
		<-s.g.slots
	}
}

// pass moves the slot to a new holder and returns it.
func (s *slot) pass() *slot {
	n := &slot{}
	if s != nil && s.held.CompareAndSwap(true, false) {
		n.g = s.g
		n.held.Store(true)
	}
	return n
}

// refuseBusy answers a request over the limit.
func refuseBusy(w http.ResponseWriter) {
	w.Header().Set("Retry-After", "1")
	http.Error(w, "copbot is busy, try again", http.StatusServiceUnavailable)
}

// admit puts h under the admission limit: h gets the request's slot, which
// is released when h returns unless h passed it on.
func (a *Adapter) admit(h func(http.ResponseWriter, *http.Request, *slot)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s := a.gate.acquire()
		if s == nil {
			refuseBusy(w)
			return
		}
		defer s.release()
		h(w, r, s)
	}
}
