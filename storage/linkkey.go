package storage

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
)

// The key that signs the report links coordinators hand out ("report
// link"): 32 random bytes kept in the meta table, made on first use, so
// that every process on the database signs and checks with the same key
// and links survive restarts. Replacing it revokes every link given.

// AuditReportLinksRevoke is RotateLinkKey's audit action: every report
// link given so far stops working.
const AuditReportLinksRevoke AuditAction = "report.links_revoke"

// linkKeySize is the key's length in bytes (HMAC-SHA256's block is 64,
// its output 32: 32 bytes of key is the full strength).
const linkKeySize = 32

// LinkKey returns the report links' signing key, making it on first use.
func (d *DB) LinkKey(ctx context.Context) ([]byte, error) {
	var key []byte
	err := d.read(ctx, func(t *tx) (err error) {
		key, err = t.linkKey()
		return err
	})
	if err != nil || key != nil {
		return key, err
	}
	err = d.write(ctx, func(t *tx) error {
		if key, err = t.linkKey(); err != nil || key != nil { // another process made it first
			return err
		}
		key, err = t.setLinkKey()
		return err
	})
	return key, err
}

// RotateLinkKey replaces the key, so that every report link given so far
// stops working, and records it in the audit log (AuditReportLinksRevoke).
func (d *DB) RotateLinkKey(ctx context.Context) error {
	return d.write(ctx, func(t *tx) error {
		if _, err := t.setLinkKey(); err != nil {
			return err
		}
		return t.audit(&AuditEntry{Action: AuditReportLinksRevoke, Target: "report"})
	})
}

// linkKey reads the key, nil if there is none yet.
func (t *tx) linkKey() ([]byte, error) {
	var h string
	err := t.queryRow("SELECT value FROM meta WHERE key = 'report_link_key'").Scan(&h)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return hex.DecodeString(h)
}

// setLinkKey stores a new random key.
func (t *tx) setLinkKey() ([]byte, error) {
	key := make([]byte, linkKeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	_, err := t.exec(`INSERT INTO meta (key, value) VALUES ('report_link_key', ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, hex.EncodeToString(key))
	return key, err
}
