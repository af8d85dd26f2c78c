package report

import (
	"context"
	"copbot/scheduler"
	"copbot/storage"
	"strings"
	"testing"
	"time"
)

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
		{"edit, in French", "défi modifier 2 --criticité élevée", []string{"Le défi nº\u00a02 est mis à jour", "Élevée"}},
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
		"Invitation 1 is logged", "Invitation to the Government of Yukon", "Deputy minister’s office", "December 1, 2026", "Pending", "December 10, 2026")
	rcHas(t, e.ask(ptCoordinator, `outreach add Atlantis --contact x`), "I don’t know “Atlantis”")
	rcHas(t, e.ask(ptCoordinator, `outreach add Nunavut --contact "Council member" --follow-up 2026-13-01`), "is not a valid value for --follow-up")
	jobs := outreachJobList(t, e)
	due := time.Date(2026, 12, 10, 14, 0, 0, 0, time.UTC) // 9:00 EST
	if len(jobs) != 1 || jobs[0].Key != "outreach-follow-up:1" || !jobs[0].Due.Equal(due) {
		t.Fatalf("jobs %+v, want one at %s", jobs, due)
	}
	clock.Pin(due)
	for i := 0; i < 2; i++ { // a second run (a rescan racing the first) reminds nobody again
		if err := jobs[0].Run(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if len(poster.DMs()) != 1 || poster.DMs()[0].To != ptCoordinator || !strings.Contains(poster.DMs()[0].Reply.Text, "Follow-up due today: invitation 1 to the Government of Yukon") {
		t.Fatalf("follow-up DMs: %+v", poster.DMs())
	}
	if jobs := outreachJobList(t, e); len(jobs) != 0 {
		t.Errorf("after the reminder: jobs %+v", jobs)
	}
	r := e.ask(ptUser("yuki"), "join Yuki Tanaka | Government of Yukon | provincial | Yukon")
	if r.Kind != "joined" {
		t.Fatalf("join: %s", r.Text)
	}
	e.S.Close() // drains the membership queue: the notice is sent
	if len(poster.DMs()) != 2 || !strings.Contains(poster.DMs()[1].Reply.Text, "New member: Yuki Tanaka (Government of Yukon, Yukon)") ||
		!strings.Contains(poster.DMs()[1].Reply.Text, "Invitation 1 to the Government of Yukon (Deputy minister’s office) is now accepted") {
		t.Fatalf("join notice: %+v", poster.DMs())
	}
	vs, _ := e.DB.Invitations(context.Background(), storage.InvitationFilter{})
	if vs[0].Status != storage.InvitationAccepted {
		t.Errorf("invitation status %s, want accepted", vs[0].Status)
	}
	cs, _ := e.DB.Challenges(context.Background(), time.Time{}, time.Time{})
	if len(cs) != 1 || strings.Contains(strings.Join(cs[0].Jurisdictions, ","), "YT") {
		t.Errorf("coverage challenge after the join: %+v", cs)
	}
}

func outreachJobList(t *testing.T, e *rcEnv) []scheduler.Job {
	t.Helper()
	jobs, err := e.f.outreachJobs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return jobs
}
