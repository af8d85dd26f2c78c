package storage

import (
	"context"
	"database/sql"
	"strconv"
	"time"
)

// AnnouncementStatus is where a meeting notice is.
type AnnouncementStatus string

// Announcement statuses. Only a pending one is ever posted.
const (
	AnnouncementPending    AnnouncementStatus = "pending"
	AnnouncementPosted     AnnouncementStatus = "posted"     // on every platform, or given up where uncertain
	AnnouncementSuperseded AnnouncementStatus = "superseded" // a newer notice of the meeting came first
	AnnouncementDropped    AnnouncementStatus = "dropped"    // too late to be worth posting (the meeting started)
)

// Announcement is one notice about a meeting to the community channel.
// Notice is its message key ("meeting_moved_announce"); Was is the start
// before a move.
type Announcement struct {
	ID        int64
	MeetingID int64
	Notice    string
	Was       time.Time
	CreatedAt time.Time
	Status    AnnouncementStatus
	DoneAt    time.Time
}

// AnnouncementKey is the delivery key of announcement id: it names that
// notice for ever, as announcement ids are never given twice.
func AnnouncementKey(id int64) string { return "announcement:" + strconv.FormatInt(id, 10) }

const announcementColumns = `id, meeting_id, notice, was, created_at, status, done_at`

// AddAnnouncement records a notice about meeting m before it is posted;
// the meeting's notices still pending are superseded in the same
// transaction, so that an older one is never posted after this one.
func (d *DB) AddAnnouncement(ctx context.Context, meetingID int64, notice string, was time.Time) (*Announcement, error) {
	now := formatTime(d.now())
	var a *Announcement
	err := d.write(ctx, func(t *tx) error {
		if _, err := t.exec(`UPDATE announcements SET status = 'superseded', done_at = ?
			WHERE meeting_id = ? AND status = 'pending'`, now, meetingID); err != nil {
			return err
		}
		res, err := t.exec(`INSERT INTO announcements (meeting_id, notice, was, created_at) VALUES (?, ?, ?, ?)`,
			meetingID, notice, formatTime(was), now)
		if sqliteCode(err) == sqliteConstraintForeignKey {
			return Errorf(ENOTFOUND, "meeting_error_not_found", map[string]any{"ID": meetingID}, "no meeting %d", meetingID)
		}
		if err != nil {
			return err
		}
		id, err := res.LastInsertId()
		if err == nil {
			a, err = t.announcement(id)
		}
		return err
	})
	return a, err
}

// PendingAnnouncements lists the notices not posted yet, oldest first.
func (d *DB) PendingAnnouncements(ctx context.Context) ([]*Announcement, error) {
	return d.announcements(ctx, "WHERE status = 'pending' ORDER BY id")
}

// AnnouncementsOf lists meeting m's notices, oldest first.
func (d *DB) AnnouncementsOf(ctx context.Context, meetingID int64) ([]*Announcement, error) {
	return d.announcements(ctx, "WHERE meeting_id = ? ORDER BY id", meetingID)
}

// AnnouncementByID returns notice id, or ErrNotFound.
func (d *DB) AnnouncementByID(ctx context.Context, id int64) (*Announcement, error) {
	var a *Announcement
	err := d.read(ctx, func(t *tx) (err error) {
		a, err = t.announcement(id)
		return err
	})
	return a, err
}

// FinishAnnouncement ends a pending notice with status; it reports false
// when the notice was no longer pending (superseded meanwhile).
func (d *DB) FinishAnnouncement(ctx context.Context, id int64, status AnnouncementStatus) (bool, error) {
	now := formatTime(d.now())
	var done bool
	err := d.write(ctx, func(t *tx) (err error) {
		done, err = t.exec1(`UPDATE announcements SET status = ?, done_at = ? WHERE id = ? AND status = 'pending'`,
			string(status), now, id)
		return err
	})
	return done, err
}

func (d *DB) announcements(ctx context.Context, where string, args ...any) ([]*Announcement, error) {
	var out []*Announcement
	err := d.read(ctx, func(t *tx) error {
		return t.each("SELECT "+announcementColumns+" FROM announcements "+where, func(rows *sql.Rows) error {
			a, err := scanAnnouncement(rows)
			out = append(out, a)
			return err
		}, args...)
	})
	return out, err
}

func (t *tx) announcement(id int64) (*Announcement, error) {
	var out *Announcement
	err := t.each("SELECT "+announcementColumns+" FROM announcements WHERE id = ?", func(rows *sql.Rows) (err error) {
		out, err = scanAnnouncement(rows)
		return err
	}, id)
	if err == nil && out == nil {
		err = ErrNotFound
	}
	return out, err
}

func scanAnnouncement(rows *sql.Rows) (*Announcement, error) {
	var a Announcement
	var status string
	var was, created, done sql.NullString
	if err := rows.Scan(&a.ID, &a.MeetingID, &a.Notice, &was, &created, &status, &done); err != nil {
		return nil, err
	}
	a.Status = AnnouncementStatus(status)
	return &a, parseTimes(parsed{&a.Was, was}, parsed{&a.CreatedAt, created}, parsed{&a.DoneAt, done})
}
