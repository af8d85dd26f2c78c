package teamsbot

import (
	"bytes"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"copbot/bot/internal/admission/admissiontest"
	"copbot/handlers"
)

// Issue 15 finding 10: the Teams endpoint had no in-progress limit like
// Slack's, and each request posted its reply before answering. It now
// follows the same admission story (bot/internal/admission).

// TestTeamsAdmissionLimit: with every place taken, a verified activity is
// refused with 503 and Retry-After before anything runs; once places free
// up, activities are served again.
func TestTeamsAdmissionLimit(t *testing.T) {
	clk := newClock()
	f := newFakeBF(t, clk)
	mention, su := f.inbound("teams-channel-message-at-mention.json")
	rec := &recorder{reply: textReply("help", "en", "hi", 0)}
	b := startBot(t, f, f.config(), rec, mustTranslator(t))
	var held []interface{ Leave() }
	for {
		p := b.limit.Enter()
		if p == nil {
			break
		}
		held = append(held, p)
	}
	resp, _ := b.raw(t, "Bearer "+f.sign(f.claims(su), testKid), mention)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("over the limit: %d, Retry-After %q; want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if n := len(rec.got()); n != 0 {
		t.Errorf("service called %d times over the limit", n)
	}
	for _, p := range held {
		p.Leave()
	}
	if got, _ := signedPost(t, f, b, mention, su); got != http.StatusOK || len(rec.got()) != 1 {
		t.Errorf("after the places freed up: %d, %d calls; want 200 and 1", got, len(rec.got()))
	}
	if len(held) != inProgress {
		t.Errorf("%d places, want %d", len(held), inProgress)
	}
}

// TestTeamsUnauthenticatedFlood: 1,100 slow-body connections with a forged
// token, from 40 addresses, hold no place; activities from the Bot
// Framework's address are answered throughout.
func TestTeamsUnauthenticatedFlood(t *testing.T) {
	if testing.Short() {
		t.Skip("1,100 connections")
	}
	clk := newClock()
	f := newFakeBF(t, clk)
	mention, su := f.inbound("teams-channel-message-at-mention.json")
	rec := &recorder{reply: textReply("help", "en", "hi", 0)}
	b := startBot(t, f, f.config(), rec, mustTranslator(t))
	flood := admissiontest.SlowBodies(t, b.srv.Listener.Addr().String(), admissiontest.Addresses(40), "/teams/messages",
		map[string]string{"Authorization": "Bearer forged", "Content-Type": "application/json"}, 1100)
	admissiontest.WaitFor(t, "every flood connection to reach a handler", func() bool {
		return b.intake.Reading()+int(b.intake.Refused()+b.limit.Refused()) >= 1100
	})
	bf := admissiontest.ClientFrom("127.0.0.2")
	for i := range 10 {
		body := bytes.Replace(mention, []byte(`"id": "1759944781430"`), fmt.Appendf(nil, `"id": "flood-%d"`, i), 1)
		req, _ := http.NewRequest(http.MethodPost, b.srv.URL+"/teams/messages", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+f.sign(f.claims(su), testKid))
		resp, err := bf.Do(req)
		if err != nil {
			t.Fatalf("activity %d: %v", i, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("activity %d during the flood: %d, want 200", i, resp.StatusCode)
		}
	}
	if got := b.limit.Refused(); got != 0 {
		t.Errorf("%d refused as too many in progress, want 0", got)
	}
	flood.Stop()
	t.Logf("flood: %v; intake refused %d", flood, b.intake.Refused())
}

// TestTeamsRepliesAfterTheAnswer: the answer to an activity does not wait
// for its reply to be posted; replies go out on the outbox's workers, so
// with the connector stalled a burst of messages is answered at once and
// at most outWorkers posts are in progress.
func TestTeamsRepliesAfterTheAnswer(t *testing.T) {
	clk := newClock()
	f := newFakeBF(t, clk)
	mention, su := f.inbound("teams-channel-message-at-mention.json")
	stall := make(chan struct{})
	var inCall, most atomic.Int64
	f.answer = func(w http.ResponseWriter, r *http.Request, n int) bool {
		now := inCall.Add(1)
		for m := most.Load(); now > m && !most.CompareAndSwap(m, now); m = most.Load() {
		}
		<-stall
		inCall.Add(-1)
		return false
	}
	rec := &recorder{reply: textReply("help", "en", "hi", handlers.InChannel)}
	b := startBot(t, f, f.config(), rec, mustTranslator(t))
	const burst = 40
	var wg sync.WaitGroup
	for i := range burst {
		wg.Go(func() {
			body := bytes.Replace(mention, []byte(`"id": "1759944781430"`), fmt.Appendf(nil, `"id": "burst-%d"`, i), 1)
			if resp, _ := b.raw(t, "Bearer "+f.sign(f.claims(su), testKid), body); resp.StatusCode != http.StatusOK {
				t.Errorf("message %d: %d", i, resp.StatusCode)
			}
		})
	}
	answered := make(chan struct{})
	go func() { wg.Wait(); close(answered) }()
	select {
	case <-answered: // every answer came back while every post is stalled
	case <-time.After(2 * time.Minute): // never, unless answers wait for the stalled posts
		t.Error("the answers wait for their replies to be posted")
	}
	close(stall)
	<-answered
	b.out.Wait()
	if n := len(rec.got()); n != burst {
		t.Errorf("service called %d times, want %d", n, burst)
	}
	if m := most.Load(); m > outWorkers {
		t.Errorf("%d posts at once, want at most %d (the outbox's workers)", m, outWorkers)
	}
	if _, _, calls := f.counts(); calls != burst {
		t.Errorf("%d replies posted, want %d", calls, burst)
	}
}
