package bot

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"copbot/handlers"
	"copbot/internal/demo"
	"copbot/storage"
)

// TestCLIDemoThenReport: copbot demo fills a new database once; copbot
// report writes the report of the demo period in both formats.
func TestCLIDemoThenReport(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if code, out, errOut := cli(t, dir, "", "demo"); code != 0 || !strings.Contains(out, "demo community written") {
		t.Fatalf("demo exit %d: %s%s", code, out, errOut)
	}
	code, _, errOut := cli(t, dir, "", "demo")
	if code != 1 || !strings.Contains(errOut, "already has members") || !strings.Contains(errOut, "contient déjà") {
		t.Fatalf("second demo: exit %d, %s; want a bilingual refusal", code, errOut)
	}
	code, out, errOut := cli(t, dir, "", "report", "--from", "2026-09-01", "--to", "2027-01-31", "-lang", "en")
	if code != 0 || !strings.Contains(out, reportStatsEN) || !strings.Contains(out, "## Problems and challenges") {
		t.Fatalf("report md exit %d: %s\n%s", code, errOut, out)
	}
	page := filepath.Join(dir, "report.html")
	code, _, errOut = cli(t, dir, "", "report", "--from", "2026-09-01", "--to", "2027-01-31", "-lang", "fr", "-format", "html", "-o", page)
	if code != 0 {
		t.Fatalf("report html exit %d: %s", code, errOut)
	}
	b, err := os.ReadFile(page)
	if err != nil || !strings.Contains(string(b), `<html lang="fr">`) || !strings.Contains(string(b), reportStatsFR) {
		t.Fatalf("report.html (%v):\n%.2000s", err, b)
	}
	code, _, errOut = cli(t, dir, "", "report", "--from", "2027-01-31", "--to", "2026-09-01")
	if code != 1 || !strings.Contains(errOut, "two dates") {
		t.Errorf("reversed period: exit %d, %s", code, errOut)
	}
}

// seedDemoFile writes the demo community into the database at path before
// any App opens it.
func seedDemoFile(t *testing.T, path string) {
	t.Helper()
	db, err := storage.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := demo.Seed(context.Background(), db); err != nil {
		t.Fatal(err)
	}
}

// reportTokenE2E is the report's secret in the tests; calTokenE2E the
// calendar's, which members are given.
const (
	reportTokenE2E = "report-secret-0123456789"
	calTokenE2E    = "cal-secret"
)

// TestReportPageServed: GET /report serves the HTML page behind the
// report's own secret, as a bearer token or ?token=, never the calendar
// token; with a bilingual 400 for a bad period.
func TestReportPageServed(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	e.cfg.HTTP.CalendarToken = calTokenE2E
	e.cfg.HTTP.ReportToken = reportTokenE2E
	seedDemoFile(t, e.cfg.Storage.Path)
	e.start()
	const period = "/report?from=2026-09-01&to=2027-01-31"
	tests := []struct {
		name, path, auth string
		code             int
		want             string
	}{
		{"no token", period, "", http.StatusNotFound, ""},
		{"wrong token", period + "&token=nope", "", http.StatusNotFound, ""},
		{"calendar token", period + "&token=" + calTokenE2E, "", http.StatusNotFound, ""},
		{"calendar token as bearer", period, "Bearer " + calTokenE2E, http.StatusNotFound, ""},
		{"token with a byte more", period + "&token=" + reportTokenE2E + "x", "", http.StatusNotFound, ""},
		{"wrong scheme", period, "Basic " + reportTokenE2E, http.StatusNotFound, ""},
		{"bad period", "/report?from=2026-13-01&to=2027-01-31&token=" + reportTokenE2E, "", http.StatusBadRequest, "two dates"},
		{"bad language", period + "&lang=de&token=" + reportTokenE2E, "", http.StatusBadRequest, "en ou fr"},
		{"English", period + "&lang=en&token=" + reportTokenE2E, "", http.StatusOK, reportStatsEN},
		{"French, bearer", period + "&lang=fr", "Bearer " + reportTokenE2E, http.StatusOK, reportStatsFR},
		{"bearer in lower case", period, "bearer " + reportTokenE2E, http.StatusOK, reportStatsEN},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, "http://"+e.app.Addr()+tt.path, nil)
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			code, body := e.do(req)
			if code != tt.code || !strings.Contains(body, tt.want) {
				t.Fatalf("GET %s = %d, want %d with %q:\n%.500s", tt.path, code, tt.code, tt.want, body)
			}
			if code == http.StatusOK && (strings.Contains(body, calTokenE2E) || strings.Contains(body, reportTokenE2E)) {
				t.Errorf("the report prints a token")
			}
		})
	}
}

