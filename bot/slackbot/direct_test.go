package slackbot

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"copbot/handlers"
	"copbot/storage"
)

// frenchMember joins a French-speaking member whose Slack locale (en-US)
// disagrees with the saved language, so a test can tell which one won.
func (e *env) frenchMember(slackID string) {
	e.t.Helper()
	e.join(storage.MemberInput{Name: "Élise Gagnon", Organization: "Services Québec",
		Order: storage.OrderProvincial, Jurisdiction: "QC", Language: "fr", SlackID: slackID})
	e.fake.SetLocale(slackID, "en-US")
}

// TestMembersNotLookedUp: a member's saved language wins over the Slack
// locale, so users.info is not called for members on any entry point; in
// a vote storm those look-ups timed out. Non-members are still looked up.
func TestMembersNotLookedUp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		send func(e *env, user string)
	}{
		{"slash command", func(e *env, user string) {
			got := body(e.t, e.command("aide", user))
			want := e.expectedAck(slackReq(user, "aide"))
			if !reflect.DeepEqual(got, want) {
				e.t.Errorf("ack %v, want the member's French help %v", got["text"], want["text"])
			}
		}},
		{"direct message", func(e *env, user string) {
			e.event(eventPayload(e.t, "EvM"+user, map[string]any{"type": "message", "channel_type": "im",
				"channel": "D0DM", "user": user, "text": "aide", "ts": "1.000001"}))
		}},
		{"App Home opened", func(e *env, user string) {
			e.event(eventPayload(e.t, "EvH"+user, map[string]any{"type": "app_home_opened", "user": user,
				"channel": "D0DM", "tab": "home"}))
		}},
		{"button click", func(e *env, user string) {
			e.interact(`{"type":"block_actions","user":{"id":"` + user + `","name":"x"},"trigger_id":"1.2.3",
				"container":{"type":"view","view_id":"V0HOME"},"view":{"id":"V0HOME","type":"home"},
				"actions":[{"action_id":"signup_open","block_id":"b","type":"button","value":""}]}`)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.frenchMember("U0MEMBER")
			tt.send(e, "U0MEMBER")
			e.a.Close()
			if n := len(e.fake.Calls("users.info")); n != 0 {
				t.Errorf("users.info called %d times for a member, want 0", n)
			}
			if len(e.fake.Writes()) == 0 && tt.name != "slash command" {
				t.Error("the member got no answer")
			}
			e2 := newEnv(t)
			tt.send(e2, "U0STRANGER")
			e2.a.Close()
			if n := len(e2.fake.Calls("users.info")); n != 1 {
				t.Errorf("users.info called %d times for a non-member, want 1", n)
			}
		})
	}
}

func TestDirect(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	reminder := handlers.Reply{Kind: "poll_reminder", Lang: "fr", Visibility: handlers.InChannel,
		Text: "Vous n’avez pas encore voté.", Blocks: []handlers.Block{handlers.Section{Text: "Vous n’avez pas encore voté."},
			handlers.Actions{Buttons: []handlers.Button{{ActionID: "poll_show", Label: "Voir", Value: "7"}}}}}
	var dm handlers.DirectMessenger = e.a
	if err := dm.Direct(context.Background(), storage.Identity{Platform: storage.PlatformSlack, ID: "U0VOTER"}, reminder); err != nil {
		t.Fatal(err)
	}
	posts := e.fake.Calls("chat.postMessage")
	if len(posts) != 1 {
		t.Fatalf("%d chat.postMessage calls, want 1", len(posts))
	}
	m := e.a.message(reminder)
	wantBlocks, wantText := m.blocks, m.text
	f := posts[0].Form
	if f.Get("channel") != "U0VOTER" || f.Get("text") != wantText || f.Get("thread_ts") != "" {
		t.Errorf("posted channel %q text %q thread %q, want the user's DM with %q", f.Get("channel"), f.Get("text"), f.Get("thread_ts"), wantText)
	}
	if got := f.Get("blocks"); got != mustJSON(t, wantBlocks) || !strings.Contains(got, `"action_id":"poll_show"`) {
		t.Errorf("blocks %s, want the rendered reminder with its button", got)
	}

	for _, to := range []storage.Identity{{Platform: storage.PlatformTeams, ID: "29:x"}, {Platform: storage.PlatformSlack}} {
		if err := e.a.Direct(context.Background(), to, reminder); err == nil {
			t.Errorf("Direct(%v) succeeded", to)
		}
	}
	if n := len(e.fake.Calls("")); n != 1 {
		t.Errorf("%d Slack calls in all, want only the one DM", n)
	}
}

// TestDirectFailureReported: a refused DM is an error for the caller (the
// reminder job counts it), not a silent success.
func TestDirectFailureReported(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.fake.Fail("chat.postMessage", http.StatusInternalServerError, "")
	err := e.a.Direct(context.Background(), storage.Identity{Platform: storage.PlatformSlack, ID: "U0VOTER"}, notice)
	if err == nil || !strings.Contains(err.Error(), "U0VOTER") {
		t.Errorf("err = %v, want one naming the user", err)
	}
}
