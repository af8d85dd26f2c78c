package storage

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// community is a database where Marie has left a trace in every table: a
// profile with three identities, a coordinator role, ballots in an open and
// an anonymous poll, an option she added, an RSVP, a meeting and a poll she
// created, a meeting record she wrote, an invitation her joining accepted,
// audit entries by her and about her, a delivery keyed by her id, and free
// text that names her.
type community struct {
	d           *DB
	clock       *TestClock
	marie, jean *Member
	ann         *Member
	open, anon  *Poll
	meeting     *Meeting
}

var (
	marieSlack = Identity{Platform: PlatformSlack, ID: "U0MARIE01"}
	marieTeams = Identity{Platform: PlatformTeams, ID: "29:marie-teams-id"}
	jeanSlack  = Identity{Platform: PlatformSlack, ID: "U0JEAN002"}
)

// marieWords are what must not be found anywhere once she is forgotten.
var marieWords = []string{"Marie Tremblay", "marie@ontario.ca", "U0MARIE01", "29:marie-teams-id", "marie-console"}

func newCommunity(t *testing.T) *community {
	t.Helper()
	d, err := Open(context.Background(), filepath.Join(t.TempDir(), "copbot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	c := &community{d: d, clock: NewTestClock(time.Date(2027, 1, 15, 12, 0, 0, 0, time.UTC))}
	d.Now = c.clock.Now
	ctx := context.Background()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	jeanCtx := WithActor(ctx, Actor{Identity: jeanSlack, Name: "Jean Roy", Coordinator: true})
	_, err = d.AddInvitation(jeanCtx, InvitationInput{Target: "ON", Contact: "Marie Tremblay, marie@ontario.ca", SentOn: "2027-01-02"})
	must("invite", err)
	c.jean = mustJoin(t, d, MemberInput{Name: "Jean Roy", Organization: "Service Canada", Order: OrderFederal, SlackID: jeanSlack.ID})
	c.ann = mustJoin(t, d, MemberInput{Name: "Ann Lee", Organization: "City of Halifax", Order: OrderMunicipal, Jurisdiction: "NS", ConsoleID: "ann"})
	c.clock.Add(time.Hour)
	c.marie = mustJoin(t, d, MemberInput{Name: "Marie Tremblay", Email: "marie@ontario.ca", Organization: "ServiceOntario",
		Order: OrderProvincial, Jurisdiction: "ON", SlackID: marieSlack.ID, ConsoleID: "marie-console"})
	_, _, err = d.LinkMember(jeanCtx, c.marie.ID, marieTeams)
	must("link", err)
	title := "Director of Service Ontario"
	_, err = d.UpdateMember(jeanCtx, c.marie.ID, MemberUpdate{Title: &title})
	must("update", err)
	must("role", d.AddCoordinator(jeanCtx, marieSlack, jeanSlack))
	marieCtx := WithActor(ctx, Actor{Identity: marieSlack, Name: "Marie Tremblay", Coordinator: true})
	must("role by Marie", d.AddCoordinator(marieCtx, Identity{Platform: PlatformConsole, ID: "ann"}, marieSlack))

	c.meeting, err = d.CreateMeeting(marieCtx, MeetingInput{Title: "Farewell to Marie Tremblay",
		StartsAt: time.Date(2027, 2, 1, 17, 0, 0, 0, time.UTC), Zone: "America/Toronto", Duration: time.Hour})
	must("meeting", err)
	must("rsvp", d.SetRSVP(ctx, c.meeting.ID, c.marie.ID, RSVPYes))
	must("rsvp jean", d.SetRSVP(ctx, c.meeting.ID, c.jean.ID, RSVPNo))
	c.open, err = d.CreatePoll(marieCtx, PollInput{Question: "Theme?", Options: []string{"Accessibility", "Vulnerable"},
		AllowMemberOptions: true, Creator: marieSlack})
	must("poll", err)
	_, err = d.AddPollOption(ctx, c.open.ID, "Marie's idea", c.marie.ID)
	must("option", err)
	c.anon, err = d.CreatePoll(jeanCtx, PollInput{Question: "Secret?", Options: []string{"Yes", "No"}, Anonymous: true, Creator: jeanSlack})
	must("anonymous poll", err)
	for _, m := range []*Member{c.marie, c.jean, c.ann} {
		_, err = d.Vote(ctx, c.open.ID, m.ID, c.open.Options[0].ID)
		must("vote", err)
		_, err = d.Vote(ctx, c.anon.ID, m.ID, c.anon.Options[1].ID)
		must("anonymous vote", err)
	}
	_, err = d.AddChallenge(ctx, ChallengeInput{Problem: "Ask marie@ontario.ca about Yukon", Criticality: CriticalityLow})
	must("challenge", err)
	_, err = d.BeginDelivery(ctx, "dm:"+marieSlack.ID+":poll-remind", PlatformSlack)
	must("delivery", err)
	must("delivery failed", d.RecordDeliveryFailed(ctx, "poll-result:1", PlatformSlack, "user_not_found U0MARIE01"))
	_, err = d.BeginDelivery(ctx, "poll-result:1", PlatformSlack)
	must("delivery 2", err)
	must("delivery failed 2", d.RecordDeliveryFailed(ctx, "poll-result:1", PlatformSlack, "user_not_found U0MARIE01"))
	c.clock.Set(time.Date(2027, 2, 1, 18, 30, 0, 0, time.UTC)) // the meeting is over
	_, err = d.RecordMeeting(ctx, c.meeting.ID, RecordUpdate{By: marieSlack.String(),
		AddPoints: []string{"Marie Tremblay presented the pilot", "Jean Roy asked about budgets"}})
	must("record", err)
	return c
}

// scanFor returns every place in the database (table, column, row) whose
// text holds one of words, any case, and every member id column that
// still holds id.
func scanFor(t *testing.T, db *sql.DB, id int64, words []string) []string {
	t.Helper()
	var found []string
	for _, table := range queryStrings(t, db, "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name") {
		eachRow(t, db, table, func(cols []string, vals []any) {
			for i, v := range vals {
				s := strings.ToLower(fmt.Sprint(v))
				if b, ok := v.([]byte); ok {
					s = strings.ToLower(string(b))
				}
				for _, w := range words {
					if strings.Contains(s, strings.ToLower(w)) {
						found = append(found, fmt.Sprintf("%s.%s = %q", table, cols[i], s))
					}
				}
				linksMember := strings.HasSuffix(cols[i], "member_id") || cols[i] == "added_by" ||
					(table == "members" && cols[i] == "id")
				if n, ok := v.(int64); ok && linksMember && n == id {
					found = append(found, fmt.Sprintf("%s.%s = %d", table, cols[i], n))
				}
			}
		})
	}
	return found
}

// TestForgetMember: "/cop forget me" erases Marie's profile, identities,
// contacts and history; nothing in any table still holds her name, email or
// ids, no row links a vote, RSVP or delivery to her, her ballots stay
// counted, and the report's past figures stay true.
func TestForgetMember(t *testing.T) {
	c := newCommunity(t)
	d, ctx := c.d, context.Background()
	past := c.clock.Now()
	history, err := d.MembershipHistory(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	before, _ := d.PollByID(ctx, c.open.ID)
	anonBefore, _ := d.PollByID(ctx, c.anon.ID)
	if got := scanFor(t, d.db, c.marie.ID, marieWords); len(got) == 0 {
		t.Fatal("the fixture holds nothing of Marie: the scan cannot fail")
	}
	c.clock.Add(24 * time.Hour)
	self := WithActor(ctx, Actor{Identity: marieSlack, Name: "Marie Tremblay", Coordinator: true})
	if err := d.ForgetMember(self, c.marie.ID); err != nil {
		t.Fatal(err)
	}
	if found := scanFor(t, d.db, c.marie.ID, marieWords); len(found) > 0 {
		t.Errorf("Marie is still in the database:\n%s", strings.Join(found, "\n"))
	}
	after, _ := d.PollByID(ctx, c.open.ID)
	anonAfter, _ := d.PollByID(ctx, c.anon.ID)
	tally := func(p *Poll) string {
		s := fmt.Sprintf("%d voters:", p.Voters)
		for _, o := range p.Options {
			s += fmt.Sprintf(" %s=%d", o.Label, o.Votes)
		}
		return s
	}
	if tally(after) != tally(before) || tally(anonAfter) != tally(anonBefore) {
		t.Errorf("tallies changed: %s -> %s; %s -> %s", tally(before), tally(after), tally(anonBefore), tally(anonAfter))
	}
	if got := after.Options[2]; got.AddedBy != 0 || got.Label != "Marie's idea" {
		t.Errorf("her option %+v, want kept and unlinked", got)
	}
	if tu, err := d.PollTurnout(ctx, c.open.ID); err != nil || tu != (Turnout{Voters: 2, Members: 2}) {
		t.Errorf("turnout %+v, %v; want 2 of the 2 members left", tu, err)
	}
	if votes, err := d.PollVotes(ctx, c.open.ID); err != nil || len(votes) != 2 {
		t.Errorf("PollVotes = %v, %v; want Jean's and Ann's", votes, err)
	}
	// The report's past figures: the history replayed up to any past instant
	// gives what it gave before.
	now, err := d.MembershipHistory(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(now) != len(history)+1 { // she left when forgotten
		t.Errorf("%d membership events, want %d and her departure", len(now), len(history))
	}
	asOf := func(events []MembershipEvent, at time.Time) Stats {
		var upTo []MembershipEvent
		for _, e := range events {
			if e.At.Before(at) {
				upTo = append(upTo, e)
			}
		}
		return StatsFromHistory(upTo)
	}
	for _, at := range []time.Time{past, past.Add(-23 * 24 * time.Hour), past.Add(-24*24*time.Hour + 30*time.Minute)} {
		if got, want := asOf(now, at), asOf(history, at); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("figures as of %s: %+v, were %+v", at, got, want)
		}
	}
	if s, _ := d.Stats(ctx); s.People != 2 {
		t.Errorf("people now %d, want 2", s.People)
	}
	// Forgetting is audited without naming her, not even as the actor.
	es, err := d.FindAudit(ctx, AuditFilter{Action: AuditMemberForget})
	if err != nil || len(es) != 1 || !es[0].Actor.IsZero() || es[0].MemberID != 0 || es[0].Detail["reason"] != "request" {
		t.Errorf("forget audit = %+v, %v", es, err)
	}
	// Others keep what is theirs.
	if data, err := d.PersonData(ctx, jeanSlack); err != nil || len(data.Votes) != 1 || len(data.RSVPs) != 1 ||
		data.Member.Name != "Jean Roy" {
		t.Errorf("Jean's data after Marie was forgotten: %+v, %v", data, err)
	}
	if r, err := d.MeetingRecordOf(ctx, c.meeting.ID); err != nil || r.KeyPoints[1] != "Jean Roy asked about budgets" {
		t.Errorf("record after forgetting: %+v, %v", r, err)
	}
	if err := d.ForgetMember(ctx, c.marie.ID); ErrorCode(err) != ENOTFOUND {
		t.Errorf("forgetting twice: %v, want not found", err)
	}
	if data, err := d.PersonData(ctx, marieSlack); err != nil || data.Member != nil || len(data.Audit)+len(data.Meetings)+
		len(data.Polls)+len(data.Coordinator) != 0 {
		t.Errorf("Marie's data after forgetting: %+v, %v", data, err)
	}
}

// TestPersonData: everything held about Marie, as "/cop my data" sends it;
// a coordinator asking for it is audited, Marie asking is not.
func TestPersonData(t *testing.T) {
	c := newCommunity(t)
	ctx := context.Background()
	data, err := c.d.PersonData(WithActor(ctx, Actor{Identity: marieTeams, Name: "Marie Tremblay"}), marieTeams)
	if err != nil {
		t.Fatal(err)
	}
	if data.Member == nil || data.Member.ID != c.marie.ID || len(data.Identities) != 3 {
		t.Fatalf("member %+v, identities %v", data.Member, data.Identities)
	}
	checks := []struct {
		what      string
		got, want any
	}{
		{"coordinator", len(data.Coordinator), 1},
		{"ballots", fmt.Sprint(data.Ballots[0].PollID, data.Ballots[1].PollID, data.Ballots[1].Anonymous, data.Ballots[1].VotedAt.IsZero()),
			fmt.Sprint(c.open.ID, c.anon.ID, true, true)},
		{"votes", fmt.Sprintf("%s %s %d", data.Votes[0].Question, data.Votes[0].Option, len(data.Votes)), "Theme? Accessibility 1"},
		{"options", fmt.Sprint(data.Options), fmt.Sprintf("[{%d Marie's idea}]", c.open.ID)},
		{"rsvps", fmt.Sprintf("%d %s %d", data.RSVPs[0].MeetingID, data.RSVPs[0].Answer, len(data.RSVPs)), fmt.Sprintf("%d yes 1", c.meeting.ID)},
		{"meetings", fmt.Sprint(data.Meetings[0].ID, len(data.Meetings)), fmt.Sprint(c.meeting.ID, " 1")},
		{"polls", fmt.Sprint(data.Polls[0].ID, len(data.Polls)), fmt.Sprint(c.open.ID, " 1")},
		{"invitations", fmt.Sprintf("%d %s", len(data.Invitations), data.Invitations[0].Contact), "1 Marie Tremblay, marie@ontario.ca"},
		{"history", fmt.Sprint(len(data.History), data.History[0].Join), "1 true"},
	}
	for _, ck := range checks {
		if fmt.Sprint(ck.got) != fmt.Sprint(ck.want) {
			t.Errorf("%s = %v, want %v", ck.what, ck.got, ck.want)
		}
	}
	var actions []string
	for _, e := range data.Audit {
		actions = append(actions, string(e.Action))
	}
	// Newest first: the poll and the meeting she made as a coordinator, the
	// role she gave, her role, the update and the link of her profile.
	if got := strings.Join(actions, " "); got != "poll.create meeting.add role.add role.add member.update member.link" {
		t.Errorf("audit entries about or by her: %s", got)
	}
	if es, _ := c.d.FindAudit(ctx, AuditFilter{Action: AuditPersonData}); len(es) != 0 {
		t.Errorf("her own request was audited: %+v", es)
	}
	jeanCtx := WithActor(ctx, Actor{Identity: jeanSlack, Name: "Jean Roy", Coordinator: true})
	if _, err := c.d.PersonData(jeanCtx, marieSlack); err != nil {
		t.Fatal(err)
	}
	if es, _ := c.d.FindAudit(ctx, AuditFilter{Action: AuditPersonData}); len(es) != 1 || es[0].MemberID != c.marie.ID {
		t.Errorf("a coordinator reading her data: audit %+v", es)
	}
}

// TestPurgeFormerMembers: the retention setting erases, as forgetting does,
// the members who left before the cut-off, and only them.
func TestPurgeFormerMembers(t *testing.T) {
	c := newCommunity(t)
	d, ctx := c.d, context.Background()
	if err := d.LeaveMember(ctx, c.marie.ID); err != nil {
		t.Fatal(err)
	}
	c.clock.Add(30 * 24 * time.Hour)
	if err := d.LeaveMember(ctx, c.ann.ID); err != nil {
		t.Fatal(err)
	}
	cut := c.clock.Now().Add(-24 * time.Hour)
	n, err := d.PurgeFormerMembers(WithActor(ctx, Actor{Name: "retention job"}), cut)
	if err != nil || n != 1 {
		t.Fatalf("PurgeFormerMembers = %d, %v; want Marie only", n, err)
	}
	if found := scanFor(t, d.db, c.marie.ID, marieWords); len(found) > 0 {
		t.Errorf("Marie is still in the database:\n%s", strings.Join(found, "\n"))
	}
	if m, err := d.MemberByID(ctx, c.ann.ID); err != nil || m.Name != "Ann Lee" {
		t.Errorf("Ann, who left after the cut-off: %+v, %v", m, err)
	}
	es, err := d.FindAudit(ctx, AuditFilter{Action: AuditMembersPurge})
	if err != nil || len(es) != 1 || es[0].Detail["members"] != "1" || es[0].ActorName != "retention job" {
		t.Errorf("purge audit = %+v, %v", es, err)
	}
	if n, err := d.PurgeFormerMembers(ctx, cut); err != nil || n != 0 {
		t.Errorf("purging again = %d, %v", n, err)
	}
}

// TestForgetIdentity: a coordinator who never joined is forgotten by
// identity: role, creator fields and audit entries lose them.
func TestForgetIdentity(t *testing.T) {
	d, _ := openMemberDB(t)
	ctx := context.Background()
	boss := Identity{Platform: PlatformTeams, ID: "29:boss-identity"}
	bossCtx := WithActor(ctx, Actor{Identity: boss, Name: "Big Boss", Coordinator: true})
	if err := d.AddCoordinator(ctx, boss, Identity{}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.CreateMeeting(bossCtx, MeetingInput{StartsAt: time.Date(2027, 3, 1, 17, 0, 0, 0, time.UTC), Zone: "UTC",
		Duration: time.Hour}); err != nil {
		t.Fatal(err)
	}
	if err := d.ForgetIdentity(ctx, boss); err != nil {
		t.Fatal(err)
	}
	if found := scanFor(t, d.db, 0, []string{"Big Boss", "29:boss-identity"}); len(found) > 0 {
		t.Errorf("the coordinator is still in the database:\n%s", strings.Join(found, "\n"))
	}
	if err := d.ForgetIdentity(ctx, Identity{Platform: "fax", ID: "1"}); ErrorCode(err) != EINVALID {
		t.Errorf("unknown platform: %v", err)
	}
}

// TestScrubWholeWords: erasing a name leaves other words that contain it.
func TestScrubWholeWords(t *testing.T) {
	e := newWordEraser([]string{"Lee", "ann@x.ca"})
	for in, want := range map[string]string{
		"Ann Lee, ann@x.ca":       "Ann [erased], [erased]",
		"Fleet of LEE's boats":    "Fleet of [erased]'s boats",
		"Leeds, Kaleen, lee_2":    "Leeds, Kaleen, lee_2",
		"lee lee":                 "[erased] [erased]",
		"(ANN@X.CA)":              "([erased])",
		"Zoë Lee-Smith":           "Zoë [erased]-Smith",
		"LeeLee":                  "LeeLee",
		"unrelated text, nothing": "unrelated text, nothing",
	} {
		if got, _ := e.erase(in); got != want {
			t.Errorf("erase(%q) = %q, want %q", in, got, want)
		}
	}
}
