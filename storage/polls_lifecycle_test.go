package storage

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Poll lifecycle after the votes: closing, results, reopening, editing,
// deleting, non-voters and turnout. Helpers are in polls_test.go.

func TestClosePollExactlyOnce(t *testing.T) {
	d, _, path := pollTestDB(t)
	ctx := context.Background()
	other, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	p := pollCreate(t, d, nil)
	var wins atomic.Int32
	var wg sync.WaitGroup
	for i := range 20 {
		db := []*DB{d, other}[i%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			closed, got, err := db.ClosePoll(ctx, p.ID)
			if err != nil || got.Status != PollClosed {
				t.Errorf("ClosePoll = %v, %v", got, err)
			}
			if closed {
				wins.Add(1)
			}
		}()
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Errorf("%d callers closed the poll, want 1", wins.Load())
	}
	if _, _, err := d.ClosePoll(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("ClosePoll(999) = %v", err)
	}
}

func TestPollResultClaim(t *testing.T) {
	d, clock, _ := pollTestDB(t)
	ctx := context.Background()
	p := pollCreate(t, d, nil)
	if ok, _ := d.ClaimPollResult(ctx, p.ID, time.Minute); ok {
		t.Error("claimed the result of an open poll")
	}
	if closed, _, _ := d.ClosePoll(ctx, p.ID); !closed {
		t.Fatal("not closed")
	}
	steps := []struct {
		do   func()
		want bool
	}{
		{func() {}, false}, // the closer holds it
		{func() { clock.Add(2 * time.Minute) }, true},         // stale: taken over
		{func() {}, false},                                    // now held again
		{func() { d.ReleasePollResult(ctx, p.ID) }, true},     // released after a failed post
		{func() { d.MarkPollResultPosted(ctx, p.ID) }, false}, // posted: never again
		{func() { clock.Add(time.Hour) }, false},
	}
	for i, s := range steps {
		s.do()
		if ok, err := d.ClaimPollResult(ctx, p.ID, time.Minute); ok != s.want || err != nil {
			t.Errorf("step %d: claim = %v %v, want %v", i, ok, err, s.want)
		}
	}
	pending, _ := d.FindPolls(ctx, PollFilter{ResultPending: true})
	if len(pending) != 0 {
		t.Errorf("posted poll still pending: %v", pending)
	}
}

func TestReopenPoll(t *testing.T) {
	d, _, _ := pollTestDB(t)
	ctx := context.Background()
	p := pollCreate(t, d, func(in *PollInput) { in.ClosesAt, in.RemindBefore = pollT0.Add(time.Hour), time.Minute })
	if _, err := d.ReopenPoll(ctx, p.ID, time.Time{}); pollErrKey(err) != "poll_error_already_open" {
		t.Errorf("reopen open poll: %v", err)
	}
	d.ClosePoll(ctx, p.ID)
	d.MarkPollResultPosted(ctx, p.ID)
	if _, err := d.ReopenPoll(ctx, p.ID, pollT0.Add(-time.Hour)); pollErrKey(err) != "poll_error_closes_past" {
		t.Errorf("reopen with past deadline: %v", err)
	}
	got, err := d.ReopenPoll(ctx, p.ID, time.Time{})
	if err != nil || !got.Open() || !got.ClosedAt.IsZero() || !got.ClosesAt.IsZero() || got.RemindBefore != 0 ||
		!got.ResultPostedAt.IsZero() {
		t.Errorf("ReopenPoll = %+v, %v", got, err)
	}
	if closed, _, _ := d.ClosePoll(ctx, p.ID); !closed {
		t.Error("reopened poll did not close again")
	}
}

func TestPollReminderClaim(t *testing.T) {
	d, _, _ := pollTestDB(t)
	ctx := context.Background()
	plain := pollCreate(t, d, nil)
	p := pollCreate(t, d, func(in *PollInput) { in.ClosesAt, in.RemindBefore = pollT0.Add(48*time.Hour), 24*time.Hour })
	if ok, _ := d.ClaimPollReminder(ctx, plain.ID); ok {
		t.Error("claimed a reminder the poll did not ask for")
	}
	for i, want := range []bool{true, false} {
		if ok, err := d.ClaimPollReminder(ctx, p.ID); ok != want || err != nil {
			t.Errorf("claim %d = %v %v, want %v", i, ok, err, want)
		}
	}
	d.ReleasePollReminder(ctx, p.ID)
	if ok, _ := d.ClaimPollReminder(ctx, p.ID); !ok {
		t.Error("released reminder not claimable")
	}
	// Moving the deadline plans the reminder again.
	closes := pollT0.Add(72 * time.Hour)
	got, err := d.UpdatePoll(ctx, p.ID, PollUpdate{ClosesAt: &closes})
	if err != nil || !got.RemindedAt.IsZero() {
		t.Errorf("UpdatePoll(deadline) = %+v, %v", got, err)
	}
}

