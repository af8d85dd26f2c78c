package bot

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"copbot/storage"
)

func TestMigrateCheckChangesNothing(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	db := filepath.Join(dir, "copbot.db")
	code, out, errOut := cli(t, dir, "", "migrate", "-check")
	if code != 0 || !strings.Contains(out, "does not exist: it would be created with") || !strings.Contains(out, "n’existe pas") {
		t.Fatalf("migrate -check on no database: %d %q %q", code, out, errOut)
	}
	if _, err := os.Stat(db); err == nil {
		t.Fatal("migrate -check created the database")
	}
	if code, out, errOut = cli(t, dir, "", "migrate"); code != 0 || !strings.Contains(out, "upgraded "+db) {
		t.Fatalf("migrate: %d %q %q", code, out, errOut)
	}
	ms := storage.Migrations()
	newest := strings.TrimSuffix(ms[len(ms)-1], ".sql")
	for _, args := range [][]string{{"migrate", "-check"}, {"migrate", "--check"}, {"migrate"}} {
		code, out, errOut = cli(t, dir, "", args...)
		if code != 0 || !strings.Contains(out, "is up to date") || !strings.Contains(out, "est à jour") {
			t.Errorf("%v on an up-to-date database: %d %q %q", args, code, out, errOut)
		}
		if args[0] == "migrate" && len(args) == 2 && !strings.Contains(out, newest) {
			t.Errorf("%v does not name the schema %s: %q", args, newest, out)
		}
	}
}

// A database a newer copbot migrated stops every command that opens it,
// with what to do in both languages, and nothing is written to it.
func TestFutureDatabaseStopsCopbot(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if code, _, errOut := cli(t, dir, "", "migrate"); code != 0 {
		t.Fatal(errOut)
	}
	path := filepath.Join(dir, "copbot.db")
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("INSERT INTO schema_migrations (name, applied_at) VALUES ('9001_next.sql', '2030-01-01T00:00:00Z')"); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	before, _ := os.ReadFile(path)
	for _, args := range [][]string{{"migrate", "-check"}, {"migrate"}, {"export", "members"}, {"serve", "-listen", "127.0.0.1:0"}} {
		code, _, errOut := cli(t, dir, "", args...)
		if code != 1 {
			t.Errorf("%v: exit %d, want 1", args, code)
		}
		for _, want := range []string{"was upgraded by a newer copbot", "9001_next.sql", "a été mise à jour par une version plus récente",
			"copbot did not start and changed nothing", path + ".before-"} {
			if !strings.Contains(errOut, want) {
				t.Errorf("%v: message lacks %q:\n%s", args, want, errOut)
			}
		}
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("the database from the future was changed")
	}
}
