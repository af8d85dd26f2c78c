package storage

import "context"

// NextCounter increments the counter called name (created at 0) and
// returns its new value: 1, 2, 3… across restarts and across processes
// sharing the database.
func (d *DB) NextCounter(ctx context.Context, name string) (int64, error) {
	var n int64
	err := d.write(ctx, func(t *tx) error {
		return t.queryRow(`INSERT INTO counters (name, value) VALUES (?, 1)
			ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value`, name).Scan(&n)
	})
	return n, err
}
