package polls

import (
	"context"
	"copbot/handlers/handlerstest"
	"copbot/storage"
	"fmt"
	"testing"
	"time"
)

// A poll result whose Slack answer is lost while Teams answers 502: the
// retry finds the Slack copy by its key and posts to Teams alone, so each
// channel shows the result once; the poll card went out once to each.
func TestPollResultOnceEachPlatform(t *testing.T) {
	clock := newPtClock()
	slack := handlerstest.NewChannel(storage.PlatformSlack, true)
	teams := handlerstest.NewChannel(storage.PlatformTeams, false)
	e := newPtEnvClock(t, "", handlerstest.Fanout{slack, teams}, clock)
	p := e.create(`"Theme for March?" "Accessibility technology" "Serving vulnerable communities" --closes 1h`)
	slack.Lose(1)
	teams.Fail(1)
	clock.Add(time.Hour + time.Second)
	for i, wantErr := range []bool{true, false} {
		job := e.ptJob(pollCloseKey(p.ID))
		if job == nil {
			t.Fatalf("run %d: no close job", i+1)
		}
		if err := job.Run(context.Background()); (err != nil) != wantErr {
			t.Fatalf("run %d: err %v, want error %v", i+1, err, wantErr)
		}
	}
	for _, f := range []*handlerstest.Channel{slack, teams} {
		if card, result := f.Count(fmt.Sprintf("poll:%d", p.ID)), f.CountPrefix(fmt.Sprintf("poll-result:%d:", p.ID)); card != 1 || result != 1 {
			t.Errorf("%s: %d cards, %d results; want 1 of each", f.Platform(), card, result)
		}
	}
	if got := e.poll(p.ID); got.ResultPostedAt.IsZero() {
		t.Error("result not recorded as posted")
	}
}
