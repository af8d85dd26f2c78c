package features

import (
	"context"
	"copbot/storage"
	"strings"
	"testing"
)

// The em dash works in every command that takes options, and means what
// "--" means.
func TestEmDashFlagsEverywhere(t *testing.T) {
	e := newPtEnv(t)
	ctx := context.Background()
	for _, line := range []string{
		`meeting add 2027-03-17 13:00 —title "Quarterly" —theme Accessibility`,
		`challenge add "No one from Yukon" —criticality high`,
		`outreach add Yukon —contact "Jane Doe" —follow-up 2030-11-02`,
	} {
		if r := e.ask(ptCoordinator, line); r.Kind == "error" {
			t.Errorf("%s: %s", line, r.Text)
		}
	}
	if ms, err := e.db.FindMeetings(ctx, storage.MeetingFilter{}); err != nil || len(ms) != 1 ||
		ms[0].Title != "Quarterly" || ms[0].Theme != "Accessibility" {
		t.Errorf("meeting add —title —theme stored %+v, %v", ms, err)
	}
	if cs, err := e.db.Challenges(ctx, e.s.Now(), e.s.Now()); err != nil || len(cs) == 0 ||
		cs[len(cs)-1].Criticality != storage.CriticalityHigh || cs[len(cs)-1].Problem != "No one from Yukon" {
		t.Errorf("challenge add —criticality stored %+v, %v", cs, err)
	}
	if vs, err := e.db.Invitations(ctx, storage.InvitationFilter{}); err != nil || len(vs) != 1 || vs[0].Contact != "Jane Doe" {
		t.Errorf("outreach add —contact stored %+v, %v", vs, err)
	}
	if r := e.ask(ptCoordinator, "report —lang fr —format md"); r.File == nil || !strings.HasSuffix(r.File.Name, ".fr.md") {
		t.Errorf("report —lang fr —format md: %s %q", r.Kind, r.Text)
	}
}
