package slackbot

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"copbot/bot/slackbot/slacktest"
	"copbot/handlers"
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
			var logs lockedBuffer // the poll updater may still log while we read
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

// lockedBuffer is a log destination safe to read while goroutines of the
// bot still write to it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestReplayWithOtherHexCaseRefused is finding 1 of issue 16: hex decoding
// accepts upper case, so the same signature with one letter upper-cased
// verified again and, keyed on the header's text, acted again: the vote
// was taken back. Replays are keyed by the decoded signature.
func TestReplayWithOtherHexCaseRefused(t *testing.T) {
	e := newStormEnv(t, 1)
	p := e.postPoll("Accessibility", "Chatbots")
	form := clickForm(t, p, stormVoter(0), p.Buttons[1], 0)
	at := e.now()
	first := slacktest.SignedRequest(e.srv.URL+"/slack/interactions", testSecret, at, formType, form)
	sig := first.Header.Get(slacktest.SignatureHeader)
	i := strings.IndexAny(sig[3:], "abcdef") + 3
	if i < 3 {
		t.Fatalf("signature %s has no hex letter", sig)
	}
	upper := sig[:i] + strings.ToUpper(sig[i:i+1]) + sig[i+1:]
	if got := e.do(first).StatusCode; got != http.StatusOK {
		t.Fatalf("first click: status %d", got)
	}
	replay := slacktest.SignedRequest(e.srv.URL+"/slack/interactions", testSecret, at, formType, form)
	replay.Header.Set(slacktest.SignatureHeader, upper)
	if got := e.do(replay).StatusCode; got != http.StatusUnauthorized {
		t.Errorf("replay with %s: status %d, want 401", upper, got)
	}
	e.a.Close()
	if votes, err := e.db.PollVotes(context.Background(), p.ID); err != nil || len(votes) != 1 {
		t.Errorf("votes after the replay: %+v, %v; want the one vote", votes, err)
	}
}

// restart closes the adapter and the service and opens new ones on the
// same database file, as a new process would, with a new fake Slack (the
// old database handle stays open until the test ends: SQLite shares the
// file).
func (e *env) restart(opts ...envOpt) *env {
	e.t.Helper()
	e.a.Close()
	e.srv.Close()
	e.svc.Close()
	return newEnv(e.t, append([]envOpt{withPath(e.path)}, opts...)...)
}

// TestReplayAfterRestartRefused: the record of handled requests survives a
// restart, so a request replayed to the new process within its signature's
// window does nothing (issue 16: any request of the last five minutes
// replayed after a restart).
func TestReplayAfterRestartRefused(t *testing.T) {
	e := newStormEnv(t, 1)
	p := e.postPoll("Accessibility", "Chatbots")
	at := e.now()
	click := clickForm(t, p, stormVoter(0), p.Buttons[0], 0)
	meeting := commandForm("meeting add 2027-03-17 13:00 Quarterly", stormCoordinator)
	for _, req := range []struct{ path, form string }{{"/slack/interactions", click}, {"/slack/commands", meeting}} {
		if got := e.do(slacktest.SignedRequest(e.srv.URL+req.path, testSecret, at, formType, req.form)).StatusCode; got != http.StatusOK {
			t.Fatalf("%s: status %d", req.path, got)
		}
	}
	e = e.restart(withOptions(func(o *handlers.Options) {
		o.Coordinators = []storage.Identity{{Platform: storage.PlatformSlack, ID: stormCoordinator}}
	}))
	for _, req := range []struct{ path, form string }{{"/slack/interactions", click}, {"/slack/commands", meeting}} {
		if got := e.do(slacktest.SignedRequest(e.srv.URL+req.path, testSecret, at, formType, req.form)).StatusCode; got != http.StatusUnauthorized {
			t.Errorf("%s replayed after a restart: status %d, want 401", req.path, got)
		}
	}
	e.a.Close()
	if votes, err := e.db.PollVotes(context.Background(), p.ID); err != nil || len(votes) != 1 {
		t.Errorf("votes: %+v, %v; want the one vote", votes, err)
	}
	if ms, err := e.db.FindMeetings(context.Background(), storage.MeetingFilter{}); err != nil || len(ms) != 1 {
		t.Errorf("%d meetings (%v), want 1", len(ms), err)
	}
}

