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

	"github.com/gorilla/websocket"

	"copbot/bot/slackbot/slacktest"
)

// fakeSocket speaks Slack's Socket Mode envelope protocol on the fake's
// /ws endpoint: it says hello, sends the envelopes it is given and hands
// back the acks it reads.
type fakeSocket struct {
	send chan []byte
	acks chan map[string]any
}

func newFakeSocket(t *testing.T, f *slacktest.Server) *fakeSocket {
	s := &fakeSocket{send: make(chan []byte), acks: make(chan map[string]any, 16)}
	done := make(chan struct{})
	t.Cleanup(func() { close(done) })
	f.SetWS(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// slack-go dials with Slack's own origin.
		up := websocket.Upgrader{CheckOrigin: func(r *http.Request) bool { return r.Header.Get("Origin") == "https://api.slack.com" }}
		conn, err := up.Upgrade(w, r, nil)
		if err != nil {
			t.Errorf("upgrade: %v", err)
			return
		}
		defer conn.Close()
		conn.WriteJSON(map[string]any{"type": "hello", "num_connections": 1,
			"connection_info": map[string]any{"app_id": "A111"}, "debug_info": map[string]any{"host": "fake"}})
		go func() {
			for {
				var m map[string]any
				if conn.ReadJSON(&m) != nil {
					return
				}
				s.acks <- m
			}
		}()
		for {
			select {
			case b := <-s.send:
				conn.WriteMessage(websocket.TextMessage, b)
			case <-done:
				return
			case <-r.Context().Done():
				return
			}
		}
	}))
	return s
}

// roundTrip sends one envelope and returns its ack.
func (s *fakeSocket) roundTrip(t *testing.T, envelope []byte) map[string]any {
	t.Helper()
	select {
	case s.send <- envelope:
	case <-time.After(5 * time.Second):
		t.Fatal("socket client never connected")
	}
	select {
	case ack := <-s.acks:
		return ack
	case <-time.After(5 * time.Second):
		t.Fatal("no ack")
	}
	return nil
}

