package storage

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var pollT0 = time.Date(2027, 1, 15, 12, 0, 0, 0, time.UTC)

func pollTestDB(t testing.TB) (*DB, *TestClock, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "copbot.db")
	d, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	clock := NewTestClock(pollT0)
	d.Now = clock.Now
	return d, clock, path
}

// pollMembers creates n active members and returns their ids.
func pollMembers(t testing.TB, d *DB, n int) []int64 {
	t.Helper()
	rows := make([]MemberInput, n)
	for i := range rows {
		rows[i] = MemberInput{Name: fmt.Sprintf("Member %04d", i), Organization: "Service Canada",
			Order: OrderFederal, Jurisdiction: "CA", SlackID: fmt.Sprintf("U%04d", i)}
	}
	if _, err := d.ImportMembers(context.Background(), rows); err != nil {
		t.Fatalf("ImportMembers: %v", err)
	}
	ids := make([]int64, n)
	for i := range rows {
		m, err := d.MemberByIdentity(context.Background(), Identity{Platform: PlatformSlack, ID: rows[i].SlackID})
		if err != nil {
			t.Fatalf("MemberByIdentity: %v", err)
		}
		ids[i] = m.ID
	}
	return ids
}

func pollCreate(t testing.TB, d *DB, edit func(*PollInput)) *Poll {
	t.Helper()
	in := PollInput{Question: "Theme for March?", Options: []string{"Accessibility technology",
		"Serving vulnerable communities", "Workforce wellness"}, Creator: Identity{Platform: PlatformSlack, ID: "UCOORD"}, Channel: "C1"}
	if edit != nil {
		edit(&in)
	}
	p, err := d.CreatePoll(context.Background(), in)
	if err != nil {
		t.Fatalf("CreatePoll: %v", err)
	}
	return p
}

