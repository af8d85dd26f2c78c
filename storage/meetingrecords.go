package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// MeetingFormat is how a meeting was run, as the report names it.
type MeetingFormat string

// Meeting formats; "" is not recorded.
const (
	FormatPanel        MeetingFormat = "panel"
	FormatPresentation MeetingFormat = "presentation"
	FormatWorkshop     MeetingFormat = "workshop"
	FormatDiscussion   MeetingFormat = "discussion"
	FormatOther        MeetingFormat = "other"
)

// MeetingFormats lists the formats in the order commands show them.
var MeetingFormats = [...]MeetingFormat{FormatPanel, FormatPresentation, FormatWorkshop, FormatDiscussion, FormatOther}

// Limits on a meeting record, so the report stays readable.
const (
	MaxPanelists     = 20
	MaxKeyPoints     = 20
	MaxRecordItem    = 500 // characters of one panelist organization or key point
	MaxAttendanceCap = 100000
)

// MeetingRecord is what happened at a meeting. Attendance < 0 means not
// corrected by a coordinator: Attendees then counts the yes RSVPs.
type MeetingRecord struct {
	MeetingID  int64
	Recorded   bool // false: no notes yet, the other fields are defaults
	Held       bool
	Format     MeetingFormat
	Panelists  []string
	KeyPoints  []string
	Attendance int // -1: not corrected
	RSVPYes    int // members who answered yes (and have not left)
	UpdatedBy  string
	UpdatedAt  time.Time
}

// Attendees is the head count to report: the corrected attendance, else
// the yes RSVPs.
func (r *MeetingRecord) Attendees() int {
	if r.Attendance >= 0 {
		return r.Attendance
	}
	return r.RSVPYes
}

// RecordUpdate changes a meeting record. Nil fields are kept. AddPoints are
// appended to the key points after RemovePoint (1-based, 0 for none) and
// ClearPoints are applied; Panelists replaces the list. Attendance -1
// returns to the RSVP count.
type RecordUpdate struct {
	Held        *bool
	Format      *MeetingFormat
	Panelists   []string // nil: keep
	AddPoints   []string
	RemovePoint int
	ClearPoints bool
	Attendance  *int
	By          string
}

// MeetingRecordOf returns the record of a meeting (defaults when nothing is
// recorded yet), or ErrNotFound when the meeting does not exist.
func (d *DB) MeetingRecordOf(ctx context.Context, meetingID int64) (*MeetingRecord, error) {
	var r *MeetingRecord
	err := d.read(ctx, func(t *tx) error {
		if _, err := t.meetingByID(meetingID); err != nil {
			return err
		}
		var err error
		r, err = t.readRecord(meetingID)
		return err
	})
	return r, err
}

