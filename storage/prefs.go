package storage

import "context"

// SetMemberPlain records whether member id wants plain replies. It changes
// nothing else (not UpdatedAt: it is a display preference, not profile
// data) and returns ErrNotFound for an unknown member.
func (d *DB) SetMemberPlain(ctx context.Context, id int64, plain bool) (*Member, error) {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "UPDATE members SET plain = ? WHERE id = ?", plain, id); err != nil {
		return nil, err
	}
	m, err := memberOrNotFound(d.queryMember(ctx, tx, memberSelect+" WHERE m.id = ?", id))
	if err != nil {
		return nil, err
	}
	return m, tx.Commit()
}

// NextCounter increments the counter called name (created at 0) and
// returns its new value: 1, 2, 3… across restarts and across processes
// sharing the database.
func (d *DB) NextCounter(ctx context.Context, name string) (int64, error) {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	var n int64
	err = tx.QueryRowContext(ctx, `INSERT INTO counters (name, value) VALUES (?, 1)
		ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value`, name).Scan(&n)
	if err != nil {
		return 0, err
	}
	return n, tx.Commit()
}
