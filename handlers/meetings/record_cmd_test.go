package meetings

import (
	"context"
	"strings"
	"testing"
	"time"

	"copbot/handlers"
	"copbot/handlers/handlerstest"
	"copbot/storage"
)

// rcT0 is the clock's start in the command tests: a Friday in December.
var rcT0 = time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC)

func newRcEnv(t *testing.T) (*ptEnv, *handlerstest.Clock, *handlerstest.DMPoster) {
	t.Helper()
	clock, poster := handlerstest.NewClock(rcT0), &handlerstest.DMPoster{}
	return newPtEnvClock(t, poster, clock), clock, poster
}

func rcHas(t *testing.T, r handlers.Reply, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(r.Text, w) {
			t.Errorf("reply %q lacks %q:\n%s", r.Kind, w, r.Text)
		}
	}
}

func TestMeetingNotesCommand(t *testing.T) {
	e, clock, _ := newRcEnv(t)
	ctx := context.Background()
	m, err := e.db.CreateMeeting(ctx, storage.MeetingInput{Title: "Quarterly", StartsAt: rcT0.Add(time.Hour),
		Zone: "America/Toronto", Duration: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.CreateMeeting(ctx, storage.MeetingInput{Title: "Nobody came", StartsAt: rcT0.Add(2 * time.Hour),
		Zone: "America/Toronto", Duration: time.Hour}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"ann", "bob", "cy"} {
		e.join(id, strings.ToUpper(id), "en")
		e.ask(ptUser(id), "attend 1")
	}
	if r := e.ask(ptCoordinator, "meeting notes 1 --point early"); r.Kind != "error" || !strings.Contains(r.Text, "has not started") {
		t.Fatalf("notes before the start: %s", r.Text)
	}
	clock.Add(3 * time.Hour)
	tests := []struct {
		name, who, text string
		want            []string
	}{
		{"non-coordinator", "ann", "meeting notes 1 --point x", []string{"Only coordinators"}},
		{"show pre-filled", "coord", "meeting notes 1", []string{"Record of meeting 1: Quarterly", "Attendance: 3 (from the yes answers)"}},
		{"write", "coord", `meeting notes 1 --format panel --panelists "ESDC; Service Ontario" --point "First" --point "Second" --point "Third"`,
			[]string{"Meeting 1’s record is saved", "Format: Panel", "ESDC and Service Ontario", "1. First\n2. Second\n3. Third"}},
		{"correct", "coord", "meeting notes 1 --remove-point 2 --attendance 12", []string{"12 counted (3 answered yes)", "1. First\n2. Third"}},
		{"bad format changes nothing", "coord", "meeting notes 1 --format party --point x", []string{"“party” is not a format", "Nothing was changed"}},
		{"unknown option", "coord", "meeting notes 1 --colour red", []string{"I don’t know the option --colour"}},
		{"French names", "coord", "réunion notes 1 --présences rsvp --tenue oui", []string{"3 (d’après les réponses positives)", "Tenue\u00a0: oui"}},
		{"French plurals from zero", "coord", "réunion notes 2 --présences 1", []string{"1 personne comptée (0 réponse positive)"}},
		{"English count", "coord", "meeting notes 2 --attendance 0", []string{"0 counted (0 answered yes)"}},
		{"French format name", "coord", `réunion notes 2 --format "table ronde"`, []string{"Format\u00a0: discussion en groupe"}},
		{"French format, other words", "coord", `réunion notes 2 --format "Discussion ouverte"`, []string{"Format\u00a0: discussion ouverte"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rcHas(t, e.ask(ptUser(tt.who), tt.text), tt.want...)
		})
	}
	r, err := e.db.MeetingRecordOf(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(r.KeyPoints, "|"); got != "First|Third" || r.Format != storage.FormatPanel {
		t.Errorf("stored record: points %q, format %q", got, r.Format)
	}
}

func TestMeetingAddIsAnnounced(t *testing.T) {
	e, _, poster := newRcEnv(t)
	r := e.ask(ptCoordinator, "meeting add 2027-03-17 13:00 Spring meeting")
	rcHas(t, r, "Meeting #1 is scheduled", "The community channel was told")
	posts := poster.Posts("meeting_notice")
	if len(posts) != 1 {
		t.Fatalf("%d announcements, want 1", len(posts))
	}
	for _, w := range []string{"New meeting: Spring meeting, Wednesday, March 17, 2027 at 1:00 p.m. EDT",
		"Nouvelle réunion\u00a0: Spring meeting, mercredi 17 mars 2027 à 13\u00a0h HAE"} {
		if !strings.Contains(strings.ReplaceAll(posts[0].Text, "\u202f", "\u00a0"), w) {
			t.Errorf("announcement lacks %q:\n%s", w, posts[0].Text)
		}
	}
}

// TestMeetingAddHeld: --held records a meeting that took place, with no
// notice and no reminders, and its notes are taken at once; without
// --held a past time is refused and the error says how.
func TestMeetingAddHeld(t *testing.T) {
	e, _, poster := newRcEnv(t)
	ctx := context.Background()
	rcHas(t, e.ask(ptCoordinator, "meeting add 2026-11-18 13:00 Fall meeting"), "already passed", "add --held", "Nothing was changed")
	r := e.ask(ptCoordinator, "meeting add 2026-11-18 13:00 Fall meeting --theme Accessibility --held")
	rcHas(t, r, "Meeting #1 is recorded as held. Nobody was told", "meeting notes 1")
	if n := len(poster.Posts("meeting_notice")); n != 0 {
		t.Fatalf("%d notices for a held meeting", n)
	}
	if rs, err := e.db.RemindersOf(ctx, 1); err != nil || len(rs) != 0 {
		t.Fatalf("reminders %v, %v", rs, err)
	}
	rcHas(t, e.ask(ptCoordinator, `meeting notes 1 --format panel --point "Video relay" --attendance 31`),
		"Meeting 1’s record is saved", "31 counted")
	rcHas(t, e.ask(ptCoordinator, "réunion ajouter 2026-10-21 13:00 Réunion d’octobre --tenue"),
		"La réunion nº\u00a02 est notée comme tenue", "Personne n’a été avisé")
	rcHas(t, e.ask(ptCoordinator, "meeting add 2027-01-20 13:00 Winter --held"), "must have taken place", "Nothing was changed")
	if ms, _ := e.db.FindMeetings(ctx, storage.MeetingFilter{}); len(ms) != 2 {
		t.Errorf("%d meetings, want 2", len(ms))
	}
}
