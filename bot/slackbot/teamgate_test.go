package slackbot

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"copbot/storage"
)

// Slack Connect: the bot token's workspace is T0TEAM (auth.test on the
// fake Slack), T0PARTNER and the Enterprise Grid organization E0GRID are
// allowed; T0OUTSIDE is not.
const (
	homeTeam    = "T0TEAM"
	partnerTeam = "T0PARTNER"
	outsideTeam = "T0OUTSIDE"
)

func newConnectEnv(t *testing.T, opts ...envOpt) *env {
	t.Helper()
	e := newStormEnv(t, 1, append(opts, withConfig(func(c *Config) { c.AllowedTeams = []string{partnerTeam, "E0GRID"} }))...)
	e.fake.SetTeam(homeTeam, "")
	return e
}

// teamEvent is an Events API delivery to the community's workspace
// (team_id T0TEAM, as Slack sends the events of a shared channel to the
// app's own installation) of inner.
func teamEvent(t *testing.T, id string, inner map[string]any) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"token": "x", "team_id": homeTeam, "api_app_id": "A0",
		"type": "event_callback", "event_id": id, "event_time": 1, "event": inner,
		"authorizations": []any{map[string]any{"team_id": homeTeam, "user_id": "U0BOT", "is_bot": true}}})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// clickFrom is block_actions_docs_example.json clicked by user of team:
// action with value, in the community channel, or on the App Home when
// home is set.
func (e *env) clickFrom(user, team, action, value string, home bool) {
	e.t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(fixture(e.t, "block_actions_docs_example.json")), &m); err != nil {
		e.t.Fatal(err)
	}
	n := e.seq.Add(1)
	m["user"] = map[string]any{"id": user, "username": strings.ToLower(user), "name": strings.ToLower(user), "team_id": team}
	m["team"] = map[string]any{"id": team, "domain": "partner"}
	m["trigger_id"] = fmt.Sprintf("333.444.trig%d", n)
	m["response_url"] = fmt.Sprintf("https://hooks.slack.com/actions/%s/%d/x", team, n)
	m["channel"] = map[string]any{"id": stormChannel, "name": "cop-community"}
	m["container"] = map[string]any{"type": "message", "message_ts": "1700000000.000100", "channel_id": stormChannel}
	if home {
		delete(m, "channel")
		delete(m, "response_url")
		m["container"] = map[string]any{"type": "view", "view_id": "V0HOME"}
		m["view"] = map[string]any{"id": "V0HOME", "type": "home"}
	}
	m["actions"] = []any{map[string]any{"type": "button", "action_id": action, "block_id": "b1", "value": value,
		"text": map[string]any{"type": "plain_text", "text": action}, "action_ts": fmt.Sprintf("1700000200.%06d", n)}}
	b, err := json.Marshal(m)
	if err != nil {
		e.t.Fatal(err)
	}
	if resp := e.interact(string(b)); resp.StatusCode != 200 {
		e.t.Fatalf("click %s: status %d", action, resp.StatusCode)
	}
}

// slashFrom is a slash command typed in team (of Enterprise Grid org).
func (e *env) slashFrom(text, user, team, org string) map[string]any {
	e.t.Helper()
	v := url.Values{"command": {"/cop"}, "text": {text}, "user_id": {user}, "user_name": {"user" + user},
		"channel_id": {"C0CHAN"}, "team_id": {team}, "trigger_id": {fmt.Sprintf("111.222.trig%d", e.seq.Add(1))},
		"response_url": {"https://hooks.slack.com/commands/" + team + "/1/cmd"}}
	if org != "" {
		v.Set("enterprise_id", org)
	}
	return body(e.t, e.send("/slack/commands", formType, v.Encode()))
}

