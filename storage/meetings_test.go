package storage_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"copbot/storage"
)

var meetingsT0 = time.Date(2027, 2, 1, 15, 0, 0, 0, time.UTC)

func openMeetingsDB(t *testing.T) (*storage.DB, *storage.TestClock) {
	t.Helper()
	d, err := storage.Open(context.Background(), filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	clock := storage.NewTestClock(meetingsT0)
	d.Now = clock.Now
	return d, clock
}

func meetingIn(start time.Time, offsets ...time.Duration) storage.MeetingInput {
	return storage.MeetingInput{Title: "Quarterly", StartsAt: start, Zone: "America/Toronto",
		Duration: time.Hour, Reminders: offsets, CreatedBy: "console:alice"}
}

func errKey(err error) string {
	var e *storage.Error
	if errors.As(err, &e) {
		return e.Key
	}
	if err != nil {
		return "untyped: " + err.Error()
	}
	return ""
}

func TestCreateMeetingRejectsBadInput(t *testing.T) {
	future := meetingsT0.Add(72 * time.Hour)
	tests := []struct {
		name   string
		mutate func(*storage.MeetingInput)
		want   string
	}{
		{"unknown zone", func(in *storage.MeetingInput) { in.Zone = "Mars/Olympus" }, "meeting_error_zone"},
		{"empty zone", func(in *storage.MeetingInput) { in.Zone = "" }, "meeting_error_zone"},
		{"past start", func(in *storage.MeetingInput) { in.StartsAt = meetingsT0.Add(-time.Minute) }, "meeting_error_past"},
		{"start now", func(in *storage.MeetingInput) { in.StartsAt = meetingsT0 }, "meeting_error_past"},
		{"no start", func(in *storage.MeetingInput) { in.StartsAt = time.Time{} }, "meeting_error_when"},
		{"zero duration", func(in *storage.MeetingInput) { in.Duration = 0 }, "meeting_error_duration"},
		{"two days", func(in *storage.MeetingInput) { in.Duration = 48 * time.Hour }, "meeting_error_duration"},
		{"javascript link", func(in *storage.MeetingInput) { in.Link = "javascript:alert(1)" }, "meeting_error_link"},
		{"link without host", func(in *storage.MeetingInput) { in.Link = "https://" }, "meeting_error_link"},
		{"long title", func(in *storage.MeetingInput) { in.Title = strings.Repeat("é", 201) }, "meeting_error_too_long_title"},
		{"long agenda", func(in *storage.MeetingInput) { in.Agenda = strings.Repeat("a", 2001) }, "meeting_error_too_long_agenda"},
		{"negative offset", func(in *storage.MeetingInput) { in.Reminders = []time.Duration{-time.Hour} }, "meeting_error_reminder_offset"},
		{"fractional offset", func(in *storage.MeetingInput) { in.Reminders = []time.Duration{1500 * time.Millisecond} }, "meeting_error_reminder_offset"},
	}
	d, _ := openMeetingsDB(t)
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := meetingIn(future, time.Hour)
			tt.mutate(&in)
			_, err := d.CreateMeeting(ctx, in)
			if got := errKey(err); got != tt.want {
				t.Errorf("error key = %q, want %q", got, tt.want)
			}
			if code := storage.ErrorCode(err); code != storage.EINVALID {
				t.Errorf("code = %q, want invalid", code)
			}
		})
	}
	ms, err := d.FindMeetings(ctx, storage.MeetingFilter{})
	if err != nil || len(ms) != 0 {
		t.Fatalf("after bad input: %d meetings, err %v; want none", len(ms), err)
	}
	rs, err := d.PendingReminders(ctx)
	if err != nil || len(rs) != 0 {
		t.Fatalf("after bad input: %d reminders, err %v; want none", len(rs), err)
	}
}

