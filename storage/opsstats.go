package storage

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"time"
)

// OpsStats are the numbers an operator watches (copbot's metrics). They
// hold counts only, never who or what.
type OpsStats struct {
	Deliveries map[string]int // the delivery ledger by status (attempting, sent, failed, uncertain)
	Reminders  map[string]int // meeting reminders by status (pending, sent, skipped, failed)
	// Overdue are pending reminders more than OverdueAfter past their time.
	Overdue int
	// SentLate are reminders that went out after their time (a restart, an outage).
	SentLate int
}

// OverdueAfter is how long past its time a pending reminder counts as
// overdue: the scheduler fires within seconds, so minutes mean trouble.
const OverdueAfter = 5 * time.Minute

// OpsStats reads the counts of the delivery ledger and the reminders in
// one read transaction.
func (d *DB) OpsStats(ctx context.Context) (OpsStats, error) {
	s := OpsStats{Deliveries: map[string]int{}, Reminders: map[string]int{}}
	err := d.read(ctx, func(t *tx) error {
		if err := countBy(t, "SELECT status, count(*) FROM deliveries GROUP BY status", s.Deliveries); err != nil {
			return err
		}
		if err := countBy(t, "SELECT status, count(*) FROM reminders GROUP BY status", s.Reminders); err != nil {
			return err
		}
		cut := d.now().Add(-OverdueAfter).Format(time.RFC3339)
		return t.queryRow(`SELECT
			(SELECT count(*) FROM reminders WHERE status = 'pending' AND due_at < ?),
			(SELECT count(*) FROM reminders WHERE status = 'sent' AND late = 1)`, cut).Scan(&s.Overdue, &s.SentLate)
	})
	return s, err
}

func countBy(t *tx, q string, into map[string]int) error {
	rows, err := t.query(q)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return err
		}
		into[k] = n
	}
	return rows.Err()
}

// FileSizes are the sizes in bytes of the database file and of its
// write-ahead log (0 when there is none: after a checkpoint on close).
func (d *DB) FileSizes() (db, wal int64, err error) {
	fi, err := os.Stat(d.path)
	if err != nil {
		return 0, 0, err
	}
	if wi, werr := os.Stat(d.path + "-wal"); werr == nil {
		wal = wi.Size()
	} else if !errors.Is(werr, fs.ErrNotExist) {
		return fi.Size(), 0, werr
	}
	return fi.Size(), wal, nil
}

// Path is the database file's path.
func (d *DB) Path() string { return d.path }
