package storage

import (
	"context"
	"database/sql"
)

// PollMessage is one posted copy of a poll.
type PollMessage struct {
	Platform  Platform
	Channel   string
	MessageID string
	Result    bool // the result post, not the live card
}

func (m PollMessage) kind() string {
	if m.Result {
		return "result"
	}
	return "card"
}

// AddPollMessage records where the poll was posted.
func (d *DB) AddPollMessage(ctx context.Context, pollID int64, m PollMessage) error {
	return d.write(ctx, func(t *tx) error {
		_, err := t.exec(`INSERT OR IGNORE INTO poll_messages (poll_id, platform, channel, message_id, kind)
			VALUES (?, ?, ?, ?, ?)`, pollID, string(m.Platform), m.Channel, m.MessageID, m.kind())
		if sqliteCode(err) == sqliteConstraintForeignKey {
			return pollErrNotFound(pollID)
		}
		return err
	})
}

// PollMessages returns where the poll's live card was posted (not its
// result posts: see TakePollResultMessages).
func (d *DB) PollMessages(ctx context.Context, pollID int64) ([]PollMessage, error) {
	var out []PollMessage
	err := d.read(ctx, func(t *tx) (err error) {
		out, err = pollMessages(t, pollID, "card")
		return err
	})
	return out, err
}

// pollMessages lists the poll's posts of kind "card" or "result".
func pollMessages(t *tx, pollID int64, kind string) ([]PollMessage, error) {
	var out []PollMessage
	err := t.each(`SELECT platform, channel, message_id FROM poll_messages
		WHERE poll_id = ? AND kind = ? ORDER BY platform, channel, message_id`, func(rows *sql.Rows) error {
		m := PollMessage{Result: kind == "result"}
		err := rows.Scan(&m.Platform, &m.Channel, &m.MessageID)
		out = append(out, m)
		return err
	}, pollID, kind)
	return out, err
}

// TakePollResultMessages returns where the poll's result was posted and
// forgets those posts, in one transaction: the caller (a reopening) rewrites
// them as withdrawn, and the next close posts a new result.
func (d *DB) TakePollResultMessages(ctx context.Context, pollID int64) ([]PollMessage, error) {
	var out []PollMessage
	err := d.write(ctx, func(t *tx) (err error) {
		if out, err = pollMessages(t, pollID, "result"); err != nil {
			return err
		}
		_, err = t.exec("DELETE FROM poll_messages WHERE poll_id = ? AND kind = 'result'", pollID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
