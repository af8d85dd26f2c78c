package storage

import (
	"database/sql"
	"slices"
	"time"
)

// ValidateReminderOffsets checks reminder offsets: whole seconds, from
// MinReminderAhead to MaxReminderAhead. An empty list (no reminders) is
// valid.
func ValidateReminderOffsets(offsets []time.Duration) error {
	for _, o := range offsets {
		if o < MinReminderAhead || o > MaxReminderAhead || o%time.Second != 0 {
			return Errorf(EINVALID, "meeting_error_reminder_offset", map[string]any{"Offset": o.String()},
				"reminder offset %s out of range", o)
		}
	}
	return nil
}

// replanMoved re-plans a moved meeting with offsets, or with the offsets it
// had planned when offsets is nil.
func (t *tx) replanMoved(m *Meeting, offsets []time.Duration, now time.Time) error {
	if offsets == nil {
		err := t.each("SELECT DISTINCT offset_seconds FROM reminders WHERE meeting_id = ?", func(rows *sql.Rows) error {
			var secs int64
			err := rows.Scan(&secs)
			offsets = append(offsets, time.Duration(secs)*time.Second)
			return err
		}, m.ID)
		if err != nil {
			return err
		}
	} else if err := ValidateReminderOffsets(offsets); err != nil {
		return err
	}
	return t.planReminders(m, offsets, now)
}

// planReminders makes the pending reminders of m match offsets (see
// PlanReminders).
func (t *tx) planReminders(m *Meeting, offsets []time.Duration, now time.Time) error {
	if err := t.dropStaleReminders(m, offsets, now); err != nil {
		return err
	}
	if m.Status == MeetingCancelled {
		return nil
	}
	for _, o := range offsets {
		if err := t.planReminder(m, o, now); err != nil {
			return err
		}
	}
	return nil
}

// reminderDue is when the reminder of m at offset o falls due. An offset
// of whole days means the same wall-clock time that many days earlier in
// the meeting's zone (the "14 days before" a 13:00 meeting is at 13:00,
// across a daylight-saving change too); any other offset is an exact
// duration before the start.
func reminderDue(m *Meeting, o time.Duration) time.Time {
	const day = 24 * time.Hour
	if o%day != 0 {
		return m.StartsAt.Add(-o)
	}
	return m.StartsAt.In(m.Location()).AddDate(0, 0, -int(o/day)).UTC()
}

// dropStaleReminders removes pending reminders that no longer match the
// meeting: never-attempted ones are deleted, attempted ones are kept as
// failed so their errors stay visible.
func (t *tx) dropStaleReminders(m *Meeting, offsets []time.Duration, now time.Time) error {
	pending, err := t.queryReminders("meeting_id = ? AND status = 'pending'", m.ID)
	if err != nil {
		return err
	}
	for _, r := range pending {
		// The due time is compared too, so that a reminder planned under an
		// older rule (exact durations for whole days) is planned afresh.
		keep := m.Status == MeetingScheduled && r.StartsAt.Equal(m.StartsAt) && slices.Contains(offsets, r.Offset) &&
			r.DueAt.Equal(reminderDue(m, r.Offset))
		switch {
		case keep:
		case m.Status == MeetingCancelled:
			err = t.closeReminder(r, ReasonCancelled, now)
		case r.Attempts > 0:
			err = t.closeReminder(r, ReasonMoved, now)
		default:
			_, err = t.exec("DELETE FROM reminders WHERE id = ?", r.ID)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// planReminder adds the reminder of m at offset o unless it exists. A
// reminder skipped or failed for an earlier plan of this same start (the
// meeting moved away and back) becomes pending again if it is still ahead.
func (t *tx) planReminder(m *Meeting, o time.Duration, now time.Time) error {
	due := reminderDue(m, o)
	ts := formatTime(now)
	if due.After(now) {
		_, err := t.exec(`INSERT INTO reminders (meeting_id, offset_seconds, starts_at, due_at,
			status, created_at, updated_at) VALUES (?, ?, ?, ?, 'pending', ?, ?)
			ON CONFLICT (meeting_id, offset_seconds, starts_at) DO UPDATE SET status = 'pending', reason = '',
			due_at = excluded.due_at, claimed_at = NULL, updated_at = excluded.updated_at WHERE reminders.status IN ('skipped', 'failed')`,
			m.ID, int64(o/time.Second), formatTime(m.StartsAt), formatTime(due), ts, ts)
		return err
	}
	_, err := t.exec(`INSERT INTO reminders (meeting_id, offset_seconds, starts_at, due_at,
		status, reason, created_at, updated_at) VALUES (?, ?, ?, ?, 'skipped', ?, ?, ?)
		ON CONFLICT (meeting_id, offset_seconds, starts_at) DO NOTHING`,
		m.ID, int64(o/time.Second), formatTime(m.StartsAt), formatTime(due), string(ReasonPlannedLate), ts, ts)
	return err
}
