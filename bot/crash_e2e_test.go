package bot

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"

	"copbot/bot/internal/crashtest"
	"copbot/handlers"
	"copbot/storage"
)

// kill -9 between a post and its record (issue 16, start-up
// reconciliation). The test binary runs itself as a child copbot on the
// parent's database, Slack and Teams; the child creates a poll, and the
// parent kills it once the card has reached a channel and before the
// answer comes back. The next process (the parent's App) must find the
// card by its key and record it, or post it once more at most where the
// channel cannot be searched, so that votes update every live copy.

// The child's environment: the fake Slack's Web API, the fake Bot
// Framework's base URL, and the coordinator's command to run.
const (
	crashSlackAPI = "COPBOT_CRASH_SLACK_API"
	crashTeams    = "COPBOT_CRASH_TEAMS"
	crashCommand  = "COPBOT_CRASH_COMMAND"
)

// TestKill9ChildPosts is the child; it skips unless run by a test below.
func TestKill9ChildPosts(t *testing.T) {
	t.Parallel()
	if !crashtest.IsChild("post") {
		t.Skip("the child process of the kill -9 tests of keyed posts")
	}
	cfg, err := e2eConfig(os.Getenv(crashtest.EnvDB), os.Getenv(crashSlackAPI))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Teams = e2eTeams(os.Getenv(crashTeams))
	app, err := NewApp(context.Background(), cfg, AppOptions{HTTPClient: &http.Client{Timeout: time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("posting")
	r := app.Service.Handle(context.Background(), handlers.Request{Identity: storage.Identity{Platform: storage.PlatformSlack, ID: "UCOORD"},
		Text: os.Getenv(crashCommand)})
	t.Fatalf("the command was answered before the kill: %s", r.Text)
}

const crashPoll = `poll "Theme for March?" "Accessibility" "Chatbots"`

// startPostChild runs the child on e's database, Slack and Teams, sending
// command as the coordinator.
func startPostChild(t *testing.T, e *e2eBot, tc *teamsConnector, command string) *crashtest.Child {
	child := crashtest.Start(t, "TestKill9ChildPosts", "post", e.cfg.Storage.Path,
		crashSlackAPI+"="+e.slack.APIURL(), crashTeams+"="+tc.srv.URL, crashCommand+"="+command)
	child.WaitFor(t, "posting", 30*time.Second)
	return child
}

// crashWhileSlackHolds runs command in a child copbot with Slack and
// Teams, kills it (SIGKILL) once the post under key has reached Slack and
// before Slack's answer comes back, and restarts the bot in this process.
func crashWhileSlackHolds(t *testing.T, command, key string) (*e2eBot, *teamsConnector) {
	t.Helper()
	tc := newTeamsConnector(t, 0)
	e := newE2E(t)
	e.withTeams(tc)
	e.slack.HangAnswer("chat.postMessage")
	child := startPostChild(t, e, tc, command)
	if !e.slack.Wait(30*time.Second, func() bool { return e.keyedMessages(key) == 1 }) {
		t.Fatalf("%s never reached Slack", key)
	}
	child.Kill()
	e.restartAfterCrash()
	return e, tc
}

// restartAfterCrash starts the next process a lease and a retry's grace
// after the dead one, and waits until its start-up work is done.
func (e *e2eBot) restartAfterCrash() {
	e.t.Helper()
	e.useClock(time.Now().Add(2 * handlers.RetryGrace))
	e.start()
	e.settle()
}

// cardCopies is how many copies of poll 1's card each platform shows and
// poll_messages holds.
func (e *e2eBot) cardCopies(tc *teamsConnector) (slack, teams, recorded int) {
	e.t.Helper()
	ms, err := e.app.Store.PollMessages(context.Background(), 1)
	if err != nil {
		e.t.Fatal(err)
	}
	_, teams = tc.counts()
	return e.keyedMessages("poll:1"), teams, len(ms)
}

// Killed while Slack held its answer: the next process finds the card in
// Slack by its key (conversations.history) and records it, and posts the
// Teams copy it never tried.
func TestKill9BetweenSlackCardAndRecord(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs and kills a child process")
	}
	e, tc := crashWhileSlackHolds(t, crashPoll, "poll:1")
	if s, tm, rec := e.cardCopies(tc); s != 1 || tm != 1 || rec != 2 {
		t.Errorf("cards: Slack %d, Teams %d, recorded %d; want 1, 1 and both recorded", s, tm, rec)
	}
	if len(e.slack.Calls("conversations.history")) == 0 {
		t.Error("the Slack card was not looked up by its key")
	}
	e.voteUpdatesTheCard()
}

// Killed while Teams held its answer (Slack's copy recorded in the ledger,
// not yet in poll_messages): the next process records the Slack copy and,
// as Teams cannot be searched, posts the Teams copy once more, not more.
func TestKill9BetweenTeamsCardAndRecord(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs and kills a child process")
	}
	tc := newTeamsConnector(t, 0)
	tc.hold = make(chan struct{})
	e := newE2E(t)
	e.withTeams(tc)
	child := startPostChild(t, e, tc, crashPoll)
	select {
	case <-tc.arrived:
	case <-time.After(30 * time.Second):
		t.Fatal("the card never reached Teams")
	}
	child.Kill()
	close(tc.hold)
	tc.mu.Lock()
	tc.hold = nil
	tc.mu.Unlock()
	e.restartAfterCrash()
	if s, tm, rec := e.cardCopies(tc); s != 1 || tm != 2 || rec != 2 {
		t.Errorf("cards: Slack %d, Teams %d, recorded %d; want 1, 2 (one more at most) and both recorded", s, tm, rec)
	}
	e.voteUpdatesTheCard()
}

// voteUpdatesTheCard has a member vote in poll 1 and checks the Slack card
// is updated.
func (e *e2eBot) voteUpdatesTheCard() {
	e.t.Helper()
	if code, body := e.slash("U1", "join Ada Lovelace | ServiceOntario | provincial | ON", e2eSecret); code != 200 {
		e.t.Fatalf("join: %d %s", code, body)
	}
	if code, body := e.slash("U1", "vote 1 1", e2eSecret); code != 200 {
		e.t.Fatalf("vote: %d %s", code, body)
	}
	e.app.Service.Flush()
	ts := e.keyedTS("poll:1")
	if !e.slack.Wait(10*time.Second, func() bool {
		for _, c := range e.slack.Calls("chat.update") {
			if c.Form.Get("ts") == ts {
				return true
			}
		}
		return false
	}) {
		e.t.Errorf("the vote did not update the Slack card %s", ts)
	}
}

// Killed while Slack held the answer to a meeting's announcement: the next
// process finds it by its stable key, records the notice as posted once
// Teams has it too, and posts nothing twice.
func TestKill9BetweenAnnouncementAndRecord(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs and kills a child process")
	}
	e, tc := crashWhileSlackHolds(t, "meeting add 2031-03-19 13:00 Spring meeting", "announcement:1")
	if _, posts := tc.counts(); posts != 1 || e.keyedMessages("announcement:1") != 1 {
		t.Errorf("announcement: Slack %d, Teams %d; want 1 each", e.keyedMessages("announcement:1"), posts)
	}
	as, err := e.app.Store.AnnouncementsOf(context.Background(), 1)
	if err != nil || len(as) != 1 || as[0].Status != storage.AnnouncementPosted {
		t.Errorf("announcements %+v, %v; want the one posted", as, err)
	}
}
