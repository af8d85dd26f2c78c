package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// MarkDeliveryUncertain records that key's copy on p will not be posted
// again by the bot: its answers were lost and the platform cannot be
// searched, so only a coordinator who looks at the channel can say
// (ResolveDelivery). A copy recorded as sent stays sent.
func (d *DB) MarkDeliveryUncertain(ctx context.Context, key string, p Platform) error {
	now := formatTime(d.now())
	return d.write(ctx, func(t *tx) error {
		_, err := t.exec(`UPDATE deliveries SET status = 'uncertain', updated_at = ?
			WHERE key = ? AND platform = ? AND status IN ('failed', 'attempting')`, now, key, string(p))
		return err
	})
}

// ResolveDelivery records a coordinator's answer about a copy the bot
// could not be sure of (uncertain, or failed): posted means they saw it in
// the channel, and it is recorded as sent (without a message id); otherwise
// it is missing, and its lost attempts are forgotten so that the next
// attempt posts it (once) without looking first. by names the coordinator.
// A copy already sent, or never attempted, is a conflict or not found.
func (d *DB) ResolveDelivery(ctx context.Context, key string, p Platform, posted bool, by string) (*Delivery, error) {
	now := formatTime(d.now())
	var dl *Delivery
	err := d.write(ctx, func(t *tx) error {
		var err error
		if dl, err = t.delivery(key, p); err != nil {
			return deliveryNotFound(key, p, err)
		}
		if dl.Status != DeliveryUncertain && dl.Status != DeliveryFailed {
			return Errorf(ECONFLICT, "delivery_error_not_uncertain", map[string]any{"Key": key, "Platform": string(p),
				"Status": string(dl.Status)}, "post %s on %s is %s, not waiting for a coordinator", key, p, dl.Status)
		}
		if posted {
			_, err = t.exec(`UPDATE deliveries SET status = 'sent', error_code = '', last_error = '', resolved_by = ?,
				updated_at = ? WHERE key = ? AND platform = ?`, by, now, key, string(p))
		} else {
			_, err = t.exec(`UPDATE deliveries SET status = 'failed', lost = 0, error_code = ?, last_error = '',
				resolved_by = ?, updated_at = ? WHERE key = ? AND platform = ?`, FailureRepost, by, now, key, string(p))
		}
		if err == nil {
			dl, err = t.delivery(key, p)
		}
		if err != nil {
			return err
		}
		return t.auditWork(&AuditEntry{Action: AuditDeliveryResolve, Target: key,
			Detail: map[string]string{"platform": string(p), "posted": fmt.Sprint(posted)}})
	})
	return dl, err
}

func deliveryNotFound(key string, p Platform, err error) error {
	if errors.Is(err, ErrNotFound) {
		return Errorf(ENOTFOUND, "delivery_error_not_found", map[string]any{"Key": key, "Platform": string(p)},
			"no post %s on %s", key, p)
	}
	return err
}

// UncertainDeliveries lists the copies waiting for a coordinator, oldest
// first.
func (d *DB) UncertainDeliveries(ctx context.Context) ([]*Delivery, error) {
	var out []*Delivery
	err := d.read(ctx, func(t *tx) error {
		return t.each("SELECT "+deliveryColumns+" FROM deliveries WHERE status = 'uncertain' ORDER BY updated_at, key, platform",
			func(rows *sql.Rows) error {
				dl, err := scanDelivery(rows)
				out = append(out, dl)
				return err
			})
	})
	return out, err
}

// PollCardKey is the delivery key of poll id's card: it names that poll
// for ever, as poll ids are never given twice.
func PollCardKey(id int64) string { return "poll:" + strconv.FormatInt(id, 10) }

// UnfinishedPost is a post whose delivery is not over: an attempt is left
// (attempting, or failed and to be retried) on some platform, or a copy
// went out that its owner has not recorded yet.
type UnfinishedPost struct {
	ID        int64     // the owner's id: the poll, the announcement
	StartedAt time.Time // when its latest attempt started
}

// UnfinishedPollCards lists the polls whose card is unfinished: a copy
// attempting or failed (not uncertain: that waits for a coordinator), or
// sent with a message id that poll_messages does not hold (a crash between
// the post's record and the poll's).
func (d *DB) UnfinishedPollCards(ctx context.Context) ([]UnfinishedPost, error) {
	var out []UnfinishedPost
	err := d.read(ctx, func(t *tx) error {
		return t.each(`SELECT p.id, MAX(dl.started_at) FROM polls p JOIN deliveries dl ON dl.key = 'poll:' || p.id
			WHERE dl.status IN ('attempting', 'failed')
			   OR (dl.status = 'sent' AND dl.message_id <> '' AND NOT EXISTS (SELECT 1 FROM poll_messages m
			       WHERE m.poll_id = p.id AND m.kind = 'card' AND m.platform = dl.platform AND m.message_id = dl.message_id))
			GROUP BY p.id ORDER BY p.id`, func(rows *sql.Rows) error {
			var u UnfinishedPost
			var started sql.NullString
			if err := rows.Scan(&u.ID, &started); err != nil {
				return err
			}
			out = append(out, u)
			return parseTimes(parsed{&out[len(out)-1].StartedAt, started})
		})
	})
	return out, err
}
