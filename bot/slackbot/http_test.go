package slackbot

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"copbot/bot/slackbot/slacktest"
	"copbot/handlers"
	"copbot/storage"
)

// expectedAck is the ack the adapter should send for req: the service's own
// reply, rendered.
func (e *env) expectedAck(req handlers.Request) map[string]any {
	e.t.Helper()
	m, _ := e.a.messagePayload(e.svc.Handle(context.Background(), req))
	return jsonOf(e.t, m)
}

func slackReq(user, text string) handlers.Request {
	return handlers.Request{Identity: storage.Identity{Platform: storage.PlatformSlack, ID: user},
		UserName: "Real " + user, Text: text}
}

func TestCommandWhoOntario(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.join(marie())
	resp := e.command("who Ontario", "U0ASKER")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	got := body(t, resp)
	if got["response_type"] != "ephemeral" {
		t.Errorf("response_type = %v, want ephemeral", got["response_type"])
	}
	if !strings.Contains(got["text"].(string), "Marie Tremblay") {
		t.Errorf("text %q does not name the Ontario member", got["text"])
	}
	if want := e.expectedAck(slackReq("U0ASKER", "who Ontario")); !reflect.DeepEqual(got, want) {
		t.Errorf("ack differs from the service's reply:\n got %v\nwant %v", got, want)
	}
	if w := e.fake.Writes(); len(w) != 0 {
		t.Errorf("an answer ready in time must go in the ack only; Slack saw %d writes", len(w))
	}
}

func TestCommandFrenchLocaleForNonMember(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.fake.SetLocale("U0FR", "fr-CA")
	got := body(t, e.command("aide", "U0FR"))
	req := slackReq("U0FR", "aide")
	req.Locale = "fr-CA"
	if want := e.expectedAck(req); !reflect.DeepEqual(got, want) {
		t.Errorf("French help differs:\n got %v\nwant %v", got["text"], want["text"])
	}
	if en := e.expectedAck(slackReq("U0FR", "help")); reflect.DeepEqual(got["text"], en["text"]) {
		t.Error("a fr-CA Slack user got the English help")
	}
	if n := len(e.fake.Calls("users.info")); n != 1 {
		t.Errorf("users.info called %d times, want 1", n)
	}
	body(t, e.command("aide", "U0FR"))
	if n := len(e.fake.Calls("users.info")); n != 1 {
		t.Errorf("users.info called %d times after a second command, want 1 (cached)", n)
	}
}

func TestCommandInChannelVisibility(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.join(marie())
	got := body(t, e.command("stats", "U0ASKER"))
	want := e.svc.Handle(context.Background(), slackReq("U0ASKER", "stats"))
	wantType := "ephemeral"
	if want.Visibility == handlers.InChannel {
		wantType = "in_channel"
	}
	if got["response_type"] != wantType {
		t.Errorf("response_type = %v, want %s", got["response_type"], wantType)
	}
}

// TestFixtureSlashCommands sends every slash-command fixture, re-signed now.
func TestFixtureSlashCommands(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"slash_command_signed.form", "slash_command_docs_example.form", "slash_command_real_modified.form"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			form := fixture(t, name)
			v, err := url.ParseQuery(form)
			if err != nil {
				t.Fatal(err)
			}
			resp := e.send("/slack/commands", formType, form)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			got := body(t, resp)
			if want := e.expectedAck(slackReq(v.Get("user_id"), v.Get("text"))); !reflect.DeepEqual(got, want) {
				t.Errorf("ack:\n got %v\nwant %v", got, want)
			}
			if e.memberCount() != 0 || len(e.fake.Writes()) != 0 {
				t.Error("a help or error answer changed something")
			}
		})
	}
}