func (e *env) meeting() *storage.Meeting {
	e.t.Helper()
	m, err := e.db.CreateMeeting(context.Background(), storage.MeetingInput{Title: "March meeting",
		StartsAt: time.Now().Add(30 * 24 * time.Hour).Truncate(time.Minute), Zone: "America/Toronto",
		Duration: time.Hour, CreatedBy: "slack:" + stormCoordinator})
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

func (e *env) rsvps(meeting int64) int {
	e.t.Helper()
	rs, err := e.db.RSVPs(context.Background(), meeting)
	if err != nil {
		e.t.Fatal(err)
	}
	return len(rs)
}

// TestSlackConnectPartnerTakesPart: a person of an allowed partner
// workspace, who cannot use the slash command of an app their workspace
// did not install, joins, asks who represents a place, votes and RSVPs
// through App Home, mentions, direct messages and buttons.
func TestSlackConnectPartnerTakesPart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newConnectEnv(t)
	p := e.postPoll("Accessibility", "Vulnerable communities")
	mt := e.meeting()

	// App Home: a newcomer sees a Join button, which opens the join form.
	e.event(teamEvent(t, "EvH1", map[string]any{"type": "app_home_opened", "user": "U0PART", "channel": "D0PART", "tab": "home"}))
	if pub := e.fake.WaitFor("views.publish", 1, time.Minute); len(pub) != 1 || !strings.Contains(fmt.Sprint(pub[0].JSON), "signup_open") {
		t.Fatalf("App Home of a newcomer: %v, want a Join button (signup_open)", pub)
	}
	e.clickFrom("U0PART", partnerTeam, "signup_open", "", true)
	if opened := e.fake.WaitFor("views.open", 1, time.Minute); len(opened) != 1 {
		t.Fatal("the App Home's Join button opened no form")
	}

	// Join with one line in a mention, in the shared channel.
	e.event(teamEvent(t, "EvJ1", map[string]any{"type": "app_mention", "channel": stormChannel, "user": "U0PART",
		"user_team": partnerTeam, "text": "<@U0BOT> join Élise Gagnon | Services Québec | provincial | QC", "ts": "7.000001"}))
	m, err := e.db.MemberByIdentity(ctx, storage.Identity{Platform: storage.PlatformSlack, ID: "U0PART", Workspace: partnerTeam})
	if err != nil || m.Name != "Élise Gagnon" {
		t.Fatalf("join by mention from the partner's workspace: %+v, %v", m, err)
	}
	if ws, _, _ := e.db.IdentityWorkspace(ctx, storage.Identity{Platform: storage.PlatformSlack, ID: "U0PART"}); ws != partnerTeam {
		t.Errorf("identity's workspace %q, want %s", ws, partnerTeam)
	}

	// Who, in a direct message.
	e.event(teamEvent(t, "EvW1", map[string]any{"type": "message", "channel_type": "im", "channel": "D0PART",
		"user": "U0PART", "user_team": partnerTeam, "text": "who represents Quebec?", "ts": "8.000001"}))

	// Vote and RSVP with buttons.
	e.clickFrom("U0PART", partnerTeam, p.Buttons[0].ActionID, p.Buttons[0].Value, false)
	e.clickFrom("U0PART", partnerTeam, "rsvp_yes", fmt.Sprint(mt.ID), false)
	e.a.Close()
	if got := e.storedVoters(p.ID); got != 1 {
		t.Errorf("poll voters %d, want the partner's vote", got)
	}
	if got := e.rsvps(mt.ID); got != 1 {
		t.Errorf("RSVPs %d, want the partner's", got)
	}
	var dm string
	for _, c := range e.fake.Calls("chat.postMessage") {
		if c.Form.Get("channel") == "D0PART" {
			dm = c.Form.Get("text")
		}
	}
	if !strings.Contains(dm, "Élise Gagnon") {
		t.Errorf("who in a DM answered %q, want Élise Gagnon named", dm)
	}
	// A person of the Enterprise Grid organization allowed takes part too.
	if ack := e.slashFrom("help", "U0GRID", "T0GRIDWS", "E0GRID"); strings.Contains(fmt.Sprint(ack), "not part of the") {
		t.Errorf("a person of the allowed Enterprise Grid organization was refused: %v", ack)
	}
}

