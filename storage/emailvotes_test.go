package storage

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"slices"
	"testing"
	"time"
)

// A vote link's secret: random, never made twice, stored only as its
// hash, good for its own member and poll only.
func TestEmailVoteTokens(t *testing.T) {
	d, _, _ := pollTestDB(t)
	ctx := context.Background()
	ms := pollMembers(t, d, 2)
	p := pollCreate(t, d, nil)
	q := pollCreate(t, d, func(in *PollInput) { in.Question = "Second?" })
	a1, err := d.NewEmailVoteToken(ctx, p.ID, ms[0])
	if err != nil {
		t.Fatal(err)
	}
	a2, _ := d.NewEmailVoteToken(ctx, p.ID, ms[0]) // a resend's
	b, _ := d.NewEmailVoteToken(ctx, q.ID, ms[1])
	if a1 == a2 || len(a1) < 26 {
		t.Fatalf("tokens %q %q: want two distinct secrets of at least 128 bits", a1, a2)
	}
	for _, tt := range []struct {
		token string
		want  EmailVoter
	}{{a1, EmailVoter{p.ID, ms[0]}}, {a2, EmailVoter{p.ID, ms[0]}}, {b, EmailVoter{q.ID, ms[1]}}} {
		if got, err := d.EmailVoterOf(ctx, tt.token); err != nil || got != tt.want {
			t.Errorf("EmailVoterOf(%q) = %+v, %v; want %+v", tt.token, got, err, tt.want)
		}
	}
	if _, err := d.EmailVoterOf(ctx, "AAAAAAAAAAAAAAAAAAAAAAAAAA"); !errors.Is(err, ErrNotFound) {
		t.Errorf("an unknown token: %v, want not found", err)
	}
	// The database holds hashes, never a secret.
	rows, err := d.db.Query("SELECT hash FROM email_vote_tokens")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var stored [][]byte
	for rows.Next() {
		var h []byte
		if err := rows.Scan(&h); err != nil {
			t.Fatal(err)
		}
		stored = append(stored, h)
	}
	if len(stored) != 3 {
		t.Errorf("%d stored tokens, want 3", len(stored))
	}
	for _, tok := range []string{a1, a2, b} {
		sum := sha256.Sum256([]byte(tok))
		if !slices.ContainsFunc(stored, func(h []byte) bool { return bytes.Equal(h, sum[:]) }) {
			t.Errorf("no SHA-256 of %q stored", tok)
		}
	}
	// Gone with the poll.
	if err := d.DeletePoll(ctx, q.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := d.EmailVoterOf(ctx, b); !errors.Is(err, ErrNotFound) {
		t.Errorf("a deleted poll's token: %v, want not found", err)
	}
}

// EmailVote applies the poll's rules inside the vote's transaction, and
// its own refusals change nothing.
func TestEmailVoteRules(t *testing.T) {
	d, clock, _ := pollTestDB(t)
	ctx := context.Background()
	ms := pollMembers(t, d, 3)
	single := pollCreate(t, d, nil)
	multi := pollCreate(t, d, func(in *PollInput) { in.Question = "Two?"; in.MaxVotes = 2 })
	anon := pollCreate(t, d, func(in *PollInput) { in.Question = "Secret?"; in.Anonymous = true })
	closing := pollCreate(t, d, func(in *PollInput) { in.Question = "Soon?"; in.ClosesAt = pollT0.Add(time.Hour) })
	tok := func(p *Poll, m int64) string {
		s, err := d.NewEmailVoteToken(ctx, p.ID, m)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	opt := func(p *Poll, i int) int64 { return p.Options[i].ID }
	choices := func(p *Poll, m int64) []int64 {
		c, _, err := d.MemberChoices(ctx, p.ID, m)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	s0 := tok(single, ms[0])
	tests := []struct {
		name    string
		token   string
		options []int64
		action  VoteAction
		err     string
	}{
		{"single", s0, []int64{opt(single, 0)}, VoteAdded, ""},
		{"single again", s0, []int64{opt(single, 0)}, VoteKept, ""},
		{"single moved", s0, []int64{opt(single, 1)}, VoteChanged, ""},
		{"single, none", s0, nil, "", "poll_error_ballot_empty"},
		{"single, two options", s0, []int64{opt(single, 0), opt(single, 1)}, "", "poll_error_vote_limit"},
		{"option of another poll", s0, []int64{opt(multi, 0)}, "", "email_vote_error_options_changed"},
		{"multi ballot", tok(multi, ms[0]), []int64{opt(multi, 0), opt(multi, 2)}, VoteCast, ""},
		{"multi too many", tok(multi, ms[1]), []int64{opt(multi, 0), opt(multi, 1), opt(multi, 2)}, "", "poll_error_vote_limit"},
		{"multi one", tok(multi, ms[1]), []int64{opt(multi, 1)}, VoteCast, ""},
		{"multi none takes back", tok(multi, ms[1]), nil, VoteRetracted, ""},
		{"anonymous", tok(anon, ms[0]), []int64{opt(anon, 0)}, VoteCast, ""},
		{"anonymous, none", tok(anon, ms[1]), nil, "", "poll_error_ballot_empty"},
		{"anonymous again", tok(anon, ms[0]), []int64{opt(anon, 1)}, "", "poll_error_anonymous_final"},
		{"unknown token", "AAAAAAAAAAAAAAAAAAAAAAAAAA", []int64{opt(single, 0)}, "", "error_not_found"},
	}
	for _, tt := range tests {
		res, _, err := d.EmailVote(ctx, tt.token, tt.options)
		if got := pollErrKey(err); got != tt.err {
			t.Errorf("%s: error %q, want %q", tt.name, got, tt.err)
			continue
		}
		if err == nil && res.Action != tt.action {
			t.Errorf("%s: action %s, want %s", tt.name, res.Action, tt.action)
		}
	}
	if got := choices(single, ms[0]); !slices.Equal(got, []int64{opt(single, 1)}) {
		t.Errorf("single choices %v, want the moved vote", got)
	}
	if got := choices(multi, ms[1]); len(got) != 0 {
		t.Errorf("multi choices of the member who took them back: %v", got)
	}

	// Options replaced since the mail: refused, nothing written.
	s2 := tok(single, ms[2])
	p2 := pollCreate(t, d, func(in *PollInput) { in.Question = "Fresh?" })
	f2 := tok(p2, ms[2])
	stale := opt(p2, 0)
	if _, err := d.UpdatePoll(ctx, p2.ID, PollUpdate{Options: []string{"New A", "New B"}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := d.EmailVote(ctx, f2, []int64{stale}); pollErrKey(err) != "email_vote_error_options_changed" {
		t.Errorf("an option replaced since: %v", err)
	}
	if c := choices(p2, ms[2]); len(c) != 0 {
		t.Errorf("a refused vote was written: %v", c)
	}

	// A member who left: refused, nothing written.
	if err := d.LeaveMember(ctx, ms[2]); err != nil {
		t.Fatal(err)
	}
	if _, _, err := d.EmailVote(ctx, s2, []int64{opt(single, 0)}); pollErrKey(err) != "email_vote_error_left" {
		t.Errorf("a member who left: %v", err)
	}
	if c := choices(single, ms[2]); len(c) != 0 {
		t.Errorf("a left member's vote was written: %v", c)
	}

	// Past the deadline (even before the closing job runs): closed.
	c1 := tok(closing, ms[1])
	clock.Add(time.Hour)
	if _, _, err := d.EmailVote(ctx, c1, []int64{opt(closing, 0)}); pollErrKey(err) != "poll_error_closed" {
		t.Errorf("past the deadline: %v", err)
	}
	got, _ := d.PollByID(ctx, single.ID)
	if got.Voters != 1 || got.Options[1].Votes != 1 || got.Options[0].Votes != 0 {
		t.Errorf("single tally %d voters %+v, want 1 vote for option 2", got.Voters, got.Options)
	}
}
