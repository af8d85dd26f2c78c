package storage

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// RSVPAnswer is a member's answer to a meeting.
type RSVPAnswer string

// RSVP answers.
const (
	RSVPYes RSVPAnswer = "yes"
	RSVPNo  RSVPAnswer = "no"
)

// RSVP is one member's answer to one meeting.
type RSVP struct {
	MeetingID  int64
	MemberID   int64
	MemberName string
	Answer     RSVPAnswer
	UpdatedAt  time.Time
}

// SetRSVP records (or changes) an active member's answer to a scheduled
// meeting that is not over.
func (d *DB) SetRSVP(ctx context.Context, meetingID, memberID int64, answer RSVPAnswer) error {
	if answer != RSVPYes && answer != RSVPNo {
		return Errorf(EINVALID, "rsvp_error_answer", map[string]any{"Answer": string(answer)}, "bad answer %q", answer)
	}
	now := d.now()
	return d.write(ctx, func(t *tx) error {
		if err := t.checkRSVPMeeting(meetingID, now); err != nil {
			return err
		}
		var active bool
		err := t.queryRow("SELECT left_at IS NULL FROM members WHERE id = ?", memberID).Scan(&active)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !active) {
			return Errorf(EFORBIDDEN, "rsvp_error_not_member", nil, "member %d is not active", memberID)
		} else if err != nil {
			return err
		}
		_, err = t.exec(`INSERT INTO rsvps (meeting_id, member_id, answer, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (meeting_id, member_id) DO UPDATE SET answer = excluded.answer, updated_at = excluded.updated_at`,
			meetingID, memberID, string(answer), formatTime(now))
		return err
	})
}

func (t *tx) checkRSVPMeeting(id int64, now time.Time) error {
	m, err := t.meetingByID(id)
	switch {
	case err != nil:
		return err
	case m.Status == MeetingCancelled:
		return errMeetingCancelled(id)
	case !now.Before(m.EndsAt()):
		return errMeetingOver(id)
	}
	return nil
}

// RSVPs lists the answers of active members to a meeting, by name.
func (d *DB) RSVPs(ctx context.Context, meetingID int64) ([]RSVP, error) {
	var out []RSVP
	err := d.read(ctx, func(t *tx) error {
		return t.each(`SELECT r.member_id, m.name, r.answer, r.updated_at
		FROM rsvps r JOIN members m ON m.id = r.member_id
		WHERE r.meeting_id = ? AND m.left_at IS NULL ORDER BY m.name COLLATE NOCASE, m.id`, func(rows *sql.Rows) error {
			r := RSVP{MeetingID: meetingID}
			var answer string
			var updated sql.NullString
			if err := rows.Scan(&r.MemberID, &r.MemberName, &answer, &updated); err != nil {
				return err
			}
			var err error
			if r.UpdatedAt, err = parseTime(updated); err != nil {
				return err
			}
			r.Answer = RSVPAnswer(answer)
			out = append(out, r)
			return nil
		}, meetingID)
	})
	return out, err
}
