package storage

import (
	"context"
	"database/sql"
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
	now := d.Now().UTC()
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := checkRSVPMeeting(ctx, tx, meetingID, now); err != nil {
		return err
	}
	var active bool
	err = tx.QueryRowContext(ctx, "SELECT left_at IS NULL FROM members WHERE id = ?", memberID).Scan(&active)
	if err == sql.ErrNoRows || (err == nil && !active) {
		return Errorf(EFORBIDDEN, "rsvp_error_not_member", nil, "member %d is not active", memberID)
	} else if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO rsvps (meeting_id, member_id, answer, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (meeting_id, member_id) DO UPDATE SET answer = excluded.answer, updated_at = excluded.updated_at`,
		meetingID, memberID, string(answer), meetingTS(now)); err != nil {
		return err
	}
	return tx.Commit()
}

func checkRSVPMeeting(ctx context.Context, tx *sql.Tx, id int64, now time.Time) error {
	m, err := meetingByID(ctx, tx, id)
	if err != nil {
		return err
	}
	args := map[string]any{"ID": id}
	if m.Status == MeetingCancelled {
		return Errorf(ECONFLICT, "meeting_error_cancelled", args, "meeting %d is cancelled", id)
	}
	if !now.Before(m.EndsAt()) {
		return Errorf(ECONFLICT, "meeting_error_over", args, "meeting %d is over", id)
	}
	return nil
}

// RSVPs lists the answers of active members to a meeting, by name.
func (d *DB) RSVPs(ctx context.Context, meetingID int64) ([]RSVP, error) {
	tx, err := d.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT r.member_id, m.name, r.answer, r.updated_at
		FROM rsvps r JOIN members m ON m.id = r.member_id
		WHERE r.meeting_id = ? AND m.left_at IS NULL ORDER BY m.name COLLATE NOCASE, m.id`, meetingID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []RSVP
	for rows.Next() {
		r := RSVP{MeetingID: meetingID}
		var answer, updated string
		if err := rows.Scan(&r.MemberID, &r.MemberName, &answer, &updated); err != nil {
			return nil, err
		}
		r.Answer = RSVPAnswer(answer)
		if r.UpdatedAt, err = parseMeetingTS(updated); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
