package storage

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestAuditCoordinatorActions: every coordinator action is in the audit
// log, with who did it, what on, and its facts; a person acting on their
// own profile is not a coordinator's action.
func TestAuditCoordinatorActions(t *testing.T) {
	d, _ := openMemberDB(t)
	ctx := WithActor(context.Background(), marieActor)
	marie := mustJoin(t, d, marieInput()) // slack U1, marieActor's own row
	jean := mustJoin(t, d, MemberInput{Name: "Jean Roy", Organization: "Service Canada", Order: OrderFederal, TeamsID: "T2"})
	type want struct {
		action AuditAction
		target string
		member int64
		detail map[string]string
	}
	var wants []want
	step := func(name string, err error, w ...want) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		wants = append(wants, w...)
	}
	step("add coordinator", d.AddCoordinator(ctx, Identity{Platform: PlatformTeams, ID: "T2"}, Identity{}),
		want{AuditRoleAdd, "teams:T2", 0, nil})
	step("add again", d.AddCoordinator(ctx, Identity{Platform: PlatformTeams, ID: "T2"}, Identity{})) // no change, no row
	step("remove coordinator", d.RemoveCoordinator(ctx, Identity{Platform: PlatformTeams, ID: "T2"}), want{AuditRoleRemove, "teams:T2", 0, nil})
	_, err := d.ImportMembers(ctx, importRows(3))
	step("import", err, want{AuditMembersImport, "", 0,
		map[string]string{"rows": "3", "created": "3", "updated": "0", "unchanged": "0"}})
	_, _, err = d.LinkMember(ctx, jean.ID, Identity{Platform: PlatformSlack, ID: "U2"})
	step("link", err, want{AuditMemberLink, memberTarget(jean.ID), jean.ID,
		map[string]string{"platform": "slack", "added": "false"}})
	title := "Director"
	_, err = d.UpdateMember(ctx, jean.ID, MemberUpdate{Title: &title})
	step("update another", err, want{AuditMemberUpdate, memberTarget(jean.ID), jean.ID, map[string]string{"fields": "title"}})
	_, err = d.UpdateMember(ctx, marie.ID, MemberUpdate{Title: &title})
	step("update own", err) // not a coordinator's action
	p, err := d.CreatePoll(ctx, PollInput{Question: "Theme?", Options: []string{"A", "B"}, Creator: marieActor.Identity})
	step("create poll", err, want{AuditPollCreate, "poll:1", 0, nil})
	_, err = d.Vote(ctx, p.ID, jean.ID, p.Options[0].ID)
	step("vote", err)
	_, err = d.ExportPollVotes(ctx, p.ID)
	step("export votes", err, want{AuditPollVotesExport, fmt.Sprintf("poll:%d", p.ID), 0, map[string]string{"votes": "1"}})
	step("delete poll", d.DeletePoll(ctx, p.ID), want{AuditPollDelete, fmt.Sprintf("poll:%d", p.ID), 0, map[string]string{"voters": "1"}})
	m, err := d.CreateMeeting(ctx, MeetingInput{StartsAt: time.Date(2027, 3, 1, 17, 0, 0, 0, time.UTC), Zone: "UTC", Duration: time.Hour})
	step("create meeting", err, want{AuditMeetingAdd, "meeting:1", 0, nil})
	_, err = d.CancelMeeting(ctx, m.ID)
	step("cancel meeting", err, want{AuditMeetingCancel, fmt.Sprintf("meeting:%d", m.ID), 0, nil})
	_, _, err = d.ExportRoster(ctx, MemberFilter{IncludeLeft: true})
	step("export members", err, want{AuditMembersExport, "", 0, map[string]string{"members": "5", "include_left": "true"}})
	_, err = d.RecordAudit(ctx, AuditEntry{Action: AuditReportLink, Detail: map[string]string{"expires": "2027-01-16"}})
	step("report link", err, want{AuditReportLink, "", 0, map[string]string{"expires": "2027-01-16"}})
	step("leave another", d.LeaveMember(ctx, jean.ID), want{AuditMemberLeave, memberTarget(jean.ID), jean.ID, nil})
	step("leave self", d.LeaveMember(ctx, marie.ID))

	got, err := d.FindAudit(context.Background(), AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(wants) {
		t.Fatalf("%d audit entries, want %d: %+v", len(got), len(wants), got)
	}
	for i, w := range wants {
		e := got[len(got)-1-i] // newest first
		if e.Action != w.action || e.Target != w.target || e.MemberID != w.member || e.Actor != marieActor.Identity ||
			e.ActorName != marieActor.Name || !e.Coordinator || fmt.Sprint(e.Detail) != fmt.Sprint(nonNilMap(w.detail)) {
			t.Errorf("entry %d = %+v, want %+v by %s", i, *e, w, marieActor.Name)
		}
	}
}

