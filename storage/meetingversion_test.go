package storage_test

import (
	"context"
	"testing"
	"time"

	"copbot/storage"
)

// TestMeetingVersionBumpsOnEveryMeetingWrite: adding, editing and
// cancelling a meeting each move meeting_version (migration 0041), a
// directory write does not, and a read-only look does not either.
func TestMeetingVersionBumpsOnEveryMeetingWrite(t *testing.T) {
	d, _ := openMeetingsDB(t)
	ctx := context.Background()
	last := func() int64 {
		t.Helper()
		v, err := d.MeetingVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	v := last()
	step := func(what string, bumps bool, write func() error) {
		t.Helper()
		if err := write(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if now := last(); (now != v) != bumps {
			t.Errorf("%s: meeting_version %d -> %d (bump wanted: %v)", what, v, now, bumps)
		} else {
			v = now
		}
	}
	var id int64
	step("create", true, func() error {
		m, err := d.CreateMeeting(ctx, meetingIn(meetingsT0.Add(48*time.Hour)))
		if m != nil {
			id = m.ID
		}
		return err
	})
	theme := "Serving vulnerable communities"
	step("update", true, func() error { _, err := d.UpdateMeeting(ctx, id, storage.MeetingUpdate{Theme: &theme}); return err })
	step("cancel", true, func() error { _, err := d.CancelMeeting(ctx, id); return err })
	step("read", false, func() error { _, err := d.MeetingByID(ctx, id); return err })
	step("join", false, func() error {
		_, _, err := d.JoinMember(ctx, storage.MemberInput{Name: "Ada", Organization: "Service Canada",
			Order: storage.OrderFederal, Jurisdiction: "CA", ConsoleID: "ada", Language: "en"})
		return err
	})
}
