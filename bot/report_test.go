package bot

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

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

// TestReportPageServed: GET /report serves the HTML page, guarded by the
// calendar token, with a bilingual 400 for a bad period.
func TestReportPageServed(t *testing.T) {
	e := newE2E(t)
	e.cfg.HTTP.CalendarToken = "cal-secret"
	seedDemoFile(t, e.cfg.Storage.Path)
	e.start()
	tests := []struct {
		name, path string
		code       int
		want       string
	}{
		{"no token", "/report?from=2026-09-01&to=2027-01-31", http.StatusNotFound, ""},
		{"wrong token", "/report?from=2026-09-01&to=2027-01-31&token=nope", http.StatusNotFound, ""},
		{"bad period", "/report?from=2026-13-01&to=2027-01-31&token=cal-secret", http.StatusBadRequest, "two dates"},
		{"bad language", "/report?from=2026-09-01&to=2027-01-31&lang=de&token=cal-secret", http.StatusBadRequest, "en ou fr"},
		{"English", "/report?from=2026-09-01&to=2027-01-31&lang=en&token=cal-secret", http.StatusOK, reportStatsEN},
		{"French", "/report?from=2026-09-01&to=2027-01-31&lang=fr&token=cal-secret", http.StatusOK, reportStatsFR},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := e.get(tt.path)
			if code != tt.code || !strings.Contains(body, tt.want) {
				t.Errorf("GET %s = %d, want %d with %q:\n%.500s", tt.path, code, tt.code, tt.want, body)
			}
		})
	}
}

// Without a token configured the report page does not exist: it names
// outreach contacts, so it is never public the way the calendar may be.
func TestReportPageNeedsAToken(t *testing.T) {
	e := newE2E(t)
	seedDemoFile(t, e.cfg.Storage.Path)
	e.start()
	for _, path := range []string{"/report?from=2026-09-01&to=2027-01-31", "/report?from=2026-09-01&to=2027-01-31&token="} {
		if code, body := e.get(path); code != http.StatusNotFound {
			t.Errorf("GET %s with no calendar_token = %d, want 404:\n%.300s", path, code, body)
		}
	}
}