// TestReportPageHeaders: the page is kept out of caches and its address
// (which may hold the token) out of Referer headers.
func TestReportPageHeaders(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	e.cfg.HTTP.ReportToken = reportTokenE2E
	e.start()
	req, _ := http.NewRequest(http.MethodGet, "http://"+e.app.Addr()+"/report?from=2026-09-01&to=2027-01-31", nil)
	req.Header.Set("Authorization", "Bearer "+reportTokenE2E)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for k, want := range map[string]string{"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
}

// Without a report token configured the report page does not exist, even
// with the calendar's: it names outreach contacts, so it is never public
// the way the calendar may be.
func TestReportPageNeedsAToken(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	e.cfg.HTTP.CalendarToken = calTokenE2E
	seedDemoFile(t, e.cfg.Storage.Path)
	e.start()
	for _, path := range []string{"/report?from=2026-09-01&to=2027-01-31", "/report?from=2026-09-01&to=2027-01-31&token=",
		"/report?from=2026-09-01&to=2027-01-31&token=" + calTokenE2E} {
		if code, body := e.get(path); code != http.StatusNotFound {
			t.Errorf("GET %s with no report_token = %d, want 404:\n%.300s", path, code, body)
		}
	}
}

// TestReportPageSignedLink: a link from "report link" opens the page in
// its language without the report token, until it expires (then 410, in
// both languages); an altered one is 404. Each view is audited, by how
// the page was opened.
func TestReportPageSignedLink(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	e.cfg.HTTP.ReportToken = reportTokenE2E
	var mu sync.Mutex
	now := time.Now()
	e.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	seedDemoFile(t, e.cfg.Storage.Path)
	e.start()
	ctx := context.Background()
	r := e.app.Service.Handle(ctx, handlers.Request{Identity: storage.Identity{Platform: storage.PlatformSlack, ID: "UCOORD"},
		Text: "report link 2026-09-01 2027-01-31 --lang fr"})
	var path string
	for _, b := range r.Blocks {
		if s, ok := b.(handlers.Section); ok && strings.HasPrefix(s.Text, "/report?") {
			path = s.Text
		}
	}
	if path == "" {
		t.Fatalf("no link: %s %s", r.Kind, r.Text)
	}
	if code, body := e.get(path); code != http.StatusOK || !strings.Contains(body, reportStatsFR) {
		t.Fatalf("GET %s = %d:\n%.300s", path, code, body)
	}
	altered := strings.Replace(path, "from=2026-09-01", "from=2025-09-01", 1)
	if code, _ := e.get(altered); code != http.StatusNotFound {
		t.Errorf("altered link = %d, want 404", code)
	}
	if code, _ := e.get("/report?from=2026-09-01&to=2027-01-31&token=" + reportTokenE2E); code != http.StatusOK {
		t.Errorf("token = %d, want 200", code)
	}
	mu.Lock()
	now = now.Add(25 * time.Hour)
	mu.Unlock()
	if code, body := e.get(path); code != http.StatusGone || !strings.Contains(body, "expired") || !strings.Contains(body, "expiré") {
		t.Errorf("expired link = %d %q, want 410 in both languages", code, body)
	}
	audit, err := e.app.Store.FindAudit(ctx, storage.AuditFilter{Action: storage.AuditReportExport})
	if err != nil || len(audit) != 2 || audit[0].ActorName != "report page (report_token)" || audit[1].ActorName != "report page (signed link)" {
		t.Errorf("page views audited: %+v %v", audit, err)
	}
}
