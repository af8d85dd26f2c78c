package storage

import (
	"context"
	"time"
)

// ClosePoll closes an open poll. closed reports whether this call closed
// it: of any number of concurrent callers, in any number of processes,
// exactly one gets true, and with it the duty to post the result (the
// claim is taken in the same statement; see ClaimPollResult).
func (d *DB) ClosePoll(ctx context.Context, id int64) (closed bool, p *Poll, err error) {
	now := formatTime(d.Now())
	err = d.write(ctx, func(t *tx) (err error) {
		closed, err = t.exec1(`UPDATE polls SET status = 'closed', closed_at = ?, result_claimed_at = ?,
			result_posted_at = NULL, updated_at = ? WHERE id = ? AND status = 'open'`, now, now, now, id)
		if err != nil {
			return err
		}
		if closed {
			if err := t.auditWork(&AuditEntry{Action: AuditPollClose, Target: pollTarget(id)}); err != nil {
				return err
			}
		}
		p, err = pollGet(t, id)
		return err
	})
	if err != nil {
		return false, nil, err
	}
	return closed, p, nil
}

// ReopenPoll opens a closed poll again with a new deadline (zero: none).
// Its result, once posted, will be posted again at the next close.
func (d *DB) ReopenPoll(ctx context.Context, id int64, closesAt time.Time) (*Poll, error) {
	now := d.Now().UTC()
	if err := pollCheckDeadline(closesAt, 0, now); err != nil {
		return nil, err
	}
	var p *Poll
	err := d.write(ctx, func(t *tx) error {
		reopened, err := t.exec1(`UPDATE polls SET status = 'open', closed_at = NULL, closes_at = ?,
			remind_before = CASE WHEN ? IS NULL THEN 0 ELSE remind_before END, reminded_at = NULL,
			result_claimed_at = NULL, result_posted_at = NULL, updated_at = ? WHERE id = ? AND status = 'closed'`,
			formatTime(closesAt), formatTime(closesAt), formatTime(now), id)
		if err != nil {
			return err
		}
		if p, err = pollGet(t, id); err == nil && !reopened {
			err = Errorf(ECONFLICT, "poll_error_already_open", map[string]any{"ID": id}, "poll %d is open", id)
		}
		if err != nil {
			return err
		}
		return t.auditWork(&AuditEntry{Action: AuditPollReopen, Target: pollTarget(id)})
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// ClaimPollResult takes the duty to post a closed poll's result when
// nobody holds it, or when the holder has not posted within stale (it
// probably crashed). It reports whether the caller now holds it.
func (d *DB) ClaimPollResult(ctx context.Context, id int64, stale time.Duration) (bool, error) {
	now := d.Now()
	return d.pollExec1(ctx, `UPDATE polls SET result_claimed_at = ? WHERE id = ? AND status = 'closed'
		AND result_posted_at IS NULL AND (result_claimed_at IS NULL OR result_claimed_at <= ?)`,
		formatTime(now), id, formatTime(now.Add(-stale)))
}

// ReleasePollResult gives the duty back after a failed post, so that the
// next try need not wait for the claim to go stale.
func (d *DB) ReleasePollResult(ctx context.Context, id int64) error {
	_, err := d.pollExec1(ctx, `UPDATE polls SET result_claimed_at = NULL
		WHERE id = ? AND result_posted_at IS NULL`, id)
	return err
}

// MarkPollResultPosted records that the result was posted.
func (d *DB) MarkPollResultPosted(ctx context.Context, id int64) error {
	_, err := d.pollExec1(ctx, `UPDATE polls SET result_posted_at = ? WHERE id = ? AND status = 'closed'`,
		formatTime(d.Now()), id)
	return err
}

// ClaimPollReminder takes the duty to remind non-voters of an open poll,
// once: it reports whether this call got it.
func (d *DB) ClaimPollReminder(ctx context.Context, id int64) (bool, error) {
	return d.pollExec1(ctx, `UPDATE polls SET reminded_at = ? WHERE id = ? AND status = 'open'
		AND remind_before > 0 AND reminded_at IS NULL`, formatTime(d.Now()), id)
}

// ReleasePollReminder undoes ClaimPollReminder after a failed send.
func (d *DB) ReleasePollReminder(ctx context.Context, id int64) error {
	_, err := d.pollExec1(ctx, "UPDATE polls SET reminded_at = NULL WHERE id = ?", id)
	return err
}

// pollExec1 runs one update in its own transaction and reports whether it
// changed a row.
func (d *DB) pollExec1(ctx context.Context, q string, args ...any) (bool, error) {
	var changed bool
	err := d.write(ctx, func(t *tx) (err error) {
		changed, err = t.exec1(q, args...)
		return err
	})
	return changed, err
}
