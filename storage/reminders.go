package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"
)

// ReminderStatus is where a reminder is in its life.
type ReminderStatus string

// Reminder statuses. Only pending reminders are ever posted.
const (
	ReminderPending ReminderStatus = "pending"
	ReminderSent    ReminderStatus = "sent"
	ReminderSkipped ReminderStatus = "skipped" // never attempted: see Reason
	ReminderFailed  ReminderStatus = "failed"  // attempted, never delivered: see LastError
)

// ReminderReason says why a reminder was skipped or failed. The edge
// translates it; it is a code, not prose.
type ReminderReason string

// Reasons a reminder was not sent.
const (
	ReasonNone        ReminderReason = ""
	ReasonPlannedLate ReminderReason = "planned_late" // its due time had passed when it was planned
	ReasonCancelled   ReminderReason = "cancelled"    // the meeting was cancelled
	ReasonStarted     ReminderReason = "started"      // the meeting started before it could go out
	ReasonMoved       ReminderReason = "moved"        // the meeting moved while it was being retried
)

// PostRef points at a message posted on a platform.
type PostRef struct {
	Platform Platform `json:"platform"`
	Channel  string   `json:"channel"`
	ID       string   `json:"id"`
}

// Reminder is one planned reminder of one meeting start. DueAt is StartsAt
// minus Offset; an Offset of whole days counts calendar days in the
// meeting's zone, so a 336h reminder of a 13:00 meeting is due at 13:00
// local time fourteen days earlier even across a daylight-saving change
// (336 real hours, give or take the hour the clocks moved). Other offsets
// are exact durations.
type Reminder struct {
	ID        int64
	MeetingID int64
	Offset    time.Duration
	StartsAt  time.Time // the meeting start it was planned for
	DueAt     time.Time
	Status    ReminderStatus
	Attempts  int
	LastError string
	Reason    ReminderReason
	SentAt    time.Time // zero unless sent
	Late      bool      // sent noticeably after DueAt (the bot was down or the platform failing)
	Refs      []PostRef
	UpdatedAt time.Time
	// ClaimedAt is when the current delivery attempt was claimed, zero when
	// nobody holds the lease; ClaimedBy is who claimed the last attempt.
	ClaimedAt time.Time
	ClaimedBy string
}

// ReminderLease is how long a claimed delivery attempt keeps every other
// claimer (another process on the same database) from posting the
// reminder, unless its owner renews it (RenewReminderClaim). The owner
// renews it well within this time for as long as the attempt runs (a
// heartbeat), so a claimer that dies mid-attempt delays the reminder by
// at most this long, not by the length of a whole attempt.
const ReminderLease = 15 * time.Second

const reminderColumns = `id, meeting_id, offset_seconds, starts_at, due_at, status, attempts, last_error,
	reason, sent_at, late, refs, updated_at, claimed_at, claimed_by`

const maxReminderError = 500

// PlanReminders re-plans the reminders of a meeting with the given offsets:
// pending reminders for another start or offset are dropped, missing ones
// are added, sent ones are kept. It is idempotent. Reminders whose due time
// has already passed at planning time are recorded as skipped rather than
// posted late; only reminders that were planned in time are posted late
// (after downtime). For a cancelled meeting every pending reminder is
// skipped.
func (d *DB) PlanReminders(ctx context.Context, meetingID int64, offsets []time.Duration) error {
	if err := ValidateReminderOffsets(offsets); err != nil {
		return err
	}
	now := d.now()
	return d.write(ctx, func(t *tx) error {
		m, err := t.meetingByID(meetingID)
		if err != nil {
			return err
		}
		return t.planReminders(m, offsets, now)
	})
}

// PendingReminders lists every pending reminder, earliest due first. A row
// that cannot be read (a stored time out of range, written by an older
// version) is skipped rather than failing the listing, so one bad row never
// stops every other reminder: the readable reminders come back together
// with an *UnreadableRowsError naming the skipped rows, for the caller to
// log. Any other error comes with no reminders.
func (d *DB) PendingReminders(ctx context.Context) ([]*Reminder, error) {
	var out []*Reminder
	bad := &UnreadableRowsError{Table: "reminders"}
	err := d.read(ctx, func(t *tx) error {
		return t.each("SELECT "+reminderColumns+" FROM reminders WHERE status = 'pending' ORDER BY due_at, id",
			func(rows *sql.Rows) error {
				r, err := scanReminder(rows)
				if err != nil {
					bad.add(r, err)
					return nil
				}
				out = append(out, r)
				return nil
			})
	})
	if err != nil {
		return nil, err
	}
	if len(bad.Errs) > 0 {
		return out, bad
	}
	return out, nil
}

// UnreadableRowsError reports the rows a listing skipped because they could
// not be read. The listing still returned every readable row.
type UnreadableRowsError struct {
	Table string
	IDs   []int64 // 0 where not even the id could be read
	Errs  []error
}

