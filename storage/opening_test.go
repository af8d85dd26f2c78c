package storage

import (
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"copbot/storage/storagetest"
)

// wantOpenError checks that err is the *Error an operator can act on.
func wantOpenError(t *testing.T, err error, code, key, path string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Code != code || e.Key != key || e.Args["Path"] != path {
		t.Fatalf("error %v, want %s %s for %s", err, code, key, path)
	}
	if strings.HasPrefix(e.Message, "unable to open") {
		t.Errorf("message %q says what SQLite says, not what to do", e.Message)
	}
}

// TestOpenExplainsWhy is a leftover of issue 16: a database that cannot be
// used stopped start-up with "unable to open database file (14)".
func TestOpenExplainsWhy(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	t.Run("folder missing", func(t *testing.T) {
		path := filepath.Join(dir, "nowhere", "copbot.db")
		_, err := Open(ctx, path)
		wantOpenError(t, err, ENOTFOUND, "db_error_folder_missing", path)
		if _, err := OpenReadOnly(ctx, path); err == nil {
			t.Error("OpenReadOnly of a missing folder succeeded")
		}
	})
	t.Run("not a database", func(t *testing.T) {
		path := filepath.Join(dir, "notes.txt")
		if err := os.WriteFile(path, []byte(strings.Repeat("not a database\n", 100)), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Open(ctx, path)
		wantOpenError(t, err, EINVALID, "db_error_not_database", path)
		_, err = OpenReadOnly(ctx, path)
		wantOpenError(t, err, EINVALID, "db_error_not_database", path)
	})
	t.Run("missing file, read only", func(t *testing.T) {
		path := filepath.Join(dir, "none.db")
		_, err := OpenReadOnly(ctx, path)
		wantOpenError(t, err, ENOTFOUND, "db_error_missing", path)
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("OpenReadOnly created %s", path)
		}
	})
	// A read-only file: the migrations have nothing to do, so only Open's
	// write probe can tell. As root, file modes do not hold: mode=ro does.
	t.Run("read-only file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "ro.db")
		newDatabase(t, path)
		var err error
		if storagetest.MakeReadOnly(t, path) {
			_, err = Open(ctx, path)
		} else {
			_, err = open(ctx, path, url.Values{"mode": {"ro"}})
		}
		wantOpenError(t, err, EFORBIDDEN, "db_error_read_only", path)
	})
	t.Run("read-only folder", func(t *testing.T) {
		folder := t.TempDir()
		path := filepath.Join(folder, "new.db")
		var err error
		if storagetest.MakeReadOnly(t, folder) {
			_, err = Open(ctx, path)
		} else { // SQLite cannot create a file opened read-only either
			_, err = open(ctx, path, url.Values{"mode": {"ro"}})
		}
		wantOpenError(t, err, EFORBIDDEN, "db_error_read_only", path)
	})
}

// newDatabase makes a closed copbot database at path with one member.
func newDatabase(t *testing.T, path string) {
	t.Helper()
	d, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	mustJoin(t, d, marieInput())
	if err := d.Close(); err != nil { // folds the log into the file
		t.Fatal(err)
	}
}

// TestBackupFromReadOnly is a leftover of issue 16: "copbot backup" could
// not read a database on a read-only mount. BackupFile reads a read-only
// file in a read-only folder, changes nothing there, and its copy holds
// every row.
func TestBackupFromReadOnly(t *testing.T) {
	ctx := context.Background()
	folder := t.TempDir()
	src := filepath.Join(folder, "copbot.db")
	newDatabase(t, src)
	if !storagetest.MakeReadOnly(t, src) || !storagetest.MakeReadOnly(t, folder) {
		t.Skip("running as root without chattr: TestBackupReadOnlyURIs covers the same code")
	}
	dst := filepath.Join(t.TempDir(), "copy.db")
	if err := BackupFile(ctx, src, dst); err != nil {
		t.Fatalf("BackupFile from a read-only file and folder: %v", err)
	}
	checkCopy(t, dst)
	if entries, _ := os.ReadDir(folder); len(entries) != 1 {
		t.Errorf("the read-only folder holds %d files, want only the database", len(entries))
	}
}

// TestBackupReadOnlyURIs runs, whoever runs the tests, the two ways
// OpenReadOnly reads a database (mode=ro, and immutable=1 for a read-only
// folder), each followed by a backup.
func TestBackupReadOnlyURIs(t *testing.T) {
	ctx := context.Background()
	src := filepath.Join(t.TempDir(), "copbot.db")
	newDatabase(t, src)
	for _, extra := range []url.Values{{"mode": {"ro"}}, {"immutable": {"1"}}} {
		d, err := openReadOnly(ctx, src, extra)
		if err != nil {
			t.Fatalf("%v: %v", extra, err)
		}
		if _, _, err := d.JoinMember(ctx, MemberInput{Name: "X", Organization: "Y", Order: OrderFederal, ConsoleID: "x"}); err == nil {
			t.Errorf("%v: a write succeeded on a read-only database", extra)
		}
		dst := filepath.Join(t.TempDir(), "copy.db")
		if err := d.Backup(ctx, dst); err != nil {
			t.Errorf("%v: Backup: %v", extra, err)
		} else {
			checkCopy(t, dst)
		}
		d.Close()
	}
	d, err := OpenReadOnly(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
}

// TestBackupRefusesUnreadableLog: in a read-only folder, a log that holds
// changes not yet in the file cannot be read (no -shm can be made), and
// reading the file alone would silently miss them.
func TestBackupRefusesUnreadableLog(t *testing.T) {
	ctx := context.Background()
	live := filepath.Join(t.TempDir(), "live.db")
	d, err := Open(ctx, live)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	mustJoin(t, d, marieInput()) // in the log, not yet in the file
	folder := t.TempDir()
	src := filepath.Join(folder, "copbot.db")
	for _, suffix := range []string{"", "-wal"} { // as a copy of a running copbot's files would be
		b, err := os.ReadFile(live + suffix)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(src+suffix, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if !storagetest.MakeReadOnly(t, folder) {
		t.Skip("running as root without chattr: no folder can be made read-only")
	}
	err = BackupFile(ctx, src, filepath.Join(t.TempDir(), "copy.db"))
	wantOpenError(t, err, EFORBIDDEN, "db_error_wal_pending", src)
}

// checkCopy opens a backup and finds the member newDatabase wrote.
func checkCopy(t *testing.T, path string) {
	t.Helper()
	b, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if n := countRows(t, b, "SELECT count(*) FROM members WHERE name = 'Marie Tremblay'"); n != 1 {
		t.Errorf("the copy holds %d Marie, want 1", n)
	}
}