func TestUpdatePoll(t *testing.T) {
	d, _, _ := pollTestDB(t)
	ctx := context.Background()
	m := pollMembers(t, d, 1)[0]
	p := pollCreate(t, d, nil)
	q, votes := "Which theme in June?", 2
	got, err := d.UpdatePoll(ctx, p.ID, PollUpdate{Question: &q, Options: []string{"X", "Y"}, MaxVotes: &votes})
	if err != nil || got.Question != q || len(got.Options) != 2 || got.Options[1].Label != "Y" || got.MaxVotes != 2 {
		t.Fatalf("UpdatePoll = %+v, %v", got, err)
	}
	three := 3
	if _, err := d.UpdatePoll(ctx, p.ID, PollUpdate{MaxVotes: &three}); pollErrKey(err) != "poll_error_max_votes" {
		t.Errorf("max votes above options: %v", err)
	}
	if _, err := d.Vote(ctx, p.ID, m, got.Options[0].ID); err != nil {
		t.Fatal(err)
	}
	q2 := "Changed after a vote?"
	if _, err := d.UpdatePoll(ctx, p.ID, PollUpdate{Question: &q2}); pollErrKey(err) != "poll_error_has_votes" {
		t.Errorf("edit after vote: %v", err)
	}
	closes := pollT0.Add(time.Hour)
	got, err = d.UpdatePoll(ctx, p.ID, PollUpdate{ClosesAt: &closes})
	if err != nil || !got.ClosesAt.Equal(closes) || got.Question != q || got.Voters != 1 {
		t.Errorf("deadline after vote = %+v, %v", got, err)
	}
	past := pollT0.Add(-time.Hour)
	if _, err := d.UpdatePoll(ctx, p.ID, PollUpdate{ClosesAt: &past}); pollErrKey(err) != "poll_error_closes_past" {
		t.Errorf("past deadline: %v", err)
	}
}

func TestAddPollOption(t *testing.T) {
	d, _, _ := pollTestDB(t)
	ctx := context.Background()
	m := pollMembers(t, d, 1)[0]
	closed := pollCreate(t, d, nil)
	open := pollCreate(t, d, func(in *PollInput) { in.AllowMemberOptions = true; in.Options = pollLabels(9) })
	tests := []struct {
		name   string
		poll   int64
		label  string
		member int64
		errKey string
	}{
		{"not allowed", closed.ID, "New idea", m, "poll_error_options_closed"},
		{"creator may", closed.ID, "New idea", 0, ""},
		{"duplicate", open.ID, "option a", m, "poll_error_option_duplicate"},
		{"empty", open.ID, "  ", m, "poll_error_option_empty"},
		{"tenth", open.ID, " Digital identity ", m, ""},
		{"full", open.ID, "Eleventh", m, "poll_error_option_count"},
	}
	for _, tt := range tests {
		if _, err := d.AddPollOption(ctx, tt.poll, tt.label, tt.member); pollErrKey(err) != tt.errKey {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.errKey)
		}
	}
	got, _ := d.PollByID(ctx, open.ID)
	last := got.Options[len(got.Options)-1]
	if len(got.Options) != 10 || last.Label != "Digital identity" || last.Position != 10 || last.AddedBy != m {
		t.Errorf("added option = %+v (%d options)", last, len(got.Options))
	}
}

func TestDeletePollAndMessages(t *testing.T) {
	d, _, _ := pollTestDB(t)
	ctx := context.Background()
	m := pollMembers(t, d, 1)[0]
	p := pollCreate(t, d, nil)
	refs := []PollMessage{{Platform: PlatformSlack, Channel: "C1", MessageID: "1700000000.000100"}, {Platform: PlatformTeams, Channel: "19:abc", MessageID: "1:xyz"}}
	for _, r := range append(refs, refs[0]) {
		if err := d.AddPollMessage(ctx, p.ID, r); err != nil {
			t.Fatal(err)
		}
	}
	got, err := d.PollMessages(ctx, p.ID)
	if err != nil || !slices.Equal(got, refs) {
		t.Errorf("PollMessages = %v, %v; want %v", got, err, refs)
	}
	d.Vote(ctx, p.ID, m, p.Options[0].ID)
	if err := d.DeletePoll(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"polls", "poll_options", "poll_voters", "votes", "poll_messages"} {
		if n := pollCount(t, d, "SELECT count(*) FROM "+table); n != 0 {
			t.Errorf("%s keeps %d rows after delete", table, n)
		}
	}
	if err := d.DeletePoll(ctx, p.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("second delete = %v", err)
	}
	if err := d.AddPollMessage(ctx, p.ID, refs[0]); !errors.Is(err, ErrNotFound) {
		t.Errorf("AddPollMessage to deleted poll = %v", err)
	}
}