func (e *UnreadableRowsError) Error() string {
	return fmt.Sprintf("%d unreadable %s rows skipped (ids %v): %v", len(e.Errs), e.Table, e.IDs, errors.Join(e.Errs...))
}

func (e *UnreadableRowsError) add(r *Reminder, err error) {
	var id int64
	if r != nil {
		id = r.ID
	}
	e.IDs, e.Errs = append(e.IDs, id), append(e.Errs, err)
}

// RemindersOf lists every reminder of a meeting, any status, by due time.
func (d *DB) RemindersOf(ctx context.Context, meetingID int64) ([]*Reminder, error) {
	var out []*Reminder
	err := d.read(ctx, func(t *tx) (err error) {
		out, err = t.queryReminders("meeting_id = ? ORDER BY due_at, id", meetingID)
		return err
	})
	return out, err
}

// ReminderByID returns reminder id, any status, or ErrNotFound.
func (d *DB) ReminderByID(ctx context.Context, id int64) (*Reminder, error) {
	var r *Reminder
	err := d.read(ctx, func(t *tx) (err error) {
		r, err = t.reminderByID(id)
		return err
	})
	return r, err
}

// ClaimReminder starts one delivery attempt on behalf of owner (a random id
// per process). If the reminder is pending, nobody holds a live lease on
// it, and its meeting is scheduled and has not started, it counts the
// attempt, takes the lease (see ReminderLease) and returns ok with the
// reminder and meeting: owner alone may post it now. If another claim is
// still live, the error is a conflict (reminder_error_claimed): the caller
// must not post, and may try again later. Otherwise ok is false and there
// is nothing to post: the reminder was already done, or it is closed now in
// the same transaction (skipped, or failed if it had been attempted) and the
// returned reminder says so.
func (d *DB) ClaimReminder(ctx context.Context, id int64, owner string) (r *Reminder, m *Meeting, ok bool, err error) {
	now := d.now()
	var conflict error
	err = d.write(ctx, func(t *tx) (err error) {
		if r, err = t.reminderByID(id); err != nil || r.Status != ReminderPending {
			return err
		}
		if r.leased(now) {
			conflict = errClaimed(r)
			return nil
		}
		if m, err = t.meetingByID(r.MeetingID); err != nil {
			return err
		}
		if reason := reminderObsolete(r, m, now); reason != ReasonNone {
			return t.closeReminder(r, reason, now)
		}
		ok = true
		return t.claimReminder(r, owner, now)
	})
	switch {
	case err != nil:
		return nil, nil, false, err
	case conflict != nil:
		return r, nil, false, conflict
	case r.Status != ReminderPending:
		return r, m, false, nil
	}
	return r, m, ok, nil
}

// RenewReminderClaim extends owner's lease on a pending reminder to
// ReminderLease from now: the heartbeat of a running attempt. It is a
// conflict (reminder_error_claimed) if owner no longer holds the lease (it
// went stale and another claimer took it, or the reminder was closed): the
// attempt must then stop as soon as it can.
func (d *DB) RenewReminderClaim(ctx context.Context, id int64, owner string) error {
	now := d.now()
	err := d.updatePending(ctx, id, `UPDATE reminders SET claimed_at = ? WHERE id = ? AND status = 'pending'
		AND claimed_by = ? AND claimed_at IS NOT NULL`, formatTime(now), id, owner)
	if ErrorCode(err) == ECONFLICT {
		return Errorf(ECONFLICT, "reminder_error_claimed", map[string]any{"ID": id},
			"reminder %d: lease of %s lost", id, owner)
	}
	return err
}

// leased reports whether a claim on r is still live at now.
func (r *Reminder) leased(now time.Time) bool {
	return !r.ClaimedAt.IsZero() && !r.ClaimedAt.Before(now.Add(-ReminderLease))
}

// claimReminder takes the lease on r. The WHERE clause repeats the checks
// ClaimReminder made, so that the lease holds even if a caller ever claims
// outside a write-locked transaction.
func (t *tx) claimReminder(r *Reminder, owner string, now time.Time) error {
	res, err := t.exec(`UPDATE reminders SET attempts = attempts + 1, claimed_at = ?, claimed_by = ?,
		updated_at = ? WHERE id = ? AND status = 'pending' AND (claimed_at IS NULL OR claimed_at < ?)`,
		formatTime(now), owner, formatTime(now), r.ID, formatTime(now.Add(-ReminderLease)))
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		if err == nil {
			err = errClaimed(r)
		}
		return err
	}
	r.Attempts++
	r.ClaimedAt, r.ClaimedBy, r.UpdatedAt = now, owner, now
	return nil
}

