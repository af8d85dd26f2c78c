package storage

import (
	"context"
	"crypto/rand"
	"database/sql"
)

// EmailPref is a member's email setting: whether they chose (Set) and
// what (On), and the secret of their one-click unsubscribe link.
type EmailPref struct {
	MemberID int64
	Set      bool // the member chose; else the default applies
	On       bool
	Token    string
}

// EmailPrefs returns every member's email setting that exists, by member.
func (d *DB) EmailPrefs(ctx context.Context) (map[int64]EmailPref, error) {
	out := map[int64]EmailPref{}
	err := d.read(ctx, func(t *tx) error {
		return t.each("SELECT member_id, wants, token FROM email_settings", func(rows *sql.Rows) error {
			var p EmailPref
			var wants sql.NullBool
			if err := rows.Scan(&p.MemberID, &wants, &p.Token); err != nil {
				return err
			}
			p.Set, p.On = wants.Valid, wants.Bool
			out[p.MemberID] = p
			return nil
		})
	})
	return out, err
}

// SetEmailWanted records member id's own choice about email.
func (d *DB) SetEmailWanted(ctx context.Context, id int64, on bool) (EmailPref, error) {
	var p EmailPref
	err := d.write(ctx, func(t *tx) error {
		if _, err := t.exec(`INSERT INTO email_settings (member_id, wants, token, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (member_id) DO UPDATE SET wants = excluded.wants, updated_at = excluded.updated_at`,
			id, on, rand.Text(), formatTime(d.now())); err != nil {
			return err
		}
		var err error
		p, err = t.emailPref(id)
		return err
	})
	return p, err
}

// EmailToken returns member id's unsubscribe secret, made on first use.
func (d *DB) EmailToken(ctx context.Context, id int64) (string, error) {
	var p EmailPref
	err := d.write(ctx, func(t *tx) error {
		if _, err := t.exec(`INSERT INTO email_settings (member_id, token, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (member_id) DO NOTHING`, id, rand.Text(), formatTime(d.now())); err != nil {
			return err
		}
		var err error
		p, err = t.emailPref(id)
		return err
	})
	return p.Token, err
}

// UnsubscribeEmail turns email off for the member whose secret token is
// and returns their id; an unknown token is ErrNotFound and changes
// nothing.
func (d *DB) UnsubscribeEmail(ctx context.Context, token string) (int64, error) {
	var id int64
	// Unknown tokens, which anyone can send, are turned away by a read:
	// they never wait for the writer.
	err := d.read(ctx, func(t *tx) error {
		err := t.queryRow("SELECT member_id FROM email_settings WHERE token = ?", token).Scan(&id)
		if err == sql.ErrNoRows {
			return ErrNotFound
		}
		return err
	})
	if err != nil {
		return 0, err
	}
	err = d.write(ctx, func(t *tx) error {
		err := t.queryRow(`UPDATE email_settings SET wants = 0, updated_at = ? WHERE token = ? RETURNING member_id`,
			formatTime(d.now()), token).Scan(&id)
		if err == sql.ErrNoRows {
			return ErrNotFound
		}
		return err
	})
	return id, err
}

func (t *tx) emailPref(id int64) (EmailPref, error) {
	p := EmailPref{MemberID: id}
	var wants sql.NullBool
	err := t.queryRow("SELECT wants, token FROM email_settings WHERE member_id = ?", id).Scan(&wants, &p.Token)
	p.Set, p.On = wants.Valid, wants.Bool
	return p, err
}

// DeliveriesWithPrefix returns the ledger rows on platform p whose key
// starts with prefix ("email:meeting:7:"), by key.
func (d *DB) DeliveriesWithPrefix(ctx context.Context, p Platform, prefix string) ([]*Delivery, error) {
	var out []*Delivery
	err := d.read(ctx, func(t *tx) error {
		return t.each("SELECT "+deliveryColumns+" FROM deliveries WHERE platform = ? AND substr(key, 1, ?) = ? ORDER BY key",
			func(rows *sql.Rows) error {
				dl, err := scanDelivery(rows)
				out = append(out, dl)
				return err
			}, string(p), len(prefix), prefix)
	})
	return out, err
}