func TestNonVotersAndFind(t *testing.T) {
	d, _, _ := pollTestDB(t)
	ctx := context.Background()
	ids := pollMembers(t, d, 4)
	if err := d.LeaveMember(ctx, ids[3]); err != nil {
		t.Fatal(err)
	}
	p := pollCreate(t, d, func(in *PollInput) { in.ClosesAt = pollT0.Add(time.Hour) })
	done := pollCreate(t, d, nil)
	d.Vote(ctx, p.ID, ids[0], p.Options[0].ID)
	non, err := d.NonVoters(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, m := range non {
		got = append(got, m.ID)
	}
	slices.Sort(got)
	if want := ids[1:3]; !slices.Equal(got, want) {
		t.Errorf("NonVoters = %v, want %v", got, want)
	}
	d.ClosePoll(ctx, done.ID)
	open, closed := PollOpen, PollClosed
	tests := []struct {
		f    PollFilter
		want []int64
	}{
		{PollFilter{}, []int64{done.ID, p.ID}},
		{PollFilter{Status: &open}, []int64{p.ID}},
		{PollFilter{Status: &closed}, []int64{done.ID}},
		{PollFilter{Scheduled: true}, []int64{p.ID}},
		{PollFilter{ResultPending: true}, []int64{done.ID}},
		{PollFilter{Limit: 1, Offset: 1}, []int64{p.ID}},
	}
	for _, tt := range tests {
		polls, err := d.FindPolls(ctx, tt.f)
		var ids []int64
		for _, p := range polls {
			ids = append(ids, p.ID)
		}
		if err != nil || !slices.Equal(ids, tt.want) {
			t.Errorf("FindPolls(%+v) = %v %v, want %v", tt.f, ids, err, tt.want)
		}
	}
}

// A member who voted and then left keeps their ballot in the tally but no
// longer counts in the turnout, which would otherwise read "3 of 2".
func TestPollTurnoutCountsActiveVoters(t *testing.T) {
	d, _, _ := pollTestDB(t)
	ctx := context.Background()
	ids := pollMembers(t, d, 3)
	p := pollCreate(t, d, nil)
	anon := pollCreate(t, d, func(in *PollInput) { in.Anonymous = true })
	for _, id := range ids {
		if _, err := d.Vote(ctx, p.ID, id, p.Options[0].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Vote(ctx, anon.ID, id, anon.Options[1].ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.LeaveMember(ctx, ids[2]); err != nil {
		t.Fatal(err)
	}
	for _, poll := range []*Poll{p, anon} {
		got, err := d.PollTurnout(ctx, poll.ID)
		if want := (Turnout{Voters: 2, Members: 2}); err != nil || got != want {
			t.Errorf("PollTurnout(anonymous=%v) = %+v, %v; want %+v", poll.Anonymous, got, err, want)
		}
		tally, err := d.PollByID(ctx, poll.ID)
		if err != nil || tally.Voters != 3 {
			t.Errorf("tally of anonymous=%v poll: %d voters, %v; want the 3 ballots cast", poll.Anonymous, tally.Voters, err)
		}
	}
	if _, err := d.PollTurnout(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("PollTurnout(999) = %v, want ErrNotFound", err)
	}
}

// TestVoteResultCarriesTurnout: the turnout a vote returns, read in its
// transaction, is the one PollTurnout reads after it.
func TestVoteResultCarriesTurnout(t *testing.T) {
	d, _, _ := pollTestDB(t)
	ctx := context.Background()
	ids := pollMembers(t, d, 4)
	for _, anonymous := range []bool{false, true} {
		p := pollCreate(t, d, func(in *PollInput) { in.Anonymous = anonymous })
		for i, id := range ids[:3] {
			res, err := d.Vote(ctx, p.ID, id, p.Options[i%2].ID)
			if err != nil {
				t.Fatal(err)
			}
			after, err := d.PollTurnout(ctx, p.ID)
			if want := (Turnout{Voters: i + 1, Members: 4}); err != nil || res.Turnout != want || after != want {
				t.Errorf("anonymous=%v vote %d: result turnout %+v, PollTurnout %+v (%v); want %+v",
					anonymous, i, res.Turnout, after, err, want)
			}
		}
	}
}
