package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Paths nobody serves are one "other" series, whatever a scanner tries,
// and the refusal statuses of platform routes are counted by reason.
func TestMiddlewareLabelsAreBounded(t *testing.T) {
	m := New(Options{Build: Build{Version: "v1", Revision: "abc", GoVersion: "go1.27.3", SQLite: "3.51.0"}})
	status := map[string]int{"/slack/commands": 429, "/teams/messages": 503, "/slack/events": 401}
	app := httptest.NewServer(m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, ok := status[r.URL.Path]; ok {
			w.WriteHeader(c)
		}
	})))
	defer app.Close()
	for _, p := range []string{"/slack/commands", "/teams/messages", "/slack/events", "/wp-admin/x.php", "/.env", "/a%20b"} {
		resp, err := http.Get(app.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	s := string(b)
	for _, want := range []string{
		`copbot_requests_total{code="200",kind="other",platform="http"} 3`,
		`copbot_refusals_total{platform="slack",reason="intake"} 1`,
		`copbot_refusals_total{platform="teams",reason="busy"} 1`,
		`copbot_refusals_total{platform="slack",reason="unauthenticated"} 1`,
		`copbot_build_info{goversion="go1.27.3",revision="abc",sqlite="3.51.0",version="v1"} 1`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("scrape lacks %s", want)
		}
	}
	for _, leaked := range []string{"wp-admin", ".env", "a b"} {
		if strings.Contains(s, leaked) {
			t.Errorf("a requested path %q became a label", leaked)
		}
	}
}

// Socket Mode envelopes are counted by outcome; the acked ones share the
// HTTP callbacks' latency series and a busy one is a refusal.
func TestSocketEnvelopes(t *testing.T) {
	m := New(Options{})
	m.SocketEnvelope("slack", "command", "acked", 20*time.Millisecond)
	m.SocketEnvelope("slack", "command", "redelivered", time.Millisecond)
	m.SocketEnvelope("slack", "interaction", "busy", 0)
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	s := rec.Body.String()
	for _, want := range []string{
		`copbot_socket_envelopes_total{kind="command",outcome="acked",platform="slack"} 1`,
		`copbot_socket_envelopes_total{kind="command",outcome="redelivered",platform="slack"} 1`,
		`copbot_socket_envelopes_total{kind="interaction",outcome="busy",platform="slack"} 1`,
		`copbot_request_duration_seconds_count{kind="command",platform="slack"} 1`,
		`copbot_request_duration_seconds_bucket{kind="command",platform="slack",le="0.025"} 1`,
		`copbot_refusals_total{platform="slack",reason="busy"} 1`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("scrape lacks %s", want)
		}
	}
}

// TestScrapeIsWellFormed checks the text format line by line (a scraper
// rejects the whole page for one bad line): each family has its HELP and
// TYPE once, before its samples; label values are escaped; a histogram's
// buckets are cumulative and end with +Inf, its count; the Go runtime's
// and the process's families are there.
func TestScrapeIsWellFormed(t *testing.T) {
	m := New(Options{Build: Build{Version: "v\"1\\\n", Revision: "abc"}})
	for _, d := range []time.Duration{3 * time.Millisecond, 40 * time.Millisecond, 40 * time.Millisecond, 20 * time.Second} {
		m.SocketEnvelope("slack", "command", "acked", d)
	}
	m.AddOutbox("slack", func() (int, int64) { return 2, 5 })
	m.AddOutbox("teams", func() (int, int64) { return 0, 1 })
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if ct := rec.Header().Get("Content-Type"); ct != "text/plain; version=0.0.4; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	s := rec.Body.String()
	sampleLine := regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")*\})? (\S+)$`)
	typed := map[string]string{}
	var family string
	for _, line := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		if f, ok := strings.CutPrefix(line, "# HELP "); ok {
			family = strings.Fields(f)[0]
			if _, seen := typed[family]; seen {
				t.Errorf("family %s described twice", family)
			}
			continue
		}
		if f, ok := strings.CutPrefix(line, "# TYPE "); ok {
			parts := strings.Fields(f)
			if len(parts) != 2 || parts[0] != family {
				t.Errorf("TYPE line %q does not follow its HELP", line)
			}
			typed[family] = parts[1]
			continue
		}
		m := sampleLine.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("malformed line %q", line)
			continue
		}
		if name := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(m[1], "_bucket"), "_sum"), "_count"); name != family && m[1] != family {
			t.Errorf("sample %q outside its family %s", line, family)
		}
		if _, err := strconv.ParseFloat(m[3], 64); err != nil && m[3] != "+Inf" {
			t.Errorf("value of %q: %v", line, err)
		}
	}
	for _, want := range []string{
		`copbot_build_info{goversion="",revision="abc",sqlite="",version="v\"1\\\n"} 1`,
		`copbot_request_duration_seconds_bucket{kind="command",platform="slack",le="0.005"} 1`,
		`copbot_request_duration_seconds_bucket{kind="command",platform="slack",le="0.05"} 3`,
		`copbot_request_duration_seconds_bucket{kind="command",platform="slack",le="15"} 3`,
		`copbot_request_duration_seconds_bucket{kind="command",platform="slack",le="+Inf"} 4`,
		`copbot_request_duration_seconds_count{kind="command",platform="slack"} 4`,
		`copbot_request_duration_seconds_sum{kind="command",platform="slack"} 20.083`,
		`copbot_outbox_depth{platform="slack"} 2`,
		`copbot_outbox_depth{platform="teams"} 0`,
		`copbot_outbox_dropped_total{platform="teams"} 1`,
	} {
		if !strings.Contains(s, want+"\n") {
			t.Errorf("scrape lacks %s", want)
		}
	}
	for name, typ := range map[string]string{"copbot_request_duration_seconds": "histogram", "copbot_outbox_dropped_total": "counter",
		"copbot_outbox_depth": "gauge", "go_goroutines": "gauge", "go_memstats_alloc_bytes": "gauge",
		"process_cpu_seconds_total": "counter", "process_resident_memory_bytes": "gauge", "process_start_time_seconds": "gauge",
		"process_open_fds": "gauge"} {
		if typed[name] != typ {
			t.Errorf("family %s is %q, want %s", name, typed[name], typ)
		}
	}
	start := regexp.MustCompile(`(?m)^process_start_time_seconds (\S+)$`).FindStringSubmatch(s)
	if start == nil {
		t.Fatal("no process_start_time_seconds")
	}
	if v, _ := strconv.ParseFloat(start[1], 64); time.Since(time.Unix(int64(v), 0)) > 24*time.Hour || time.Unix(int64(v), 0).After(time.Now().Add(time.Minute)) {
		t.Errorf("process_start_time_seconds %s is not this process's start", start[1])
	}
}
