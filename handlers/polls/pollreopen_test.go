package polls

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestPollReopenDeadlineAndResult (issue 11, item 9): reopening a poll
// that closed at its deadline asks for a new one and changes nothing;
// with one, it reopens and the "wins" post is rewritten as withdrawn; a
// poll closed early by hand keeps its deadline, and says so.
func TestPollReopenDeadlineAndResult(t *testing.T) {
	e := newPtEnv(t)
	t0 := time.Date(2027, 2, 1, 12, 0, 0, 0, time.UTC)
	e.ptSetClock(t0)
	e.join("m1", "Alex Martin", "en")
	p := e.create(`"Theme?" "A" "B" --closes 2027-02-10`)
	e.vote(ptUser("m1"), p, 1)
	e.ptSetClock(time.Date(2027, 2, 11, 12, 0, 0, 0, time.UTC))
	if err := e.ptJob("poll-close:1").Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(e.fake.Posts("poll_result")); n != 1 {
		t.Fatalf("%d result posts, want 1", n)
	}
	before := len(e.fake.Updates())

	r := e.ask(ptCoordinator, "poll reopen 1")
	ptHas(t, r, "Poll #1 closed at its deadline (Wednesday, February 10, 2027 at 11:59 p.m. EST), so it needs a new one",
		"/cop poll reopen 1 --closes 7d", "Nothing was changed.")
	if got := e.poll(1); got.Open() || !got.ClosesAt.Equal(p.ClosesAt) {
		t.Errorf("refused reopen changed the poll: open %v, closes %v", got.Open(), got.ClosesAt)
	}

	ptHas(t, e.ask(ptCoordinator, "poll reopen 1 --closes 3d"), "Poll #1 is open again; it now closes Sunday, February 14, 2027")
	if got := e.poll(1); !got.Open() || !got.ClosesAt.After(e.f.now()) {
		t.Errorf("reopened poll: open %v, closes %v", got.Open(), got.ClosesAt)
	}
	var withdrawn bool
	for _, up := range e.fake.Updates()[before:] {
		if strings.Contains(up.Reply.Text, "Poll #1 was reopened: this result no longer stands.") &&
			strings.Contains(up.Reply.Text, "a été rouvert") {
			withdrawn = true
		}
	}
	if !withdrawn {
		t.Errorf("the result post was not withdrawn; updates: %+v", e.fake.Updates()[before:])
	}

	// Closed early by hand: the deadline is still ahead and is kept.
	ptHas(t, e.ask(ptCoordinator, "poll close 1"), "is closed")
	ptHas(t, e.ask(ptCoordinator, "poll reopen 1"), "Poll #1 is open again, with its deadline kept: it closes Sunday, February 14, 2027")
	ptHas(t, e.ask(ptCoordinator, "poll reopen 1"), "already open")
	if got := e.poll(1); !got.Open() || got.ClosesAt.IsZero() {
		t.Errorf("kept deadline lost: open %v, closes %v", got.Open(), got.ClosesAt)
	}
	// Reopening without a deadline is said so.
	ptHas(t, e.ask(ptCoordinator, "poll close 1"), "is closed")
	ptHas(t, e.ask(ptCoordinator, "poll reopen 1 --closes none"), "Poll #1 is open again, with no deadline")
}
