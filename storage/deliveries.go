package storage

import (
	"context"
	"database/sql"
	"time"
	"unicode/utf8"
)

// DeliveryStatus is where one platform's copy of a keyed post is.
type DeliveryStatus string

// Delivery statuses. Only a sent delivery is certain; after an attempt
// whose answer was lost or that a crash cut short, the post may or may not
// be in the channel, so the next attempt looks for it first (see
// Delivery.Uncertain). Where the platform cannot look, the bot retries such
// a post once, then marks it uncertain and leaves it to a coordinator who
// checks the channel (ResolveDelivery).
const (
	DeliveryAttempting DeliveryStatus = "attempting" // an attempt started and its outcome was never recorded
	DeliverySent       DeliveryStatus = "sent"
	DeliveryFailed     DeliveryStatus = "failed"    // the last attempt ended in an error: see ErrorCode
	DeliveryUncertain  DeliveryStatus = "uncertain" // answers lost, no look-up: the bot will not post it again by itself
)

// Why an attempt failed (Delivery.ErrorCode): codes the edge translates,
// never an error's text.
const (
	FailureLost    = "lost"     // no answer came: the post may be in the channel
	FailureRefused = "refused"  // the platform answered with an error: not posted
	FailureNotSent = "not_sent" // the request never left (no connection, no token, no channel)
	FailureRepost  = "repost"   // a coordinator found it missing and asked for it again
	FailureUnknown = "unknown"  // recorded before the codes, with the old error text dropped
)

// Delivery is the ledger row of one keyed community post on one platform.
// Key is the job's key ("reminder:42"): the adapter attaches it to the
// message, so that the post can be found again in the channel.
type Delivery struct {
	Key       string
	Platform  Platform
	Status    DeliveryStatus
	Attempts  int
	Lost      int       // attempts whose answer was lost: each may have posted
	FirstAt   time.Time // when the first attempt started: a look-up searches from here
	StartedAt time.Time // when the latest attempt started
	Ref       PostRef   // where it went, once sent (no ID when a coordinator confirmed it)
	ErrorCode string    // why the last attempt failed: Failure…
	LastError string    // the platform's own word for it ("HTTP 502", "channel_not_found"), if any
	// ResolvedBy names the coordinator who said it was posted, or asked
	// for it again.
	ResolvedBy string
	UpdatedAt  time.Time
}

// Uncertain reports whether an earlier attempt may have reached the
// platform without its outcome being known: any attempt not recorded as
// sent. Posting again blindly could double the message.
func (d *Delivery) Uncertain() bool {
	return d != nil && d.Status != DeliverySent && d.Attempts > 0
}

// LostAttempts counts the attempts that may have posted without the bot
// learning it: those whose answer was lost, and one still marked
// attempting (cut short by a crash, or running elsewhere).
func (d *Delivery) LostAttempts() int {
	if d == nil {
		return 0
	}
	if d.Status == DeliveryAttempting {
		return d.Lost + 1
	}
	return d.Lost
}

const deliveryColumns = `key, platform, status, attempts, lost, first_at, started_at, channel, message_id, error_code,
	last_error, resolved_by, updated_at`

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
// It is refused with a conflict when the post is recorded as sent
// (delivery_error_sent) or left to a coordinator (delivery_error_uncertain).
// A row still attempting is an attempt whose outcome was never recorded (a
// crash cut it short): it counts as lost, and this one takes over.
func (d *DB) BeginDelivery(ctx context.Context, key string, p Platform) (*Delivery, error) {
	now := formatTime(d.now())
	var dl *Delivery
	err := d.write(ctx, func(t *tx) error {
		started, err := t.exec1(`INSERT INTO deliveries (key, platform, status, attempts, first_at, started_at, updated_at)
			VALUES (?, ?, 'attempting', 1, ?, ?, ?)
			ON CONFLICT (key, platform) DO UPDATE SET status = 'attempting', attempts = attempts + 1,
			lost = lost + (deliveries.status = 'attempting'),
			started_at = excluded.started_at, updated_at = excluded.updated_at
			WHERE deliveries.status IN ('failed', 'attempting')`,
			key, string(p), now, now, now)
		if err != nil {
			return err
		}
		if dl, err = t.delivery(key, p); err != nil || started {
			return err
		}
		return deliveryRefusal(dl)
	})
	return dl, err
}

