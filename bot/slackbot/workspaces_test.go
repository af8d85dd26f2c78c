package slackbot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"copbot/bot/slackbot/slacktest"
	"copbot/handlers"
	"copbot/storage"
)

// install runs the OAuth install of team in a fresh browser, as a person
// of that workspace would, with channel picked for the Community.
func (e *env) install(team, token, channel string) {
	e.t.Helper()
	code := "code-" + team + "-" + token
	e.fake.AddInstallCode(code, slacktest.Install{ClientID: testClientID, ClientSecret: testClientSecret,
		RedirectURI: testRedirect, Team: team, TeamName: "Workspace " + team, BotUser: "U0BOT" + team,
		Token: token, Installer: "U0INST" + team, Channel: channel, Scopes: InstallScopes})
	b := &browser{e: e}
	if status, page := b.finish(url.Values{"code": {code}, "state": {b.begin()}}); status != http.StatusOK {
		e.t.Fatalf("install of %s: %d %s", team, status, page)
	}
}

// workspaceEvent is an Events API callback from team.
func workspaceEvent(t testing.TB, team, id string, inner map[string]any) string {
	t.Helper()
	var p map[string]any
	if err := json.Unmarshal([]byte(eventPayload(t, id, inner)), &p); err != nil {
		t.Fatal(err)
	}
	p["team_id"] = team
	b, _ := json.Marshal(p)
	return string(b)
}

// teamCommand is a signed slash command from user of team.
func (e *env) teamCommand(team, user, text string) {
	e.t.Helper()
	v := url.Values{"command": {"/cop"}, "text": {text}, "user_id": {user}, "user_name": {"u"}, "channel_id": {"C0ANY"},
		"team_id": {team}, "trigger_id": {"1.2.trig" + team + user}, "response_url": {"https://hooks.slack.com/commands/" + team + "/1/x"}}
	if resp := e.send("/slack/commands", formType, v.Encode()); resp.StatusCode != http.StatusOK {
		e.t.Fatalf("command from %s: %d", team, resp.StatusCode)
	}
}

// tokensOf lists the token of each call of method, in order.
func (e *env) tokensOf(method string) []string {
	var out []string
	for _, c := range e.fake.Calls(method) {
		out = append(out, c.Token)
	}
	return out
}

// TestRequestsUseTheirWorkspaceToken: a request from a partner workspace
// is answered with that workspace's token (users.info for a newcomer, the
// App Home, a DM answer posted after the ack), one from the home workspace
// with bot_token. Before, every call went out with bot_token, which Slack
// refuses in another workspace.
func TestRequestsUseTheirWorkspaceToken(t *testing.T) {
	e := newEnv(t, withInstalls(t))
	e.install("T0PARTNER", "xoxb-partner", "C0PARTNERCOM")
	e.teamCommand("T0PARTNER", "U0NEWP", "help")
	e.teamCommand("T0TEAM", "U0NEWH", "help")
	e.event(workspaceEvent(t, "T0PARTNER", "EvHome", map[string]any{"type": "app_home_opened", "user": "U0NEWP2", "tab": "home"}))
	e.event(workspaceEvent(t, "T0PARTNER", "EvDM", map[string]any{"type": "message", "channel_type": "im", "channel": "D0P",
		"user": "U0NEWP3", "text": "help", "ts": "1.000001"}))
	e.a.Close()
	if got := e.tokensOf("users.info"); len(got) < 2 || got[0] != "xoxb-partner" || got[1] != "xoxb-test" {
		t.Errorf("users.info tokens %q, want the partner's then the home workspace's", got)
	}
	for _, m := range []string{"views.publish", "chat.postMessage"} {
		if got := e.tokensOf(m); len(got) != 1 || got[0] != "xoxb-partner" {
			t.Errorf("%s tokens %q, want the partner's", m, got)
		}
	}
}

