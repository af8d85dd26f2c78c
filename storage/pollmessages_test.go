package storage

import (
	"context"
	"errors"
	"testing"
)

func TestTakePollResultMessages(t *testing.T) {
	d, _, _ := pollTestDB(t)
	ctx := context.Background()
	p := pollCreate(t, d, nil)
	card := PollMessage{Platform: PlatformSlack, Channel: "C1", MessageID: "1.1"}
	result := PollMessage{Platform: PlatformSlack, Channel: "C1", MessageID: "2.2", Result: true}
	for _, m := range []PollMessage{card, result} {
		if err := d.AddPollMessage(ctx, p.ID, m); err != nil {
			t.Fatal(err)
		}
	}
	cards, _ := d.PollMessages(ctx, p.ID)
	if len(cards) != 1 || cards[0] != card {
		t.Errorf("PollMessages = %+v, want only the card", cards)
	}
	for i, want := range [][]PollMessage{{result}, nil} {
		got, err := d.TakePollResultMessages(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) || (len(want) > 0 && got[0] != want[0]) {
			t.Errorf("take #%d = %+v, want %+v", i+1, got, want)
		}
	}
}

func TestPollWithTurnoutOneSnapshot(t *testing.T) {
	d, _, _ := pollTestDB(t)
	ctx := context.Background()
	ids := pollMembers(t, d, 3)
	p := pollCreate(t, d, nil)
	if _, err := d.Vote(ctx, p.ID, ids[0], p.Options[1].ID); err != nil {
		t.Fatal(err)
	}
	got, turnout, err := d.PollWithTurnout(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Voters != 1 || got.Options[1].Votes != 1 || turnout != (Turnout{Voters: 1, Members: 3}) {
		t.Errorf("poll voters %d, option votes %d, turnout %+v", got.Voters, got.Options[1].Votes, turnout)
	}
	if _, _, err := d.PollWithTurnout(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown poll: %v", err)
	}
}
