package meetings

import (
	"context"
	"testing"
	"time"
)

// TestMeetingPlanAllOrNothing is finding 8 of issue 9: when one quarterly
// date is refused (here: beyond the five-year horizon), `meeting plan`
// used to write the earlier months and then say "Nothing was changed".
// Now it writes nothing and says which date and why, in both languages.
func TestMeetingPlanAllOrNothing(t *testing.T) {
	for _, tt := range []struct{ lang, text, want1, want2 string }{
		{"en", "meeting plan 2032", "No meeting was planned for 2032: the meeting of Wednesday, September 15, 2032",
			"a meeting can start at most 5 years ahead. Nothing was changed."},
		{"fr", "réunion planifier 2032", "Aucune réunion n’a été planifiée pour 2032",
			"la réunion du mercredi 15 septembre 2032"},
	} {
		t.Run(tt.lang, func(t *testing.T) {
			e := newMtgEnv(t, nil)
			e.clock.Set(time.Date(2027, 7, 1, 12, 0, 0, 0, time.UTC)) // horizon: July 1, 2032
			r := e.ask("coord", tt.lang, tt.text)
			if r.Kind != "error" {
				t.Fatalf("reply %s %q, want an error", r.Kind, r.Text)
			}
			mtgHas(t, r, tt.want1, tt.want2)
			if ms := e.meetings(); len(ms) != 0 {
				t.Errorf("%d meetings written by a refused plan, want 0", len(ms))
			}
			if rs, _ := e.db.PendingReminders(context.Background()); len(rs) != 0 {
				t.Errorf("%d reminders written by a refused plan", len(rs))
			}
		})
	}
}

// TestMeetingMoveToSameTimeIsNoOp is finding 8 of issue 9: a move to the
// meeting's own time used to be saved and announced as a change.
func TestMeetingMoveToSameTimeIsNoOp(t *testing.T) {
	e := newMtgEnv(t, nil)
	m := e.addMeeting(mtgT0.Add(30*24*time.Hour), 24*time.Hour) // 2027-03-03 10:00 Toronto
	for _, tt := range []struct{ lang, text, want string }{
		{"en", "meeting move 1 2027-03-03 10:00", "Meeting #1 is already set for Wednesday, March 3, 2027 at 10:00 a.m. EST. Nothing was changed and nothing was announced."},
		{"fr", "réunion déplacer 1 2027-03-03 10:00 HNE", "est déjà prévue le mercredi 3 mars 2027"},
	} {
		mtgHas(t, e.ask("coord", tt.lang, tt.text), tt.want)
	}
	if got, _ := e.db.MeetingByID(context.Background(), m.ID); got.Sequence != m.Sequence {
		t.Errorf("a no-op move was saved: sequence %d, was %d", got.Sequence, m.Sequence)
	}
	// The same instant written in another zone's clock saves the zone, as
	// an edit, and announces nothing either.
	if r := e.ask("coord", "en", "meeting move 1 2027-03-03 15:00 UTC"); r.Kind == "error" {
		t.Errorf("same instant in UTC: %q", r.Text)
	}
	if n := len(e.poster.Posts("meeting_notice")); n != 0 {
		t.Errorf("%d move notices posted, want 0", n)
	}
	got, err := e.db.MeetingByID(context.Background(), m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.StartsAt.Equal(m.StartsAt) || got.Sequence != m.Sequence+1 || got.Zone != "UTC" {
		t.Errorf("after the moves: start %s, sequence %d (was %d), zone %s; want the same start, one edit, UTC",
			got.StartsAt, got.Sequence, m.Sequence, got.Zone)
	}
}