func TestFixtureBlockActionsUnknownAction(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"block_actions_docs_example.json", "block_actions_with_state.json"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			payload := fixture(t, name)
			resp := e.interact(payload)
			if resp.StatusCode != http.StatusOK || body(t, resp) != nil {
				t.Fatalf("block_actions must be acked with an empty 200, got %d", resp.StatusCode)
			}
			e.a.Close()
			hooks := e.fake.Calls("hook")
			if len(hooks) != 1 {
				t.Fatalf("got %d response_url posts, want 1 (the error)", len(hooks))
			}
			var cb struct {
				ResponseURL string `json:"response_url"`
				User        struct{ ID string }
			}
			json.Unmarshal([]byte(payload), &cb)
			u, _ := url.Parse(cb.ResponseURL)
			if hooks[0].Host != u.Host || hooks[0].Path != u.Path {
				t.Errorf("posted to %s%s, want %s%s", hooks[0].Host, hooks[0].Path, u.Host, u.Path)
			}
			want := e.svc.Act(context.Background(), slackReq(cb.User.ID, ""), "x", "")
			if hooks[0].JSON["text"] != escape(want.Text) || hooks[0].JSON["response_type"] != "ephemeral" ||
				hooks[0].JSON["replace_original"] != false {
				t.Errorf("response_url message = %v, want the ephemeral error %q", hooks[0].JSON, want.Text)
			}
			if e.memberCount() != 0 || len(e.fake.Writes()) != 1 {
				t.Errorf("unknown action wrote something: %d members, %d Slack writes", e.memberCount(), len(e.fake.Writes()))
			}
		})
	}
}

func TestFixtureViewSubmissionUnknownForm(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	resp := e.interact(fixture(t, "view_submission.json"))
	got := body(t, resp)
	want := e.svc.Act(context.Background(), slackReq("U12345678", ""), "nope", "")
	if got["response_action"] != "errors" {
		t.Fatalf("ack %v, want response_action errors", got)
	}
	errs := got["errors"].(map[string]any)
	if len(errs) != 1 || errs["rating"] != want.Text {
		t.Errorf("errors = %v, want the unknown-form error on the first input block", errs)
	}
	e.a.Close()
	if e.memberCount() != 0 || len(e.fake.Writes()) != 0 {
		t.Error("unknown form wrote something")
	}
}

func TestFixtureURLVerification(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	got := body(t, e.send("/slack/events", "application/json", fixture(t, "url_verification.json")))
	if got["challenge"] != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Errorf("challenge = %v", got)
	}
}

func TestFixtureAppHomeOpened(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	resp := e.send("/slack/events", "application/json", fixture(t, "app_home_opened_home.json"))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	e.a.Close()
	pubs := e.fake.Calls("views.publish")
	if len(pubs) != 1 {
		t.Fatalf("got %d views.publish, want 1", len(pubs))
	}
	if pubs[0].JSON["user_id"] != "U043H11ES4V" {
		t.Errorf("published for %v", pubs[0].JSON["user_id"])
	}
	home := e.svc.Home(context.Background(), slackReq("U043H11ES4V", ""))
	blocks := testRender(home, viewSurface).blocks
	view := pubs[0].JSON["view"].(map[string]any)
	if view["type"] != "home" || !reflect.DeepEqual(view["blocks"], jsonOf(t, map[string]any{"b": blocks})["b"]) {
		t.Errorf("published view is not the service's Home: %v", view)
	}
	if !strings.Contains(mustJSON(t, view), `"action_id":"signup_open"`) {
		t.Error("a non-member's Home has no Join button")
	}
}

func TestFixtureAppHomeMessagesTabIgnored(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	resp := e.send("/slack/events", "application/json", fixture(t, "app_home_opened_messages.json"))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	e.a.Close()
	if w := e.fake.Writes(); len(w) != 0 {
		t.Errorf("messages tab triggered %v", w)
	}
}

