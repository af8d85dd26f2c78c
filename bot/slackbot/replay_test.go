package slackbot

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"copbot/bot/slackbot/slacktest"
	"copbot/storage"
)

// replay sends the same correctly signed request twice, as an attacker who
// captured it would within the 5 minute window, and returns both statuses.
func (e *env) replay(path, form string) (first, second int) {
	e.t.Helper()
	at := e.now()
	for i, code := range []*int{&first, &second} {
		resp := e.do(slacktest.SignedRequest(e.srv.URL+path, testSecret, at, formType, form))
		*code = resp.StatusCode
		resp.Body.Close()
		if i == 0 {
			e.a.Close() // the first request's background work is done
		}
	}
	e.a.Close()
	return first, second
}

func commandForm(text, user string) string {
	return url.Values{"command": {"/cop"}, "text": {text}, "user_id": {user}, "user_name": {"u"},
		"channel_id": {"C0CHAN"}, "team_id": {"T0TEAM"}, "trigger_id": {"1.2.3"},
		"response_url": {"https://hooks.slack.com/commands/T0TEAM/1/replay"}}.Encode()
}

// TestReplayedRequestRefused is finding 3 of issue 9: the same signed
// request sent twice acted twice. The replay must be refused with 401 and
// change nothing: the vote stays, the poll is posted once, the meeting
// exists once.
func TestReplayedRequestRefused(t *testing.T) {
	tests := []struct {
		name  string
		path  string
		form  func(e *env) string
		check func(t *testing.T, e *env)
	}{
		{"vote does not flip back", "/slack/interactions", func(e *env) string {
			p := e.postPoll("Accessibility", "Chatbots")
			return clickForm(e.t, p, stormVoter(0), p.Buttons[1], 0)
		}, func(t *testing.T, e *env) {
			polls, _ := e.db.FindPolls(context.Background(), storage.PollFilter{})
			votes, err := e.db.PollVotes(context.Background(), polls[0].ID)
			if err != nil || len(votes) != 1 {
				t.Errorf("votes after a replayed click: %+v, %v; want the one vote", votes, err)
			}
		}},
		{"poll posted once", "/slack/commands", func(e *env) string {
			return commandForm(`poll "Theme for March?" "Accessibility" "Chatbots"`, stormCoordinator)
		}, func(t *testing.T, e *env) {
			polls, _ := e.db.FindPolls(context.Background(), storage.PollFilter{})
			if n := len(e.fake.Calls("chat.postMessage")); n != 1 || len(polls) != 1 {
				t.Errorf("%d polls, %d chat.postMessage; want 1 and 1", len(polls), n)
			}
		}},
		{"meeting added once", "/slack/commands", func(e *env) string {
			return commandForm("meeting add 2027-03-17 13:00 Quarterly", stormCoordinator)
		}, func(t *testing.T, e *env) {
			ms, err := e.db.FindMeetings(context.Background(), storage.MeetingFilter{})
			if err != nil || len(ms) != 1 {
				t.Errorf("%d meetings (%v), want 1", len(ms), err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			e := newStormEnv(t, 3, withLog(slog.New(slog.NewTextHandler(&logs, nil))))
			first, second := e.replay(tt.path, tt.form(e))
			if first != http.StatusOK || second != http.StatusUnauthorized {
				t.Errorf("statuses %d then %d, want 200 then 401", first, second)
			}
			tt.check(t, e)
			if !strings.Contains(logs.String(), "replayed request") {
				t.Errorf("replay not logged:\n%s", logs.String())
			}
		})
	}
}

// TestReplayWindowBounded checks the replay cache's memory: entries go once
// the signature window can no longer accept them, and never exceed the cap.
func TestReplayWindowBounded(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	c := newTTLCache[struct{}](replayTTL, 3, func() time.Time { return now })
	for _, k := range []string{"a", "b", "c", "d"} {
		c.Add(k, struct{}{})
	}
	if got := c.Len(); got != 3 {
		t.Errorf("len after 4 adds with cap 3 = %d, want 3", got)
	}
	if c.Add("d", struct{}{}) {
		t.Error("a key seen within the window was accepted again")
	}
	now = now.Add(replayTTL)
	if !c.Add("e", struct{}{}) || c.Len() != 1 {
		t.Errorf("after the window: len %d, want only the new key", c.Len())
	}
}

// TestSocketEnvelopeRedeliveredOnce sends the same Socket Mode envelope
// twice: both are acknowledged, the command runs once.
func TestSocketEnvelopeRedeliveredOnce(t *testing.T) {
	e := newStormEnv(t, 1, withConfig(func(c *Config) { c.AppToken = "xapp-1-test" }))
	sock := newFakeSocket(t, e.fake)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go e.a.RunSocketMode(ctx)
	cmd := map[string]any{"command": "/cop", "text": "meeting add 2027-03-17 13:00 Quarterly", "user_id": stormCoordinator,
		"channel_id": "C0", "team_id": "T0", "response_url": "https://hooks.slack.com/commands/T0/1/x"}
	first := sock.roundTrip(t, envelope(t, "env-1", "slash_commands", cmd))
	second := sock.roundTrip(t, envelope(t, "env-1", "slash_commands", cmd))
	if first["payload"] == nil || second["envelope_id"] != "env-1" || second["payload"] != nil {
		t.Errorf("acks %v then %v, want the answer then an empty ack", first, second)
	}
	if ms, err := e.db.FindMeetings(context.Background(), storage.MeetingFilter{}); err != nil || len(ms) != 1 {
		t.Errorf("%d meetings (%v), want 1", len(ms), err)
	}
}
