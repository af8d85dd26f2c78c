// Package metrics exposes copbot's numbers in Prometheus' text format on
// their own (loopback) address: requests and their latency, refusals, the
// outboxes, the delivery ledger and reminders, the database's files, the
// age of the last verified backup, and the build.
//
// Labels carry only fixed vocabularies (platform, kind, status code,
// reason, status): never a person, a channel, a text or an id.
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"copbot/storage"
)

// Store is what the metrics read of the database at each scrape.
type Store interface {
	OpsStats(ctx context.Context) (storage.OpsStats, error)
	FileSizes() (db, wal int64, err error)
	LastBackup(ctx context.Context) (time.Time, error)
}

// Build labels copbot_build_info.
type Build struct {
	Version, Revision, GoVersion, SQLite string
}

// Options are what New reads from.
type Options struct {
	Build Build
	Store Store
	Now   func() time.Time
}

// Metrics is copbot's registry. Its methods are safe for concurrent use.
type Metrics struct {
	build    Build
	store    Store
	now      func() time.Time
	requests *vec
	latency  *vec
	refusals *vec
	socket   *vec

	mu       sync.Mutex
	outboxes []outbox
}

// outbox is one adapter's outbox, read at each scrape.
type outbox struct {
	platform string
	stats    func() (depth int, dropped int64)
}

// New makes every family.
func New(o Options) *Metrics {
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Metrics{build: o.Build, store: o.Store, now: o.Now,
		requests: newVec("copbot_requests_total", "HTTP requests served, by platform, kind and status code.", nil,
			"platform", "kind", "code"),
		// Around Slack's 3 s and Teams' 15 s limits.
		latency: newVec("copbot_request_duration_seconds",
			"Time from a request's arrival to its answer, by platform and kind. Slack gives up after 3 s.",
			[]float64{.005, .01, .025, .05, .1, .25, .5, 1, 2, 2.5, 3, 5, 10, 15}, "platform", "kind"),
		refusals: newVec("copbot_refusals_total",
			"Requests refused before any work: intake (too many bodies from one address, 429), busy (no place among those in progress, 503), unauthenticated (bad signature or token, 401), rate_limit (one person over their allowance).",
			nil, "platform", "reason"),
		socket: newVec("copbot_socket_envelopes_total",
			"Socket Mode envelopes settled, by platform, kind and outcome: acked, redelivered (acked, not run again), busy (no place, left unacknowledged), failed (not begun, left unacknowledged).",
			nil, "platform", "kind", "outcome"),
	}
}

// AddOutbox watches one adapter's outbox (call before serving).
func (m *Metrics) AddOutbox(platform string, stats func() (depth int, dropped int64)) {
	m.mu.Lock()
	m.outboxes = append(m.outboxes, outbox{platform, stats})
	m.mu.Unlock()
}

// Handler serves every family in Prometheus' text format. A family the
// database could not give is left out (copbot_database_scrape_errors
// says so); the others are still served.
func (m *Metrics) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		writeFamilies(w, m.families(r.Context()))
	})
}

// families reads every family now.
func (m *Metrics) families(ctx context.Context) []family {
	b := m.build
	fs := []family{m.requests.family(), m.latency.family(), m.refusals.family(), m.socket.family(),
		gauge("copbot_build_info", "Always 1; the labels say which copbot this is.", 1,
			label{"version", b.Version}, label{"revision", b.Revision}, label{"goversion", b.GoVersion}, label{"sqlite", b.SQLite})}
	m.mu.Lock()
	obs := m.outboxes
	m.mu.Unlock()
	for _, ob := range obs {
		depth, dropped := ob.stats()
		l := label{"platform", ob.platform}
		fs = append(fs, gauge("copbot_outbox_depth", "Deliveries queued or running after acknowledgements.", float64(depth), l),
			family{name: "copbot_outbox_dropped_total", typ: "counter",
				help:    "Deliveries dropped because the outbox was full (notifications only; the work itself was committed).",
				samples: []sample{{labels: []label{l}, value: float64(dropped)}}})
	}
	if m.store != nil {
		fs = append(fs, storeFamilies(ctx, m.store, m.now)...)
	}
	fs = append(fs, goFamilies()...)
	return append(fs, processFamilies()...)
}

// SocketEnvelope counts one envelope that came over a socket rather than
// an HTTP request (Slack's Socket Mode), and times the acked ones in the
// same latency series as HTTP callbacks of that kind. A busy envelope is
// a refusal, as a 503 is over HTTP.
func (m *Metrics) SocketEnvelope(platform, kind, outcome string, took time.Duration) {
	m.socket.inc(platform, kind, outcome)
	switch outcome {
	case "acked":
		m.latency.observe(took.Seconds(), platform, kind)
	case "busy":
		m.refusals.inc(platform, "busy")
	}
}

// RateLimited counts one request refused by a person's rate limit.
func (m *Metrics) RateLimited(platform string) {
	m.refusals.inc(platform, "rate_limit")
}

// route is what a path is, for the labels: a fixed vocabulary, so that a
// scan of random paths cannot grow the label space.
func route(path string) (platform, kind string) {
	switch path {
	case "/slack/commands":
		return "slack", "command"
	case "/slack/interactions":
		return "slack", "interaction"
	case "/slack/events":
		return "slack", "event"
	case "/teams/messages":
		return "teams", "activity"
	case "/healthz":
		return "http", "healthz"
	case "/calendar.ics":
		return "http", "calendar"
	case "/report":
		return "http", "report"
	}
	return "http", "other"
}

// Middleware counts and times every request next serves, and counts the
// refusals by their status code.
func (m *Metrics) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		next.ServeHTTP(rec, r)
		platform, kind := route(r.URL.Path)
		m.requests.inc(platform, kind, strconv.Itoa(rec.code))
		m.latency.observe(time.Since(start).Seconds(), platform, kind)
		if platform == "http" {
			return
		}
		switch rec.code {
		case http.StatusTooManyRequests:
			m.refusals.inc(platform, "intake")
		case http.StatusServiceUnavailable:
			m.refusals.inc(platform, "busy")
		case http.StatusUnauthorized, http.StatusForbidden:
			m.refusals.inc(platform, "unauthenticated")
		}
	})
}

// statusRecorder remembers the status code written.
type statusRecorder struct {
	http.ResponseWriter
	code  int
	wrote bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wrote {
		s.code, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	s.wrote = true
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (deadlines,
// flushes) through the recorder.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
