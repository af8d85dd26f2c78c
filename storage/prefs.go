package storage

import "context"

// SetMemberPlain records whether member id wants plain replies. It changes
// nothing else (not UpdatedAt: it is a display preference, not profile
// data) and returns ErrNotFound for an unknown member.
func (d *DB) SetMemberPlain(ctx context.Context, id int64, plain bool) (*Member, error) {
	var m *Member
	err := d.write(ctx, func(t *tx) error {
		if _, err := t.exec("UPDATE members SET plain = ? WHERE id = ?", plain, id); err != nil {
			return err
		}
		var err error
		m, err = memberOrNotFound(t.queryMember(memberSelect+" WHERE m.id = ?", id))
		return err
	})
	return m, err
}

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
