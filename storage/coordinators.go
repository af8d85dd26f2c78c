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
// command line) is recorded as who did it, and the audit log records it
// (AuditRoleAdd) with ctx's actor, else by. Adding an existing coordinator
// changes nothing. An identity of an unknown platform or without id gives
// EINVALID error_identity_invalid {Value}.
func (d *DB) AddCoordinator(ctx context.Context, id Identity, by Identity) error {
	if err := checkIdentity(id); err != nil {
		return err
	}
	addedBy := ""
	if !by.IsZero() {
		addedBy = by.String()
	}
	return d.write(ctx, func(t *tx) error {
		added, err := t.exec1(`INSERT INTO coordinators (platform, id, added_by, added_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (platform, id) DO NOTHING`, id.Platform, id.ID, addedBy, formatTime(d.now()))
		if err != nil || !added {
			return err
		}
		e := &AuditEntry{Action: AuditRoleAdd, Target: id.String()}
		if _, ok := ActorFrom(ctx); !ok {
			e.Actor = by
		}
		return t.audit(e)
	})
}

// RemoveCoordinator removes a coordinator added at run time, and the audit
// log records it (AuditRoleRemove); ErrNotFound if id is not one
// (coordinators named in the config are not stored here).
func (d *DB) RemoveCoordinator(ctx context.Context, id Identity) error {
	return d.write(ctx, func(t *tx) error {
		removed, err := t.exec1("DELETE FROM coordinators WHERE platform = ? AND id = ?", id.Platform, id.ID)
		switch {
		case err != nil:
			return fmt.Errorf("remove coordinator: %w", err)
		case !removed:
			return ErrNotFound
		}
		return t.audit(&AuditEntry{Action: AuditRoleRemove, Target: id.String()})
	})
}

// IsCoordinator reports whether id was made a coordinator at run time.
func (d *DB) IsCoordinator(ctx context.Context, id Identity) (bool, error) {
	var ok bool
	err := d.read(ctx, func(t *tx) (err error) {
		ok, err = t.isCoordinator(id)
		return err
	})
	return ok, err
}

func (t *tx) isCoordinator(id Identity) (bool, error) {
	var ok bool
	err := t.queryRow("SELECT EXISTS (SELECT 1 FROM coordinators WHERE platform = ? AND id = ?)", id.Platform, id.ID).Scan(&ok)
	return ok, err
}

// ListCoordinators returns the coordinators added at run time, oldest first.
func (d *DB) ListCoordinators(ctx context.Context) ([]Identity, error) {
	var out []Identity
	err := d.read(ctx, func(t *tx) error {
		return t.each("SELECT platform, id FROM coordinators ORDER BY added_at, platform, id", func(rows *sql.Rows) error {
			var id Identity
			err := rows.Scan(&id.Platform, &id.ID)
			out = append(out, id)
			return err
		})
	})
	return out, err
}