func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// TestAuditSecretariatWork: the secretariat's work on meetings, polls,
// challenges, outreach and the delivery ledger is audited when a
// coordinator or the command line does it, in the same transaction; the
// same writes by copbot's own jobs (no actor), or a member adding their
// own option to a poll, leave no entry.
func TestAuditSecretariatWork(t *testing.T) {
	d, clock := openMemberDB(t)
	bg := context.Background()
	coord := WithActor(bg, marieActor)
	cli := WithActor(bg, Actor{Name: "command line (ops)"})
	member := WithActor(bg, Actor{Identity: Identity{Platform: PlatformSlack, ID: "U9"}, Name: "Ann"})
	ann := mustJoin(t, d, MemberInput{Name: "Ann Lee", Organization: "ServiceOntario", Order: OrderProvincial, Jurisdiction: "ON", SlackID: "U9"})
	var seen []*AuditEntry // the entries at the last check
	check := func(name string, err error, want ...string) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		es, err := d.FindAudit(bg, AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range es[:len(es)-len(seen)] {
			got = append(got, fmt.Sprintf("%s %s %s", e.Action, e.Target, e.ActorName))
		}
		seen = es
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: new entries %q, want %q", name, got, want)
		}
	}
	start := time.Date(2027, 3, 1, 17, 0, 0, 0, time.UTC)
	m, err := d.CreateMeeting(cli, MeetingInput{Title: "Quarterly", StartsAt: start, Zone: "UTC", Duration: time.Hour})
	check("meeting by the command line", err, "meeting.add meeting:1 command line (ops)")
	title := "Spring"
	_, err = d.UpdateMeeting(coord, m.ID, MeetingUpdate{Title: &title})
	check("meeting edited", err, "meeting.update meeting:1 Marie Tremblay")
	p, err := d.CreatePoll(coord, PollInput{Question: "Theme?", Options: []string{"A", "B"}, AllowMemberOptions: true,
		Creator: marieActor.Identity})
	check("poll", err, "poll.create poll:1 Marie Tremblay")
	q := "Which theme?"
	_, err = d.UpdatePoll(coord, p.ID, PollUpdate{Question: &q})
	check("poll edited", err, "poll.update poll:1 Marie Tremblay")
	_, err = d.AddPollOption(member, p.ID, "C", ann.ID)
	check("a member's own option", err)
	_, err = d.AddPollOption(coord, p.ID, "D", 0)
	check("a coordinator's option", err, "poll.option_add poll:1 Marie Tremblay")
	_, _, err = d.ClosePoll(bg, p.ID)
	check("closed by the deadline job", err)
	_, err = d.ReopenPoll(coord, p.ID, time.Time{})
	check("reopened", err, "poll.reopen poll:1 Marie Tremblay")
	_, _, err = d.ClosePoll(coord, p.ID)
	check("closed", err, "poll.close poll:1 Marie Tremblay")
	c, err := d.AddChallenge(coord, ChallengeInput{Problem: "Low turnout", Criticality: "medium"})
	check("challenge", err, fmt.Sprintf("challenge.add challenge:%d Marie Tremblay", c.ID))
	plan := "Survey"
	_, err = d.UpdateChallenge(coord, c.ID, ChallengeUpdate{ActionPlan: &plan})
	check("challenge edited", err, fmt.Sprintf("challenge.update challenge:%d Marie Tremblay", c.ID))
	_, err = d.CloseChallenge(coord, c.ID)
	check("challenge closed", err, fmt.Sprintf("challenge.close challenge:%d Marie Tremblay", c.ID))
	v, err := d.AddInvitation(coord, InvitationInput{Target: "YT", Contact: "Council member", SentOn: "2027-01-15"})
	check("invitation", err, "invitation.add invitation:1 Marie Tremblay")
	due := start
	_, err = d.UpdateInvitation(bg, v.ID, InvitationUpdate{FollowUpAt: &due})
	check("follow-up released by its job", err)
	declined := InvitationDeclined
	_, err = d.UpdateInvitation(coord, v.ID, InvitationUpdate{Status: &declined})
	check("invitation declined", err, "invitation.update invitation:1 Marie Tremblay")
	if _, err := d.BeginDelivery(bg, "poll:1", PlatformTeams); err != nil {
		t.Fatal(err)
	}
	if err := d.RecordDeliveryFailure(bg, "poll:1", PlatformTeams, FailureLost, ""); err != nil {
		t.Fatal(err)
	}
	_, err = d.ResolveDelivery(coord, "poll:1", PlatformTeams, true, marieActor.Identity.String())
	check("delivery said seen", err, "delivery.resolve poll:1 Marie Tremblay")
	act, err := d.AddActivity(coord, "Explore a workspace with ISAC", marieActor.Identity.String(), ActivityUpdate{})
	check("activity", err, "activity.add activity:1 Marie Tremblay")
	_, err = d.FinishActivity(coord, act.ID)
	check("activity done", err, "activity.done activity:1 Marie Tremblay")
	clock.mu.Lock()
	clock.t = start.Add(2 * time.Hour)
	clock.mu.Unlock()
	held := true
	_, err = d.RecordMeeting(coord, m.ID, RecordUpdate{Held: &held, By: marieActor.Identity.String()})
	check("meeting recorded", err, "meeting.record meeting:1 Marie Tremblay")
}

