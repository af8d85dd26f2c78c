package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Per-place copies of keyed posts: a platform that posts one copy of a
// keyed post in each of several places (Teams tenants, Slack workspaces)
// records each copy before it is sent and once it is, so that a retry
// posts only the copies not known to be sent. The tables teams_posts and
// slack_posts share this shape; place is the column naming the place.

// PostCopy is one place's copy of a keyed post.
type PostCopy struct {
	Place        string // the tenant or team
	Sent         bool   // else an attempt was made whose outcome is unknown
	Attempts     int
	Conversation string
	MessageID    string
	UpdatedAt    time.Time // of the last attempt, or of the record of its sending
}

// copyTable is one such table. Its queries are built from these constants
// only, so the statement cache sees a bounded set.
type copyTable struct{ name, place string }

var (
	teamsCopies = copyTable{"teams_posts", "tenant_id"}
	slackCopies = copyTable{"slack_posts", "team_id"}
)

func (c copyTable) copies(ctx context.Context, d *DB, key string) (map[string]PostCopy, error) {
	out := map[string]PostCopy{}
	err := d.read(ctx, func(t *tx) error {
		return t.each(`SELECT `+c.place+`, status = 'sent', attempts, conversation, message_id, updated_at
			FROM `+c.name+` WHERE key = ?`, func(rows *sql.Rows) error {
			var p PostCopy
			var at sql.NullString
			if err := rows.Scan(&p.Place, &p.Sent, &p.Attempts, &p.Conversation, &p.MessageID, &at); err != nil {
				return err
			}
			var err error
			p.UpdatedAt, err = parseTime(at)
			out[p.Place] = p
			return err
		}, key)
	})
	return out, err
}

func (c copyTable) begin(ctx context.Context, d *DB, key, place string) error {
	return d.write(ctx, func(t *tx) error {
		ok, err := t.exec1(`INSERT INTO `+c.name+` (key, `+c.place+`, status, updated_at) VALUES (?, ?, 'attempting', ?)
			ON CONFLICT (key, `+c.place+`) DO UPDATE SET attempts = attempts + 1, updated_at = excluded.updated_at
			WHERE `+c.name+`.status = 'attempting'`, key, place, formatTime(d.now()))
		if err == nil && !ok {
			err = fmt.Errorf("post %s was already sent to %s %s", key, c.place, place)
		}
		return err
	})
}

func (c copyTable) record(ctx context.Context, d *DB, key, place, conversation, messageID string) error {
	return d.write(ctx, func(t *tx) error {
		_, err := t.exec(`INSERT INTO `+c.name+` (key, `+c.place+`, status, conversation, message_id, updated_at)
			VALUES (?, ?, 'sent', ?, ?, ?)
			ON CONFLICT (key, `+c.place+`) DO UPDATE SET status = 'sent', conversation = excluded.conversation,
			message_id = excluded.message_id, updated_at = excluded.updated_at`,
			key, place, conversation, messageID, formatTime(d.now()))
		return err
	})
}

// siblings returns every place's sent copy of the post that has the copy
// (conversation, messageID), that copy included, by place.
func (c copyTable) siblings(ctx context.Context, d *DB, conversation, messageID string) (map[string]PostCopy, error) {
	out := map[string]PostCopy{}
	err := d.read(ctx, func(t *tx) error {
		return t.each(`SELECT `+c.place+`, attempts, conversation, message_id FROM `+c.name+`
			WHERE status = 'sent' AND key IN (SELECT key FROM `+c.name+`
				WHERE conversation = ? AND message_id = ? AND status = 'sent')`, func(rows *sql.Rows) error {
			p := PostCopy{Sent: true}
			if err := rows.Scan(&p.Place, &p.Attempts, &p.Conversation, &p.MessageID); err != nil {
				return err
			}
			out[p.Place] = p
			return nil
		}, conversation, messageID)
	})
	return out, err
}
