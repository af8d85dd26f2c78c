package storage

import (
	"context"
	"database/sql"
	"fmt"
	"os"
)

// Backup writes a consistent copy of the database to path, which must not
// exist yet (an existing file is never touched), and verifies it. Writers
// are not blocked for long: VACUUM INTO reads one snapshot, and works on a
// DB opened read-only (see BackupFile). The source must pass quick_check first (a copy
// of a damaged database could silently lack rows) and the copy must pass
// PRAGMA integrity_check; otherwise the copy is removed and the error wraps
// ErrUnhealthy.
func (d *DB) Backup(ctx context.Context, path string) error { return d.backup(ctx, path) }

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