// TestUninstallAndReinstall: app_uninstalled from a workspace deletes its
// token (store and memory) and is audited; its requests no longer get its
// token; tokens_revoked for the bot does the same after a reinstall, which
// serves the workspace again with the new token and keeps its channel. A
// revocation of user tokens only changes nothing.
func TestUninstallAndReinstall(t *testing.T) {
	e := newEnv(t, withInstalls(t))
	ctx := context.Background()
	e.install("T0PARTNER", "xoxb-first", "C0PARTNERCOM")
	e.event(workspaceEvent(t, "T0PARTNER", "EvU1", map[string]any{"type": "app_uninstalled"}))
	if all := e.installs(); len(all) != 0 {
		t.Fatalf("after app_uninstalled: %+v", all)
	}
	e.teamCommand("T0PARTNER", "U0P1", "help")
	e.install("T0PARTNER", "xoxb-second", "")
	e.teamCommand("T0PARTNER", "U0P2", "help")
	if all := e.installs(); len(all) != 1 || all[0].ChannelID != "C0PARTNERCOM" || all[0].Token != "xoxb-second" {
		t.Fatalf("after reinstall: %+v", all)
	}
	e.event(workspaceEvent(t, "T0PARTNER", "EvR1", map[string]any{"type": "tokens_revoked",
		"tokens": map[string]any{"oauth": []string{"U0P1"}}}))
	if len(e.installs()) != 1 {
		t.Fatal("a user token's revocation removed the install")
	}
	e.event(workspaceEvent(t, "T0PARTNER", "EvR2", map[string]any{"type": "tokens_revoked",
		"tokens": map[string]any{"bot": []string{"U0BOTT0PARTNER"}}}))
	e.teamCommand("T0PARTNER", "U0P3", "help")
	e.a.Close()
	if all := e.installs(); len(all) != 0 {
		t.Errorf("after tokens_revoked: %+v", all)
	}
	if got := e.tokensOf("users.info"); len(got) != 3 || got[0] != "xoxb-test" || got[1] != "xoxb-second" || got[2] != "xoxb-test" {
		t.Errorf("users.info tokens %q: want no removed token used", got)
	}
	log, err := e.db.FindAudit(ctx, storage.AuditFilter{Action: storage.AuditSlackUninstall})
	if err != nil || len(log) != 2 || log[0].Detail["why"] != "tokens_revoked" || log[1].Detail["why"] != "app_uninstalled" {
		t.Errorf("uninstalls audited: %+v %v", log, err)
	}
}

// TestInstallsSurviveARestart: a new process serves the installed
// workspaces with their tokens, and refuses to start when the token key
// is not the one they were sealed with.
func TestInstallsSurviveARestart(t *testing.T) {
	e := newEnv(t, withInstalls(t))
	e.install("T0PARTNER", "xoxb-partner", "C0PARTNERCOM")
	e = e.restart(withInstalls(t))
	e.teamCommand("T0PARTNER", "U0NEWP", "help")
	e.a.Close()
	if got := e.tokensOf("users.info"); len(got) != 1 || got[0] != "xoxb-partner" {
		t.Errorf("after a restart, users.info tokens %q", got)
	}
	other, _ := storage.ParseTokenKey("ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=")
	cfg := e.a.cfg
	cfg.TokenKey = other
	if _, err := newAdapter(cfg, e.svc, discardLog(), e.now, defaultTuning()); !errors.Is(err, storage.ErrTokenKey) {
		t.Errorf("start with another key: %v, want ErrTokenKey", err)
	}
}

