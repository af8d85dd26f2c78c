package teamsbot

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"copbot/handlers"
	"copbot/handlers/features"
	"copbot/storage"
)

// Issue 15, item 8: a vote in a channel is answered to the voter alone,
// in the invoke response; the channel gets no post per vote, anonymous
// polls included.

const stormCoordinator = "aad-coordinator"

// voteEnv is a bot over a real service with n members, each with a Teams
// identity, and a community channel on the fake connector.
func voteEnv(t *testing.T, n int) (*fakeBF, *bot, *handlers.Service, *storage.DB) {
	t.Helper()
	clk := newClock()
	f := newFakeBF(t, clk)
	ctx := context.Background()
	db, err := storage.Open(ctx, filepath.Join(t.TempDir(), "copbot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.Now = clk.Now
	svc, _, err := features.New(db, handlers.Options{DefaultLanguage: "en",
		Coordinators: []storage.Identity{{Platform: storage.PlatformTeams, ID: stormCoordinator}}}, clk.Now, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Close)
	roster := benchRoster(n)
	for i := range roster {
		roster[i].TeamsID = fmt.Sprintf("aad-%05d", i)
	}
	if res, err := db.ImportMembers(ctx, roster); err != nil || res.Created != n {
		t.Fatalf("import: %+v, %v", res, err)
	}
	cfg := f.config()
	cfg.ServiceURL, cfg.ChannelID = f.srv.URL+"/amer/", "19:6848757105754c8981c67612732d9aa7@thread.tacv2"
	b := startBot(t, f, cfg, svc, svc.Translator())
	svc.SetPoster(b.Adapter)
	return f, b, svc, db
}

// postPoll has the coordinator create a poll and returns the vote buttons'
// data from the card the bot posted to the channel.
func postPoll(t *testing.T, f *fakeBF, svc *handlers.Service, flags string) []map[string]any {
	t.Helper()
	req := handlers.Request{Identity: storage.Identity{Platform: storage.PlatformTeams, ID: stormCoordinator},
		Text: `poll "Theme for March?" "Accessibility technology" "Serving vulnerable communities" ` + flags}
	if r := svc.Handle(context.Background(), req); !strings.Contains(r.Text, "posted") {
		t.Fatalf("poll creation answered %q", r.Text)
	}
	var buttons []map[string]any
	for _, c := range f.recorded() {
		if c.Method != http.MethodPost || !strings.HasSuffix(c.Path, "/v3/conversations") {
			continue
		}
		card := cardOf(t, decode(t, c.Body)["activity"].(map[string]any))
		for _, e := range card["body"].([]any) {
			for _, a := range asList(e.(map[string]any)["actions"]) {
				if a := a.(map[string]any); a["verb"] == "poll_vote" {
					buttons = append(buttons, a)
				}
			}
		}
	}
	if len(buttons) != 2 {
		t.Fatalf("poll card has %d vote buttons", len(buttons))
	}
	return buttons
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// channelVote is the channel fixture turned into voter i's Action.Execute
// invoke on button.
func channelVote(t *testing.T, f *fakeBF, i int, button map[string]any) ([]byte, string) {
	t.Helper()
	body, su := f.inbound("teams-channel-message-at-mention.json")
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	m["type"], m["name"], m["id"] = "invoke", "adaptiveCard/action", fmt.Sprintf("f:vote-%d", i)
	m["from"] = map[string]any{"id": fmt.Sprintf("29:voter-%d", i), "name": fmt.Sprintf("Voter %d", i),
		"aadObjectId": fmt.Sprintf("aad-%05d", i)}
	m["value"] = map[string]any{"action": map[string]any{"type": "Action.Execute", "verb": button["verb"], "data": button["data"]}}
	delete(m, "text")
	delete(m, "entities")
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out, su
}

// TestVoteStormPostsNothingInTheChannel clicks 1,000 votes (and 100 in an
// anonymous poll) in the channel: each voter gets their answer in the
// invoke response, every vote is stored, and the connector sees no
// message posted to the channel or a personal chat, only the poll card's
// coalesced updates.
func TestVoteStormPostsNothingInTheChannel(t *testing.T) {
	for _, tt := range []struct {
		name   string
		flags  string
		voters int
	}{{"public", "", 1000}, {"anonymous", "--anonymous", 100}} {
		t.Run(tt.name, func(t *testing.T) {
			f, b, svc, db := voteEnv(t, tt.voters)
			buttons := postPoll(t, f, svc, tt.flags)
			_, _, before := f.counts()
			_, su := channelVote(t, f, 0, buttons[0])
			authz := "Bearer " + f.sign(f.claims(su), testKid)
			var wg sync.WaitGroup
			sem := make(chan struct{}, 32)
			for i := range tt.voters {
				body, _ := channelVote(t, f, i, buttons[i%2])
				sem <- struct{}{}
				wg.Go(func() {
					defer func() { <-sem }()
					status, out := b.post(t, authz, body)
					var r invokeResponse
					if err := json.Unmarshal(out, &r); status != 200 || err != nil || r.Type != invokeMessage ||
						!strings.Contains(fmt.Sprint(r.Value), "vote") {
						t.Errorf("voter %d: %d %s", i, status, out)
					}
				})
			}
			wg.Wait()
			b.Close() // pending card updates are sent
			svc.Close()
			polls, err := db.FindPolls(context.Background(), storage.PollFilter{})
			if err != nil || len(polls) != 1 || polls[0].Voters != tt.voters {
				t.Fatalf("polls %+v, %v; want %d voters", polls, err, tt.voters)
			}
			updates := 0
			for _, c := range f.recorded()[before:] {
				switch {
				case c.Method == http.MethodPut && strings.Contains(c.Path, "/activities/"):
					updates++
				default:
					t.Errorf("%s %s during the storm: only the poll card's updates may reach Teams", c.Method, c.Path)
				}
			}
			if updates == 0 || updates > tt.voters/4 {
				t.Errorf("%d card updates for %d votes: want them coalesced", updates, tt.voters)
			}
		})
	}
}
