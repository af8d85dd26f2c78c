package bot

import (
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// scrape reads the running App's /metrics as Prometheus would.
func (e *e2eBot) scrape() string {
	e.t.Helper()
	resp, err := http.Get("http://" + e.app.MetricsAddr() + "/metrics")
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		e.t.Fatalf("/metrics = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return string(b)
}

// sample is the value of the series named exactly line (name and labels)
// in a scrape, or -1 when absent.
func sample(scrape, series string) float64 {
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindStringSubmatch(scrape)
	if m == nil {
		return -1
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}

func TestMetricsEndToEnd(t *testing.T) {
	t.Parallel()
	e := newE2E(t, "24h")
	e.cfg.HTTP.MetricsListen = "127.0.0.1:0"
	e.useClock(time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC)) // the rate limit's allowance does not refill
	e.start()
	if code, body := e.slash("UPRIVATE7", "join Ada Lovelace | ServiceOntario | provincial | Ontario | Director | ada@example.ca", e2eSecret); code != 200 {
		t.Fatalf("join = %d %s", code, body)
	}
	if code, _ := e.slash("UPRIVATE7", "join Eve | Evil Corp | municipal | ON", "forged-secret"); code != http.StatusUnauthorized {
		t.Fatalf("forged = %d", code)
	}
	// One person over their allowance (20 at once): refused, and counted.
	for i := range 21 {
		e.slash("UPRIVATE7", "who Ontario"+strings.Repeat(" ", i), e2eSecret) // not replays: each body differs
	}
	if code, body := e.slash("UCOORD", "meeting add 2031-03-19 13:00 Accessibility technology", e2eSecret); code != 200 {
		t.Fatalf("meeting add = %d %s", code, body)
	}
	e.get("/healthz")
	if _, err := e.app.Store.LastBackup(t.Context()); err != nil {
		t.Fatal(err)
	}
	s := e.scrape()
	for series, want := range map[string]float64{
		`copbot_requests_total{code="401",kind="command",platform="slack"}`:      1,
		`copbot_refusals_total{platform="slack",reason="unauthenticated"}`:       1,
		`copbot_refusals_total{platform="slack",reason="rate_limit"}`:            2, // 22 requests from UPRIVATE7 at once
		`copbot_requests_total{code="200",kind="healthz",platform="http"}`:       1,
		`copbot_request_duration_seconds_count{kind="command",platform="slack"}`: 24,
		`copbot_outbox_dropped_total{platform="slack"}`:                          0,
		`copbot_reminders{status="pending"}`:                                     1,
		`copbot_reminders_sent_total`:                                            0,
		`copbot_reminders_overdue`:                                               0,
		`copbot_deliveries{status="failed"}`:                                     0,
		`copbot_backup_last_verified_timestamp_seconds`:                          0,
		`copbot_database_scrape_errors`:                                          0,
	} {
		if got := sample(s, series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
	for _, series := range []string{`copbot_database_size_bytes`, `copbot_database_wal_size_bytes`, `copbot_outbox_depth{platform="slack"}`} {
		if sample(s, series) < 0 {
			t.Errorf("%s missing", series)
		}
	}
	if sample(s, "copbot_database_size_bytes") <= 0 {
		t.Error("database size is 0")
	}
	if !regexp.MustCompile(`(?m)^copbot_build_info\{goversion="go[0-9.]+",revision="[^"]*",sqlite="3\.[0-9.]+",version="[^"]+"\} 1$`).MatchString(s) {
		t.Errorf("no build info in:\n%s", grepLines(s, "copbot_build_info"))
	}
	if sample(s, "copbot_backup_age_seconds") != -1 {
		t.Error("a backup age before any backup")
	}
	// No person, address, text or channel in any label.
	for _, private := range []string{"UPRIVATE7", "Ada", "Lovelace", "ada@example.ca", "Ontario", "CASK", "Accessibility", e2eChannel} {
		if strings.Contains(s, private) {
			t.Errorf("the metrics carry %q:\n%s", private, grepLines(s, private))
		}
	}
	// A verified backup shows at the next scrape, with its age.
	if err := e.app.Store.Backup(t.Context(), t.TempDir()+"/b.db"); err != nil {
		t.Fatal(err)
	}
	s = e.scrape()
	if sample(s, "copbot_backup_last_verified_timestamp_seconds") <= 0 || sample(s, "copbot_backup_age_seconds") < 0 {
		t.Errorf("after a backup:\n%s", grepLines(s, "copbot_backup"))
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func TestMetricsListenLoopbackOnly(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		addr  string
		allow bool
		ok    bool
	}{
		{"127.0.0.1:9090", false, true}, {"[::1]:9090", false, true}, {"localhost:9090", false, true},
		{":9090", false, false}, {"0.0.0.0:9090", false, false}, {"192.0.2.7:9090", false, false},
		{"metrics.example.ca:9090", false, false}, {"9090", false, false},
		{"0.0.0.0:9090", true, true},
	} {
		text := "[http]\nmetrics_listen = \"" + c.addr + "\"\nmetrics_allow_remote = " + strconv.FormatBool(c.allow) + "\n"
		_, err := parseConfig(text, func(string) string { return "" })
		if (err == nil) != c.ok {
			t.Errorf("metrics_listen %q allow=%v: err %v, want ok=%v", c.addr, c.allow, err, c.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "http.metrics_listen") {
			t.Errorf("error %q does not name the key", err)
		}
	}
}
