package storage_test

import (
	"context"
	"testing"
	"time"

	"copbot/storage"
)

// TestCreateHeldMeeting: a meeting that took place is stored with no
// reminders whatever the offsets, its record defaults to held and takes
// notes at once; a "held" meeting in the future is refused, and a past
// one without Held still is.
func TestCreateHeldMeeting(t *testing.T) {
	d, _ := openMeetingsDB(t)
	ctx := context.Background()
	past := meetingsT0.Add(-10 * 24 * time.Hour)
	in := meetingIn(past, 24*time.Hour, time.Hour)
	if _, err := d.CreateMeeting(ctx, in); errKey(err) != "meeting_error_past" {
		t.Fatalf("past meeting without Held: %v", err)
	}
	in.Held = true
	m, err := d.CreateMeeting(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if rs, err := d.RemindersOf(ctx, m.ID); err != nil || len(rs) != 0 {
		t.Fatalf("reminders of a held meeting: %v, %v", rs, err)
	}
	_, recs, err := d.MeetingRecords(ctx, past.Add(-time.Hour), meetingsT0)
	if err != nil || len(recs) != 1 || !recs[0].Held || recs[0].Recorded {
		t.Fatalf("record: %+v, %v", recs, err)
	}
	future := meetingIn(meetingsT0.Add(time.Hour))
	future.Held = true
	if _, err := d.CreateMeeting(ctx, future); errKey(err) != "meeting_error_held_future" {
		t.Fatalf("held meeting in the future: %v", err)
	}
	// A batch (an import) is all or nothing, the refused row named.
	batch := []struct{ at time.Time }{{past.Add(-24 * time.Hour)}, {meetingsT0.Add(time.Hour)}}
	var ins = make([]storage.MeetingInput, 0, len(batch))
	for _, b := range batch {
		x := meetingIn(b.at)
		x.Held = true
		ins = append(ins, x)
	}
	if _, err := d.CreateMeetings(ctx, ins); errKey(err) != "meeting_error_held_future" {
		t.Fatalf("batch: %v", err)
	}
	if ms, _, _ := d.MeetingRecords(ctx, past.Add(-48*time.Hour), meetingsT0.Add(2*time.Hour)); len(ms) != 1 {
		t.Errorf("after a refused batch: %d meetings, want 1", len(ms))
	}
}
