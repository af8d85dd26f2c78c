package storage

import (
	"context"
)

// PollWithTurnout reads a poll and its turnout (see PollTurnout) in one
// snapshot, so that a card never shows counts from before a vote beside a
// turnout from after it ("1 vote" beside "No votes yet").
func (d *DB) PollWithTurnout(ctx context.Context, id int64) (*Poll, Turnout, error) {
	var p *Poll
	var out Turnout
	err := d.read(ctx, func(t *tx) (err error) {
		if p, err = pollGet(t, id); err != nil {
			return err
		}
		out, err = pollTurnoutTx(t, id)
		return err
	})
	if err != nil {
		return nil, Turnout{}, err
	}
	return p, out, nil
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