// deliveryRefusal is BeginDelivery's conflict over dl, which it did not
// claim.
func deliveryRefusal(dl *Delivery) error {
	args := map[string]any{"Key": dl.Key, "Platform": string(dl.Platform)}
	if dl.Status == DeliveryUncertain {
		return Errorf(ECONFLICT, "delivery_error_uncertain", args, "post %s on %s waits for a coordinator to check the channel", dl.Key, dl.Platform)
	}
	return Errorf(ECONFLICT, "delivery_error_sent", args, "post %s was already delivered to %s", dl.Key, dl.Platform)
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
			message_id = excluded.message_id, error_code = '', last_error = '', resolved_by = '', updated_at = excluded.updated_at
			WHERE deliveries.status != 'sent'`,
			key, string(ref.Platform), now, now, ref.Channel, ref.ID, now)
		return err
	})
}

// RecordDeliveryFailure records that the latest attempt to post key on p
// failed, why (code, one of Failure…) and the platform's own word for it
// (detail: an HTTP status, a Slack error code; never an error's text). A
// lost answer counts as a lost attempt: it may have posted, so the next
// attempt looks for it first.
func (d *DB) RecordDeliveryFailure(ctx context.Context, key string, p Platform, code, detail string) error {
	if utf8.RuneCountInString(detail) > maxReminderError {
		detail = string([]rune(detail)[:maxReminderError])
	}
	lost := 0
	if code == FailureLost {
		lost = 1
	}
	now := formatTime(d.now())
	return d.write(ctx, func(t *tx) error {
		_, err := t.exec(`UPDATE deliveries SET status = 'failed', error_code = ?, last_error = ?, lost = lost + ?,
			updated_at = ? WHERE key = ? AND platform = ? AND status = 'attempting'`,
			code, detail, lost, now, key, string(p))
		return err
	})
}

// RecordDeliveryFailed records a failed attempt whose cause is only an
// error's text: as a lost answer (the post may be there), the text kept as
// its detail. The handlers core is moving to RecordDeliveryFailure,
// which says what the platform answered instead of an English error.
func (d *DB) RecordDeliveryFailed(ctx context.Context, key string, p Platform, cause string) error {
	return d.RecordDeliveryFailure(ctx, key, p, FailureLost, cause)
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
	if err := rows.Scan(&dl.Key, &platform, &status, &dl.Attempts, &dl.Lost, &first, &started, &dl.Ref.Channel,
		&dl.Ref.ID, &dl.ErrorCode, &dl.LastError, &dl.ResolvedBy, &updated); err != nil {
		return nil, err
	}
	dl.Platform, dl.Status, dl.Ref.Platform = Platform(platform), DeliveryStatus(status), Platform(platform)
	return &dl, parseTimes(parsed{&dl.FirstAt, first}, parsed{&dl.StartedAt, started}, parsed{&dl.UpdatedAt, updated})
}

// PruneDeliveries deletes the ledger rows that no attempt has touched since
// before and reports how many went. Rows still attempting are kept
// whatever their age: their outcome is unknown until start-up
// reconciliation finds the post (or posts it once), and without the row it
// would post blindly. A sent or failed row is only needed while its job
// may run again, and every attempt of a job touches its row (BeginDelivery,
// RecordDeliverySent, RecordDeliveryFailed), so before must lie beyond the
// longest pause between two attempts of one job: days, for jobs retried
// within minutes.
func (d *DB) PruneDeliveries(ctx context.Context, before time.Time) (int, error) {
	var n int64
	err := d.write(ctx, func(t *tx) error {
		res, err := t.exec("DELETE FROM deliveries WHERE status <> 'attempting' AND updated_at < ?", formatTime(before))
		if err == nil {
			n, err = res.RowsAffected()
		}
		return err
	})
	return int(n), err
}
