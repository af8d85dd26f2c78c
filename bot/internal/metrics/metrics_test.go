package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
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
