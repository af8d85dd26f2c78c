package slackbot

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"copbot/bot/slackbot/slacktest"
	"copbot/handlers"
	"copbot/storage"
)

// Issue 8: whatever changes state is committed before Slack gets its ack,
// and a change that could not be made within the budget is reported as
// not made, from the actual outcome of the transaction.

// lateService lets the budget run out before the real service call, which
// then runs with the expired context: the storage refuses to commit, and
// the answer must say so.
type lateService struct{ service }

func (s lateService) Act(ctx context.Context, req handlers.Request, id, value string) handlers.Reply {
	<-ctx.Done()
	return s.service.Act(ctx, req, id, value)
}

func (s lateService) Submit(ctx context.Context, req handlers.Request, id, state string, v map[string]string) (handlers.Reply, map[string]string) {
	<-ctx.Done()
	return s.service.Submit(ctx, req, id, state, v)
}

// seedPoll stores a poll with two options and returns it with the buttons
// its message would carry, without posting it (and so without a command
// that a short budget would turn into a "working on it" note).
func (e *env) seedPoll() postedPoll {
	e.t.Helper()
	poll, err := e.db.CreatePoll(context.Background(), storage.PollInput{Question: "Theme?",
		Options: []string{"Yes", "No"}, Language: "en", Channel: stormChannel,
		Creator: storage.Identity{Platform: storage.PlatformSlack, ID: stormCoordinator}})
	if err != nil {
		e.t.Fatal(err)
	}
	p := postedPoll{ID: poll.ID, TS: "1700000000.000100"}
	for i, o := range poll.Options {
		p.Buttons = append(p.Buttons, pollButton{BlockID: "poll_options", ActionID: fmt.Sprintf("poll_vote#%d", i+1),
			Value: fmt.Sprintf("%d:%d", poll.ID, o.ID), Label: o.Label})
	}
	return p
}

func TestLateVoteIsReportedAndNotStored(t *testing.T) {
	t.Parallel()
	e := newStormEnv(t, 1, withTuning(func(t *tuning) { t.budget = 20 * time.Millisecond }),
		withService(func(s service) service { return lateService{s} }))
	p := e.seedPoll()
	resp := e.send("/slack/interactions", formType, clickForm(t, p, stormVoter(0), p.Buttons[0], 1))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, want 200 (the answer goes through response_url)", resp.StatusCode)
	}
	e.a.Close()
	if votes, err := e.db.PollVotes(context.Background(), p.ID); err != nil || len(votes) != 0 {
		t.Fatalf("votes %v (%v), want none: the budget ran out before the commit", votes, err)
	}
	hooks := e.fake.Calls("hook")
	want := escape(e.svc.Translator().T("en", "error_busy", nil))
	if len(hooks) != 1 || !strings.Contains(hooks[0].JSON["text"].(string), want) {
		t.Errorf("answers %v, want one saying %q", hooks, want)
	}
}

func TestLateSubmissionIsReportedAndNotSaved(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withTuning(func(t *tuning) { t.budget = 20 * time.Millisecond }),
		withService(func(s service) service { return lateService{s} }))
	e.command("join", "U0NEW")
	view := e.openedView(1)
	got := body(t, e.interact(submissionPayload(t, view, "U0NEW", map[string]string{"name": "Sam Lee",
		"organization": "City of Whitehorse", "order": "municipal", "jurisdiction": "YT", "language": "en"})))
	e.a.Close()
	want := e.svc.Translator().T("en", "error_busy", nil)
	if got["response_action"] != "errors" || !strings.Contains(mustJSON(t, got["errors"]), want) {
		t.Errorf("ack %v, want the modal kept open with %q", got, want)
	}
	if e.memberCount() != 0 {
		t.Errorf("%d members, want 0: nothing may be saved after the budget", e.memberCount())
	}
}