func mustJSON(t testing.TB, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestRefused sends requests that must be refused before anything happens:
// each is a one-line join that would create a member if it got through.
func TestRefused(t *testing.T) {
	t.Parallel()
	join := url.Values{"command": {"/cop"}, "user_id": {"U0EVE"}, "channel_id": {"C0"},
		"text": {"join Eve Intruder | ServiceOntario | provincial | Ontario"}}.Encode()
	now := time.Now()
	good := func(b string) (string, string) { return slacktest.Sign(testSecret, now, b) }
	tests := []struct {
		name    string
		path    string
		body    string
		headers func(b string) map[string]string
		status  int
	}{
		{"forged signature", "/slack/commands", join, func(b string) map[string]string {
			ts, _ := good(b)
			_, sig := slacktest.Sign("not-the-secret", now, b)
			return map[string]string{"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig}
		}, 401},
		{"signature of another body", "/slack/commands", join, func(b string) map[string]string {
			ts, sig := good(b + "x")
			return map[string]string{"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig}
		}, 401},
		{"stale timestamp", "/slack/commands", join, func(b string) map[string]string {
			ts, sig := slacktest.Sign(testSecret, now.Add(-6*time.Minute), b)
			return map[string]string{"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig}
		}, 401},
		{"future timestamp", "/slack/commands", join, func(b string) map[string]string {
			ts, sig := slacktest.Sign(testSecret, now.Add(6*time.Minute), b)
			return map[string]string{"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig}
		}, 401},
		{"missing headers", "/slack/commands", join, func(string) map[string]string { return nil }, 401},
		{"missing signature", "/slack/commands", join, func(b string) map[string]string {
			ts, _ := good(b)
			return map[string]string{"X-Slack-Request-Timestamp": ts}
		}, 401},
		{"missing timestamp", "/slack/commands", join, func(b string) map[string]string {
			_, sig := good(b)
			return map[string]string{"X-Slack-Signature": sig}
		}, 401},
		{"forged event", "/slack/events", fixtureText("app_home_opened_home.json"), func(string) map[string]string {
			return map[string]string{"X-Slack-Request-Timestamp": "1", "X-Slack-Signature": "v0=00"}
		}, 401},
		{"forged interaction", "/slack/interactions", url.Values{"payload": {fixtureText("block_actions_docs_example.json")}}.Encode(),
			func(string) map[string]string { return nil }, 401},
		{"oversized body", "/slack/commands", join + "&pad=" + strings.Repeat("a", maxBody), signedBy(good), 413},
		{"malformed form", "/slack/commands", "text=%zz&user_id=U0EVE", signedBy(good), 400},
		{"form without user", "/slack/commands", "text=join+Eve", signedBy(good), 400},
		{"interaction without payload", "/slack/interactions", "foo=bar", signedBy(good), 400},
		{"interaction payload not JSON", "/slack/interactions", "payload=%7Bnot+json", signedBy(good), 400},
		{"event not JSON", "/slack/events", `{"type":"event_callback",`, signedBy(good), 400},
		{"event without type", "/slack/events", `{"event_id":"Ev1"}`, signedBy(good), 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, withClock(func() time.Time { return now }))
			ct := formType
			if tt.path == "/slack/events" {
				ct = "application/json"
			}
			resp := e.sendWith(tt.path, ct, tt.body, tt.headers(tt.body))
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.status)
			}
			e.a.Close()
			if n := e.memberCount(); n != 0 {
				t.Errorf("%d members created", n)
			}
			if c := e.fake.Calls(""); len(c) != 0 {
				t.Errorf("refused request still called Slack: %v", c)
			}
		})
	}
	// The same join, correctly signed, does create the member: the refusals
	// above are the signature's doing.
	e := newEnv(t, withClock(func() time.Time { return now }))
	ts, sig := good(join)
	resp := e.sendWith("/slack/commands", formType, join, map[string]string{"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig})
	if resp.StatusCode != 200 || e.memberCount() != 1 {
		t.Errorf("signed join: status %d, %d members; want 200 and 1", resp.StatusCode, e.memberCount())
	}
}

func signedBy(good func(string) (string, string)) func(string) map[string]string {
	return func(b string) map[string]string {
		ts, sig := good(b)
		return map[string]string{"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig}
	}
}

func fixtureText(name string) string {
	b, err := readFixture(name)
	if err != nil {
		panic(err)
	}
	return b
}
