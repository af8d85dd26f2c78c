package storage_test

import (
	"context"
	"testing"
	"time"

	"copbot/storage"
)

// A notice is recorded before it is posted; a newer notice of the same
// meeting supersedes one still pending (never one of another meeting), so
// only the newest is left to post; a finished notice stays finished.
func TestAnnouncements(t *testing.T) {
	d, clock := openMeetingsDB(t)
	ctx := context.Background()
	start := meetingsT0.Add(30 * 24 * time.Hour)
	var ms []*storage.Meeting
	for i := range 2 {
		in := meetingIn(start.Add(time.Duration(i)*time.Hour), 24*time.Hour)
		in.Title += string(rune('A' + i))
		m, err := d.CreateMeeting(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		ms = append(ms, m)
	}
	add := func(m *storage.Meeting, notice string, was time.Time) *storage.Announcement {
		t.Helper()
		clock.Add(time.Minute)
		a, err := d.AddAnnouncement(ctx, m.ID, notice, was)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	added := add(ms[0], "meeting_added_announce", time.Time{})
	other := add(ms[1], "meeting_added_announce", time.Time{})
	moved := add(ms[0], "meeting_moved_announce", start)
	if added.ID == moved.ID || storage.AnnouncementKey(added.ID) == storage.AnnouncementKey(moved.ID) {
		t.Fatalf("two notices share id %d", added.ID)
	}
	if !moved.Was.Equal(start) || moved.Notice != "meeting_moved_announce" || moved.Status != storage.AnnouncementPending ||
		!moved.CreatedAt.Equal(clock.Now().UTC().Truncate(time.Second)) {
		t.Errorf("moved notice %+v", moved)
	}
	pending, err := d.PendingAnnouncements(ctx)
	if err != nil || len(pending) != 2 || pending[0].ID != other.ID || pending[1].ID != moved.ID {
		t.Fatalf("pending %+v, %v; want the other meeting's and the move", pending, err)
	}
	if done, err := d.FinishAnnouncement(ctx, added.ID, storage.AnnouncementPosted); err != nil || done {
		t.Errorf("finishing a superseded notice: %v, %v; want not done", done, err)
	}
	if done, err := d.FinishAnnouncement(ctx, moved.ID, storage.AnnouncementPosted); err != nil || !done {
		t.Errorf("finishing the move: %v, %v", done, err)
	}
	if done, _ := d.FinishAnnouncement(ctx, moved.ID, storage.AnnouncementDropped); done {
		t.Error("a posted notice was finished again")
	}
	all, err := d.AnnouncementsOf(ctx, ms[0].ID)
	if err != nil || len(all) != 2 || all[0].Status != storage.AnnouncementSuperseded || all[1].Status != storage.AnnouncementPosted ||
		all[1].DoneAt.IsZero() {
		t.Errorf("meeting's notices %+v, %v", all, err)
	}
	if _, err := d.AddAnnouncement(ctx, 999, "meeting_added_announce", time.Time{}); errKey(err) != "meeting_error_not_found" {
		t.Errorf("a notice of no meeting: %v", err)
	}
}
