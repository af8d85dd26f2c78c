package storage_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"copbot/storage"
)

func TestClaimReminder(t *testing.T) {
	start := meetingsT0.Add(48 * time.Hour)
	tests := []struct {
		name         string
		setup        func(t *testing.T, d *storage.DB, clock *meetingClock, m *storage.Meeting, r *storage.Reminder)
		wantOK       bool
		wantStatus   storage.ReminderStatus
		wantReason   storage.ReminderReason
		wantAttempts int
	}{
		{"due and pending", func(*testing.T, *storage.DB, *meetingClock, *storage.Meeting, *storage.Reminder) {},
			true, storage.ReminderPending, "", 1},
		{"already sent", func(t *testing.T, d *storage.DB, _ *meetingClock, _ *storage.Meeting, r *storage.Reminder) {
			sendNext(t, d, r.Offset)
		}, false, storage.ReminderSent, "", 1},
		{"meeting started, never tried", func(_ *testing.T, _ *storage.DB, clock *meetingClock, _ *storage.Meeting, _ *storage.Reminder) {
			clock.Set(start)
		}, false, storage.ReminderSkipped, storage.ReasonStarted, 0},
		{"meeting started after failures", func(t *testing.T, d *storage.DB, clock *meetingClock, _ *storage.Meeting, r *storage.Reminder) {
			if _, _, ok, err := d.ClaimReminder(context.Background(), r.ID); !ok || err != nil {
				t.Fatalf("first claim: %v %v", ok, err)
			}
			clock.Set(start.Add(time.Minute))
		}, false, storage.ReminderFailed, storage.ReasonStarted, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, clock := openMeetingsDB(t)
			ctx := context.Background()
			m, err := d.CreateMeeting(ctx, meetingIn(start, 24*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			r := pendingWith(t, d, 24*time.Hour)
			clock.Set(r.DueAt)
			tt.setup(t, d, clock, m, r)
			got, _, ok, err := d.ClaimReminder(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if ok != tt.wantOK || got.Status != tt.wantStatus || got.Reason != tt.wantReason {
				t.Errorf("claim = ok %v, %s/%s; want ok %v, %s/%s", ok, got.Status, got.Reason, tt.wantOK, tt.wantStatus, tt.wantReason)
			}
			stored, err := d.ReminderByID(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if stored.Status != tt.wantStatus || stored.Attempts != tt.wantAttempts {
				t.Errorf("stored = %s with %d attempts; want %s with %d", stored.Status, stored.Attempts, tt.wantStatus, tt.wantAttempts)
			}
		})
	}
}

func TestMarkReminderSentOnce(t *testing.T) {
	d, clock := openMeetingsDB(t)
	ctx := context.Background()
	if _, err := d.CreateMeeting(ctx, meetingIn(meetingsT0.Add(48*time.Hour), 24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	r := pendingWith(t, d, 24*time.Hour)
	clock.Set(r.DueAt.Add(90 * time.Second))
	if _, _, ok, err := d.ClaimReminder(ctx, r.ID); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if err := d.MarkReminderFailed(ctx, r.ID, "503 "+strings.Repeat("x", 600)); err != nil {
		t.Fatal(err)
	}
	refs := []storage.PostRef{{Platform: storage.PlatformSlack, Channel: "C1", ID: "17.1"}, {Platform: storage.PlatformTeams, Channel: "19:a", ID: "9"}}
	if err := d.MarkReminderSent(ctx, r.ID, refs, true); err != nil {
		t.Fatal(err)
	}
	err := d.MarkReminderSent(ctx, r.ID, refs, false)
	if storage.ErrorCode(err) != storage.ECONFLICT {
		t.Errorf("second MarkReminderSent: %v, want conflict", err)
	}
	if err := d.MarkReminderFailed(ctx, r.ID, "late failure"); storage.ErrorCode(err) != storage.ECONFLICT {
		t.Errorf("MarkReminderFailed after sent: %v, want conflict", err)
	}
	got, _ := d.ReminderByID(ctx, r.ID)
	if got.Status != storage.ReminderSent || !got.Late || !got.SentAt.Equal(r.DueAt.Add(90*time.Second)) ||
		len(got.Refs) != 2 || got.Refs[1] != refs[1] || got.LastError != "" {
		t.Errorf("sent reminder = %+v", got)
	}
	if pending, _ := d.PendingReminders(ctx); len(pending) != 0 {
		t.Errorf("still pending: %+v", pending)
	}
}

func TestMarkReminderFailedTruncates(t *testing.T) {
	d, _ := openMeetingsDB(t)
	ctx := context.Background()
	if _, err := d.CreateMeeting(ctx, meetingIn(meetingsT0.Add(48*time.Hour), 24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	r := pendingWith(t, d, 24*time.Hour)
	if err := d.MarkReminderFailed(ctx, r.ID, strings.Repeat("é", 700)); err != nil {
		t.Fatal(err)
	}
	got, _ := d.ReminderByID(ctx, r.ID)
	if n := len([]rune(got.LastError)); n != 500 || got.Status != storage.ReminderPending {
		t.Errorf("last error has %d runes, status %s; want 500, pending", n, got.Status)
	}
}

func TestPlanRemindersIdempotent(t *testing.T) {
	d, _ := openMeetingsDB(t)
	ctx := context.Background()
	m, err := d.CreateMeeting(ctx, meetingIn(meetingsT0.Add(30*24*time.Hour), 24*time.Hour, time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	before, _ := d.RemindersOf(ctx, m.ID)
	for i := 0; i < 3; i++ {
		if err := d.PlanReminders(ctx, m.ID, []time.Duration{24 * time.Hour, time.Hour}); err != nil {
			t.Fatal(err)
		}
	}
	after, _ := d.RemindersOf(ctx, m.ID)
	if len(after) != len(before) || after[0].ID != before[0].ID || after[1].ID != before[1].ID {
		t.Errorf("re-planning the same offsets changed rows: %+v -> %+v", before, after)
	}
	// The config now says 48h and 1h: 24h goes, 48h comes, 1h stays.
	if err := d.PlanReminders(ctx, m.ID, []time.Duration{48 * time.Hour, time.Hour}); err != nil {
		t.Fatal(err)
	}
	rs, _ := d.RemindersOf(ctx, m.ID)
	var offsets []time.Duration
	for _, r := range rs {
		offsets = append(offsets, r.Offset)
	}
	if len(rs) != 2 || offsets[0] != 48*time.Hour || offsets[1] != time.Hour || rs[1].ID != before[1].ID {
		t.Errorf("after new offsets: %v", offsets)
	}
	if err := d.PlanReminders(ctx, m.ID, []time.Duration{0}); storage.ErrorCode(err) != storage.EINVALID {
		t.Errorf("zero offset: %v, want invalid", err)
	}
}

func TestMoveAwayAndBackReusesReminder(t *testing.T) {
	d, _ := openMeetingsDB(t)
	ctx := context.Background()
	start := meetingsT0.Add(10 * 24 * time.Hour)
	m, err := d.CreateMeeting(ctx, meetingIn(start, 24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	r := pendingWith(t, d, 24*time.Hour)
	if _, _, ok, err := d.ClaimReminder(ctx, r.ID); !ok || err != nil {
		t.Fatal(ok, err)
	}
	later := start.Add(24 * time.Hour)
	if _, err := d.UpdateMeeting(ctx, m.ID, storage.MeetingUpdate{StartsAt: &later}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.UpdateMeeting(ctx, m.ID, storage.MeetingUpdate{StartsAt: &start}); err != nil {
		t.Fatal(err)
	}
	got, _ := d.ReminderByID(ctx, r.ID)
	if got.Status != storage.ReminderPending || got.Reason != "" {
		t.Errorf("reminder of the original start after moving back = %s/%s, want pending", got.Status, got.Reason)
	}
	pending, _ := d.PendingReminders(ctx)
	if len(pending) != 1 || pending[0].ID != r.ID {
		t.Errorf("pending = %+v, want only the original", pending)
	}
}

func TestRSVP(t *testing.T) {
	d, clock := openMeetingsDB(t)
	ctx := context.Background()
	m, err := d.CreateMeeting(ctx, meetingIn(meetingsT0.Add(48*time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	ana := joinForMeetings(t, d, "Ana Tremblay", "ana")
	bob := joinForMeetings(t, d, "bob Smith", "bob")
	steps := []struct {
		member  int64
		meeting int64
		answer  storage.RSVPAnswer
		wantErr string
	}{
		{ana.ID, m.ID, storage.RSVPYes, ""},
		{bob.ID, m.ID, storage.RSVPYes, ""},
		{bob.ID, m.ID, storage.RSVPNo, ""}, // changes, never duplicates
		{ana.ID, m.ID, "maybe", "rsvp_error_answer"},
		{ana.ID, 999, storage.RSVPYes, "meeting_error_not_found"},
		{424242, m.ID, storage.RSVPYes, "rsvp_error_not_member"},
	}
	for _, s := range steps {
		if got := errKey(d.SetRSVP(ctx, s.meeting, s.member, s.answer)); got != s.wantErr {
			t.Errorf("SetRSVP(%d, %d, %s) error %q, want %q", s.meeting, s.member, s.answer, got, s.wantErr)
		}
	}
	rs, err := d.RSVPs(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].MemberName != "Ana Tremblay" || rs[0].Answer != storage.RSVPYes ||
		rs[1].MemberName != "bob Smith" || rs[1].Answer != storage.RSVPNo {
		t.Errorf("RSVPs = %+v", rs)
	}
	clock.Set(m.EndsAt())
	if got := errKey(d.SetRSVP(ctx, m.ID, ana.ID, storage.RSVPNo)); got != "meeting_error_over" {
		t.Errorf("RSVP after the meeting: %q", got)
	}
}

func joinForMeetings(t *testing.T, d *storage.DB, name, console string) *storage.Member {
	t.Helper()
	m, _, err := d.JoinMember(context.Background(), storage.MemberInput{Name: name, Organization: "Service Canada",
		Order: storage.OrderFederal, Jurisdiction: "CA", Language: "en", ConsoleID: console})
	if err != nil {
		t.Fatalf("join %s: %v", name, err)
	}
	return m
}

func TestMarkReminderSkipped(t *testing.T) {
	d, _ := openMeetingsDB(t)
	ctx := context.Background()
	if _, err := d.CreateMeeting(ctx, meetingIn(meetingsT0.Add(48*time.Hour), 24*time.Hour, time.Hour)); err != nil {
		t.Fatal(err)
	}
	never, tried := pendingWith(t, d, 24*time.Hour), pendingWith(t, d, time.Hour)
	if _, _, ok, err := d.ClaimReminder(ctx, tried.ID); !ok || err != nil {
		t.Fatal(ok, err)
	}
	tests := []struct {
		id         int64
		wantStatus storage.ReminderStatus
	}{{never.ID, storage.ReminderSkipped}, {tried.ID, storage.ReminderFailed}}
	for _, tt := range tests {
		if err := d.MarkReminderSkipped(ctx, tt.id, storage.ReasonStarted); err != nil {
			t.Fatal(err)
		}
		got, _ := d.ReminderByID(ctx, tt.id)
		if got.Status != tt.wantStatus || got.Reason != storage.ReasonStarted {
			t.Errorf("reminder %d: %s/%s, want %s/started", tt.id, got.Status, got.Reason, tt.wantStatus)
		}
		if err := d.MarkReminderSkipped(ctx, tt.id, storage.ReasonStarted); storage.ErrorCode(err) != storage.ECONFLICT {
			t.Errorf("second skip: %v, want conflict", err)
		}
	}
	if _, err := d.ReminderByID(ctx, 999); storage.ErrorCode(err) != storage.ENOTFOUND {
		t.Errorf("unknown reminder: %v", err)
	}
}
