package storage_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"copbot/storage"
)

func TestClaimReminder(t *testing.T) {
	start := meetingsT0.Add(48 * time.Hour)
	tests := []struct {
		name         string
		setup        func(t *testing.T, d *storage.DB, clock *storage.TestClock, m *storage.Meeting, r *storage.Reminder)
		wantOK       bool
		wantStatus   storage.ReminderStatus
		wantReason   storage.ReminderReason
		wantAttempts int
	}{
		{"due and pending", func(*testing.T, *storage.DB, *storage.TestClock, *storage.Meeting, *storage.Reminder) {},
			true, storage.ReminderPending, "", 1},
		{"already sent", func(t *testing.T, d *storage.DB, _ *storage.TestClock, _ *storage.Meeting, r *storage.Reminder) {
			sendNext(t, d, r.Offset)
		}, false, storage.ReminderSent, "", 1},
		{"meeting started, never tried", func(_ *testing.T, _ *storage.DB, clock *storage.TestClock, _ *storage.Meeting, _ *storage.Reminder) {
			clock.Set(start)
		}, false, storage.ReminderSkipped, storage.ReasonStarted, 0},
		{"meeting started after failures", func(t *testing.T, d *storage.DB, clock *storage.TestClock, _ *storage.Meeting, r *storage.Reminder) {
			if _, _, ok, err := d.ClaimReminder(context.Background(), r.ID, testOwner); !ok || err != nil {
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
			got, _, ok, err := d.ClaimReminder(ctx, r.ID, testOwner)
			if err != nil {
				t.Fatal(err)
			}
			if ok != tt.wantOK || got.Status != tt.wantStatus || got.Reason != tt.wantReason {
				t.Errorf("claim = ok %v, %s/%s; want ok %v, %s/%s", ok, got.Status, got.Reason, tt.wantOK, tt.wantStatus, tt.wantReason)
			}
			stored := reminderByID(t, d, r.ID)
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
	if _, _, ok, err := d.ClaimReminder(ctx, r.ID, testOwner); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if err := d.MarkReminderFailed(ctx, r.ID, testOwner, "503 "+strings.Repeat("x", 600)); err != nil {
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
	if err := d.MarkReminderFailed(ctx, r.ID, testOwner, "late failure"); storage.ErrorCode(err) != storage.ECONFLICT {
		t.Errorf("MarkReminderFailed after sent: %v, want conflict", err)
	}
	got := reminderByID(t, d, r.ID)
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
	if err := d.MarkReminderFailed(ctx, r.ID, testOwner, strings.Repeat("é", 700)); err != nil {
		t.Fatal(err)
	}
	got := reminderByID(t, d, r.ID)
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
	if _, _, ok, err := d.ClaimReminder(ctx, r.ID, testOwner); !ok || err != nil {
		t.Fatal(ok, err)
	}
	later := start.Add(24 * time.Hour)
	if _, err := d.UpdateMeeting(ctx, m.ID, storage.MeetingUpdate{StartsAt: &later}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.UpdateMeeting(ctx, m.ID, storage.MeetingUpdate{StartsAt: &start}); err != nil {
		t.Fatal(err)
	}
	got := reminderByID(t, d, r.ID)
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

// reminderByID reads one reminder back, from the reminders of every meeting.
func reminderByID(t *testing.T, d *storage.DB, id int64) *storage.Reminder {
	t.Helper()
	ms, err := d.FindMeetings(context.Background(), storage.MeetingFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		rs, err := d.RemindersOf(context.Background(), m.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			if r.ID == id {
				return r
			}
		}
	}
	t.Fatalf("no reminder %d", id)
	return nil
}

const testOwner = "test-process"

// The lease on a delivery attempt: while it is live nobody else may claim
// the reminder; a stale one (its claimer died) may be taken over; a failure
// releases only the failing claimer's own lease; sending ends it.
func TestReminderLease(t *testing.T) {
	d, clock := openMeetingsDB(t)
	ctx := context.Background()
	if _, err := d.CreateMeeting(ctx, meetingIn(meetingsT0.Add(48*time.Hour), 24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	r := pendingWith(t, d, 24*time.Hour)
	due := r.DueAt
	claim := func(owner string) string {
		_, _, ok, err := d.ClaimReminder(ctx, r.ID, owner)
		if ok != (err == nil) {
			t.Fatalf("claim by %s: ok %v with err %v", owner, ok, err)
		}
		return errKey(err)
	}
	steps := []struct {
		name      string
		at        time.Duration // after the due time
		do        func() string
		want      string // error key, "" for success
		wantBy    string
		wantTries int
		wantLive  bool // a lease is held afterwards
	}{
		{"A claims", 0, func() string { return claim("A") }, "", "A", 1, true},
		{"B is refused", time.Second, func() string { return claim("B") }, "reminder_error_claimed", "A", 1, true},
		{"B still refused at the lease's end", storage.ReminderLease, func() string { return claim("B") }, "reminder_error_claimed", "A", 1, true},
		{"B takes over a stale lease", storage.ReminderLease + time.Second, func() string { return claim("B") }, "", "B", 2, true},
		{"A's late failure keeps B's lease", storage.ReminderLease + 2*time.Second, func() string {
			return errKey(d.MarkReminderFailed(ctx, r.ID, "A", "timeout"))
		}, "", "B", 2, true},
		{"so A is refused", storage.ReminderLease + 3*time.Second, func() string { return claim("A") }, "reminder_error_claimed", "B", 2, true},
		{"B's failure releases its lease", storage.ReminderLease + 4*time.Second, func() string {
			return errKey(d.MarkReminderFailed(ctx, r.ID, "B", "503"))
		}, "", "B", 2, false},
		{"A claims at once", storage.ReminderLease + 5*time.Second, func() string { return claim("A") }, "", "A", 3, true},
		{"A records the post", storage.ReminderLease + 6*time.Second, func() string {
			return errKey(d.MarkReminderSent(ctx, r.ID, nil, true))
		}, "", "A", 3, false},
	}
	for _, s := range steps {
		clock.Set(due.Add(s.at))
		if got := s.do(); got != s.want {
			t.Fatalf("%s: error %q, want %q", s.name, got, s.want)
		}
		got := reminderByID(t, d, r.ID)
		if got.ClaimedBy != s.wantBy || got.Attempts != s.wantTries || got.ClaimedAt.IsZero() == s.wantLive {
			t.Fatalf("%s: claimed by %q at %v, %d attempts; want %q, live %v, %d attempts",
				s.name, got.ClaimedBy, got.ClaimedAt, got.Attempts, s.wantBy, s.wantLive, s.wantTries)
		}
	}
	if got := reminderByID(t, d, r.ID); got.Status != storage.ReminderSent {
		t.Errorf("status %s, want sent", got.Status)
	}
}

// Two processes (two handles on one database file) racing to claim the
// same due reminder: exactly one wins, every other claim is refused.
func TestClaimReminderRaceAcrossHandles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.db")
	clock := storage.NewTestClock(meetingsT0)
	var handles []*storage.DB
	for i := 0; i < 2; i++ {
		d, err := storage.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		d.Now = clock.Now
		handles = append(handles, d)
	}
	ctx := context.Background()
	if _, err := handles[0].CreateMeeting(ctx, meetingIn(meetingsT0.Add(48*time.Hour), 24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	r := pendingWith(t, handles[1], 24*time.Hour)
	clock.Set(r.DueAt)
	const claimers = 8
	var wg sync.WaitGroup
	results := make(chan string, claimers)
	ready := make(chan struct{})
	for i := 0; i < claimers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-ready
			_, _, ok, err := handles[i%2].ClaimReminder(ctx, r.ID, fmt.Sprintf("process-%d", i))
			if ok {
				results <- "won"
				return
			}
			results <- errKey(err)
		}()
	}
	close(ready)
	wg.Wait()
	close(results)
	got := map[string]int{}
	for res := range results {
		got[res]++
	}
	if got["won"] != 1 || got["reminder_error_claimed"] != claimers-1 {
		t.Errorf("claims: %v; want 1 won and %d refused", got, claimers-1)
	}
	if stored := reminderByID(t, handles[0], r.ID); stored.Attempts != 1 {
		t.Errorf("%d attempts counted, want 1", stored.Attempts)
	}
}