// RecordMeeting applies u to the record of a meeting that has started and
// was not cancelled (a cancelled meeting was not held: there is nothing to
// record). Invalid input changes nothing.
func (d *DB) RecordMeeting(ctx context.Context, meetingID int64, u RecordUpdate) (*MeetingRecord, error) {
	var texts []textField
	for _, p := range u.Panelists {
		texts = append(texts, textField{"panelist", p, textLine})
	}
	for _, p := range u.AddPoints {
		texts = append(texts, textField{"key_point", p, textBreaks})
	}
	if err := checkFields(texts...); err != nil {
		return nil, err
	}
	now := d.now()
	var r *MeetingRecord
	err := d.write(ctx, func(t *tx) error {
		m, err := t.meetingByID(meetingID)
		if err != nil {
			return err
		}
		if err := recordable(m, now); err != nil {
			return err
		}
		if r, err = t.readRecord(meetingID); err != nil {
			return err
		}
		if err := applyRecord(r, u); err != nil {
			return err
		}
		r.Recorded, r.UpdatedBy, r.UpdatedAt = true, u.By, now
		if err := t.saveRecord(r); err != nil {
			return err
		}
		return t.auditWork(&AuditEntry{Action: AuditMeetingRecord, Target: meetingTarget(meetingID)})
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

func recordable(m *Meeting, now time.Time) error {
	switch {
	case m.Status == MeetingCancelled:
		return errMeetingCancelled(m.ID)
	case now.Before(m.StartsAt):
		return Errorf(ECONFLICT, "record_error_future", map[string]any{"ID": m.ID}, "meeting %d has not started", m.ID)
	}
	return nil
}

// applyRecord validates u against r and applies it.
func applyRecord(r *MeetingRecord, u RecordUpdate) error {
	if u.Held != nil {
		r.Held = *u.Held
	}
	if u.Format != nil {
		if !ValidFormat(*u.Format) {
			return Errorf(EINVALID, "record_error_format", map[string]any{"Format": string(*u.Format)}, "bad format %q", *u.Format)
		}
		r.Format = *u.Format
	}
	if u.Panelists != nil {
		r.Panelists = cleanItems(u.Panelists)
	}
	if u.ClearPoints {
		r.KeyPoints = nil
	}
	if n := u.RemovePoint; n != 0 {
		if n < 1 || n > len(r.KeyPoints) {
			return Errorf(EINVALID, "record_error_point", map[string]any{"Num": n, "Count": len(r.KeyPoints)}, "no key point %d", n)
		}
		r.KeyPoints = append(r.KeyPoints[:n-1:n-1], r.KeyPoints[n:]...)
	}
	r.KeyPoints = append(r.KeyPoints, cleanItems(u.AddPoints)...)
	if u.Attendance != nil {
		if *u.Attendance < -1 || *u.Attendance > MaxAttendanceCap {
			return Errorf(EINVALID, "record_error_attendance", map[string]any{"Num": *u.Attendance}, "bad attendance")
		}
		r.Attendance = *u.Attendance
	}
	return checkRecordSizes(r)
}

func checkRecordSizes(r *MeetingRecord) error {
	if len(r.Panelists) > MaxPanelists || len(r.KeyPoints) > MaxKeyPoints {
		return Errorf(EINVALID, "record_error_too_many", map[string]any{"Max": MaxKeyPoints}, "too many items")
	}
	for _, s := range append(append([]string{}, r.Panelists...), r.KeyPoints...) {
		if utf8.RuneCountInString(s) > MaxRecordItem {
			return Errorf(EINVALID, "record_error_too_long", map[string]any{"Max": MaxRecordItem}, "item too long")
		}
	}
	return nil
}

// ValidFormat reports whether f is one of MeetingFormats.
func ValidFormat(f MeetingFormat) bool {
	for _, g := range MeetingFormats {
		if f == g {
			return true
		}
	}
	return false
}

// cleanItems trims items and drops empty ones.
func cleanItems(items []string) []string {
	out := []string{}
	for _, s := range items {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// readRecord reads the record of meetingID in tx, with the yes count.
func (t *tx) readRecord(meetingID int64) (*MeetingRecord, error) {
	r := &MeetingRecord{MeetingID: meetingID, Held: true, Attendance: -1}
	var panelists, points string
	var attendance sql.NullInt64
	var updated sql.NullString
	err := t.queryRow(`SELECT held, format, panelists, key_points, attendance, updated_by, updated_at
		FROM meeting_records WHERE meeting_id = ?`, meetingID).
		Scan(&r.Held, &r.Format, &panelists, &points, &attendance, &r.UpdatedBy, &updated)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return nil, err
	default:
		r.Recorded = true
		if attendance.Valid {
			r.Attendance = int(attendance.Int64)
		}
		if r.UpdatedAt, err = parseTime(updated); err != nil {
			return nil, err
		}
		if err := unmarshalItems(panelists, &r.Panelists, points, &r.KeyPoints); err != nil {
			return nil, fmt.Errorf("meeting record %d: %w", meetingID, err)
		}
	}
	err = t.queryRow(`SELECT count(*) FROM rsvps r JOIN members m ON m.id = r.member_id
		WHERE r.meeting_id = ? AND r.answer = 'yes' AND m.left_at IS NULL`, meetingID).Scan(&r.RSVPYes)
	return r, err
}

func unmarshalItems(panelists string, p *[]string, points string, k *[]string) error {
	if err := json.Unmarshal([]byte(panelists), p); err != nil {
		return err
	}
	return json.Unmarshal([]byte(points), k)
}

func (t *tx) saveRecord(r *MeetingRecord) error {
	panelists, _ := json.Marshal(nonNil(r.Panelists))
	points, _ := json.Marshal(nonNil(r.KeyPoints))
	var attendance any
	if r.Attendance >= 0 {
		attendance = r.Attendance
	}
	_, err := t.exec(`INSERT INTO meeting_records
		(meeting_id, held, format, panelists, key_points, attendance, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (meeting_id) DO UPDATE SET held = excluded.held, format = excluded.format,
		panelists = excluded.panelists, key_points = excluded.key_points, attendance = excluded.attendance,
		updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		r.MeetingID, r.Held, string(r.Format), string(panelists), string(points), attendance, r.UpdatedBy, formatTime(r.UpdatedAt))
	return err
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// MeetingRecords returns the records of the meetings that started in
// [from, to), scheduled or cancelled, in start order, with each meeting.
func (d *DB) MeetingRecords(ctx context.Context, from, to time.Time) ([]*Meeting, []*MeetingRecord, error) {
	var ms []*Meeting
	var rs []*MeetingRecord
	err := d.read(ctx, func(t *tx) (err error) {
		if ms, err = t.findMeetings(MeetingFilter{From: from, Before: to}); err != nil {
			return err
		}
		rs = make([]*MeetingRecord, len(ms))
		for i, m := range ms {
			if rs[i], err = t.readRecord(m.ID); err != nil {
				return err
			}
			if m.Status == MeetingCancelled {
				rs[i].Held = false
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return ms, rs, nil
}