// TestSlackConnectOutsiderRefused: a person of a workspace that is not
// allowed gets a polite answer in English and French, wherever they ask
// from, and nothing changes: no member, no identity, no vote, no RSVP, no
// audit entry.
func TestSlackConnectOutsiderRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	logs := &lockedBuffer{}
	e := newConnectEnv(t, withLog(slog.New(slog.NewTextHandler(logs, nil))))
	p := e.postPoll("Accessibility", "Vulnerable communities")
	mt := e.meeting()
	members, audit := e.memberCount(), auditCount(t, e.db)
	const en, fr = "is not part of the Contact Centre Community of Practice", "ne fait pas partie de la Communauté de pratique"

	ack := e.slashFrom("join Olivier Roy | Ville de Nulle-Part | municipal | QC", "U0OUT", outsideTeam, "")
	if txt := fmt.Sprint(ack["text"]); !strings.Contains(txt, en) || !strings.Contains(txt, fr) || ack["response_type"] != "ephemeral" {
		t.Errorf("slash command from %s: %v, want the ephemeral bilingual refusal", outsideTeam, ack)
	}
	e.event(teamEvent(t, "EvO1", map[string]any{"type": "app_mention", "channel": stormChannel, "user": "U0OUT",
		"user_team": outsideTeam, "text": "<@U0BOT> join Olivier Roy | Ville de Nulle-Part | municipal | QC", "ts": "9.000001"}))
	e.event(teamEvent(t, "EvO2", map[string]any{"type": "message", "channel_type": "im", "channel": "D0OUT",
		"user": "U0OUT", "user_team": outsideTeam, "text": "who represents Quebec?", "ts": "9.000002"}))
	e.clickFrom("U0OUT", outsideTeam, p.Buttons[0].ActionID, p.Buttons[0].Value, false)
	e.clickFrom("U0OUT", outsideTeam, "rsvp_yes", fmt.Sprint(mt.ID), false)
	e.clickFrom("U0OUT", outsideTeam, "signup_open", "", true)
	e.a.Close()

	var answers []string
	for _, c := range e.fake.Calls("chat.postEphemeral") {
		answers = append(answers, c.Form.Get("text"))
	}
	for _, c := range e.fake.Calls("chat.postMessage") {
		if c.Form.Get("channel") == "D0OUT" || c.Form.Get("channel") == "U0OUT" {
			answers = append(answers, c.Form.Get("text"))
		}
	}
	for _, c := range e.fake.Calls("hook") {
		answers = append(answers, fmt.Sprint(c.JSON["text"]))
	}
	if len(answers) != 5 {
		t.Errorf("%d answers to the outsider, want 5 (mention, DM, vote, RSVP, App Home click): %q", len(answers), answers)
	}
	for _, a := range answers {
		if !strings.Contains(a, en) || !strings.Contains(a, fr) {
			t.Errorf("answer %q, want the bilingual refusal", a)
		}
	}
	if n := len(e.fake.Calls("views.open")); n != 0 {
		t.Errorf("the join form opened %d times for an outsider", n)
	}
	if got := e.memberCount(); got != members {
		t.Errorf("members %d, want %d", got, members)
	}
	if _, ok, _ := e.db.IdentityWorkspace(ctx, storage.Identity{Platform: storage.PlatformSlack, ID: "U0OUT"}); ok {
		t.Error("an identity was stored for the outsider")
	}
	if e.storedVoters(p.ID) != 0 || e.rsvps(mt.ID) != 0 {
		t.Errorf("outsider's vote or RSVP counted: voters %d, RSVPs %d", e.storedVoters(p.ID), e.rsvps(mt.ID))
	}
	if got := auditCount(t, e.db); got != audit {
		t.Errorf("audit entries %d, want %d (untouched)", got, audit)
	}
	// The log names the workspace, for a coordinator to add it.
	if got := logs.String(); !strings.Contains(got, "not in allowed_teams: refused") || !strings.Contains(got, "team_id="+outsideTeam) {
		t.Errorf("no log line names the refused workspace %s:\n%s", outsideTeam, got)
	}
}

func auditCount(t *testing.T, d *storage.DB) int {
	t.Helper()
	es, err := d.FindAudit(context.Background(), storage.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return len(es)
}

// TestSocketModeClickChecksTheTeam: over Socket Mode too, a click is
// admitted by the clicker's own team (user.team_id): an outsider's vote is
// refused and not counted, a partner's is counted.
func TestSocketModeClickChecksTheTeam(t *testing.T) {
	t.Parallel()
	e := newStormEnv(t, 1, withConfig(func(c *Config) {
		c.AppToken, c.AllowedTeams = "xapp-1-test", []string{partnerTeam}
	}))
	e.fake.SetTeam(homeTeam, "")
	p := e.postPoll("Accessibility", "Vulnerable communities")
	sock := newFakeSocket(t, e.fake)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go e.a.RunSocketMode(ctx)
	click := func(id, user, team string) {
		m := clickPayload(t, p, user, p.Buttons[0], int(e.seq.Add(1)))
		m["user"].(map[string]any)["team_id"] = team
		m["team"] = map[string]any{"id": team, "domain": "x"}
		if ack := sock.roundTrip(t, envelope(t, id, "interactive", m)); ack["envelope_id"] != id {
			t.Fatalf("ack %v", ack)
		}
	}
	click("env-out", "U0OUT", outsideTeam)
	hooks := e.fake.WaitFor("hook", 1, waitLimit)
	if len(hooks) != 1 || !strings.Contains(fmt.Sprint(hooks[0].JSON["text"]), "is not part of the Contact Centre Community") {
		t.Fatalf("answer to the outsider's click: %v, want the refusal", hooks)
	}
	if got := e.storedVoters(p.ID); got != 0 {
		t.Errorf("the outsider's vote was counted (%d voters)", got)
	}
	e.join(storage.MemberInput{Name: "Pat Partner", Organization: "ServiceOntario", Order: storage.OrderProvincial,
		Jurisdiction: "ON", SlackID: "U0PARTNER", Workspace: partnerTeam})
	click("env-partner", "U0PARTNER", partnerTeam)
	if !e.fake.Wait(waitLimit, func() bool { return e.storedVoters(p.ID) == 1 }) {
		t.Errorf("the partner's vote over Socket Mode: %d voters, want 1", e.storedVoters(p.ID))
	}
}