// TestSocketModeUsesTheWorkspaceToken: over Socket Mode too (one
// connection carries every workspace's envelopes), a slash command and an
// App Home opened in a partner workspace are answered with its token.
func TestSocketModeUsesTheWorkspaceToken(t *testing.T) {
	e := newEnv(t, withInstalls(t, func(c *Config) { c.AppToken = "xapp-1-test" }))
	e.install("T0PARTNER", "xoxb-partner", "C0PARTNERCOM")
	sock := newFakeSocket(t, e.fake)
	ctx, cancel := context.WithCancel(context.Background())
	runErr := make(chan error, 1)
	go func() { runErr <- e.a.RunSocketMode(ctx) }()
	cmd := map[string]any{"command": "/cop", "text": "help", "user_id": "U0NEWP", "user_name": "p",
		"channel_id": "C0P", "team_id": "T0PARTNER", "trigger_id": "1.2.3", "response_url": "https://hooks.slack.com/commands/T0PARTNER/1/x"}
	if ack := sock.roundTrip(t, envelope(t, "env-cmd", "slash_commands", cmd)); ack["envelope_id"] != "env-cmd" {
		t.Fatalf("ack %v", ack)
	}
	var home map[string]any
	if err := json.Unmarshal([]byte(workspaceEvent(t, "T0PARTNER", "EvSockHome",
		map[string]any{"type": "app_home_opened", "user": "U0NEWP2", "tab": "home"})), &home); err != nil {
		t.Fatal(err)
	}
	if ack := sock.roundTrip(t, envelope(t, "env-home", "events_api", home)); ack["envelope_id"] != "env-home" {
		t.Fatalf("ack %v", ack)
	}
	cancel()
	if err := <-runErr; err != nil {
		t.Errorf("RunSocketMode: %v", err)
	}
	e.a.Close()
	if got := e.tokensOf("users.info"); len(got) == 0 || got[0] != "xoxb-partner" {
		t.Errorf("users.info tokens %q, want the partner's", got)
	}
	if got := e.tokensOf("views.publish"); len(got) != 1 || got[0] != "xoxb-partner" {
		t.Errorf("views.publish tokens %q, want the partner's", got)
	}
}

// BenchmarkTeamOf is what finding a request's workspace costs each
// request when installs are on: a vote click's form body (the hot path).
func BenchmarkTeamOf(b *testing.B) {
	body := []byte(url.Values{"payload": {fixture(b, "block_actions_docs_example.json")}}.Encode())
	b.ReportAllocs()
	for b.Loop() {
		if teamOf(body) == "" {
			b.Fatal("no team")
		}
	}
}

// TestInstalledWorkspacesTakePart: with the bot token's workspace known
// (auth.test), a person of a workspace copbot is installed in is served
// like one of allowed_teams, while a person of a workspace neither
// installed nor allowed gets the polite refusal; a private message to a
// person of the installed workspace (their identity's) goes out with its
// token. Before, the gate refused installed workspaces and Direct used
// bot_token.
func TestInstalledWorkspacesTakePart(t *testing.T) {
	e := newEnv(t, withInstalls(t))
	e.fake.SetTeam("T0TEAM", "")
	e.install("T0PARTNER", "xoxb-partner", "C0PARTNERCOM")
	ack := func(team string) string {
		v := url.Values{"command": {"/cop"}, "text": {"help"}, "user_id": {"U0NEW" + team}, "user_name": {"u"},
			"channel_id": {"C0ANY"}, "team_id": {team}, "trigger_id": {"1.2." + team},
			"response_url": {"https://hooks.slack.com/commands/" + team + "/1/x"}}
		return fmt.Sprint(body(t, e.send("/slack/commands", formType, v.Encode())))
	}
	refused := "not part of the Contact Centre Community of Practice"
	if got := ack("T0PARTNER"); strings.Contains(got, refused) {
		t.Errorf("a person of an installed workspace was refused: %s", got)
	}
	if got := ack("T0STRANGER"); !strings.Contains(got, refused) {
		t.Errorf("a person of a workspace neither installed nor allowed was served: %s", got)
	}
	err := e.a.Direct(context.Background(), storage.Identity{Platform: storage.PlatformSlack, ID: "U0P", Workspace: "T0PARTNER"},
		handlers.Reply{Kind: "reminder", Lang: "en", Text: "Two days left to vote"})
	if err != nil {
		t.Fatal(err)
	}
	e.a.Close()
	if got := e.tokensOf("chat.postMessage"); len(got) != 1 || got[0] != "xoxb-partner" {
		t.Errorf("DM tokens %q, want the partner's", got)
	}
}
