package storage

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestCreateMeetingsAllOrNothing: one refused meeting leaves none written
// and names its position.
func TestCreateMeetingsAllOrNothing(t *testing.T) {
	d, _ := openMemberDB(t) // clock: 2027-01-15
	ctx := context.Background()
	in := func(start time.Time) MeetingInput {
		return MeetingInput{StartsAt: start, Zone: "America/Toronto", Duration: time.Hour, Reminders: []time.Duration{time.Hour}}
	}
	ins := []MeetingInput{in(time.Date(2027, 3, 1, 17, 0, 0, 0, time.UTC)), in(time.Date(2040, 3, 1, 17, 0, 0, 0, time.UTC))}
	_, err := d.CreateMeetings(ctx, ins)
	var e *Error
	if !errors.As(err, &e) || e.Key != "meeting_error_too_far" || e.Args["Index"] != 1 {
		t.Fatalf("CreateMeetings = %v, want meeting_error_too_far at Index 1", err)
	}
	if n := countRows(t, d, "SELECT count(*) FROM meetings"); n != 0 {
		t.Errorf("%d meetings written, want 0", n)
	}
	ms, err := d.CreateMeetings(ctx, ins[:1])
	if err != nil || len(ms) != 1 || countRows(t, d, "SELECT count(*) FROM reminders") != 1 {
		t.Errorf("CreateMeetings(one good) = %v, %v", ms, err)
	}
}
