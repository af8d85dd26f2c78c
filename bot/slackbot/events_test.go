package slackbot

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// eventPayload wraps an inner event the way the Events API delivers it,
// with the bot's own user id in authorizations (U0BOT).
func eventPayload(t testing.TB, id string, inner map[string]any) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"token": "x", "team_id": "T0", "api_app_id": "A0",
		"type": "event_callback", "event_id": id, "event_time": 1, "event": inner,
		"authorizations": []any{map[string]any{"team_id": "T0", "user_id": "U0BOT", "is_bot": true}}})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func (e *env) event(payload string) {
	e.t.Helper()
	if resp := e.send("/slack/events", "application/json", payload); resp.StatusCode != http.StatusOK {
		e.t.Fatalf("event status %d", resp.StatusCode)
	}
}

func TestEventDirectMessageQuestion(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.join(marie())
	e.event(eventPayload(t, "Ev1", map[string]any{"type": "message", "channel_type": "im", "channel": "D0DM",
		"user": "U0ASKER", "text": "who represents Ontario?", "ts": "1.000001"}))
	e.a.Close()
	posts := e.fake.Calls("chat.postMessage")
	if len(posts) != 1 {
		t.Fatalf("%d chat.postMessage, want 1", len(posts))
	}
	if posts[0].Form.Get("channel") != "D0DM" || posts[0].Form.Get("thread_ts") != "" {
		t.Errorf("posted to %v thread %q, want the DM itself", posts[0].Form.Get("channel"), posts[0].Form.Get("thread_ts"))
	}
	if !strings.Contains(posts[0].Form.Get("text"), "Marie Tremblay") {
		t.Errorf("answer %q does not name the Ontario member", posts[0].Form.Get("text"))
	}
}

func TestEventMentionAnsweredPrivatelyInThread(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.join(marie())
	e.event(eventPayload(t, "Ev2", map[string]any{"type": "app_mention", "channel": "C0GEN",
		"user": "U0ASKER", "text": "<@U0BOT> who represents Ontario?", "ts": "2.000001"}))
	e.a.Close()
	eph := e.fake.Calls("chat.postEphemeral")
	if len(eph) != 1 {
		t.Fatalf("%d chat.postEphemeral, want 1 (a directory answer is personal)", len(eph))
	}
	f := eph[0].Form
	if f.Get("channel") != "C0GEN" || f.Get("user") != "U0ASKER" || f.Get("thread_ts") != "2.000001" {
		t.Errorf("ephemeral to %v/%v thread %v", f.Get("channel"), f.Get("user"), f.Get("thread_ts"))
	}
	if !strings.Contains(f.Get("text"), "Marie Tremblay") {
		t.Errorf("answer %q", f.Get("text"))
	}
}

func TestEventMentionInChannelReplyInThread(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.event(eventPayload(t, "Ev3", map[string]any{"type": "app_mention", "channel": "C0GEN",
		"user": "U0ASKER", "text": "<@U0BOT> stats", "ts": "3.000001", "thread_ts": "3.000000"}))
	e.a.Close()
	posts := e.fake.Calls("chat.postMessage")
	if len(posts) != 1 || posts[0].Form.Get("thread_ts") != "3.000000" || posts[0].Form.Get("channel") != "C0GEN" {
		t.Fatalf("posts %v, want the stats in the question's thread", posts)
	}
}

func TestEventsIgnored(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		inner map[string]any
	}{
		{"bot message", map[string]any{"type": "message", "channel_type": "im", "channel": "D0", "user": "U0X", "bot_id": "B0", "text": "help", "ts": "1.1"}},
		{"own message", map[string]any{"type": "message", "channel_type": "im", "channel": "D0", "user": "U0BOT", "text": "help", "ts": "1.1"}},
		{"edit", map[string]any{"type": "message", "subtype": "message_changed", "channel_type": "im", "channel": "D0",
			"message": map[string]any{"type": "message", "user": "U0X", "text": "help", "ts": "1.1"}}},
		{"channel join", map[string]any{"type": "message", "subtype": "channel_join", "channel_type": "im", "channel": "D0", "user": "U0X", "text": "joined", "ts": "1.1"}},
		{"channel message", map[string]any{"type": "message", "channel_type": "channel", "channel": "C0", "user": "U0X", "text": "help", "ts": "1.1"}},
		{"mention by a bot", map[string]any{"type": "app_mention", "channel": "C0", "user": "U0X", "bot_id": "B0", "text": "<@U0BOT> help", "ts": "1.1"}},
		{"edited mention", map[string]any{"type": "app_mention", "channel": "C0", "user": "U0X", "text": "<@U0BOT> help", "ts": "1.1",
			"edited": map[string]any{"user": "U0X", "ts": "1.2"}}},
		{"unsubscribed event", map[string]any{"type": "reaction_added", "user": "U0X", "reaction": "tada"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.event(eventPayload(t, "Ev-"+tt.name, tt.inner))
			e.a.Close()
			if c := e.fake.Calls(""); len(c) != 0 {
				t.Errorf("ignored event called Slack: %v", c)
			}
		})
	}
}

func TestEventRetryDeduplicated(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := eventPayload(t, "Ev9", map[string]any{"type": "message", "channel_type": "im", "channel": "D0DM",
		"user": "U0ASKER", "text": "help", "ts": "9.1"})
	e.event(p)
	// Slack's retry of the same delivery, signed anew a little later.
	if resp := e.sendAt(e.now().Add(time.Second), "/slack/events", "application/json", p); resp.StatusCode != http.StatusOK {
		t.Fatalf("retry status %d", resp.StatusCode)
	}
	e.event(eventPayload(t, "Ev10", map[string]any{"type": "message", "channel_type": "im", "channel": "D0DM",
		"user": "U0ASKER", "text": "help", "ts": "9.2"}))
	e.a.Close()
	if n := len(e.fake.Calls("chat.postMessage")); n != 2 {
		t.Errorf("%d answers, want 2 (one per distinct event_id)", n)
	}
}

func TestStripMentions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		bots []string
		want string
	}{
		{"<@U0BOT> who represents Yukon?", []string{"U0BOT"}, "who represents Yukon?"},
		{"hey <@U0BOT|copbot>  who  is in Ontario", []string{"U0BOT"}, "hey who is in Ontario"},
		{"<@U0BOT> profile of <@U0OTHER>", []string{"U0BOT"}, "profile of <@U0OTHER>"},
		{"<@W111> stats", nil, "stats"},
		{"stats <@W111>", nil, "stats <@W111>"},
		{"  gaps  ", nil, "gaps"},
	}
	for _, tt := range tests {
		if got := stripMentions(tt.text, tt.bots); got != tt.want {
			t.Errorf("stripMentions(%q, %v) = %q, want %q", tt.text, tt.bots, got, tt.want)
		}
	}
}
