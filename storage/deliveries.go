package storage

import (
	"context"
	"database/sql"
	"time"
	"unicode/utf8"
)

// DeliveryStatus is where one platform's copy of a keyed post is.
type DeliveryStatus string

// Delivery statuses. Only a sent delivery is certain; after the other two
// the post may or may not be in the channel (a lost answer, a crash), so
// the next attempt looks for it first (see Delivery.Uncertain).
const (
	DeliveryAttempting DeliveryStatus = "attempting" // an attempt started and its outcome was never recorded
	DeliverySent       DeliveryStatus = "sent"
	DeliveryFailed     DeliveryStatus = "failed" // the last attempt ended in an error: see LastError
)

// Delivery is the ledger row of one keyed community post on one platform.
// Key is the job's key ("reminder:42"): the adapter attaches it to the
// message, so that the post can be found again in the channel.
type Delivery struct {
	Key       string
	Platform  Platform
	Status    DeliveryStatus
	Attempts  int
	FirstAt   time.Time // when the first attempt started: a look-up searches from here
	StartedAt time.Time // when the latest attempt started
	Ref       PostRef   // where it went, once sent
	LastError string
	UpdatedAt time.Time
}

// Uncertain reports whether an earlier attempt may have reached the
// platform without its outcome being known: any attempt not recorded as
// sent. Posting again blindly could double the message.
func (d *Delivery) Uncertain() bool {
	return d != nil && d.Status != DeliverySent && d.Attempts > 0
}

const deliveryColumns = `key, platform, status, attempts, first_at, started_at, channel, message_id, last_error, updated_at`

// Deliveries returns the ledger rows of key, one per platform tried, by
// platform name. A key never tried has none.
func (d *DB) Deliveries(ctx context.Context, key string) ([]*Delivery, error) {
	var out []*Delivery
	err := d.read(ctx, func(t *tx) error {
		return t.each("SELECT "+deliveryColumns+" FROM deliveries WHERE key = ? ORDER BY platform",
			func(rows *sql.Rows) error {
				dl, err := scanDelivery(rows)
				out = append(out, dl)
				return err
			}, key)
	})
	return out, err
}

// BeginDelivery records, and commits, that an attempt to post key on
// platform p starts now: the write-ahead intent. Call it before sending the
// post, so that a crash during the post leaves an attempting row behind.
// It is a conflict (delivery_error_sent) if the post is already recorded
// as sent there.
func (d *DB) BeginDelivery(ctx context.Context, key string, p Platform) (*Delivery, error) {
	now := formatTime(d.now())
	var dl *Delivery
	err := d.write(ctx, func(t *tx) error {
		started, err := t.exec1(`INSERT INTO deliveries (key, platform, status, attempts, first_at, started_at, updated_at)
			VALUES (?, ?, 'attempting', 1, ?, ?, ?)
			ON CONFLICT (key, platform) DO UPDATE SET status = 'attempting', attempts = attempts + 1,
			started_at = excluded.started_at, updated_at = excluded.updated_at WHERE deliveries.status != 'sent'`,
			key, string(p), now, now, now)
		switch {
		case err != nil:
			return err
		case !started:
			return Errorf(ECONFLICT, "delivery_error_sent", map[string]any{"Key": key, "Platform": string(p)},
				"post %s was already delivered to %s", key, p)
		}
		dl, err = t.delivery(key, p)
		return err
	})
	return dl, err
}

// RecordDeliverySent records that key reached platform ref.Platform at
// ref. Recording it twice (a look-up found what a lost answer hid) keeps
// the first ref.
func (d *DB) RecordDeliverySent(ctx context.Context, key string, ref PostRef) error {
	now := formatTime(d.now())
	return d.write(ctx, func(t *tx) error {
		_, err := t.exec(`INSERT INTO deliveries (key, platform, status, attempts, first_at, started_at,
			channel, message_id, updated_at) VALUES (?, ?, 'sent', 0, ?, ?, ?, ?, ?)
			ON CONFLICT (key, platform) DO UPDATE SET status = 'sent', channel = excluded.channel,
			message_id = excluded.message_id, last_error = '', updated_at = excluded.updated_at
			WHERE deliveries.status != 'sent'`,
			key, string(ref.Platform), now, now, ref.Channel, ref.ID, now)
		return err
	})
}

// RecordDeliveryFailed records that the latest attempt to post key on p
// ended in cause. The outcome stays uncertain (a timeout may hide a post
// that arrived): the next attempt still looks for it first.
func (d *DB) RecordDeliveryFailed(ctx context.Context, key string, p Platform, cause string) error {
	if utf8.RuneCountInString(cause) > maxReminderError {
		cause = string([]rune(cause)[:maxReminderError])
	}
	now := formatTime(d.now())
	return d.write(ctx, func(t *tx) error {
		_, err := t.exec(`UPDATE deliveries SET status = 'failed', last_error = ?, updated_at = ?
			WHERE key = ? AND platform = ? AND status != 'sent'`, cause, now, key, string(p))
		return err
	})
}

func (t *tx) delivery(key string, p Platform) (*Delivery, error) {
	var out *Delivery
	err := t.each("SELECT "+deliveryColumns+" FROM deliveries WHERE key = ? AND platform = ?",
		func(rows *sql.Rows) error {
			var err error
			out, err = scanDelivery(rows)
			return err
		}, key, string(p))
	if err == nil && out == nil {
		err = ErrNotFound
	}
	return out, err
}

func scanDelivery(rows *sql.Rows) (*Delivery, error) {
	var dl Delivery
	var platform, status string
	var first, started, updated sql.NullString
	if err := rows.Scan(&dl.Key, &platform, &status, &dl.Attempts, &first, &started, &dl.Ref.Channel,
		&dl.Ref.ID, &dl.LastError, &updated); err != nil {
		return nil, err
	}
	dl.Platform, dl.Status, dl.Ref.Platform = Platform(platform), DeliveryStatus(status), Platform(platform)
	return &dl, parseTimes(parsed{&dl.FirstAt, first}, parsed{&dl.StartedAt, started}, parsed{&dl.UpdatedAt, updated})
}
