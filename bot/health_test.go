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

// TestDamagedDatabaseStopsConsoleAndHealthz is finding 6 of issue 9: with a
// damaged page, the console used to start and /healthz said ok. (Serve
// now starts and refuses writes instead: see
// TestServeOnDamagedDatabaseRefusesWrites.)
func TestDamagedDatabaseStopsConsoleAndHealthz(t *testing.T) {
	path := filepath.Join(t.TempDir(), "copbot.db")
	damagedDB(t, path, "members_name_org")
	app := healthApp(t, path, time.Now)
	code, body := getHealthz(t, app)
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "quick_check") {
		t.Errorf("healthz = %d %q, want 503 naming quick_check", code, body)
	}
	for name, run := range map[string]func() error{
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

// TestServeOnDamagedDatabaseRefusesWrites is issue 20's start-up: serve
// is ready before quick_check ends (with 100,000 members it was 375 of
// the 434 ms to ready). When the check then finds damage, questions are
// still answered, every write is refused with a clear error in the
// user's language and nothing is stored, and /healthz turns red.
func TestServeOnDamagedDatabaseRefusesWrites(t *testing.T) {
	t.Parallel()
	e := newE2E(t)
	damagedDB(t, e.cfg.Storage.Path, "audit_at")
	e.start()
	e.get("/healthz") // answered once Serve runs, which starts the check first
	if !e.app.Store.Integrity().Started {
		t.Fatal("Serve answered before it started the integrity check")
	}
	if err := e.app.Store.WaitIntegrity(context.Background()); err == nil {
		t.Fatal("the background check passed a damaged file")
	}
	if code, body := e.get("/healthz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "quick_check") {
		t.Errorf("healthz = %d %q, want 503 naming quick_check", code, body)
	}
	if code, body := e.slash("U2", "who Ontario", e2eSecret); code != 200 || !strings.Contains(body, "Ada Lovelace") {
		t.Errorf("who Ontario = %d %s, want the member (reads still answer)", code, body)
	}
	for _, c := range []struct{ user, text, want, notSaved string }{
		{"U1", "join Grace Hopper | ServiceOntario | provincial | Ontario", "failed its integrity check", "Nothing was saved"},
		{"U3", "rejoindre Marie Tremblay | Services Québec | provincial | Québec", "vérification d’intégrité", "Rien n’a été enregistré"},
	} {
		code, body := e.slash(c.user, c.text, e2eSecret)
		if code != 200 || !strings.Contains(body, c.want) || !strings.Contains(body, c.notSaved) {
			t.Errorf("%s = %d %s, want the refusal (%q, %q)", c.text, code, body, c.want, c.notSaved)
		}
	}
	if got := e.members(); got != 2 {
		t.Errorf("%d members after refused joins, want the 2 imported", got)
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
