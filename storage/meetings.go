package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// MeetingStatus says whether a meeting still takes place.
type MeetingStatus string

// Meeting statuses.
const (
	MeetingScheduled MeetingStatus = "scheduled"
	MeetingCancelled MeetingStatus = "cancelled"
)

// Meeting is one Community meeting. StartsAt is an instant (UTC); Zone is the
// IANA zone it was planned in, so that "13:00 in Toronto" stays 13:00 in
// Toronto on either side of a daylight-saving change.
type Meeting struct {
	ID       int64
	Title    string // empty means the default title, translated at display
	StartsAt time.Time
	Zone     string
	Duration time.Duration
	Agenda   string
	Link     string // video-conference URL
	Theme    string
	Status   MeetingStatus
	Sequence int // bumped by every change, for iCalendar
	// UID is the meeting's iCalendar UID, fixed at creation and globally
	// unique (it holds the InstallationID); meetings older than that keep
	// "meeting-<id>@copbot", the form calendars know them by.
	UID       string
	CreatedBy string // identity of the creator, "platform:id"
	// CreatedByName is the creator's name when the meeting was added (the
	// Actor's, else their member name; "" if unknown).
	CreatedByName string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// EndsAt is when the meeting ends.
func (m *Meeting) EndsAt() time.Time { return m.StartsAt.Add(m.Duration) }

// Location returns the meeting's zone, UTC if it cannot be loaded (it was
// validated when stored, so only a tzdata change can cause that).
func (m *Meeting) Location() *time.Location {
	if loc, err := time.LoadLocation(m.Zone); err == nil {
		return loc
	}
	return time.UTC
}

// MeetingInput is what creating a meeting supplies.
type MeetingInput struct {
	Title    string
	StartsAt time.Time
	Zone     string
	Duration time.Duration
	Agenda   string
	Link     string
	Theme    string
	// CreatedBy is the creator's identity, "platform:id"; empty means the
	// Actor of the context, if any.
	CreatedBy string
	// Reminders are the offsets before the start at which reminders are
	// posted; they are planned in the same transaction as the meeting.
	Reminders []time.Duration
	// Force adds the meeting even when a scheduled one with the same title
	// (case, accents and spaces aside) starts at the same instant; without
	// it, that is refused (see errMeetingDuplicate), as it is almost always
	// the same command sent twice.
	Force bool
	// Held records a meeting that already took place: it must have
	// started, and gets no reminders.
	Held bool
}

// MeetingUpdate changes the fields that are non-nil. Moving a meeting
// (StartsAt) re-plans its reminders with Reminders, or with the offsets it
// has when Reminders is nil.
type MeetingUpdate struct {
	Title     *string
	StartsAt  *time.Time
	Zone      *string
	Duration  *time.Duration
	Agenda    *string
	Link      *string
	Theme     *string
	Reminders []time.Duration
	// Force allows a new title or start that make the meeting a copy of
	// another scheduled one (see MeetingInput.Force).
	Force bool
}

// MeetingFilter selects meetings by start: From <= StartsAt < Before. Zero
// fields do not filter. Meetings come in start order (latest first when
// Descending).
type MeetingFilter struct {
	ID         *int64
	From       time.Time
	Before     time.Time
	Status     MeetingStatus // "" for any
	Descending bool
	Limit      int // 0 means no limit
}

const meetingColumns = `id, title, starts_at, zone, duration_seconds, agenda, link, theme,
	status, sequence, uid, created_by, created_by_name, created_at, updated_at`

// CreateMeeting stores a new meeting, which must start in the future, and
// plans its reminders. Unless in.Force, a scheduled meeting with the same
// title and start, found in the same write transaction, refuses it with
// ECONFLICT meeting_error_duplicate (see errMeetingDuplicate): of two
// coordinators sending the same command at once, the second is told who
// added it.
func (d *DB) CreateMeeting(ctx context.Context, in MeetingInput) (*Meeting, error) {
	ms, err := d.createMeetings(ctx, []MeetingInput{in}, false)
	if err != nil {
		return nil, err
	}
	return ms[0], nil
}

// CreateMeetings stores several new meetings, each checked as
// CreateMeeting checks one, in one transaction: all or nothing. A refusal
// is the first refused meeting's *Error with its 0-based position added as
// Args "Index"; nothing is then written.
func (d *DB) CreateMeetings(ctx context.Context, ins []MeetingInput) ([]*Meeting, error) {
	return d.createMeetings(ctx, ins, true)
}

func (d *DB) createMeetings(ctx context.Context, ins []MeetingInput, index bool) ([]*Meeting, error) {
	now := d.now()
	ms := make([]*Meeting, len(ins))
	for i, in := range ins {
		m, err := newMeeting(in, now)
		if err != nil && index {
			err = withArg(err, "Index", i)
		}
		if err != nil {
			return nil, err
		}
		ms[i] = m
	}
	actor, _ := ActorFrom(ctx)
	err := d.write(ctx, func(t *tx) error {
		for i, m := range ms {
			err := t.addMeeting(m, ins[i], actor, now)
			if err != nil && index {
				err = withArg(err, "Index", i)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ms, nil
}

// addMeeting stores the new meeting m built from in, unless it is a copy
// (see CreateMeeting), with its creator, and plans its reminders.
func (t *tx) addMeeting(m *Meeting, in MeetingInput, actor Actor, now time.Time) error {
	if !in.Force {
		if err := t.checkUnique(m); err != nil {
			return err
		}
	}
	if m.CreatedBy == "" && !actor.Identity.IsZero() {
		m.CreatedBy = actor.Identity.String()
	}
	if m.CreatedBy != "" && m.CreatedBy == actor.Identity.String() {
		m.CreatedByName = actor.Name
	}
	if m.CreatedByName == "" {
		name, err := t.memberName(m.CreatedBy)
		if err != nil {
			return err
		}
		m.CreatedByName = name
	}
	if err := t.insertMeeting(m); err != nil {
		return err
	}
	if err := t.auditWork(&AuditEntry{Action: AuditMeetingAdd, Target: meetingTarget(m.ID)}); err != nil {
		return err
	}
	if in.Held {
		return nil // it took place: nothing to remind
	}
	return t.planReminders(m, in.Reminders, now)
}

// newMeeting checks in and builds the meeting it would store at now.
func newMeeting(in MeetingInput, now time.Time) (*Meeting, error) {
	if err := checkMeetingText(in.Title, in.Agenda, in.Theme, in.Link); err != nil {
		return nil, err
	}
	m := &Meeting{Title: cleanLine(in.Title), StartsAt: in.StartsAt.UTC().Truncate(time.Second),
		Zone: in.Zone, Duration: in.Duration, Agenda: cleanBlock(in.Agenda),
		Link: cleanLine(in.Link), Theme: cleanLine(in.Theme), Status: MeetingScheduled,
		CreatedBy: in.CreatedBy, CreatedAt: now, UpdatedAt: now}
	if err := ValidateMeeting(m); err != nil {
		return nil, err
	}
	if in.Held {
		if !m.StartsAt.Before(now) {
			return nil, Errorf(EINVALID, "meeting_error_held_future", nil, "held meeting starts %s, not before now %s", m.StartsAt, now)
		}
		return m, nil
	}
	if err := checkFuture(m.StartsAt, now); err != nil {
		return nil, err
	}
	if err := ValidateReminderOffsets(in.Reminders); err != nil {
		return nil, err
	}
	return m, nil
}

// UpdateMeeting applies upd to a scheduled meeting and bumps its sequence.
// A moved meeting must start in the future; its pending reminders are
// re-planned (sent ones stay as history). A new title or start that makes
// it a copy of another scheduled meeting is refused as CreateMeeting
// refuses one, unless upd.Force.
func (d *DB) UpdateMeeting(ctx context.Context, id int64, upd MeetingUpdate) (*Meeting, error) {
	if err := checkMeetingText(deref(upd.Title), deref(upd.Agenda), deref(upd.Theme), deref(upd.Link)); err != nil {
		return nil, err
	}
	return d.changeMeeting(ctx, id, func(t *tx, m *Meeting, now time.Time) error {
		title := m.Title
		moved := applyMeetingUpdate(m, upd)
		if err := ValidateMeeting(m); err != nil {
			return err
		}
		if moved {
			if err := checkFuture(m.StartsAt, now); err != nil {
				return err
			}
		}
		if (moved || foldKey(title) != foldKey(m.Title)) && !upd.Force {
			if err := t.checkUnique(m); err != nil {
				return err
			}
		}
		if err := t.saveMeeting(m, now); err != nil {
			return err
		}
		if err := t.auditWork(&AuditEntry{Action: AuditMeetingUpdate, Target: meetingTarget(m.ID),
			Detail: map[string]string{"moved": fmt.Sprint(moved)}}); err != nil || !moved {
			return err
		}
		return t.replanMoved(m, upd.Reminders, now)
	})
}

// CancelMeeting cancels a meeting that has not ended; its pending reminders
// are skipped. Cancelling twice is a conflict, so only one announcement goes
// out. The audit log records it (AuditMeetingCancel).
func (d *DB) CancelMeeting(ctx context.Context, id int64) (*Meeting, error) {
	return d.changeMeeting(ctx, id, func(t *tx, m *Meeting, now time.Time) error {
		if !now.Before(m.EndsAt()) {
			return errMeetingOver(id)
		}
		m.Status = MeetingCancelled
		if err := t.saveMeeting(m, now); err != nil {
			return err
		}
		if err := t.planReminders(m, nil, now); err != nil {
			return err
		}
		return t.audit(&AuditEntry{Action: AuditMeetingCancel, Target: meetingTarget(id)})
	})
}

// changeMeeting runs change on meeting id, which must not be cancelled, in
// one write transaction, and returns the meeting as change left it. An
// error from change rolls everything back.
func (d *DB) changeMeeting(ctx context.Context, id int64, change func(t *tx, m *Meeting, now time.Time) error) (*Meeting, error) {
	now := d.now()
	var m *Meeting
	err := d.write(ctx, func(t *tx) (err error) {
		if m, err = t.meetingByID(id); err != nil {
			return err
		}
		if m.Status == MeetingCancelled {
			return errMeetingCancelled(id)
		}
		return change(t, m, now)
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// meetingTarget is the audit target of meeting id.
func meetingTarget(id int64) string { return fmt.Sprintf("meeting:%d", id) }

func errMeetingCancelled(id int64) error {
	return Errorf(ECONFLICT, "meeting_error_cancelled", map[string]any{"ID": id}, "meeting %d is cancelled", id)
}

func errMeetingOver(id int64) error {
	return Errorf(ECONFLICT, "meeting_error_over", map[string]any{"ID": id}, "meeting %d is over", id)
}

// MeetingByID returns the meeting or a not-found error.
func (d *DB) MeetingByID(ctx context.Context, id int64) (*Meeting, error) {
	var m *Meeting
	err := d.read(ctx, func(t *tx) (err error) {
		m, err = t.meetingByID(id)
		return err
	})
	return m, err
}

// FindMeetings returns the meetings matching f.
func (d *DB) FindMeetings(ctx context.Context, f MeetingFilter) ([]*Meeting, error) {
	var ms []*Meeting
	err := d.read(ctx, func(t *tx) (err error) {
		ms, err = t.findMeetings(f)
		return err
	})
	return ms, err
}

func applyMeetingUpdate(m *Meeting, u MeetingUpdate) (moved bool) {
	set := func(dst *string, src *string, clean func(string) string) {
		if src != nil {
			*dst = clean(*src)
		}
	}
	set(&m.Title, u.Title, cleanLine)
	set(&m.Agenda, u.Agenda, cleanBlock)
	set(&m.Link, u.Link, cleanLine)
	set(&m.Theme, u.Theme, cleanLine)
	set(&m.Zone, u.Zone, strings.TrimSpace)
	if u.Duration != nil {
		m.Duration = *u.Duration
	}
	if u.StartsAt != nil {
		start := u.StartsAt.UTC().Truncate(time.Second)
		moved = !start.Equal(m.StartsAt)
		m.StartsAt = start
	}
	return moved
}

func (t *tx) insertMeeting(m *Meeting) error {
	res, err := t.exec(`INSERT INTO meetings (title, starts_at, zone, duration_seconds, agenda,
		link, theme, status, sequence, created_by, created_by_name, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)`,
		m.Title, formatTime(m.StartsAt), m.Zone, int64(m.Duration/time.Second), m.Agenda, m.Link, m.Theme,
		string(m.Status), m.CreatedBy, m.CreatedByName, formatTime(m.CreatedAt), formatTime(m.UpdatedAt))
	if err != nil {
		return err
	}
	if m.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	install, err := t.installationID()
	if err != nil {
		return err
	}
	m.UID = fmt.Sprintf("meeting-%d.%s@copbot", m.ID, install)
	_, err = t.exec("UPDATE meetings SET uid = ? WHERE id = ?", m.UID, m.ID)
	return err
}

// saveMeeting writes every field of m and bumps its sequence.
func (t *tx) saveMeeting(m *Meeting, now time.Time) error {
	m.Sequence++
	m.UpdatedAt = now
	_, err := t.exec(`UPDATE meetings SET title = ?, starts_at = ?, zone = ?, duration_seconds = ?,
		agenda = ?, link = ?, theme = ?, status = ?, sequence = ?, updated_at = ? WHERE id = ?`,
		m.Title, formatTime(m.StartsAt), m.Zone, int64(m.Duration/time.Second), m.Agenda, m.Link, m.Theme,
		string(m.Status), m.Sequence, formatTime(now), m.ID)
	return err
}

func (t *tx) meetingByID(id int64) (*Meeting, error) {
	ms, err := t.findMeetings(MeetingFilter{ID: &id})
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, Errorf(ENOTFOUND, "meeting_error_not_found", map[string]any{"ID": id}, "meeting %d not found", id)
	}
	return ms[0], nil
}

// findMeetings builds its query from which filters are set, so the texts
// prepared (see DB.stmt) are a small fixed set.
func (t *tx) findMeetings(f MeetingFilter) ([]*Meeting, error) {
	where, args := []string{"1 = 1"}, []any{}
	if f.ID != nil {
		where, args = append(where, "id = ?"), append(args, *f.ID)
	}
	if !f.From.IsZero() {
		where, args = append(where, "starts_at >= ?"), append(args, formatTime(f.From))
	}
	if !f.Before.IsZero() {
		where, args = append(where, "starts_at < ?"), append(args, formatTime(f.Before))
	}
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, string(f.Status))
	}
	q := "SELECT " + meetingColumns + " FROM meetings WHERE " + strings.Join(where, " AND ") + " ORDER BY starts_at, id"
	if f.Descending {
		q = strings.Replace(q, "starts_at, id", "starts_at DESC, id DESC", 1)
	}
	if f.Limit > 0 {
		q, args = q+" LIMIT ?", append(args, f.Limit)
	}
	var out []*Meeting
	err := t.each(q, func(rows *sql.Rows) error {
		m, err := scanMeeting(rows)
		out = append(out, m)
		return err
	}, args...)
	return out, err
}

func scanMeeting(rows *sql.Rows) (*Meeting, error) {
	var m Meeting
	var start, created, updated sql.NullString
	var status string
	var secs int64
	if err := rows.Scan(&m.ID, &m.Title, &start, &m.Zone, &secs, &m.Agenda, &m.Link, &m.Theme,
		&status, &m.Sequence, &m.UID, &m.CreatedBy, &m.CreatedByName, &created, &updated); err != nil {
		return nil, err
	}
	m.Status, m.Duration = MeetingStatus(status), time.Duration(secs)*time.Second
	return &m, parseTimes(parsed{&m.StartsAt, start}, parsed{&m.CreatedAt, created}, parsed{&m.UpdatedAt, updated})
}