// TestEventRetriedAfterRestartIgnored: Slack retries an event under a new
// signature; its event_id is remembered across a restart.
func TestEventRetriedAfterRestartIgnored(t *testing.T) {
	e := newEnv(t)
	e.join(marie())
	var env map[string]any
	if err := json.Unmarshal([]byte(fixture(t, "socketmode_events_api_envelope.json")), &env); err != nil {
		t.Fatal(err)
	}
	p := env["payload"].(map[string]any)
	ev := p["event"].(map[string]any)
	ev["type"], ev["text"], p["event_id"] = "app_mention", "<@U111> who represents Ontario?", "Ev-retried"
	b, _ := json.Marshal(p)
	if got := e.send("/slack/events", "application/json", string(b)).StatusCode; got != http.StatusOK {
		t.Fatalf("event: status %d", got)
	}
	e.a.Close()
	if n := len(e.fake.Calls("chat.postEphemeral")); n != 1 {
		t.Fatalf("%d answers, want 1", n)
	}
	e = e.restart()
	retry := e.sendAt(e.now().Add(time.Second), "/slack/events", "application/json", string(b))
	if retry.StatusCode != http.StatusOK {
		t.Errorf("retry: status %d, want 200", retry.StatusCode)
	}
	e.a.Close()
	if n := len(e.fake.Calls("chat.postEphemeral")); n != 0 {
		t.Errorf("the retry was answered again (%d answers)", n)
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

// TestSocketEnvelopeRedeliveredAfterRestart: an envelope whose ack was lost
// is redelivered to the next connection, here of a new process; it is
// acknowledged and not run again, so the vote is not taken back (issue 15,
// finding 11: 100 of 100 votes reversed).
func TestSocketEnvelopeRedeliveredAfterRestart(t *testing.T) {
	socket := withConfig(func(c *Config) { c.AppToken = "xapp-1-test" })
	e := newStormEnv(t, 1, socket)
	p := e.seedPoll()
	click := envelope(t, "env-vote", "interactive", clickPayload(t, p, stormVoter(0), p.Buttons[0], 0))
	run := func(e *env) *fakeSocket {
		sock := newFakeSocket(t, e.fake)
		ctx, cancel := context.WithCancel(context.Background())
		t.Cleanup(cancel)
		go e.a.RunSocketMode(ctx)
		return sock
	}
	if ack := run(e).roundTrip(t, click); ack["envelope_id"] != "env-vote" {
		t.Fatalf("ack %v", ack)
	}
	if got := e.storedVoters(p.ID); got != 1 {
		t.Fatalf("%d voters after the click, want 1", got)
	}
	e = e.restart(socket)
	if ack := run(e).roundTrip(t, click); ack["envelope_id"] != "env-vote" || ack["payload"] != nil {
		t.Errorf("redelivery ack %v, want a bare ack", ack)
	}
	e.a.Close()
	if got := e.storedVoters(p.ID); got != 1 {
		t.Errorf("%d voters after the redelivery, want 1: the vote was taken back", got)
	}
	e.notAnsweredAgain()
}

// notAnsweredAgain fails the test if the env's Slack saw any write: a
// redelivered request is acknowledged and nothing else, even where running
// it again would change nothing stored (a vote that carries its intent).
func (e *env) notAnsweredAgain() {
	e.t.Helper()
	for _, c := range e.fake.Writes() {
		if c.Method == "apps.connections.open" { // the new process connecting
			continue
		}
		e.t.Errorf("the redelivery was answered again: %s %s", c.Method, c.Body)
	}
}

// TestReplayedReadOnlyCommandAnsweredAgain: a command that writes nothing
// (who, gaps, stats, help) is neither looked up in nor added to the record
// of handled requests, so that it never waits for the single writer
// (issue 20: each `who` recorded its signature in a write transaction of
// its own). Sent again with the same signature it is answered again, with
// the same answer, and nothing is recorded; a command that writes is still
// recorded with its write (TestReplayedRequestRefused: 401 the second time).
func TestReplayedReadOnlyCommandAnsweredAgain(t *testing.T) {
	for _, text := range []string{"who Ontario", "qui Ontario", "gaps", "stats", "help", ""} {
		t.Run(text, func(t *testing.T) {
			e := newStormEnv(t, 3)
			e.join(marie())
			at := e.now()
			var bodies [2]string
			var key string
			for i := range bodies {
				req := slacktest.SignedRequest(e.srv.URL+"/slack/commands", testSecret, at, formType, commandForm(text, "U0READER"))
				key = "slack:v0:" + req.Header.Get(slacktest.TimestampHeader) + ":" +
					strings.TrimPrefix(req.Header.Get(slacktest.SignatureHeader), "v0=")
				resp := e.do(req)
				b, _ := io.ReadAll(resp.Body)
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("delivery %d: status %d, want 200 (%s)", i+1, resp.StatusCode, b)
				}
				bodies[i] = string(b)
			}
			e.a.Close()
			if bodies[0] == "" || bodies[0] != bodies[1] {
				t.Errorf("answers differ:\n%s\n%s", bodies[0], bodies[1])
			}
			if _, ok, err := e.db.RequestHandled(context.Background(), key); err != nil || ok {
				t.Errorf("read-only command recorded as handled (%v, %v): it took a write", ok, err)
			}
		})
	}
}
