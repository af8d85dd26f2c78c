package storage

import (
	"context"
	"database/sql"
)

// PollWithTurnout reads a poll and its turnout (see PollTurnout) in one
// snapshot, so that a card never shows counts from before a vote beside a
// turnout from after it ("1 vote" beside "No votes yet").
func (d *DB) PollWithTurnout(ctx context.Context, id int64) (*Poll, Turnout, error) {
	t, err := d.pollBegin(ctx, true)
	if err != nil {
		return nil, Turnout{}, err
	}
	defer t.tx.Rollback()
	p, err := pollGet(t, id)
	if err != nil {
		return nil, Turnout{}, err
	}
	out, err := pollTurnoutTx(t, id)
	return p, out, err
}

// TakePollResultMessages returns where the poll's result was posted and
// forgets those posts, in one transaction: the caller (a reopening) rewrites
// them as withdrawn, and the next close posts a new result.
func (d *DB) TakePollResultMessages(ctx context.Context, pollID int64) ([]PollMessage, error) {
	t, err := d.pollBegin(ctx, false)
	if err != nil {
		return nil, err
	}
	defer t.tx.Rollback()
	var out []PollMessage
	err = d.eachRow(ctx, t.tx, `SELECT platform, channel, message_id FROM poll_messages
		WHERE poll_id = ? AND kind = 'result' ORDER BY platform, channel, message_id`, func(rows *sql.Rows) error {
		m := PollMessage{Result: true}
		if err := rows.Scan(&m.Platform, &m.Channel, &m.MessageID); err != nil {
			return err
		}
		out = append(out, m)
		return nil
	}, pollID)
	if err != nil {
		return nil, err
	}
	if _, err := t.exec("DELETE FROM poll_messages WHERE poll_id = ? AND kind = 'result'", pollID); err != nil {
		return nil, err
	}
	return out, t.tx.Commit()
}