// TestAuditSameTransaction: an action whose audit row cannot be written
// does not happen, and a refused action leaves no row. Audit rows are
// never deleted.
func TestAuditSameTransaction(t *testing.T) {
	d, _ := openMemberDB(t)
	ctx := WithActor(context.Background(), marieActor)
	if err := d.DeletePoll(ctx, 99); ErrorCode(err) != ENOTFOUND {
		t.Fatalf("DeletePoll(99) = %v", err)
	}
	if n := countRows(t, d, "SELECT count(*) FROM audit"); n != 0 {
		t.Errorf("%d audit rows for a refused action", n)
	}
	if err := d.AddCoordinator(ctx, Identity{Platform: PlatformSlack, ID: "U7"}, Identity{}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.db.Exec("DELETE FROM audit"); err == nil {
		t.Error("an audit row was deleted")
	}
	if _, err := d.db.Exec("CREATE TRIGGER audit_broken BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'disk full'); END"); err != nil {
		t.Fatal(err)
	}
	if err := d.AddCoordinator(ctx, Identity{Platform: PlatformSlack, ID: "U8"}, Identity{}); err == nil {
		t.Fatal("AddCoordinator succeeded while its audit row failed")
	}
	if ok, _ := d.IsCoordinator(ctx, Identity{Platform: PlatformSlack, ID: "U8"}); ok {
		t.Error("the coordinator was added without its audit row")
	}
	if ms, _, err := d.ExportRoster(ctx, MemberFilter{}); err == nil || ms != nil {
		t.Error("ExportRoster returned the roster without its audit row")
	}
}

// TestFindAudit: filters, order and paging; the command line (no actor)
// is recorded as the system, or as the adder it names.
func TestFindAudit(t *testing.T) {
	d, clock := openMemberDB(t)
	ctx := context.Background()
	jean := WithActor(ctx, jeanActor)
	for i := range 3 {
		if err := d.AddCoordinator(jean, Identity{Platform: PlatformSlack, ID: fmt.Sprintf("U%d", i)}, Identity{}); err != nil {
			t.Fatal(err)
		}
	}
	mid := clock.Now()
	if err := d.AddCoordinator(ctx, Identity{Platform: PlatformSlack, ID: "U9"}, Identity{Platform: PlatformConsole, ID: "admin"}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.RecordAudit(ctx, AuditEntry{Action: AuditReportExport}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.RecordAudit(ctx, AuditEntry{Action: "Report Link!"}); ErrorCode(err) != EINVALID {
		t.Errorf("malformed action: %v, want EINVALID", err)
	}
	count := func(f AuditFilter) []string {
		t.Helper()
		es, err := d.FindAudit(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range es {
			out = append(out, e.Target+"/"+e.Actor.String())
		}
		return out
	}
	for _, tt := range []struct {
		f    AuditFilter
		want string
	}{
		{AuditFilter{Actor: &jeanActor.Identity}, "[slack:U2/teams:T2 slack:U1/teams:T2 slack:U0/teams:T2]"},
		{AuditFilter{Action: AuditRoleAdd, Limit: 2, Offset: 1}, "[slack:U2/teams:T2 slack:U1/teams:T2]"},
		{AuditFilter{From: mid}, "[/: slack:U9/console:admin]"},
		{AuditFilter{Before: mid, Limit: 1}, "[slack:U2/teams:T2]"},
		{AuditFilter{Action: AuditReportExport}, "[/:]"},
	} {
		if got := fmt.Sprint(count(tt.f)); got != tt.want {
			t.Errorf("FindAudit(%+v) = %s, want %s", tt.f, got, tt.want)
		}
	}
}
