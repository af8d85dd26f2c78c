package bot

import (
	"context"
	"errors"
	"strings"
	"testing"

	"copbot/handlers"
	"copbot/storage"
)

// recordingPoster is a platform's poster that records posts or fails.
type recordingPoster struct {
	platform storage.Platform
	fail     error
	posts    []handlers.Reply
	updates  []handlers.MessageRef
}

func (p *recordingPoster) Post(_ context.Context, r handlers.Reply) ([]handlers.MessageRef, error) {
	if p.fail != nil {
		return nil, p.fail
	}
	p.posts = append(p.posts, r)
	return []handlers.MessageRef{{Platform: p.platform, Channel: "C", ID: "1"}}, nil
}

func (p *recordingPoster) Update(_ context.Context, ref handlers.MessageRef, r handlers.Reply) error {
	p.updates = append(p.updates, ref)
	return p.fail
}

func TestFanoutPartialFailureReportsBoth(t *testing.T) {
	t.Parallel()
	slack := &recordingPoster{platform: storage.PlatformSlack}
	teams := &recordingPoster{platform: storage.PlatformTeams, fail: errors.New("connector down")}
	f := &fanout{}
	f.add(storage.PlatformSlack, slack)
	f.add(storage.PlatformTeams, teams)

	refs, err := f.Post(context.Background(), handlers.Reply{Text: "hello"})
	if len(refs) != 1 || refs[0].Platform != storage.PlatformSlack {
		t.Errorf("refs = %v, want the Slack post only", refs)
	}
	if err == nil || !strings.Contains(err.Error(), "teams: connector down") {
		t.Errorf("err = %v, want the Teams failure", err)
	}
	if err := f.Update(context.Background(), refs[0], handlers.Reply{Text: "edited"}); err != nil || len(slack.updates) != 1 {
		t.Errorf("update routed wrong: err %v, slack updates %d", err, len(slack.updates))
	}
	if err := f.Update(context.Background(), handlers.MessageRef{Platform: storage.PlatformConsole}, handlers.Reply{}); err == nil {
		t.Error("update for a platform with no adapter succeeded")
	}
	if _, err := (&fanout{}).Post(context.Background(), handlers.Reply{}); err == nil {
		t.Error("posting with no platform succeeded")
	}
}

// directPoster is a poster that can also write privately.
type directPoster struct {
	recordingPoster
	direct []storage.Identity
}

func (p *directPoster) Direct(_ context.Context, to storage.Identity, r handlers.Reply) error {
	p.direct = append(p.direct, to)
	return nil
}

func TestFanoutDirectRoutesByPlatform(t *testing.T) {
	t.Parallel()
	slack := &directPoster{recordingPoster: recordingPoster{platform: storage.PlatformSlack}}
	teams := &recordingPoster{platform: storage.PlatformTeams}
	f := &fanout{}
	f.add(storage.PlatformSlack, slack)
	f.add(storage.PlatformTeams, teams)
	var _ handlers.DirectMessenger = f
	if err := f.Direct(context.Background(), storage.Identity{Platform: storage.PlatformSlack, ID: "U1"}, handlers.Reply{}); err != nil {
		t.Fatal(err)
	}
	if len(slack.direct) != 1 || slack.direct[0].ID != "U1" {
		t.Errorf("slack direct = %v", slack.direct)
	}
	if err := f.Direct(context.Background(), storage.Identity{Platform: storage.PlatformTeams, ID: "29:x"}, handlers.Reply{}); err == nil {
		t.Error("direct through an adapter that cannot write privately succeeded")
	}
}
