package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"
)

// MigrationPlan is where a database stands against the migrations this
// binary carries.
type MigrationPlan struct {
	Exists  bool     // the file exists (a missing one is created by Open)
	Applied []string // recorded in schema_migrations, in order
	Pending []string // carried here and not yet applied: what Open would run
	// Future are recorded migrations this binary does not carry and that
	// sort after its newest: a newer copbot upgraded the database.
	Future []string
}

// Latest is the newest applied migration, or "" for an empty database.
func (p MigrationPlan) Latest() string {
	if len(p.Applied) == 0 {
		return ""
	}
	return p.Applied[len(p.Applied)-1]
}

// FutureSchemaError refuses a database that a newer copbot has migrated:
// this binary does not know its tables, and writing with older code could
// lose what the newer one keeps.
type FutureSchemaError struct {
	Path   string
	Future []string // the unknown migrations, in order
	Newest string   // the newest migration this binary carries
}

func (e *FutureSchemaError) Error() string {
	return fmt.Sprintf("database %s was upgraded by a newer copbot (migration %s; this copbot knows up to %s)",
		e.Path, e.Future[len(e.Future)-1], e.Newest)
}

// Upgrade is what Open did to bring the database up to date.
type Upgrade struct {
	Applied []string // migrations run, in order; none for an up-to-date database
	Backup  string   // the verified copy made before them ("" for a new database)
}

// Upgrade reports the migrations Open ran and the backup it made first.
func (d *DB) Upgrade() Upgrade { return d.upgrade }

// CheckMigrations tells what Open would do to the database at path without
// changing anything: it opens the file read-only and never creates it.
func CheckMigrations(ctx context.Context, path string) (MigrationPlan, error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return planFrom(nil, Migrations()), nil
	}
	d, err := OpenReadOnly(ctx, path)
	if err != nil {
		return MigrationPlan{}, err
	}
	defer d.Close()
	applied, err := appliedMigrations(ctx, d.db)
	if err != nil {
		return MigrationPlan{}, fmt.Errorf("read %s: %w", path, err)
	}
	p := planFrom(applied, Migrations())
	p.Exists = true
	return p, nil
}

// appliedMigrations reads schema_migrations (none if it does not exist).
func appliedMigrations(ctx context.Context, db *sql.DB) ([]string, error) {
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'").Scan(&n); err != nil || n == 0 {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, "SELECT name FROM schema_migrations ORDER BY name")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		names = append(names, s)
	}
	return names, rows.Err()
}

// planFrom compares the applied migrations with the ones known (base
// names, in order).
func planFrom(applied, known []string) MigrationPlan {
	p := MigrationPlan{Applied: applied}
	for _, k := range known {
		if !slices.Contains(applied, k) {
			p.Pending = append(p.Pending, k)
		}
	}
	newest := ""
	if len(known) > 0 {
		newest = known[len(known)-1]
	}
	for _, a := range applied {
		if !slices.Contains(known, a) && a > newest {
			p.Future = append(p.Future, a)
		}
	}
	return p
}

// prepareUpgrade runs before migrate applies names (paths from
// migrations): it refuses a database from the future, and copies an
// existing database that has migrations to run beside itself, verified,
// so that a migration gone wrong (or a downgrade) loses nothing.
func (d *DB) prepareUpgrade(ctx context.Context, names []string) error {
	known := make([]string, len(names))
	for i, n := range names {
		known[i] = strings.TrimPrefix(n, "migrations/")
	}
	applied, err := appliedMigrations(ctx, d.db)
	if err != nil {
		return err
	}
	plan := planFrom(applied, known)
	if len(plan.Future) > 0 {
		return &FutureSchemaError{Path: d.path, Future: plan.Future, Newest: known[len(known)-1]}
	}
	d.upgrade.Applied = plan.Pending
	if len(plan.Pending) == 0 || len(applied) == 0 {
		return nil
	}
	backup := BackupName(d.path, plan.Pending[0], d.now())
	if err := d.backup(ctx, backup); err != nil {
		return fmt.Errorf("backup before migrating, to %s: %w", backup, err)
	}
	d.upgrade.Backup = backup
	return nil
}

// BackupName is where Open keeps the copy it makes before running
// migrations from first on: next to the database, named after both, e.g.
// copbot.db.before-0027-20261207T160000Z.
func BackupName(dbPath, first string, at time.Time) string {
	num, _, _ := strings.Cut(first, "_")
	return fmt.Sprintf("%s.before-%s-%s", dbPath, num, at.UTC().Format("20060102T150405Z"))
}