func errClaimed(r *Reminder) error {
	return Errorf(ECONFLICT, "reminder_error_claimed", map[string]any{"ID": r.ID},
		"reminder %d is being posted by %s (claimed %s)", r.ID, r.ClaimedBy, r.ClaimedAt.Format(time.RFC3339))
}

// reminderObsolete says why a pending reminder must not be posted any more.
func reminderObsolete(r *Reminder, m *Meeting, now time.Time) ReminderReason {
	switch {
	case m.Status == MeetingCancelled:
		return ReasonCancelled
	case !r.StartsAt.Equal(m.StartsAt):
		return ReasonMoved
	case !now.Before(m.StartsAt):
		return ReasonStarted
	}
	return ReasonNone
}

// MarkReminderSent records that a claimed reminder was posted and ends the
// lease. It is a conflict if the reminder is no longer pending.
func (d *DB) MarkReminderSent(ctx context.Context, id int64, refs []PostRef, late bool) error {
	js, err := json.Marshal(append([]PostRef{}, refs...))
	if err != nil {
		return err
	}
	now := formatTime(d.now())
	return d.updatePending(ctx, id, `UPDATE reminders SET status = 'sent', sent_at = ?, late = ?, refs = ?,
		last_error = '', claimed_at = NULL, updated_at = ? WHERE id = ? AND status = 'pending'`, now, late, string(js), now, id)
}

// MarkReminderFailed records a failed delivery attempt by owner; the
// reminder stays pending, to be retried. owner's lease ends, so the retry
// (by anyone) need not wait for it; a lease another claimer took since is
// left alone.
func (d *DB) MarkReminderFailed(ctx context.Context, id int64, owner, cause string) error {
	if utf8.RuneCountInString(cause) > maxReminderError {
		cause = string([]rune(cause)[:maxReminderError])
	}
	return d.updatePending(ctx, id, `UPDATE reminders SET last_error = ?, updated_at = ?,
		claimed_at = CASE WHEN claimed_by = ? THEN NULL ELSE claimed_at END
		WHERE id = ? AND status = 'pending'`, cause, formatTime(d.now()), owner, id)
}

func (d *DB) updatePending(ctx context.Context, id int64, q string, args ...any) error {
	return d.write(ctx, func(t *tx) error {
		changed, err := t.exec1(q, args...)
		if err == nil && !changed {
			err = errNotPending(id)
		}
		return err
	})
}

func errNotPending(id int64) error {
	return Errorf(ECONFLICT, "reminder_error_not_pending", map[string]any{"ID": id}, "reminder %d is not pending", id)
}

func (t *tx) reminderByID(id int64) (*Reminder, error) {
	rs, err := t.queryReminders("id = ?", id)
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, Errorf(ENOTFOUND, "reminder_error_not_found", map[string]any{"ID": id}, "reminder %d not found", id)
	}
	return rs[0], nil
}

// queryReminders selects reminders; where is one of a few constant clauses.
func (t *tx) queryReminders(where string, args ...any) ([]*Reminder, error) {
	var out []*Reminder
	err := t.each("SELECT "+reminderColumns+" FROM reminders WHERE "+where, func(rows *sql.Rows) error {
		r, err := scanReminder(rows)
		out = append(out, r)
		return err
	}, args...)
	return out, err
}

func scanReminder(rows *sql.Rows) (*Reminder, error) {
	var r Reminder
	var secs int64
	var status, reason, refs string
	var start, due, sent, updated, claimed sql.NullString
	if err := rows.Scan(&r.ID, &r.MeetingID, &secs, &start, &due, &status, &r.Attempts, &r.LastError,
		&reason, &sent, &r.Late, &refs, &updated, &claimed, &r.ClaimedBy); err != nil {
		return nil, err
	}
	r.Offset, r.Status, r.Reason = time.Duration(secs)*time.Second, ReminderStatus(status), ReminderReason(reason)
	if err := json.Unmarshal([]byte(refs), &r.Refs); err != nil {
		return &r, err // with its id, so that the error can name the row
	}
	return &r, parseTimes(parsed{&r.StartsAt, start}, parsed{&r.DueAt, due}, parsed{&r.SentAt, sent},
		parsed{&r.UpdatedAt, updated}, parsed{&r.ClaimedAt, claimed})
}

// closeReminder ends a pending reminder unsent, for reason, and its lease.
func (t *tx) closeReminder(r *Reminder, reason ReminderReason, now time.Time) error {
	r.Status, r.Reason, r.UpdatedAt, r.ClaimedAt = ReminderSkipped, reason, now, time.Time{}
	if r.Attempts > 0 {
		r.Status = ReminderFailed
	}
	_, err := t.exec(`UPDATE reminders SET status = ?, reason = ?, claimed_at = NULL, updated_at = ?
		WHERE id = ?`, string(r.Status), string(reason), formatTime(now), r.ID)
	return err
}
