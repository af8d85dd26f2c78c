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
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

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
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	refusals *prometheus.CounterVec
	socket   *prometheus.CounterVec
}

// New registers every family.
func New(o Options) *Metrics {
	if o.Now == nil {
		o.Now = time.Now
	}
	m := &Metrics{reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "copbot_requests_total",
			Help: "HTTP requests served, by platform, kind and status code."}, []string{"platform", "kind", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "copbot_request_duration_seconds",
			Help: "Time from a request's arrival to its answer, by platform and kind. Slack gives up after 3 s.",
			// Around Slack's 3 s and Teams' 15 s limits.
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2, 2.5, 3, 5, 10, 15}},
			[]string{"platform", "kind"}),
		refusals: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "copbot_refusals_total",
			Help: "Requests refused before any work: intake (too many bodies from one address, 429), busy (no place among those in progress, 503), unauthenticated (bad signature or token, 401), rate_limit (one person over their allowance)."},
			[]string{"platform", "reason"}),
		socket: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "copbot_socket_envelopes_total",
			Help: "Socket Mode envelopes settled, by platform, kind and outcome: acked, redelivered (acked, not run again), busy (no place, left unacknowledged), failed (not begun, left unacknowledged)."},
			[]string{"platform", "kind", "outcome"}),
	}
	bi := prometheus.NewGauge(prometheus.GaugeOpts{Name: "copbot_build_info",
		Help:        "Always 1; the labels say which copbot this is.",
		ConstLabels: prometheus.Labels{"version": o.Build.Version, "revision": o.Build.Revision, "goversion": o.Build.GoVersion, "sqlite": o.Build.SQLite}})
	bi.Set(1)
	m.reg.MustRegister(m.requests, m.latency, m.refusals, m.socket, bi,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if o.Store != nil {
		m.reg.MustRegister(&storeCollector{store: o.Store, now: o.Now})
	}
	return m
}

// AddOutbox watches one adapter's outbox (call before serving).
func (m *Metrics) AddOutbox(platform string, stats func() (depth int, dropped int64)) {
	l := prometheus.Labels{"platform": platform}
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "copbot_outbox_depth", ConstLabels: l,
			Help: "Deliveries queued or running after acknowledgements."},
			func() float64 { d, _ := stats(); return float64(d) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "copbot_outbox_dropped_total", ConstLabels: l,
			Help: "Deliveries dropped because the outbox was full (notifications only; the work itself was committed)."},
			func() float64 { _, n := stats(); return float64(n) }))
}

// Handler serves the registry in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// SocketEnvelope counts one envelope that came over a socket rather than
// an HTTP request (Slack's Socket Mode), and times the acked ones in the
// same latency series as HTTP callbacks of that kind. A busy envelope is
// a refusal, as a 503 is over HTTP.
func (m *Metrics) SocketEnvelope(platform, kind, outcome string, took time.Duration) {
	m.socket.WithLabelValues(platform, kind, outcome).Inc()
	switch outcome {
	case "acked":
		m.latency.WithLabelValues(platform, kind).Observe(took.Seconds())
	case "busy":
		m.refusals.WithLabelValues(platform, "busy").Inc()
	}
}

// RateLimited counts one request refused by a person's rate limit.
func (m *Metrics) RateLimited(platform string) {
	m.refusals.WithLabelValues(platform, "rate_limit").Inc()
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
		m.requests.WithLabelValues(platform, kind, strconv.Itoa(rec.code)).Inc()
		m.latency.WithLabelValues(platform, kind).Observe(time.Since(start).Seconds())
		if platform == "http" {
			return
		}
		switch rec.code {
		case http.StatusTooManyRequests:
			m.refusals.WithLabelValues(platform, "intake").Inc()
		case http.StatusServiceUnavailable:
			m.refusals.WithLabelValues(platform, "busy").Inc()
		case http.StatusUnauthorized, http.StatusForbidden:
			m.refusals.WithLabelValues(platform, "unauthenticated").Inc()
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
