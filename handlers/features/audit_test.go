package features

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"copbot/handlers"
	"copbot/handlers/handlerstest"
	"copbot/storage"
)

// TestCoordinatorActionsAudited: each coordinator action (role changes,
// account links, the secretariat's work on meetings, polls, challenges
// and outreach, deletions, cancellations, exports of who voted what and
// of the roster, the report) leaves one audit entry naming the
// coordinator, written with the action; what members do for themselves
// (joining, voting, editing their own profile) leaves none. (Roster
// imports: TestCLIAudit; every other coordinator command, button and
// form: the authorization matrix's azAudited.)
func TestCoordinatorActionsAudited(t *testing.T) {
	var set *Set
	e := handlerstest.New(t, handlerstest.Setup{Clock: handlerstest.NewClock(mtgT0),
		Install: func(s *handlers.Service) { set = Install(s, Options{}) }})
	coord := handlerstest.Coordinator
	ann := handlerstest.User("ann")
	ctx := context.Background()
	ask := func(who storage.Identity, text string) handlers.Reply {
		t.Helper()
		r := e.S.Handle(ctx, handlers.Request{Identity: who, UserName: "Coord on the console", Text: text})
		if r.Kind == "error" {
			t.Fatalf("%s: %s", text, r.Text)
		}
		return r
	}
	// Members acting for themselves.
	ask(ann, "join Ann Lee | ServiceOntario | provincial | ON | Director | ann@ontario.ca")
	ask(coord, "join Cora Diaz | Service Canada | federal")
	ask(ann, "update title Chief")
	if got := audit(t, e.DB); len(got) != 0 {
		t.Fatalf("members acting for themselves were audited: %v", got)
	}
	vote := func() {
		p, err := e.DB.PollByID(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		e.Vote(ann, p, 1)
		if n := len(audit(t, e.DB)); n != 2 {
			t.Fatalf("a member's vote was audited (%d entries)", n)
		}
	}
	var buf bytes.Buffer
	steps := []struct {
		do     func()
		action storage.AuditAction
		target string
	}{
		{func() { ask(coord, "coordinators add slack:U0NEW") }, storage.AuditRoleAdd, "slack:U0NEW"},
		{func() { ask(coord, `poll "Theme?" "A" "B"`) }, storage.AuditPollCreate, "poll:1"},
		{func() { vote(); ask(coord, "coordinators remove slack:U0NEW") }, storage.AuditRoleRemove, "slack:U0NEW"},
		{func() { ask(coord, "coordinators link ann@ontario.ca slack:U0ANN") }, storage.AuditMemberLink, "member:1"},
		{func() { ask(coord, "poll export 1") }, storage.AuditPollVotesExport, "poll:1"},
		{func() { ask(coord, "poll close 1") }, storage.AuditPollClose, "poll:1"},
		{func() { ask(coord, "poll delete 1") }, storage.AuditPollDelete, "poll:1"},
		{func() { ask(coord, "meeting add 2027-03-17 13:00 Quarterly") }, storage.AuditMeetingAdd, "meeting:1"},
		{func() { ask(coord, "meeting edit 1 --title Spring") }, storage.AuditMeetingUpdate, "meeting:1"},
		{func() { ask(coord, "meeting cancel 1") }, storage.AuditMeetingCancel, "meeting:1"},
		{func() { ask(coord, `challenge add "Low turnout" --criticality medium`) }, storage.AuditChallengeAdd, "challenge:2"},
		{func() { ask(coord, `outreach add Yukon --contact "Council member"`) }, storage.AuditInvitationAdd, "invitation:1"},
		{func() { ask(coord, "outreach update 1 --status declined") }, storage.AuditInvitationUpdate, "invitation:1"},
		{func() { ask(coord, "report 2026-09-01 2027-01-31") }, storage.AuditReportExport, "report"},
		{func() {
			ctx := storage.WithActor(ctx, storage.Actor{Identity: coord, Name: "Cora Diaz", Coordinator: true})
			if err := set.Directory.ExportRoster(ctx, &buf); err != nil {
				t.Fatal(err)
			}
		}, storage.AuditMembersExport, ""},
	}
	for i, st := range steps {
		st.do()
		got := audit(t, e.DB)
		if len(got) != i+1 {
			t.Fatalf("after step %d (%s): %d entries, want %d: %v", i, st.action, len(got), i+1, got)
		}
		last := got[0]
		if last.Action != st.action || (st.target != "" && last.Target != st.target) || last.Actor != coord ||
			!last.Coordinator || last.ActorName != "Cora Diaz" {
			t.Errorf("step %d: entry %+v, want %s on %q by %s (Cora Diaz, coordinator)", i, last, st.action, st.target, coord)
		}
	}
	if !strings.Contains(buf.String(), "Ann Lee") {
		t.Errorf("the roster export is empty:\n%s", buf.String())
	}
}

// audit is the audit log, newest first.
func audit(t *testing.T, db *storage.DB) []*storage.AuditEntry {
	t.Helper()
	es, err := db.FindAudit(context.Background(), storage.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return es
}
