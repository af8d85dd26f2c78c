package storage

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

// SQLiteVersion is the version of the SQLite library compiled into copbot
// (modernc.org/sqlite), asked of an in-memory database so that no file is
// opened.
func SQLiteVersion(ctx context.Context) (string, error) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		return "", err
	}
	defer db.Close()
	var v string
	if err := db.QueryRowContext(ctx, "SELECT sqlite_version()").Scan(&v); err != nil {
		return "", fmt.Errorf("sqlite_version: %w", err)
	}
	return v, nil
}

// Migrations lists the names of the migrations this binary carries, in the
// order they apply ("0026_announcements.sql"…).
func Migrations() []string {
	names, _ := fs.Glob(migrationFS, "migrations/*.sql")
	for i, n := range names {
		names[i] = strings.TrimPrefix(n, "migrations/")
	}
	sort.Strings(names)
	return names
}
