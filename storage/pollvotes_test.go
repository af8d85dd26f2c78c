package storage

import (
	"context"
	"testing"
)

// TestPollVotesNames: PollVotes returns each voter's current name with
// their choices, in member then option order, so callers need no lookup
// per vote.
func TestPollVotesNames(t *testing.T) {
	d, _, _ := pollTestDB(t)
	ctx := context.Background()
	ids := pollMembers(t, d, 2)
	p := pollCreate(t, d, func(in *PollInput) { in.MaxVotes = 2 })
	o := p.Options
	casts := []struct {
		member int64
		opts   []int64
	}{{ids[1], []int64{o[2].ID, o[0].ID}}, {ids[0], []int64{o[1].ID}}}
	for _, c := range casts {
		if _, err := d.CastBallot(ctx, p.ID, c.member, c.opts); err != nil {
			t.Fatal(err)
		}
	}
	got, err := d.PollVotes(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []PollVote{
		{MemberID: ids[0], MemberName: "Member 0000", OptionID: o[1].ID},
		{MemberID: ids[1], MemberName: "Member 0001", OptionID: o[0].ID},
		{MemberID: ids[1], MemberName: "Member 0001", OptionID: o[2].ID},
	}
	if len(got) != len(want) {
		t.Fatalf("PollVotes = %+v, want %d votes", got, len(want))
	}
	for i := range want {
		g := got[i]
		if g.MemberID != want[i].MemberID || g.MemberName != want[i].MemberName || g.OptionID != want[i].OptionID ||
			!g.VotedAt.Equal(pollT0) {
			t.Errorf("vote %d = %+v, want %+v at %v", i, g, want[i], pollT0)
		}
	}
}