func pollCount(t testing.TB, d *DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := d.db.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// pollCheckCounters verifies that every option's counter equals its rows
// in votes and that poll_voters matches, for a poll that is not anonymous.
func pollCheckCounters(t testing.TB, d *DB, pollID int64) {
	t.Helper()
	bad := pollCount(t, d, `SELECT count(*) FROM poll_options o WHERE o.poll_id = ?
		AND o.votes <> (SELECT count(*) FROM votes v WHERE v.option_id = o.id)`, pollID)
	bad += pollCount(t, d, `SELECT count(*) FROM poll_voters p WHERE p.poll_id = ?
		AND p.choices <> (SELECT count(*) FROM votes v WHERE v.poll_id = p.poll_id AND v.member_id = p.member_id)`, pollID)
	bad += pollCount(t, d, `SELECT count(*) FROM polls p WHERE p.id = ?
		AND p.voters <> (SELECT count(*) FROM poll_voters v WHERE v.poll_id = p.id)`, pollID)
	if bad != 0 {
		t.Errorf("poll %d: %d counters disagree with votes", pollID, bad)
	}
}

func pollVotes(p *Poll) []int {
	out := make([]int, len(p.Options))
	for i, o := range p.Options {
		out[i] = o.Votes
	}
	return out
}

func TestCreatePollRoundTrip(t *testing.T) {
	d, _, _ := pollTestDB(t)
	ctx := context.Background()
	closes := pollT0.Add(48 * time.Hour)
	p := pollCreate(t, d, func(in *PollInput) {
		in.MaxVotes, in.Anonymous, in.AllowMemberOptions, in.Language = 2, true, true, "fr"
		in.ClosesAt, in.RemindBefore = closes, 24*time.Hour
	})
	got, err := d.PollByID(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Question != "Theme for March?" || got.MaxVotes != 2 || !got.Anonymous || !got.AllowMemberOptions ||
		got.Language != "fr" || !got.ClosesAt.Equal(closes) || got.RemindBefore != 24*time.Hour ||
		got.Status != PollOpen || got.Creator != (Identity{Platform: PlatformSlack, ID: "UCOORD"}) || got.Channel != "C1" ||
		!got.CreatedAt.Equal(pollT0) || got.Voters != 0 {
		t.Errorf("PollByID = %+v", got)
	}
	var labels []string
	for i, o := range got.Options {
		if o.Position != i+1 || o.Votes != 0 || o.AddedBy != 0 {
			t.Errorf("option %d = %+v", i, o)
		}
		labels = append(labels, o.Label)
	}
	if want := []string{"Accessibility technology", "Serving vulnerable communities", "Workforce wellness"}; !slices.Equal(labels, want) {
		t.Errorf("labels = %q, want %q", labels, want)
	}
	if _, err := d.PollByID(ctx, 999); !errors.Is(err, ErrNotFound) || pollErrKey(err) != "poll_error_not_found" {
		t.Errorf("PollByID(999) = %v", err)
	}
}

func TestCreatePollRefusals(t *testing.T) {
	d, _, _ := pollTestDB(t)
	tests := []struct {
		name   string
		edit   func(*PollInput)
		errKey string
	}{
		{"past deadline", func(in *PollInput) { in.ClosesAt = pollT0.Add(-time.Minute) }, "poll_error_closes_past"},
		{"deadline now", func(in *PollInput) { in.ClosesAt = pollT0 }, "poll_error_closes_past"},
		{"reminder already due", func(in *PollInput) {
			in.ClosesAt, in.RemindBefore = pollT0.Add(time.Hour), 2*time.Hour
		}, "poll_error_remind_too_late"},
		{"unknown meeting", func(in *PollInput) { in.MeetingID = 42 }, "poll_error_meeting_not_found"},
		{"duplicate options", func(in *PollInput) { in.Options = []string{"A", "a "} }, "poll_error_option_duplicate"},
	}
	for _, tt := range tests {
		in := PollInput{Question: "Q?", Options: []string{"A", "B"}, Creator: Identity{Platform: PlatformConsole, ID: "x"}}
		tt.edit(&in)
		if _, err := d.CreatePoll(context.Background(), in); pollErrKey(err) != tt.errKey {
			t.Errorf("%s: err = %v, want key %s", tt.name, err, tt.errKey)
		}
	}
	if n := pollCount(t, d, "SELECT count(*) FROM polls") + pollCount(t, d, "SELECT count(*) FROM poll_options"); n != 0 {
		t.Errorf("refused polls left %d rows", n)
	}
}

func TestPollLinkedMeeting(t *testing.T) {
	d, _, _ := pollTestDB(t)
	ctx := context.Background()
	m, err := d.CreateMeeting(ctx, MeetingInput{Title: "Q1", StartsAt: pollT0.Add(60 * 24 * time.Hour),
		Zone: "America/Toronto", Duration: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	p := pollCreate(t, d, func(in *PollInput) { in.MeetingID = m.ID })
	if p.MeetingID != m.ID {
		t.Errorf("MeetingID = %d, want %d", p.MeetingID, m.ID)
	}
	polls, err := d.FindPolls(ctx, PollFilter{MeetingID: &m.ID})
	if err != nil || len(polls) != 1 || polls[0].ID != p.ID {
		t.Errorf("FindPolls by meeting = %v, %v", polls, err)
	}
}

func TestVoteSingleChoice(t *testing.T) {
	d, _, _ := pollTestDB(t)
	ctx := context.Background()
	ids := pollMembers(t, d, 2)
	p := pollCreate(t, d, nil)
	a, b := p.Options[0].ID, p.Options[1].ID
	steps := []struct {
		unvote         bool
		member, option int64
		action         VoteAction
		votes          []int
		voters         int
	}{
		{false, ids[0], a, VoteAdded, []int{1, 0, 0}, 1},
		{false, ids[1], a, VoteAdded, []int{2, 0, 0}, 2},
		{false, ids[0], b, VoteChanged, []int{1, 1, 0}, 2},
		{false, ids[0], b, VoteKept, []int{1, 1, 0}, 2}, // a click sent again never takes it back
		{true, ids[0], b, VoteRetracted, []int{1, 0, 0}, 1},
		{true, ids[0], b, VoteNone, []int{1, 0, 0}, 1}, // an unvote sent again never votes
		{false, ids[0], b, VoteAdded, []int{1, 1, 0}, 2},
		{true, ids[1], 0, VoteRetracted, []int{0, 1, 0}, 1},
		{false, ids[1], a, VoteAdded, []int{1, 1, 0}, 2},
	}
	for i, s := range steps {
		vote := d.Vote
		if s.unvote {
			vote = d.Unvote
		}
		res, err := vote(ctx, p.ID, s.member, s.option)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if res.Action != s.action || !slices.Equal(pollVotes(res.Poll), s.votes) || res.Poll.Voters != s.voters {
			t.Errorf("step %d: %q %v voters %d, want %q %v %d", i, res.Action, pollVotes(res.Poll), res.Poll.Voters,
				s.action, s.votes, s.voters)
		}
		pollCheckCounters(t, d, p.ID)
	}
	choices, voted, err := d.MemberChoices(ctx, p.ID, ids[0])
	if err != nil || !voted || !slices.Equal(choices, []int64{b}) {
		t.Errorf("MemberChoices = %v %v %v", choices, voted, err)
	}
}

func TestVoteMultipleChoice(t *testing.T) {
	d, _, _ := pollTestDB(t)
	ctx := context.Background()
	m := pollMembers(t, d, 1)[0]
	p := pollCreate(t, d, func(in *PollInput) { in.MaxVotes = 2 })
	o := p.Options
	for _, opt := range []int64{o[0].ID, o[1].ID} {
		if _, err := d.Vote(ctx, p.ID, m, opt); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d.Vote(ctx, p.ID, m, o[2].ID); pollErrKey(err) != "poll_error_vote_limit" {
		t.Fatalf("third choice: %v, want vote limit", err)
	}
	got, _ := d.PollByID(ctx, p.ID)
	if want := []int{1, 1, 0}; !slices.Equal(pollVotes(got), want) {
		t.Errorf("refused vote changed tally: %v, want %v", pollVotes(got), want)
	}
	res, err := d.CastBallot(ctx, p.ID, m, []int64{o[2].ID})
	if err != nil || !slices.Equal(pollVotes(res.Poll), []int{0, 0, 1}) || res.Poll.Voters != 1 {
		t.Errorf("CastBallot replace = %v, %v", res, err)
	}
	pollCheckCounters(t, d, p.ID)
}

func TestVoteRefusals(t *testing.T) {
	d, clock, _ := pollTestDB(t)
	ctx := context.Background()
	m := pollMembers(t, d, 1)[0]
	p := pollCreate(t, d, nil)
	other := pollCreate(t, d, nil)
	tests := []struct {
		name   string
		vote   func() error
		errKey string
	}{
		{"option of another poll", func() error { _, err := d.Vote(ctx, p.ID, m, other.Options[0].ID); return err }, "poll_error_option_not_found"},
		{"unknown poll", func() error { _, err := d.Vote(ctx, 999, m, 1); return err }, "poll_error_not_found"},
		{"unknown member", func() error { _, err := d.Vote(ctx, p.ID, 999, p.Options[0].ID); return err }, "poll_error_not_member"},
		{"empty ballot", func() error { _, err := d.CastBallot(ctx, p.ID, m, nil); return err }, "poll_error_ballot_empty"},
	}
	for _, tt := range tests {
		if err := tt.vote(); pollErrKey(err) != tt.errKey {
			t.Errorf("%s: %v, want %s", tt.name, err, tt.errKey)
		}
	}
	if closed, _, err := d.ClosePoll(ctx, p.ID); !closed || err != nil {
		t.Fatalf("ClosePoll = %v %v", closed, err)
	}
	if _, err := d.Vote(ctx, p.ID, m, p.Options[0].ID); pollErrKey(err) != "poll_error_closed" {
		t.Errorf("vote on closed poll: %v", err)
	}
	// Past the deadline, before the closing job has run.
	late := pollCreate(t, d, func(in *PollInput) { in.ClosesAt, in.AllowMemberOptions = pollT0.Add(time.Hour), true })
	clock.Add(time.Hour)
	if _, err := d.Vote(ctx, late.ID, m, late.Options[0].ID); pollErrKey(err) != "poll_error_closed" {
		t.Errorf("vote after the deadline: %v", err)
	}
	if _, err := d.AddPollOption(ctx, late.ID, "Late idea", m); pollErrKey(err) != "poll_error_closed" {
		t.Errorf("option after the deadline: %v", err)
	}
	if n := pollCount(t, d, "SELECT count(*) FROM poll_voters") + pollCount(t, d, "SELECT count(*) FROM votes"); n != 0 {
		t.Errorf("refused votes left %d rows", n)
	}
}

// TestAnonymousPollStoresNoLink checks with SQL that nothing in the
// database ties a member to an option of an anonymous poll.
func TestAnonymousPollStoresNoLink(t *testing.T) {
	d, _, _ := pollTestDB(t)
	ctx := context.Background()
	ids := pollMembers(t, d, 3)
	single := pollCreate(t, d, func(in *PollInput) { in.Anonymous = true })
	multi := pollCreate(t, d, func(in *PollInput) { in.Anonymous, in.MaxVotes = true, 2 })
	for i, m := range ids {
		if _, err := d.Vote(ctx, single.ID, m, single.Options[i%2].ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d.Vote(ctx, single.ID, ids[0], single.Options[2].ID); pollErrKey(err) != "poll_error_anonymous_final" {
		t.Errorf("second anonymous vote: %v", err)
	}
	if _, err := d.Unvote(ctx, single.ID, ids[0], 0); pollErrKey(err) != "poll_error_anonymous_unvote" {
		t.Errorf("unvote in an anonymous poll: %v", err)
	}
	if _, err := d.Vote(ctx, multi.ID, ids[0], multi.Options[0].ID); pollErrKey(err) != "poll_error_use_ballot" {
		t.Errorf("click on anonymous multi-choice: %v", err)
	}
	res, err := d.CastBallot(ctx, multi.ID, ids[0], []int64{multi.Options[0].ID, multi.Options[2].ID})
	if err != nil || !slices.Equal(pollVotes(res.Poll), []int{1, 0, 1}) {
		t.Fatalf("CastBallot = %v, %v", res, err)
	}
	got, _ := d.PollByID(ctx, single.ID)
	if !slices.Equal(pollVotes(got), []int{2, 1, 0}) || got.Voters != 3 {
		t.Errorf("anonymous tally = %v voters %d", pollVotes(got), got.Voters)
	}
	if n := pollCount(t, d, "SELECT count(*) FROM votes"); n != 0 {
		t.Errorf("votes has %d rows for anonymous polls", n)
	}
	if n := pollCount(t, d, "SELECT count(*) FROM poll_voters WHERE voted_at IS NOT NULL"); n != 0 {
		t.Errorf("%d anonymous voters carry a time", n)
	}
	// No table but votes has both a member column and an option column.
	q := `SELECT count(DISTINCT m.name) FROM sqlite_master m
		JOIN pragma_table_info(m.name) a ON a.name LIKE '%member%'
		JOIN pragma_table_info(m.name) b ON b.name LIKE '%option%' AND b.name <> a.name
		WHERE m.type = 'table' AND m.name <> 'votes'`
	if n := pollCount(t, d, q); n != 0 {
		t.Errorf("%d tables besides votes link members and options", n)
	}
	_, err = d.db.ExecContext(ctx, "INSERT INTO votes (poll_id, member_id, option_id, voted_at) VALUES (?, ?, ?, 'x')",
		single.ID, ids[0], single.Options[0].ID)
	if err == nil {
		t.Error("the database accepted a member→option row for an anonymous poll")
	}
	if _, err := d.PollVotes(ctx, single.ID); pollErrKey(err) != "poll_error_anonymous_votes" {
		t.Errorf("PollVotes(anonymous) = %v", err)
	}
}

func TestVoteConcurrent(t *testing.T) {
	d, _, _ := pollTestDB(t)
	ctx := context.Background()
	ids := pollMembers(t, d, 65)
	p := pollCreate(t, d, func(in *PollInput) { in.MaxVotes = 2 })
	var wg sync.WaitGroup
	var failed atomic.Int32
	for i, m := range ids[1:] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := d.Vote(ctx, p.ID, m, p.Options[i%3].ID); err != nil {
				t.Log(err)
				failed.Add(1)
			}
		}()
	}
	// One member clicking all three options at once ends with exactly two:
	// the third click finds the limit reached.
	for _, o := range p.Options {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.Vote(ctx, p.ID, ids[0], o.ID)
		}()
	}
	wg.Wait()
	if failed.Load() != 0 {
		t.Fatalf("%d votes failed", failed.Load())
	}
	got, _ := d.PollByID(ctx, p.ID)
	if got.Voters != len(ids) {
		t.Errorf("voters = %d, want %d", got.Voters, len(ids))
	}
	if n := pollCount(t, d, "SELECT choices FROM poll_voters WHERE member_id = ?", ids[0]); n != 2 {
		t.Errorf("the member who clicked three options has %d choices, want 2", n)
	}
	pollCheckCounters(t, d, p.ID)
}
