package bot

import (
	"context"
	"database/sql"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"copbot/storage"
	"copbot/storage/storagetest"
)

// damagedDB makes a database at path with a few members, then writes
// garbage over the first page of table (closed), as a failing disk would.
func damagedDB(t *testing.T, path, table string) {
	t.Helper()
	ctx := context.Background()
	st, err := storage.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	rows := []storage.MemberInput{{Name: "Ada Lovelace", Organization: "ServiceOntario", Order: storage.OrderProvincial, Jurisdiction: "ON"},
		{Name: "Sam Roy", Organization: "Service Canada", Order: storage.OrderFederal}}
	if _, err := st.ImportMembers(ctx, rows); err != nil {
		t.Fatal(err)
	}
	st.Close()
	storagetest.DamagePage(t, path, table)
}

// testClock is a settable clock.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func healthApp(t *testing.T, path string, now func() time.Time) *App {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Storage.Path = path
	if err := cfg.validate(); err != nil {
		t.Fatal(err)
	}
	app, err := NewApp(context.Background(), cfg, AppOptions{Now: now})
	if err != nil {
		t.Fatalf("NewApp: %v", err)
	}
	t.Cleanup(func() { app.Close() })
	return app
}

func getHealthz(t *testing.T, app *App) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	app.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	return rec.Code, rec.Body.String()
}

// TestDamagedDatabaseStopsStartAndHealthz is finding 6 of issue 9: with a
// damaged page, serve and the console used to start and /healthz said ok.
func TestDamagedDatabaseStopsStartAndHealthz(t *testing.T) {
	path := filepath.Join(t.TempDir(), "copbot.db")
	damagedDB(t, path, "members_name_org")
	app := healthApp(t, path, time.Now)
	code, body := getHealthz(t, app)
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "quick_check") {
		t.Errorf("healthz = %d %q, want 503 naming quick_check", code, body)
	}
	for name, run := range map[string]func() error{
		"serve": func() error { return app.Serve(context.Background()) },
		"console": func() error {
			return app.RunConsole(context.Background(), strings.NewReader("help\n"), io.Discard, "ada", "en", false)
		},
	} {
		err := run()
		if err == nil {
			t.Fatalf("%s started on a damaged database", name)
		}
		for _, want := range []string{"quick_check", path, "copbot did not start", "copbot n’a pas démarré"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: %q lacks %q", name, err, want)
			}
		}
	}
}

// TestHealthzCached: /healthz runs the database check (quick_check and the
// write probe, which stamps health_probe) at most once per healthTTL.
func TestHealthzCached(t *testing.T) {
	path := filepath.Join(t.TempDir(), "copbot.db")
	clock := &testClock{t: time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC)}
	app := healthApp(t, path, clock.Now)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	probed := func() string {
		var at string
		if err := db.QueryRow("SELECT checked_at FROM health_probe").Scan(&at); err != nil {
			t.Fatal(err)
		}
		return at
	}
	steps := []struct {
		advance time.Duration
		want    string
	}{
		{0, "2027-03-01T12:00:00Z"},
		{healthTTL - time.Second, "2027-03-01T12:00:00Z"},
		{time.Second, "2027-03-01T12:00:05Z"},
	}
	for i, s := range steps {
		clock.add(s.advance)
		if code, body := getHealthz(t, app); code != http.StatusOK || body != "ok\n" {
			t.Fatalf("step %d: healthz = %d %q", i, code, body)
		}
		if got := probed(); got != s.want {
			t.Errorf("step %d: probe stamped %s, want %s", i, got, s.want)
		}
	}
}

// TestCLIBackupOfDamagedDatabaseFails: `copbot backup` used to exit 0 with
// a copy that failed integrity_check; now it exits non-zero, says why in
// both languages, and leaves no file.
func TestCLIBackupOfDamagedDatabaseFails(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	damagedDB(t, filepath.Join(dir, "copbot.db"), "members")
	out := filepath.Join(dir, "backup.db")
	code, _, errOut := cli(t, dir, "", "backup", out)
	if code == 0 {
		t.Fatal("backup of a damaged database exited 0")
	}
	for _, want := range []string{"quick_check", "backup failed", "la sauvegarde a échoué"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr %q lacks %q", errOut, want)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("failed backup left %s (stat: %v)", out, err)
	}
}
