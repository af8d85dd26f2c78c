package bot

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cliAt runs the command line with COPBOT_DB set to db.
func cliAt(t *testing.T, db string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(k string) string {
		if k == "COPBOT_DB" {
			return db
		}
		return ""
	}}
	return Main(context.Background(), args, env), out.String(), errb.String()
}

// A backup restored with `copbot restore` exports the same roster and
// poll; a restore never overwrites a database, and a bad backup writes
// nothing. The backup records its time in the live database.
func TestBackupThenRestore(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	live, backup, restored := filepath.Join(dir, "live.db"), filepath.Join(dir, "b.db"), filepath.Join(dir, "restored.db")
	if code, _, errOut := cliAt(t, live, "demo"); code != 0 {
		t.Fatal(errOut)
	}
	if code, _, errOut := cliAt(t, live, "backup", backup); code != 0 || errOut != "" {
		t.Fatalf("backup: %d %s", code, errOut)
	}
	code, out, errOut := cliAt(t, restored, "restore", backup)
	if code != 0 || !strings.Contains(out, "integrity_check ok") {
		t.Fatalf("restore: %d %q %q", code, out, errOut)
	}
	for _, what := range [][]string{{"export", "members"}, {"export", "poll", "1"}} {
		_, want, _ := cliAt(t, live, what...)
		_, got, _ := cliAt(t, restored, what...)
		if got != want || len(want) < 100 {
			t.Errorf("%v differs after the restore:\n%s\nwant\n%s", what, got, want)
		}
	}
	if code, _, errOut = cliAt(t, restored, "restore", backup); code != 1 || !strings.Contains(errOut, "already exists") || !strings.Contains(errOut, "existe déjà") {
		t.Errorf("restore over a database: %d %q", code, errOut)
	}
	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, bytes.Repeat([]byte("not a database "), 400), 0o600)
	target := filepath.Join(dir, "never.db")
	if code, _, errOut = cliAt(t, target, "restore", junk); code != 1 {
		t.Errorf("restore of a file that is no database: %d %q", code, errOut)
	}
	if _, err := os.Stat(target); err == nil {
		t.Error("a failed restore left a database")
	}
}

func TestHealthcheckCommand(t *testing.T) {
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(status)
	}))
	defer srv.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "copbot.toml")
	os.WriteFile(cfg, []byte("[http]\nlisten = \""+strings.TrimPrefix(srv.URL, "http://")+"\"\n"), 0o600)
	if code, out, errOut := cliAt(t, filepath.Join(dir, "x.db"), "healthcheck", "-config", cfg); code != 0 || out != "ok\n" {
		t.Errorf("healthy: %d %q %q", code, out, errOut)
	}
	status = http.StatusServiceUnavailable
	if code, _, errOut := cliAt(t, filepath.Join(dir, "x.db"), "healthcheck", "-config", cfg); code != 1 || !strings.Contains(errOut, "503") {
		t.Errorf("unhealthy: %d %q", code, errOut)
	}
}
