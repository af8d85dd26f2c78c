package polls

import (
	"context"
	"copbot/handlers"
	"copbot/handlers/handlerstest"
	"strings"
	"sync"
	"testing"
	"time"
)

// ptGatePoster blocks each Update until the test lets it through.
type ptGatePoster struct {
	handlerstest.Poster
	entered chan struct{}
	release chan struct{}
}

func (p *ptGatePoster) Update(ctx context.Context, ref handlers.MessageRef, r handlers.Reply) error {
	p.entered <- struct{}{}
	<-p.release
	return p.Poster.Update(ctx, ref, r)
}

// TestPollUpdaterCoalesces: marks while nothing is running start a send;
// marks while a send runs cause exactly one more send, paced by the
// interval, which reads the database after the last mark.
func TestPollUpdaterCoalesces(t *testing.T) {
	gate := &ptGatePoster{entered: make(chan struct{}), release: make(chan struct{})}
	e := newPtEnvAt(t, t.TempDir()+"/copbot.db", &handlerstest.Poster{})
	e.join("m1", "Alex Martin", "en")
	e.join("m2", "Marie Tremblay", "fr")
	p := e.create(`"Theme?" "A" "B"`)
	e.s.SetPoster(gate)
	u := newPollUpdater(e.f, 200*time.Millisecond)

	e.db.Vote(context.Background(), p.ID, mustMember(t, e, "m1"), p.Options[0].ID)
	start := time.Now()
	u.mark(p.ID)
	<-gate.entered // first send is in Update, holding the 1-vote card
	e.db.Vote(context.Background(), p.ID, mustMember(t, e, "m2"), p.Options[1].ID)
	for range 5 {
		u.mark(p.ID) // all coalesce into one more send
	}
	gate.release <- struct{}{}
	<-gate.entered
	second := time.Since(start)
	gate.release <- struct{}{}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); u.Close() }()
	wg.Wait()
	ups := gate.Updates()
	if len(ups) != 2 {
		t.Fatalf("%d updates, want 2", len(ups))
	}
	if second < 200*time.Millisecond {
		t.Errorf("second send %v after the first, want at least the 200ms interval", second)
	}
	if !strings.Contains(ups[0].Reply.Text, "1 of 2 members voted") || !strings.Contains(ups[1].Reply.Text, "2 of 2 members voted") {
		t.Errorf("updates = %q / %q", ups[0].Reply.Text, ups[1].Reply.Text)
	}
}

func mustMember(t *testing.T, e *ptEnv, id string) int64 {
	t.Helper()
	m, err := e.db.MemberByIdentity(context.Background(), ptUser(id))
	if err != nil {
		t.Fatal(err)
	}
	return m.ID
}
