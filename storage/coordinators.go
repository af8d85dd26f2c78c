package storage

import (
	"context"
	"database/sql"
	"fmt"
)

// checkIdentity accepts an identity of a known platform with an id.
func checkIdentity(id Identity) error {
	if _, ok := platformColumn(id.Platform); !ok || id.ID == "" {
		return invalidf("error_identity_invalid", map[string]any{"Value": id.String()},
			"%q is not platform:id with platform console, slack or teams", id.String())
	}
	return nil
}

// AddCoordinator makes id a coordinator; by (may be zero, e.g. from the
// command line) is recorded as who did it. Adding an existing coordinator
// changes nothing. An identity of an unknown platform or without id gives
// EINVALID error_identity_invalid {Value}.
func (d *DB) AddCoordinator(ctx context.Context, id Identity, by Identity) error {
	if err := checkIdentity(id); err != nil {
		return err
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	addedBy := ""
	if !by.IsZero() {
		addedBy = by.String()
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO coordinators (platform, id, added_by, added_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (platform, id) DO NOTHING`, id.Platform, id.ID, addedBy, formatTime(d.now()))
	if err != nil {
		return fmt.Errorf("add coordinator: %w", err)
	}
	return tx.Commit()
}

// RemoveCoordinator removes a coordinator added at run time; ErrNotFound if
// id is not one (coordinators named in the config are not stored here).
func (d *DB) RemoveCoordinator(ctx context.Context, id Identity) error {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, "DELETE FROM coordinators WHERE platform = ? AND id = ?", id.Platform, id.ID)
	if err != nil {
		return fmt.Errorf("remove coordinator: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err == nil {
			err = ErrNotFound
		}
		return err
	}
	return tx.Commit()
}

// IsCoordinator reports whether id was made a coordinator at run time.
func (d *DB) IsCoordinator(ctx context.Context, id Identity) (bool, error) {
	tx, err := d.beginRead(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	st, err := d.stmt(ctx, tx, "SELECT EXISTS (SELECT 1 FROM coordinators WHERE platform = ? AND id = ?)")
	if err != nil {
		return false, err
	}
	var ok bool
	err = st.QueryRowContext(ctx, id.Platform, id.ID).Scan(&ok)
	return ok, err
}

// ListCoordinators returns the coordinators added at run time, oldest first.
func (d *DB) ListCoordinators(ctx context.Context) ([]Identity, error) {
	tx, err := d.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var out []Identity
	err = d.eachRow(ctx, tx, "SELECT platform, id FROM coordinators ORDER BY added_at, platform, id",
		func(rows *sql.Rows) error {
			var id Identity
			if err := rows.Scan(&id.Platform, &id.ID); err != nil {
				return err
			}
			out = append(out, id)
			return nil
		})
	return out, err
}
