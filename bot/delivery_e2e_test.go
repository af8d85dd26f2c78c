package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"copbot/storage"
)

// newReminderE2E is a bot with one meeting whose reminder falls due about
// three seconds from now.
func newReminderE2E(t *testing.T) *e2eBot {
	t.Helper()
	t0 := time.Now()
	start := t0.Truncate(time.Minute).Add(5 * time.Minute)
	offset := start.Sub(t0.Add(3 * time.Second)).Truncate(time.Second)
	e := newE2E(t, offset.String())
	e.start()
	when := start.In(e.cfg.Location()).Format("2006-01-02 15:04")
	if code, body := e.slash("UCOORD", "meeting add "+when+" Serving vulnerable communities", e2eSecret); code != 200 || !strings.Contains(body, "#1") {
		t.Fatalf("meeting add = %d %s", code, body)
	}
	return e
}

// waitReminderSent waits until the store says the reminder of meeting 1
// was sent.
func (e *e2eBot) waitReminderSent(within time.Duration) *storage.Reminder {
	e.t.Helper()
	deadline := time.Now().Add(within)
	for {
		rs, err := e.app.Store.RemindersOf(context.Background(), 1)
		if err != nil {
			e.t.Fatal(err)
		}
		if len(rs) == 1 && rs[0].Status == storage.ReminderSent {
			return rs[0]
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("reminder not sent within %v: %+v", within, rs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// keyedMessages are the community channel's messages carrying key in
// their metadata, as Slack holds them.
func (e *e2eBot) keyedMessages(key string) int {
	n := 0
	for _, m := range e.slack.Messages(e2eChannel) {
		p, _ := m.Metadata["event_payload"].(map[string]any)
		if m.Metadata["event_type"] == "copbot_post" && p["key"] == key {
			n++
		}
	}
	return n
}

// Finding 1, through the App: Slack takes the reminder but its answer is
// lost. The scheduler's retry finds the post by its metadata key with
// conversations.history and records it: one message in the channel.
func TestLostSlackAnswerPostsReminderOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("waits about 5 s of real time for the reminder")
	}
	e := newReminderE2E(t)
	e.slack.LoseAnswer("chat.postMessage")
	r := e.waitReminderSent(10 * raceSlowdown * time.Second)
	if got := e.keyedMessages("reminder:1"); got != 1 || len(e.slack.Messages(e2eChannel)) != 1 {
		t.Errorf("%d keyed messages (%d in all) in the channel, want 1", got, len(e.slack.Messages(e2eChannel)))
	}
	if n := len(e.slack.Calls("conversations.history")); n == 0 {
		t.Error("the retry did not look the post up")
	}
	if len(r.Refs) != 1 || r.Refs[0].ID != e.slack.Messages(e2eChannel)[0].TS {
		t.Errorf("recorded refs %v, want the one message's ts", r.Refs)
	}
}

// Finding 1, a crash: the process posts the reminder and dies before it
// learns the answer (its database handle is gone, its lease no longer
// renewed). A new process on the same database, a lease later, takes the
// reminder over, finds the post by its key and does not post it again.
func TestCrashAfterSlackPostPostsOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("waits about 5 s of real time for the reminder")
	}
	e := newReminderE2E(t)
	e.slack.HangAnswer("chat.postMessage")
	deadline := time.Now().Add(10 * raceSlowdown * time.Second)
	for len(e.slack.Messages(e2eChannel)) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the reminder never reached Slack")
		}
		time.Sleep(20 * time.Millisecond)
	}
	dead, stop, done := e.app, e.stop, e.done
	dead.Store.Close() // dies: nothing more reaches the database
	e.app = nil
	t.Cleanup(func() {
		e.slack.ReleaseHeld()
		stop()
		<-done
		dead.Close()
	})
	// The new process's clock is one lease past the dead one's last beat.
	e.now = func() time.Time { return time.Now().Add(storage.ReminderLease + 5*time.Second) }
	e.start()
	e.waitReminderSent(10 * raceSlowdown * time.Second)
	if got := e.keyedMessages("reminder:1"); got != 1 {
		t.Errorf("%d reminder messages in the channel after the crash, want 1", got)
	}
	if n := len(e.slack.Calls("conversations.history")); n == 0 {
		t.Error("the new process did not look the post up")
	}
}
