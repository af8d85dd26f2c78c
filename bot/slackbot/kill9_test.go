package slackbot

import (
	"context"
	"os"
	"testing"
	"time"

	"copbot/bot/internal/crashtest"
	"copbot/bot/slackbot/slacktest"
	"copbot/handlers"
	"copbot/handlers/features"
	"copbot/storage"
)

// The kill -9 harness of Socket Mode. The test binary runs itself as a
// child process serving Socket Mode against the parent's fake Slack, on
// the parent's database; the child's service stops dead right after a
// click commits, before the envelope is acknowledged, and the parent kills
// it with SIGKILL. Slack then redelivers the envelope to the next
// connection: a new adapter on the same database must acknowledge it
// without acting again.

// crashSlack is the child's environment variable holding the fake Slack's
// base URL.
const crashSlack = "COPBOT_CRASH_SLACK"

// hangAfterCommit is the child's service: a click runs to its commit, then
// the process waits for its SIGKILL, so the ack is never sent.
type hangAfterCommit struct{ service }

func (s hangAfterCommit) Act(ctx context.Context, req handlers.Request, id, value string) handlers.Reply {
	s.service.Act(ctx, req, id, value)
	crashtest.Hang()
	panic("unreachable")
}

// TestKill9ChildSocket is the child; it skips unless run by
// TestSocketRedeliveryAfterKill9.
func TestKill9ChildSocket(t *testing.T) {
	if !crashtest.IsChild("socket") {
		t.Skip("the child process of TestSocketRedeliveryAfterKill9")
	}
	ctx := context.Background()
	db, err := storage.Open(ctx, os.Getenv(crashtest.EnvDB))
	if err != nil {
		t.Fatal(err)
	}
	svc, _, err := features.New(db, handlers.Options{DefaultLanguage: "en", Command: "/cop"}, time.Now, discardLog())
	if err != nil {
		t.Fatal(err)
	}
	fake := os.Getenv(crashSlack)
	cfg := Config{BotToken: "xoxb-test", AppToken: "xapp-1-test", APIURL: fake + "/api", Channel: stormChannel,
		Transport: slacktest.TransportTo(fake), Requests: db}
	a, err := newAdapter(cfg, hangAfterCommit{svc}, discardLog(), time.Now, defaultTuning())
	if err != nil {
		t.Fatal(err)
	}
	t.Fatal(a.RunSocketMode(ctx)) // runs until killed
}

// TestSocketRedeliveryAfterKill9 is issue 15's finding 11 under a crash: a
// vote envelope committed by a process killed before its ack is
// redelivered to the next process, which acknowledges it and does not take
// the vote back.
func TestSocketRedeliveryAfterKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("runs and kills a child process")
	}
	socket := withConfig(func(c *Config) { c.AppToken = "xapp-1-test" })
	e := newStormEnv(t, 1, socket)
	p := e.seedPoll()
	e.a.Close()
	sock := newFakeSocket(t, e.fake)
	click := envelope(t, "env-kill", "interactive", clickPayload(t, p, stormVoter(0), p.Buttons[0], 0))

	child := crashtest.Start(t, "TestKill9ChildSocket", "socket", e.path, crashSlack+"="+e.fake.URL())
	select {
	case sock.send <- click:
	case <-time.After(waitLimit):
		t.Fatal("the child never connected")
	}
	child.WaitFor(t, crashtest.Committed, time.Minute)
	child.Kill()
	select {
	case ack := <-sock.acks:
		t.Fatalf("the child acknowledged before its kill: %v", ack)
	default:
	}
	if got := e.storedVoters(p.ID); got != 1 {
		t.Fatalf("%d voters after the kill, want 1: the vote committed", got)
	}

	e = e.restart(socket)
	sock = newFakeSocket(t, e.fake)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go e.a.RunSocketMode(ctx)
	if ack := sock.roundTrip(t, click); ack["envelope_id"] != "env-kill" || ack["payload"] != nil {
		t.Errorf("redelivery ack %v, want a bare ack", ack)
	}
	e.a.Close()
	if got := e.storedVoters(p.ID); got != 1 {
		t.Errorf("%d voters after the redelivery, want 1: the vote was taken back", got)
	}
	e.notAnsweredAgain()
}
