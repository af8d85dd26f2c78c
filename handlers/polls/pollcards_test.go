package polls

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"copbot/handlers"
	"copbot/handlers/handlerstest"
	"copbot/storage"
)

// recFanout is handlerstest.Fanout that records the updates of posted
// messages (a withdrawn card is one).
type recFanout struct {
	handlerstest.Fanout
	mu      sync.Mutex
	updated []handlers.MessageRef
}

func (f *recFanout) Update(_ context.Context, ref handlers.MessageRef, _ handlers.Reply) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.updated = append(f.updated, ref)
	return nil
}

func newCardEnv(t *testing.T) (*ptEnv, *handlerstest.Clock, *handlerstest.Channel, *handlerstest.Channel, *recFanout) {
	clock := newPtClock()
	slack := handlerstest.NewChannel(storage.PlatformSlack, true)
	teams := handlerstest.NewChannel(storage.PlatformTeams, false)
	fan := &recFanout{Fanout: handlerstest.Fanout{slack, teams}}
	return newPtEnvClock(t, "", fan, clock), clock, slack, teams, fan
}

// runCardJobs runs the card retries due now and returns their errors.
func (e *ptEnv) runCardJobs(now time.Time) []error {
	e.t.Helper()
	jobs, err := e.f.cardJobs(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	var errs []error
	for _, j := range jobs {
		if !j.Due.After(now) {
			if err := j.Run(context.Background()); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errs
}

func (e *ptEnv) cardMessages(id int64) []storage.PollMessage {
	e.t.Helper()
	ms, err := e.db.PollMessages(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return ms
}

// Issue 16: a lost answer never deletes a poll whose card may be live.
// Before, a poll whose every post lost its answer was deleted while its
// card stayed in the channel. Now it is kept, and the scheduler's retry
// finds the card by its key and records it, so that votes update it;
// nothing is posted twice.
func TestLostAnswerKeepsThePollAndFindsItsCard(t *testing.T) {
	e, clock, slack, teams, _ := newCardEnv(t)
	slack.Lose(1)
	teams.Lose(1)
	r := e.ask(handlerstest.Coordinator, `poll "Theme for March?" "Accessibility" "Chatbots"`)
	ptHas(t, r, "Poll #1 is saved, but no answer came from the community channel yet")
	if r.Kind != "poll_created" || e.poll(1).Question != "Theme for March?" {
		t.Fatalf("poll creation: %s %s", r.Kind, r.Text)
	}
	if errs := e.runCardJobs(clock.Now()); len(errs) != 0 || slack.Count("poll:1")+teams.Count("poll:1") != 2 {
		t.Fatalf("retried before the grace: %v", errs) // the command's own attempt is left alone
	}
	clock.Add(handlers.RetryGrace)
	if errs := e.runCardJobs(clock.Now()); len(errs) != 0 {
		t.Fatal(errs)
	}
	// Slack: found by its key. Teams cannot be searched: posted once more.
	if s, tm := slack.Count("poll:1"), teams.Count("poll:1"); s != 1 || tm != 2 {
		t.Errorf("cards: Slack %d, Teams %d; want 1 and 2", s, tm)
	}
	if ms := e.cardMessages(1); len(ms) != 2 {
		t.Errorf("recorded cards %+v, want one per platform", ms)
	}
	if jobs, _ := e.f.cardJobs(context.Background()); len(jobs) != 0 {
		t.Errorf("card jobs left: %+v", jobs)
	}
}

// A card the platform refused (nothing posted) is retried by the
// scheduler, like a reminder; a poll that certainly reached no channel is
// deleted, so the creator, told it failed, finds nothing half made.
func TestRefusedCardRetriedOrPollUndone(t *testing.T) {
	e, clock, slack, teams, _ := newCardEnv(t)
	teams.Fail(1)
	r := e.ask(handlerstest.Coordinator, `poll "Theme for March?" "Accessibility" "Chatbots"`)
	ptHas(t, r, "Poll #1 is posted", "Its card has not reached every platform yet: copbot tries again on its own.")
	clock.Add(handlers.RetryGrace)
	if errs := e.runCardJobs(clock.Now()); len(errs) != 0 {
		t.Fatal(errs)
	}
	if s, tm, ms := slack.Count("poll:1"), teams.Count("poll:1"), e.cardMessages(1); s != 1 || tm != 1 || len(ms) != 2 {
		t.Errorf("Slack %d, Teams %d cards, %d recorded; want one each", s, tm, len(ms))
	}
	slack.Fail(1)
	teams.Fail(1)
	r = e.ask(handlerstest.Coordinator, `poll "Theme for June?" "A" "B"`)
	if r.Kind != "error" || !strings.Contains(r.Text, "could not be posted") || !strings.Contains(r.Text, "nothing was saved") {
		t.Errorf("refused everywhere: %s %s", r.Kind, r.Text)
	}
	if _, err := e.db.PollByID(context.Background(), 2); storage.ErrorCode(err) != storage.ENOTFOUND {
		t.Errorf("the refused poll is still there: %v", err)
	}
}

// Start-up reconciliation: a process that died between posting a card and
// recording it left its attempts behind. The next process, at start,
// finds the Slack copy by its key and records it, posts the Teams copy
// once, and votes then update both.
func TestCardCrashBetweenPostAndRecord(t *testing.T) {
	e, clock, slack, teams, fan := newCardEnv(t)
	ctx := context.Background()
	poll, err := e.db.CreatePoll(ctx, storage.PollInput{Question: "Theme?", Options: []string{"A", "B"}, Language: "en",
		Creator: handlerstest.Coordinator})
	if err != nil {
		t.Fatal(err)
	}
	key := storage.PollCardKey(poll.ID)
	for _, p := range []storage.Platform{storage.PlatformSlack, storage.PlatformTeams} {
		if _, err := e.db.BeginDelivery(ctx, key, p); err != nil {
			t.Fatal(err)
		}
	}
	slack.PostKeyed(ctx, key, handlers.Reply{}) // reached Slack; the process died before the answer
	clock.Add(time.Hour)                        // the restart
	if errs := e.runCardJobs(clock.Now()); len(errs) != 0 {
		t.Fatal(errs)
	}
	if s, tm, ms := slack.Count(key), teams.Count(key), e.cardMessages(poll.ID); s != 1 || tm != 1 || len(ms) != 2 {
		t.Errorf("Slack %d, Teams %d cards, %d recorded; want one each, both recorded", s, tm, len(ms))
	}
	e.join("m1", "Alex Martin", "en")
	e.vote(ptUser("m1"), poll, 1)
	e.s.Flush()
	fan.mu.Lock()
	defer fan.mu.Unlock()
	if len(fan.updated) < 2 {
		t.Errorf("a vote updated %d cards, want both: %+v", len(fan.updated), fan.updated)
	}
}

// Deleting a poll withdraws every live copy of its card, one whose record
// a lost answer kept back included (found by its key); where copbot
// cannot look, the coordinator is told a copy may remain.
func TestPollDeleteWithdrawsAnUnrecordedCard(t *testing.T) {
	e, _, slack, teams, fan := newCardEnv(t)
	slack.Lose(1)
	teams.Lose(1)
	e.ask(handlerstest.Coordinator, `poll "Theme for March?" "Accessibility" "Chatbots"`)
	r := e.ask(handlerstest.Coordinator, "poll delete 1")
	ptHas(t, r, "A copy of its card may still be in the channel on Microsoft Teams")
	fan.mu.Lock()
	defer fan.mu.Unlock()
	if len(fan.updated) != 1 || fan.updated[0].Platform != storage.PlatformSlack {
		t.Errorf("withdrawn copies %+v, want the Slack card found by its key", fan.updated)
	}
}