func envelope(t *testing.T, id, typ string, payload any) []byte {
	b, err := json.Marshal(map[string]any{"envelope_id": id, "type": typ, "payload": payload,
		"accepts_response_payload": typ != "events_api"})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSocketMode(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withConfig(func(c *Config) { c.AppToken = "xapp-1-test" }))
	e.join(marie())
	sock := newFakeSocket(t, e.fake)
	ctx, cancel := context.WithCancel(context.Background())
	runErr := make(chan error, 1)
	go func() { runErr <- e.a.RunSocketMode(ctx) }()

	// The captured envelope: a channel message, acked and ignored.
	ack := sock.roundTrip(t, []byte(fixture(t, "socketmode_events_api_envelope.json")))
	if !reflect.DeepEqual(ack, map[string]any{"envelope_id": "08cfc559-d933-402e-a5c1-79e135afaae4"}) {
		t.Errorf("fixture ack = %v", ack)
	}

	// A slash command: the ack carries the same message as over HTTP.
	cmd := map[string]any{"command": "/cop", "text": "who Ontario", "user_id": "U0ASKER", "user_name": "a",
		"channel_id": "C0", "team_id": "T0", "trigger_id": "1.2.3", "response_url": "https://hooks.slack.com/commands/T0/1/x"}
	ack = sock.roundTrip(t, envelope(t, "env-cmd", "slash_commands", cmd))
	if want := e.expectedAck(slackReq("U0ASKER", "who Ontario")); ack["envelope_id"] != "env-cmd" ||
		!reflect.DeepEqual(ack["payload"], want) {
		t.Errorf("slash command ack = %v\nwant payload %v", ack, want)
	}

	// An interaction: the same payload the HTTP route answers.
	sub := fixture(t, "view_submission.json")
	httpAck := body(t, e.interact(sub))
	var raw any
	json.Unmarshal([]byte(sub), &raw)
	ack = sock.roundTrip(t, envelope(t, "env-sub", "interactive", raw))
	if !reflect.DeepEqual(ack["payload"], httpAck) || httpAck == nil {
		t.Errorf("socket ack %v, HTTP ack %v: want the same", ack["payload"], httpAck)
	}

	// An app_mention (the fixture's event, as a mention) is answered.
	var env map[string]any
	json.Unmarshal([]byte(fixture(t, "socketmode_events_api_envelope.json")), &env)
	p := env["payload"].(map[string]any)
	ev := p["event"].(map[string]any)
	ev["type"], ev["text"], p["event_id"] = "app_mention", "<@U111> who represents Ontario?", "Ev-mention"
	ack = sock.roundTrip(t, envelope(t, "env-mention", "events_api", p))
	if ack["envelope_id"] != "env-mention" || ack["payload"] != nil {
		t.Errorf("mention ack = %v", ack)
	}
	eph := e.fake.WaitFor("chat.postEphemeral", 1, waitLimit)
	if len(eph) != 1 {
		t.Fatalf("%d ephemeral answers to the mention, want 1", len(eph))
	}
	if txt := eph[0].Form.Get("text"); !strings.Contains(txt, "Marie Tremblay") {
		t.Errorf("answer %q", txt)
	}

	cancel()
	select {
	case err := <-runErr:
		if err != nil {
			t.Errorf("RunSocketMode returned %v after ctx ended, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("RunSocketMode did not return after ctx ended")
	}
	opens := e.fake.Calls("apps.connections.open")
	if len(opens) == 0 {
		t.Fatal("apps.connections.open never called")
	}
}

func TestSocketModeLargeAckGoesToResponseURL(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withConfig(func(c *Config) { c.AppToken = "xapp-1-test" }))
	sock := newFakeSocket(t, e.fake)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go e.a.RunSocketMode(ctx)
	// Sixty long directory entries push the answer past the frame cap:
	// within Slack's 12,000 characters, but three bytes each.
	for i := range 60 {
		in := marie()
		in.Name = "Member " + strings.Repeat("€", 150) + string(rune('A'+i%26)) + string(rune('a'+i/26))
		in.Email = ""
		in.Title = strings.Repeat("Director of Very Long Titles € ", 6)
		e.join(in)
	}
	cmd := map[string]any{"command": "/cop", "text": "who Ontario", "user_id": "U0ASKER", "channel_id": "C0",
		"response_url": "https://hooks.slack.com/commands/T0/1/big"}
	want := e.expectedAck(slackReq("U0ASKER", "who Ontario"))
	if b, _ := json.Marshal(want); len(b) <= maxSocketAck {
		t.Fatalf("test reply is only %d bytes; make it bigger", len(b))
	}
	ack := sock.roundTrip(t, envelope(t, "env-big", "slash_commands", cmd))
	if ack["payload"] != nil {
		t.Errorf("oversized ack sent inline")
	}
	hooks := e.fake.WaitFor("hook", 1, waitLimit)
	if len(hooks) != 1 {
		t.Fatalf("%d response_url posts, want 1", len(hooks))
	}
	hook := hooks[0]
	u, _ := url.Parse(cmd["response_url"].(string))
	if hook.Path != u.Path || !reflect.DeepEqual(hook.JSON, want) {
		t.Errorf("response_url got %v", hook.JSON["text"])
	}
}

// Every settled envelope reaches Config.Observe with the HTTP routes'
// kind, so Socket Mode shows in the same metrics; a redelivered envelope
// is acked again and observed as such, not as a second run.
func TestSocketModeIsObserved(t *testing.T) {
	t.Parallel()
	type seen struct{ kind, outcome string }
	obs := make(chan seen, 8)
	e := newEnv(t, withConfig(func(c *Config) {
		c.AppToken = "xapp-1-test"
		c.Observe = func(kind, outcome string, took time.Duration) {
			if took < 0 {
				t.Errorf("%s %s took %v", kind, outcome, took)
			}
			obs <- seen{kind, outcome}
		}
	}))
	e.join(marie())
	sock := newFakeSocket(t, e.fake)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go e.a.RunSocketMode(ctx)

	cmd := map[string]any{"command": "/cop", "text": "who Ontario", "user_id": "U0ASKER", "user_name": "a",
		"channel_id": "C0", "team_id": "T0", "trigger_id": "1.2.3", "response_url": "https://hooks.slack.com/commands/T0/1/x"}
	for _, want := range []seen{{"command", "acked"}, {"command", "redelivered"}} {
		sock.roundTrip(t, envelope(t, "env-observed", "slash_commands", cmd))
		select {
		case got := <-obs:
			if got != want {
				t.Errorf("observed %v, want %v", got, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("nothing observed, want %v", want)
		}
	}
	sock.roundTrip(t, []byte(fixture(t, "socketmode_events_api_envelope.json")))
	select {
	case got := <-obs:
		if want := (seen{"event", "acked"}); got != want {
			t.Errorf("observed %v, want %v", got, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the event was not observed")
	}
}
