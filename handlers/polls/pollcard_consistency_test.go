package polls

import (
	"context"
	"copbot/handlers/handlerstest"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestPollCardOneSnapshot (issue 11, item 9): while one member votes and
// takes the vote back as fast as possible, every card the updater sends
// must be true at one instant: never "1 vote" on an option beside "No
// votes yet" in the footer, nor "0 votes" everywhere beside "1 of 2
// members voted".
func TestPollCardOneSnapshot(t *testing.T) {
	poster := &handlerstest.Poster{}
	e := newPtEnvAt(t, t.TempDir()+"/copbot.db", poster)
	e.join("m1", "Alex Martin", "en")
	e.join("m2", "Marie Tremblay", "fr")
	p := e.create(`"Theme?" "A" "B"`)
	u := newPollUpdater(e.f, 0)
	m1 := mustMember(t, e, "m1")
	ctx := context.Background()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			e.db.Vote(ctx, p.ID, m1, p.Options[0].ID)
			e.db.Unvote(ctx, p.ID, m1, p.Options[0].ID)
		}
	}()
	deadline := time.Now().Add(3 * time.Second)
	for i := 0; i < 400 && time.Now().Before(deadline); i++ {
		if err := u.send(p.ID); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	u.Close()
	for _, up := range poster.Updates() {
		text := up.Reply.Text
		none := strings.Contains(text, "No votes yet")
		one := strings.Contains(text, "1 vote,") || strings.Contains(text, "1 vote\n") || strings.Contains(text, "· 1 vote")
		if none == one {
			t.Fatalf("inconsistent card (footer says no votes: %v, an option has 1 vote: %v):\n%s", none, one, text)
		}
	}
}
