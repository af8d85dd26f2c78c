package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrUnhealthy is what Health and Backup wrap when the database (or a
// copy) fails a check; the rest of the message says which and why.
var ErrUnhealthy = errors.New("database failed its health check")

// Health checks that the database is sound and writable: PRAGMA
// quick_check must answer "ok" (a damaged page fails it) and a write
// transaction must commit (a read-only file or a full disk fails it). It
// costs a scan of the whole file, so callers that poll cache its result.
// The error wraps ErrUnhealthy and says which check failed and why.
//
// After CheckInBackground, a failed start-up check is the answer for the
// life of the DB (writes are refused; a damaged file does not mend), and
// while that check runs Health answers nil at once: the process serves
// reads, and writes wait for the verdict.
func (d *DB) Health(ctx context.Context) error {
	switch in := d.Integrity(); {
	case in.Err != nil:
		return in.Err
	case in.Running:
		return nil
	}
	if err := d.checkOnce(ctx); err != nil {
		return err
	}
	if err := d.writeProbe(ctx); err != nil {
		return fmt.Errorf("%w: write probe: %v", ErrUnhealthy, err)
	}
	return nil
}

// quickCheck runs PRAGMA pragma (quick_check or integrity_check) on db and
// returns nil if it says "ok", else up to three of its findings.
func (d *DB) quickCheck(ctx context.Context, db *sql.DB, pragma string) error {
	rows, err := db.QueryContext(ctx, "PRAGMA "+pragma)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrUnhealthy, pragma, err)
	}
	defer rows.Close()
	var found []string
	for rows.Next() && len(found) < 3 {
		var line string
		if err := rows.Scan(&line); err != nil {
			return fmt.Errorf("%w: %s: %v", ErrUnhealthy, pragma, err)
		}
		found = append(found, line)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrUnhealthy, pragma, err)
	}
	if len(found) == 1 && found[0] == "ok" {
		return nil
	}
	return fmt.Errorf("%w: %s: %s", ErrUnhealthy, pragma, strings.Join(found, "; "))
}

// writeProbe commits one write to health_probe.
func (d *DB) writeProbe(ctx context.Context) error {
	return d.write(ctx, func(t *tx) error {
		_, err := t.exec("INSERT OR REPLACE INTO health_probe (id, checked_at) VALUES (1, ?)", d.now().Format(time.RFC3339))
		return err
	})
}
