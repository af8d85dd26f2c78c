package storage

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"copbot/storage/storagetest"
)

// corruptTable makes a database at path with a few members, then damages
// the first page of table.
func corruptTable(t *testing.T, path, table string) {
	t.Helper()
	ctx := context.Background()
	d, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.ImportMembers(ctx, importRows(20)); err != nil {
		t.Fatal(err)
	}
	d.Close() // checkpoints the WAL into the file
	storagetest.DamagePage(t, path, table)
}

// TestHealth is finding 6 of issue 9: a read-only or damaged database
// used to pass the health check (SELECT 1). Tests run as root, which file
// modes do not stop, so the read-only case opens with SQLite's mode=ro.
func TestHealth(t *testing.T) {
	ctx := context.Background()
	t.Run("sound", func(t *testing.T) {
		d, _ := openMemberDB(t)
		if err := d.Health(ctx); err != nil {
			t.Fatalf("Health = %v, want nil", err)
		}
		if n := countRows(t, d, "SELECT count(*) FROM health_probe"); n != 1 {
			t.Errorf("probe rows %d, want 1", n)
		}
	})
	t.Run("read-only", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "ro.db")
		d, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		d.Close()
		ro, err := OpenReadOnly(ctx, path)
		if err != nil {
			t.Fatalf("open read-only: %v", err)
		}
		defer ro.Close()
		if _, err := ro.Stats(ctx); err != nil {
			t.Fatalf("Stats = %v: reads should work", err)
		}
		err = ro.Health(ctx)
		if !errors.Is(err, ErrUnhealthy) || !strings.Contains(err.Error(), "write probe") ||
			!strings.Contains(err.Error(), "readonly") {
			t.Errorf("Health = %v, want ErrUnhealthy from the write probe, read-only", err)
		}
	})
	t.Run("damaged page", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "bad.db")
		corruptTable(t, path, "members_name_org")
		d, err := Open(ctx, path)
		if err != nil {
			t.Fatalf("Open: %v (an index page is damaged; the file still opens)", err)
		}
		defer d.Close()
		if _, err := d.Stats(ctx); err != nil {
			t.Fatalf("Stats = %v: the damaged index is not read", err)
		}
		err = d.Health(ctx)
		if !errors.Is(err, ErrUnhealthy) || !strings.Contains(err.Error(), "quick_check") {
			t.Errorf("Health = %v, want ErrUnhealthy from quick_check", err)
		}
	})
}

// TestBackupVerified: a sound database's copy passes integrity_check; a
// damaged database's backup fails loudly and leaves no file; a damaged
// copy fails verification.
func TestBackupVerified(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	d, _ := openMemberDB(t)
	if _, err := d.ImportMembers(ctx, importRows(50)); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "good.db")
	if err := d.Backup(ctx, good); err != nil {
		t.Fatalf("Backup: %v", err)
	}
	if err := d.verifyCopy(ctx, good); err != nil {
		t.Errorf("verify good copy: %v", err)
	}
	mine := filepath.Join(dir, "mine.txt")
	if err := os.WriteFile(mine, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := d.Backup(ctx, mine); err == nil {
		t.Error("Backup over an existing file succeeded")
	}
	if b, err := os.ReadFile(mine); string(b) != "keep" {
		t.Errorf("Backup touched an existing file: %q %v", b, err)
	}
	for _, table := range []string{"members", "members_email"} {
		t.Run("damaged "+table, func(t *testing.T) {
			src := filepath.Join(t.TempDir(), "src.db")
			corruptTable(t, src, table)
			if err := d.verifyCopy(ctx, src); !errors.Is(err, ErrUnhealthy) || !strings.Contains(err.Error(), "integrity_check") {
				t.Errorf("verifyCopy(damaged) = %v, want ErrUnhealthy from integrity_check", err)
			}
			bad, err := Open(ctx, src)
			if err != nil {
				t.Fatal(err)
			}
			defer bad.Close()
			out := filepath.Join(t.TempDir(), "copy.db")
			if err := bad.Backup(ctx, out); !errors.Is(err, ErrUnhealthy) {
				t.Errorf("Backup(damaged) = %v, want ErrUnhealthy", err)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("a failed backup left %s (stat: %v)", out, err)
			}
		})
	}
}