// TestVoteStoredWhenAcked clicks a poll button and checks, as soon as the
// ack is back and before anything else runs, that the vote is committed.
func TestVoteStoredWhenAcked(t *testing.T) {
	t.Parallel()
	e := newStormEnv(t, 3)
	p := e.seedPoll()
	for i := range 3 {
		resp := e.send("/slack/interactions", formType, clickForm(t, p, stormVoter(i), p.Buttons[i%2], i))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("click %d: status %d", i, resp.StatusCode)
		}
		if got := e.storedVoters(p.ID); got != i+1 {
			t.Fatalf("after ack %d: %d voters stored, want %d", i, got, i+1)
		}
	}
}

func (e *env) storedVoters(pollID int64) int {
	e.t.Helper()
	p, err := e.db.PollByID(context.Background(), pollID)
	if err != nil {
		e.t.Fatal(err)
	}
	return p.Voters
}

// TestAdmissionLimitRefusesWithBusy fills the admission limit and checks
// that the next request gets a 503 with Retry-After before any work, and
// that requests are admitted again once slots free up.
func TestAdmissionLimitRefusesWithBusy(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withTuning(func(t *tuning) { t.inFlight = 2 }))
	held := []*slot{e.a.limit.Enter(), e.a.limit.Enter()}
	resp := e.command("help", "U0X")
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("over the limit: status %d, Retry-After %q; want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	for _, s := range held {
		s.Leave()
	}
	if resp := e.command("help", "U0X"); resp.StatusCode != http.StatusOK {
		t.Errorf("after release: status %d, want 200", resp.StatusCode)
	}
	if got := e.a.limit.Refused(); got != 1 {
		t.Errorf("refused %d, want 1", got)
	}
}

// TestFloodIsBoundedAndGoroutinesReturn floods a small adapter (8
// admission slots, a 4-job outbox) with more concurrent clicks than it
// takes. Every click is either refused with 503 or acknowledged with its
// vote stored; the goroutines come back to their number before the flood.
// The adapter and the fake Slack run in a synctest bubble with no network
// in between, so synctest.Wait says when every goroutine the flood started
// has finished or is parked, and the count is exact.
func TestFloodIsBoundedAndGoroutinesReturn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const voters = 200
		e := newStormEnv(t, voters, withDirect(), withTuning(func(t *tuning) { t.inFlight, t.outWorkers, t.outQueue = 8, 2, 4 }))
		p := e.seedPoll()
		synctest.Wait()
		base := runtime.NumGoroutine()
		var acked, refused atomic.Int64
		var wg sync.WaitGroup
		for i := range voters {
			wg.Go(func() {
				switch code := e.serve(clickForm(t, p, stormVoter(i), p.Buttons[i%2], i)); code {
				case http.StatusOK:
					acked.Add(1)
				case http.StatusServiceUnavailable:
					refused.Add(1)
				default:
					t.Errorf("click %d: status %d", i, code)
				}
			})
		}
		wg.Wait()
		if got := e.storedVoters(p.ID); int64(got) != acked.Load() {
			t.Errorf("%d votes stored, %d acknowledged", got, acked.Load())
		}
		if refused.Load() != e.a.limit.Refused() || acked.Load()+refused.Load() != voters {
			t.Errorf("acked %d + refused %d (gate counted %d), want %d clicks", acked.Load(), refused.Load(), e.a.limit.Refused(), voters)
		}
		synctest.Wait()
		t.Logf("acked %d, refused %d, confirmations dropped %d", acked.Load(), refused.Load(), e.a.out.Dropped())
		if got := runtime.NumGoroutine(); got > base {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines after the flood, want at most %d:\n%s", got, base, buf[:runtime.Stack(buf, true)])
		}
	})
}

// serve hands a signed click to the adapter's handler, in the calling
// goroutine (an env made withDirect), and returns the status.
func (e *env) serve(form string) int {
	req := slacktest.SignedRequest("http://copbot.test/slack/interactions", testSecret, e.now(), formType, form)
	rec := httptest.NewRecorder()
	e.mux.ServeHTTP(rec, req)
	return rec.Code
}
