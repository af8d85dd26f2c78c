package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// InstallationID returns this database's installation id: 32 lower-case
// hex digits, random, made once when the database was created (migration
// 0031) and never changed; a backup carries it. The edge uses it to make
// identifiers that leave copbot globally unique.
func (d *DB) InstallationID(ctx context.Context) (string, error) {
	var id string
	err := d.read(ctx, func(t *tx) (err error) {
		id, err = t.installationID()
		return err
	})
	return id, err
}

func (t *tx) installationID() (string, error) {
	var id string
	err := t.queryRow("SELECT value FROM meta WHERE key = 'installation_id'").Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("installation id: the meta table has none")
	}
	return id, err
}
