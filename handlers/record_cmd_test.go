package handlers

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"copbot/scheduler"
	"copbot/storage"
)

// rcT0 is the clock's start in the command tests: a Friday in December.
var rcT0 = time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC)

func newRcEnv(t *testing.T) (*ptEnv, *ptClock, *ptDMPoster) {
	t.Helper()
	clock := &ptClock{t: rcT0}
	poster := &ptDMPoster{}
	e := newPtEnvClock(t, filepath.Join(t.TempDir(), "copbot.db"), poster, clock.Now)
	return e, clock, poster
}

func rcHas(t *testing.T, r Reply, want ...string) {
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
		{"French names", "coord", "réunion notes 1 --présences rsvp --tenue oui", []string{"3 (d’après les réponses positives)", "Tenue", "Oui"}},
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

func TestChallengeCommands(t *testing.T) {
	e, _, _ := newRcEnv(t)
	e.join("ann", "Ann", "en")
	tests := []struct {
		name, text string
		want       []string
	}{
		{"coverage kept", "challenges", []string{"No representative from Newfoundland and Labrador", "High",
			"Ask the Council members of those jurisdictions to designate one; review the CoP’s terms of reference."}},
		{"add", `challenge add "Low turnout" --criticality medium --incidence "Fewer voices" --plan "Survey"`,
			[]string{"Challenge 2 is in the register", "Low turnout", "Medium", "Fewer voices", "Survey"}},
		{"bad criticality", `challenge add "X" --criticality urgent`, []string{"“urgent” is not a criticality", "Nothing was changed"}},
		{"edit", "défi modifier 2 --criticité élevée", []string{"Challenge 2 is updated", "High"}},
		{"edit the coverage plan", `challenge edit 1 --plan "Write to the deputy ministers"`, []string{"Write to the deputy ministers"}},
		{"close", "challenge close 2", []string{"Challenge 2 is closed"}},
		{"close again", "challenge close 2", []string{"already closed"}},
		{"missing", "challenge edit 9 --plan x", []string{"There is no challenge 9"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { rcHas(t, e.ask(ptCoordinator, tt.text), tt.want...) })
	}
	r := e.ask(ptCoordinator, "challenges")
	if strings.Contains(r.Text, "Low turnout") || !strings.Contains(r.Text, "Write to the deputy ministers") {
		t.Errorf("list after close:\n%s", r.Text)
	}
}

// TestOutreachFollowUpAndAcceptance: a follow-up is reminded once, at 9:00
// community time on its date (clock-driven), and a member joining from the
// invited territory accepts the invitation and coordinators are told.
func TestOutreachFollowUpAndAcceptance(t *testing.T) {
	e, clock, poster := newRcEnv(t)
	rcHas(t, e.ask(ptCoordinator, `outreach add Yukon --contact "Deputy minister’s office" --sent 2026-12-01 --follow-up 2026-12-10`),
		"Invitation 1 is logged", "Toward Yukon", "Deputy minister’s office", "December 1, 2026", "Pending", "December 10, 2026")
	rcHas(t, e.ask(ptCoordinator, `outreach add Atlantis --contact x`), "I don’t know “Atlantis”")
	rcHas(t, e.ask(ptCoordinator, `outreach add Nunavut --contact "Council member" --follow-up 2026-13-01`), "is not a valid value for --follow-up")
	jobs := outreachJobList(t, e)
	due := time.Date(2026, 12, 10, 14, 0, 0, 0, time.UTC) // 9:00 EST
	if len(jobs) != 1 || jobs[0].Key != "outreach-follow-up:1" || !jobs[0].Due.Equal(due) {
		t.Fatalf("jobs %+v, want one at %s", jobs, due)
	}
	clock.t = due
	for i := 0; i < 2; i++ { // a second run (a rescan racing the first) reminds nobody again
		if err := jobs[0].Run(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if len(poster.dms) != 1 || poster.dms[0].To != ptCoordinator || !strings.Contains(poster.dms[0].Reply.Text, "Follow-up due today: invitation 1 toward Yukon") {
		t.Fatalf("follow-up DMs: %+v", poster.dms)
	}
	if jobs := outreachJobList(t, e); len(jobs) != 0 {
		t.Errorf("after the reminder: jobs %+v", jobs)
	}
	r := e.ask(ptUser("yuki"), "join Yuki Tanaka | Government of Yukon | provincial | Yukon")
	if r.Kind != "joined" {
		t.Fatalf("join: %s", r.Text)
	}
	e.s.Close() // drains the membership queue: the notice is sent
	if len(poster.dms) != 2 || !strings.Contains(poster.dms[1].Reply.Text, "New member: Yuki Tanaka (Government of Yukon, Yukon)") ||
		!strings.Contains(poster.dms[1].Reply.Text, "Invitation 1 toward Yukon (Deputy minister’s office) is now accepted") {
		t.Fatalf("join notice: %+v", poster.dms)
	}
	vs, _ := e.db.Invitations(context.Background(), storage.InvitationFilter{})
	if vs[0].Status != storage.InvitationAccepted {
		t.Errorf("invitation status %s, want accepted", vs[0].Status)
	}
	cs, _ := e.db.Challenges(context.Background(), time.Time{}, time.Time{})
	if len(cs) != 1 || strings.Contains(strings.Join(cs[0].Jurisdictions, ","), "YT") {
		t.Errorf("coverage challenge after the join: %+v", cs)
	}
}

func outreachJobList(t *testing.T, e *ptEnv) []scheduler.Job {
	t.Helper()
	jobs, err := e.s.JobSources()[1].Pending(context.Background()) // the outreach follow-ups (after the reminders)
	if err != nil {
		t.Fatal(err)
	}
	return jobs
}
