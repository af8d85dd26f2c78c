package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"time"
)

// Backup writes a consistent copy of the database to path, which must not
// exist yet (an existing file is never touched), and verifies it. Writers
// are not blocked for long: VACUUM INTO reads one snapshot, and works on a
// DB opened read-only (see BackupFile). The source must pass quick_check first (a copy
// of a damaged database could silently lack rows) and the copy must pass
// PRAGMA integrity_check; otherwise the copy is removed and the error wraps
// ErrUnhealthy.
//
// On a writable database, the time of a backup is recorded (see
// LastBackup); one opened read-only (BackupFile) cannot record it.
func (d *DB) Backup(ctx context.Context, path string) error {
	if err := d.backup(ctx, path); err != nil {
		return err
	}
	if d.readOnly {
		return nil
	}
	return d.noteBackup(ctx)
}

// backup is Backup; migrate's copy before an upgrade calls it.
func (d *DB) backup(ctx context.Context, path string) error {
	if err := d.quickCheck(ctx, d.db, "quick_check"); err != nil {
		return fmt.Errorf("source database: %w", err)
	}
	// Claim the name first (VACUUM INTO accepts an empty file), so that a
	// failure below removes only a file this backup created.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	f.Close()
	if _, err := d.db.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		os.Remove(path)
		return fmt.Errorf("%w: copy: %v", ErrUnhealthy, err)
	}
	if err := d.verifyCopy(ctx, path); err != nil {
		if rmErr := os.Remove(path); rmErr != nil {
			return fmt.Errorf("backup copy %s: %w (and it could not be removed: %v)", path, err, rmErr)
		}
		return fmt.Errorf("backup copy %s (removed): %w", path, err)
	}
	return nil
}

// backupCounter holds the Unix time of the last verified backup.
const backupCounter = "backup_verified_at"

// noteBackup records now as the time of the last verified backup, for
// whichever process watches it (the metrics of `copbot serve`).
func (d *DB) noteBackup(ctx context.Context) error {
	return d.write(ctx, func(t *tx) error {
		_, err := t.exec(`INSERT INTO counters (name, value) VALUES (?, ?)
			ON CONFLICT (name) DO UPDATE SET value = max(value, excluded.value)`, backupCounter, d.now().Unix())
		return err
	})
}

// RecordBackup records now as the time of the last verified backup of the
// database at path (see LastBackup), after a BackupFile of it: a
// read-only copy cannot record it itself. It runs no migration.
func RecordBackup(ctx context.Context, path string) error {
	d := connect(path, nil)
	defer d.Close()
	return d.noteBackup(ctx)
}

// LastBackup is when the last verified backup of this database was made
// by Backup, or the zero time if never. The copy an upgrade leaves beside
// the database does not count: on the same disk, it guards the upgrade,
// not the data.
func (d *DB) LastBackup(ctx context.Context) (time.Time, error) {
	var at int64
	err := d.read(ctx, func(t *tx) error {
		err := t.queryRow("SELECT value FROM counters WHERE name = ?", backupCounter).Scan(&at)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	})
	if err != nil || at == 0 {
		return time.Time{}, err
	}
	return time.Unix(at, 0).UTC(), nil
}

// verifyCopy runs PRAGMA integrity_check on the database file at path,
// opened read-only.
func (d *DB) verifyCopy(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", "file:"+escapePath(path)+"?mode=ro")
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUnhealthy, err)
	}
	defer db.Close()
	return d.quickCheck(ctx, db, "integrity_check")
}

// BackupFile writes a verified copy of the database at src to dst, as
// Backup does, opening src for reading only (OpenReadOnly): it works on a
// read-only file or mount, runs no migration and never changes src, so it
// needs no running copbot and takes no write lock. Its errors are
// OpenReadOnly's and Backup's.
func BackupFile(ctx context.Context, src, dst string) error {
	d, err := OpenReadOnly(ctx, src)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Backup(ctx, dst)
}
