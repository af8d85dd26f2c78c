package email

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"copbot/handlers"
	"copbot/handlers/handlerstest"
	"copbot/handlers/polls"
	"copbot/storage"
)

// BenchmarkCastVote is one email vote, from the token's check to the
// "recorded" page: each op moves one of 200 members' votes to the other
// option (a write and its commit), on a real database.
func BenchmarkCastVote(b *testing.B) {
	const members = 200
	var f *Feature
	e := handlerstest.New(b, handlerstest.Setup{Clock: handlerstest.NewClock(time.Date(2027, 2, 1, 15, 0, 0, 0, time.UTC)),
		Install: func(s *handlers.Service) {
			polls.Install(s, polls.Deps{})
			f = Install(s, Deps{}, Options{PublicURL: "https://copbot.example.gc.ca"})
		}})
	ctx := context.Background()
	rows := make([]storage.MemberInput, members)
	for i := range rows {
		rows[i] = storage.MemberInput{Name: fmt.Sprintf("Voter %03d", i), Email: fmt.Sprintf("v%03d@example.gc.ca", i),
			Organization: "Org", Order: storage.OrderMunicipal, Jurisdiction: "NU"}
	}
	if _, err := e.DB.ImportMembers(ctx, rows); err != nil {
		b.Fatal(err)
	}
	p := e.CreatePoll(`"Theme?" "A" "B"`)
	ms, _, err := e.DB.FindMembers(ctx, storage.MemberFilter{})
	if err != nil {
		b.Fatal(err)
	}
	tokens := make([]string, len(ms))
	for i, m := range ms {
		if tokens[i], err = e.DB.NewEmailVoteToken(ctx, p.ID, m.ID); err != nil {
			b.Fatal(err)
		}
	}
	i := 0
	for b.Loop() {
		option := p.Options[(i/len(tokens))%2].ID
		if page := f.CastVote(ctx, tokens[i%len(tokens)], []int64{option}); page.Status != http.StatusOK {
			b.Fatalf("vote %d: %d %v", i, page.Status, page.Parts)
		}
		i++
	}
}