func TestCreateMeetingPlansReminders(t *testing.T) {
	d, _ := openMeetingsDB(t)
	ctx := context.Background()
	start := meetingsT0.Add(30 * 24 * time.Hour)
	m, err := d.CreateMeeting(ctx, meetingIn(start, 336*time.Hour, 24*time.Hour, time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	got, err := d.MeetingByID(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.StartsAt.Equal(start) || got.Zone != "America/Toronto" || got.Status != storage.MeetingScheduled ||
		got.Title != "Quarterly" || got.Duration != time.Hour || got.Sequence != 0 {
		t.Errorf("stored meeting = %+v", got)
	}
	rs, err := d.PendingReminders(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Duration{336 * time.Hour, 24 * time.Hour, time.Hour}
	if len(rs) != len(want) {
		t.Fatalf("got %d pending reminders, want %d", len(rs), len(want))
	}
	for i, r := range rs {
		if r.Offset != want[i] || !r.DueAt.Equal(start.Add(-want[i])) || r.MeetingID != m.ID || r.Attempts != 0 {
			t.Errorf("reminder %d = %+v, want offset %s due %s", i, r, want[i], start.Add(-want[i]))
		}
	}
}

func TestPlanRemindersPastDueAreSkipped(t *testing.T) {
	d, _ := openMeetingsDB(t)
	ctx := context.Background()
	m, err := d.CreateMeeting(ctx, meetingIn(meetingsT0.Add(2*time.Hour), 336*time.Hour, 24*time.Hour, time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	rs, err := d.RemindersOf(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[time.Duration]storage.ReminderStatus{}
	for _, r := range rs {
		got[r.Offset] = r.Status
		if r.Status == storage.ReminderSkipped && r.Reason != storage.ReasonPlannedLate {
			t.Errorf("skipped reminder reason = %q", r.Reason)
		}
	}
	want := map[time.Duration]storage.ReminderStatus{336 * time.Hour: "skipped", 24 * time.Hour: "skipped", time.Hour: "pending"}
	for o, w := range want {
		if got[o] != w {
			t.Errorf("offset %s: status %q, want %q", o, got[o], w)
		}
	}
}

// Reminders of a meeting the day after the spring-forward change
// (2027-03-14 in Toronto), and of one the day after the fall-back change
// (2027-11-07): offsets of whole days keep the meeting's wall-clock time
// (13:00 fourteen days earlier, 335 or 337 real hours), other offsets are
// exact durations.
func TestReminderAcrossDaylightSaving(t *testing.T) {
	tor, err := time.LoadLocation("America/Toronto")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		start    time.Time
		offset   time.Duration
		wantWall string
		wantSpan time.Duration
	}{
		{"14 days across spring forward", time.Date(2027, 3, 15, 13, 0, 0, 0, tor), 336 * time.Hour, "2027-03-01 13:00 EST", 335 * time.Hour},
		{"1 day across spring forward", time.Date(2027, 3, 15, 13, 0, 0, 0, tor), 24 * time.Hour, "2027-03-14 13:00 EDT", 24 * time.Hour},
		{"1 day on the change", time.Date(2027, 3, 14, 13, 0, 0, 0, tor), 24 * time.Hour, "2027-03-13 13:00 EST", 23 * time.Hour},
		{"14 days across fall back", time.Date(2027, 11, 8, 13, 0, 0, 0, tor), 336 * time.Hour, "2027-10-25 13:00 EDT", 337 * time.Hour},
		{"36 hours stays exact", time.Date(2027, 3, 15, 13, 0, 0, 0, tor), 36 * time.Hour, "2027-03-14 00:00 EST", 36 * time.Hour},
		{"1 hour stays exact", time.Date(2027, 3, 14, 3, 30, 0, 0, tor), time.Hour, "2027-03-14 01:30 EST", time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, _ := openMeetingsDB(t)
			ctx := context.Background()
			m, err := d.CreateMeeting(ctx, meetingIn(tt.start, tt.offset))
			if err != nil {
				t.Fatal(err)
			}
			rs, err := d.PendingReminders(ctx)
			if err != nil || len(rs) != 1 {
				t.Fatalf("pending = %v, %v", rs, err)
			}
			due := rs[0].DueAt
			if got := due.In(tor).Format("2006-01-02 15:04 MST"); got != tt.wantWall {
				t.Errorf("due in Toronto = %s, want %s", got, tt.wantWall)
			}
			if got := m.StartsAt.Sub(due); got != tt.wantSpan {
				t.Errorf("start - due = %s, want %s", got, tt.wantSpan)
			}
		})
	}
}

// A start more than MaxMeetingYears ahead is refused when creating and
// when moving: it once stored a year-10000 start that could not be read.
func TestMeetingStartCappedAhead(t *testing.T) {
	d, _ := openMeetingsDB(t)
	ctx := context.Background()
	limit := meetingsT0.AddDate(storage.MaxMeetingYears, 0, 0)
	tests := []struct {
		start time.Time
		want  string
	}{
		{limit, ""},
		{limit.Add(time.Second), "meeting_error_too_far"},
		{time.Date(9999, 12, 31, 23, 59, 0, 0, time.UTC), "meeting_error_too_far"},
	}
	for _, tt := range tests {
		_, err := d.CreateMeeting(ctx, meetingIn(tt.start, time.Hour))
		if got := errKey(err); got != tt.want {
			t.Errorf("create at %s: error %q, want %q", tt.start, got, tt.want)
		}
	}
	m, err := d.CreateMeeting(ctx, meetingIn(meetingsT0.Add(time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	far := limit.AddDate(1, 0, 0)
	if _, err := d.UpdateMeeting(ctx, m.ID, storage.MeetingUpdate{StartsAt: &far}); errKey(err) != "meeting_error_too_far" {
		t.Errorf("move 6 years ahead: %v, want meeting_error_too_far", err)
	}
}

// A pending reminder row that cannot be read is skipped, named in an
// *UnreadableRowsError, and the readable ones are still returned.
func TestPendingRemindersSkipsUnreadableRows(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	d, err := storage.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	d.Now = func() time.Time { return meetingsT0 }
	ctx := context.Background()
	bad, err := d.CreateMeeting(ctx, meetingIn(meetingsT0.Add(72*time.Hour), time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	good, err := d.CreateMeeting(ctx, meetingIn(meetingsT0.Add(96*time.Hour), time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec("UPDATE reminders SET starts_at = '10000-01-01T04:59:00Z' WHERE meeting_id = ?", bad.ID); err != nil {
		t.Fatal(err)
	}
	rs, err := d.PendingReminders(ctx)
	var unreadable *storage.UnreadableRowsError
	if !errors.As(err, &unreadable) || len(unreadable.IDs) != 1 {
		t.Fatalf("error %v, want an UnreadableRowsError naming one row", err)
	}
	if len(rs) != 1 || rs[0].MeetingID != good.ID {
		t.Errorf("readable reminders %+v, want the one of meeting %d", rs, good.ID)
	}
}

func TestMoveMeetingReplansReminders(t *testing.T) {
	d, clock := openMeetingsDB(t)
	ctx := context.Background()
	start := meetingsT0.Add(20 * 24 * time.Hour)
	m, err := d.CreateMeeting(ctx, meetingIn(start, 336*time.Hour, 24*time.Hour, time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	// The 336h reminder goes out; the 24h one fails once.
	clock.Set(start.Add(-336 * time.Hour))
	sendNext(t, d, 336*time.Hour)
	clock.Set(start.Add(-24 * time.Hour))
	failed := pendingWith(t, d, 24*time.Hour)
	if _, _, ok, err := d.ClaimReminder(ctx, failed.ID, testOwner); !ok || err != nil {
		t.Fatalf("claim 24h: ok=%v err=%v", ok, err)
	}
	if err := d.MarkReminderFailed(ctx, failed.ID, testOwner, "slack: 503"); err != nil {
		t.Fatal(err)
	}
	newStart := start.Add(7 * 24 * time.Hour)
	moved, err := d.UpdateMeeting(ctx, m.ID, storage.MeetingUpdate{StartsAt: &newStart})
	if err != nil {
		t.Fatal(err)
	}
	if moved.Sequence != 1 || !moved.StartsAt.Equal(newStart) {
		t.Errorf("moved = %+v, want sequence 1 and new start", moved)
	}
	rs, err := d.RemindersOf(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		offset time.Duration
		start  time.Time
		status storage.ReminderStatus
		reason storage.ReminderReason
	}
	got := map[row]bool{}
	for _, r := range rs {
		got[row{r.Offset, r.StartsAt, r.Status, r.Reason}] = true
	}
	want := []row{
		{336 * time.Hour, start, storage.ReminderSent, ""},
		{24 * time.Hour, start, storage.ReminderFailed, storage.ReasonMoved},
		// Due a week ago for the new start: too late to post.
		{336 * time.Hour, newStart, storage.ReminderSkipped, storage.ReasonPlannedLate},
		{24 * time.Hour, newStart, storage.ReminderPending, ""},
		{time.Hour, newStart, storage.ReminderPending, ""},
	}
	for _, w := range want {
		if !got[w] {
			t.Errorf("missing reminder %+v", w)
		}
	}
	if len(rs) != len(want) {
		t.Errorf("got %d reminders, want %d (the old 1h one is dropped): %+v", len(rs), len(want), got)
	}
}

func TestUpdateMeetingFields(t *testing.T) {
	d, _ := openMeetingsDB(t)
	ctx := context.Background()
	m, err := d.CreateMeeting(ctx, meetingIn(meetingsT0.Add(48*time.Hour), time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	theme, link, dur := "  Accessibility  ", "https://meet.example/abc", 90*time.Minute
	got, err := d.UpdateMeeting(ctx, m.ID, storage.MeetingUpdate{Theme: &theme, Link: &link, Duration: &dur})
	if err != nil {
		t.Fatal(err)
	}
	if got.Theme != "Accessibility" || got.Link != link || got.Duration != dur || got.Sequence != 1 || got.Title != "Quarterly" {
		t.Errorf("updated = %+v", got)
	}
	bad := "ftp://x"
	if _, err := d.UpdateMeeting(ctx, m.ID, storage.MeetingUpdate{Link: &bad}); errKey(err) != "meeting_error_link" {
		t.Errorf("bad link: %v", err)
	}
	past := meetingsT0.Add(-time.Hour)
	if _, err := d.UpdateMeeting(ctx, m.ID, storage.MeetingUpdate{StartsAt: &past}); errKey(err) != "meeting_error_past" {
		t.Errorf("move to the past: %v", err)
	}
	again, _ := d.MeetingByID(ctx, m.ID)
	if again.Link != link || again.Sequence != 1 || !again.StartsAt.Equal(m.StartsAt) {
		t.Errorf("a refused update changed the meeting: %+v", again)
	}
	if _, err := d.UpdateMeeting(ctx, 999, storage.MeetingUpdate{Theme: &theme}); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("unknown meeting: %v, want not found", err)
	}
}

func TestCancelMeeting(t *testing.T) {
	d, clock := openMeetingsDB(t)
	ctx := context.Background()
	m, err := d.CreateMeeting(ctx, meetingIn(meetingsT0.Add(48*time.Hour), 24*time.Hour, time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	c, err := d.CancelMeeting(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != storage.MeetingCancelled || c.Sequence != 1 {
		t.Errorf("cancelled = %+v", c)
	}
	rs, _ := d.RemindersOf(ctx, m.ID)
	for _, r := range rs {
		if r.Status != storage.ReminderSkipped || r.Reason != storage.ReasonCancelled {
			t.Errorf("reminder after cancel = %s/%s, want skipped/cancelled", r.Status, r.Reason)
		}
	}
	if _, err := d.CancelMeeting(ctx, m.ID); errKey(err) != "meeting_error_cancelled" {
		t.Errorf("second cancel: %v", err)
	}
	title := "x"
	if _, err := d.UpdateMeeting(ctx, m.ID, storage.MeetingUpdate{Title: &title}); errKey(err) != "meeting_error_cancelled" {
		t.Errorf("edit cancelled: %v", err)
	}
	over, _ := d.CreateMeeting(ctx, meetingIn(meetingsT0.Add(time.Hour)))
	clock.Set(meetingsT0.Add(3 * time.Hour))
	if _, err := d.CancelMeeting(ctx, over.ID); errKey(err) != "meeting_error_over" {
		t.Errorf("cancel a past meeting: %v", err)
	}
}

func TestFindMeetings(t *testing.T) {
	d, _ := openMeetingsDB(t)
	ctx := context.Background()
	var ids []int64
	for i := 1; i <= 4; i++ {
		m, err := d.CreateMeeting(ctx, meetingIn(meetingsT0.Add(time.Duration(i)*24*time.Hour)))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	if _, err := d.CancelMeeting(ctx, ids[1]); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		f    storage.MeetingFilter
		want []int64
	}{
		{"all", storage.MeetingFilter{}, ids},
		{"scheduled", storage.MeetingFilter{Status: storage.MeetingScheduled}, []int64{ids[0], ids[2], ids[3]}},
		{"window", storage.MeetingFilter{From: meetingsT0.Add(48 * time.Hour), Before: meetingsT0.Add(96 * time.Hour)}, ids[1:3]},
		{"latest two", storage.MeetingFilter{Descending: true, Limit: 2}, []int64{ids[3], ids[2]}},
		{"by id", storage.MeetingFilter{ID: &ids[2]}, ids[2:3]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, err := d.FindMeetings(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, m := range ms {
				got = append(got, m.ID)
			}
			if !equalIDs(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// pendingWith returns the pending reminder with that offset.
func pendingWith(t *testing.T, d *storage.DB, offset time.Duration) *storage.Reminder {
	t.Helper()
	rs, err := d.PendingReminders(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.Offset == offset {
			return r
		}
	}
	t.Fatalf("no pending %s reminder", offset)
	return nil
}

// sendNext claims and marks sent the pending reminder with that offset.
func sendNext(t *testing.T, d *storage.DB, offset time.Duration) *storage.Reminder {
	t.Helper()
	ctx := context.Background()
	r := pendingWith(t, d, offset)
	if _, _, ok, err := d.ClaimReminder(ctx, r.ID, testOwner); !ok || err != nil {
		t.Fatalf("claim: ok=%v err=%v", ok, err)
	}
	refs := []storage.PostRef{{Platform: storage.PlatformSlack, Channel: "C1", ID: "1.2"}}
	if err := d.MarkReminderSent(ctx, r.ID, refs, false); err != nil {
		t.Fatal(err)
	}
	return r
}
