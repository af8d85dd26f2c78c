package slackbot

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"copbot/bot/slackbot/slacktest"
	"copbot/handlers"
	"copbot/storage"
)

// The home workspace (bot_token xoxb-test, channel C0COMMUNITY) and two
// partner workspaces installed through OAuth.
var testWorkspaces = []struct{ team, token, channel string }{
	{"T0OTHER", "xoxb-other", "C0OTHERCOM"},
	{"T0PARTNER", "xoxb-partner", "C0PARTNERCOM"},
}

func (e *env) installPartners() {
	e.t.Helper()
	for _, w := range testWorkspaces {
		e.install(w.team, w.token, w.channel)
	}
}

// postsBy counts chat.postMessage calls by "token channel".
func (e *env) postsBy() map[string]int {
	out := map[string]int{}
	for _, c := range e.fake.Calls("chat.postMessage") {
		out[c.Token+" "+c.Form.Get("channel")]++
	}
	return out
}

// TestAnnouncementReachesEachWorkspaceOnce: an announcement posted once
// (the delivery ledger's PostOnce) reaches the home channel and each
// installed workspace's channel, each with its own token. When one
// workspace refuses (503: not posted) or its answer is lost (posted, no
// answer), the ledger's retry posts there only — after a lost answer it
// first finds the copy in that channel, so it is not posted again — and a
// further run posts nothing. Before, only the home channel got it.
func TestAnnouncementReachesEachWorkspaceOnce(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault func(f *slacktest.Server, method string)
		want  func(error) bool
	}{
		{"refused", func(f *slacktest.Server, m string) { f.Fail(m, http.StatusServiceUnavailable, "") }, handlers.Unsettled},
		{"answer lost", func(f *slacktest.Server, m string) { f.LoseAnswer(m) }, handlers.MayHavePosted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, withInstalls(t))
			e.installPartners()
			e.svc.SetPoster(e.a)
			tc.fault(e.fake, slacktest.ForToken("chat.postMessage", "xoxb-partner"))
			ctx := context.Background()
			r := handlers.Reply{Kind: "announcement", Lang: "en", Text: "Quarterly meeting on accessibility technology",
				Visibility: handlers.InChannel}
			if _, err := e.svc.PostOnce(ctx, "announce:1", r); err == nil || !tc.want(err) {
				t.Fatalf("first run: %v", err)
			}
			for run := 2; run <= 3; run++ {
				refs, err := e.svc.PostOnce(ctx, "announce:1", r)
				if err != nil || len(refs) != 1 || refs[0].Channel != "C0COMMUNITY" {
					t.Fatalf("run %d: %+v %v", run, refs, err)
				}
			}
			e.a.Close()
			want := map[string]int{"xoxb-test C0COMMUNITY": 1, "xoxb-other C0OTHERCOM": 1, "xoxb-partner C0PARTNERCOM": 1}
			if tc.name == "refused" {
				want["xoxb-partner C0PARTNERCOM"] = 2 // the refused attempt, then the retry
			}
			if got := e.postsBy(); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("posts %v, want %v", got, want)
			}
			if got := len(e.fake.Messages("C0PARTNERCOM")); got != 1 {
				t.Errorf("%d messages in the partner's channel, want 1", got)
			}
			// A process that lost its ledger row finds every copy.
			ref, found, err := e.a.FindKeyed(ctx, "announce:1", e.now().Add(-copyLookBack))
			if !found || err != nil || ref.Channel != "C0COMMUNITY" {
				t.Errorf("FindKeyed: %+v %v %v", ref, found, err)
			}
		})
	}
}

// TestPollAcrossWorkspaces is the end-to-end case on the fake
// Slack Web API: a coordinator of the home workspace posts a poll; its
// card reaches the three workspaces' channels once each; members click
// the card in their own workspace (signed requests from both); one poll
// counts every vote, and every copy of the card is updated, each with its
// workspace's token, to the final tally.
func TestPollAcrossWorkspaces(t *testing.T) {
	e := newStormEnv(t, 3, withInstalls(t))
	e.installPartners()
	options := []string{"Accessibility technology", "Serving vulnerable communities"}
	if ack := body(t, e.command(`poll "Theme for the March meeting?" "`+options[0]+`" "`+options[1]+`"`, stormCoordinator)); !strings.Contains(fmt.Sprint(ack["text"]), "is posted") {
		t.Fatalf("poll creation answered %v", ack)
	}
	posts := e.fake.Calls("chat.postMessage")
	cards := map[string]postedPoll{} // by team ("" home)
	teamOfToken := map[string]string{"xoxb-test": "", "xoxb-other": "T0OTHER", "xoxb-partner": "T0PARTNER"}
	for _, c := range posts {
		team := teamOfToken[c.Token]
		if _, dup := cards[team]; dup {
			t.Fatalf("card posted twice in workspace %q", team)
		}
		ts := e.fake.Messages(c.Form.Get("channel"))[0].TS
		cards[team] = postedPoll{TS: ts, Buttons: voteButtons(t, c.Form.Get("blocks"))}
	}
	if len(posts) != 3 || len(cards) != 3 {
		t.Fatalf("card posted %d times in %d workspaces, want once in each of 3", len(posts), len(cards))
	}
	if msgs, err := e.db.PollMessages(context.Background(), 1); err != nil || len(msgs) != 1 {
		t.Fatalf("poll messages %+v %v", msgs, err)
	}
	// Voter i clicks in workspace i: home, T0OTHER, T0PARTNER.
	teams := []struct{ team, channel string }{{"", stormChannel}, {"T0OTHER", "C0OTHERCOM"}, {"T0PARTNER", "C0PARTNERCOM"}}
	for i, w := range teams {
		p := cards[w.team]
		p.ID = 1
		payload := clickPayload(t, p, stormVoter(i), p.Buttons[i%2], i)
		if w.team != "" {
			payload["team"] = map[string]any{"id": w.team, "domain": strings.ToLower(w.team)}
			payload["user"].(map[string]any)["team_id"] = w.team
			payload["channel"] = map[string]any{"id": w.channel, "name": "community"}
			payload["container"].(map[string]any)["channel_id"] = w.channel
			payload["response_url"] = fmt.Sprintf("https://hooks.slack.com/actions/%s/%d/x", w.team, i)
		}
		b, _ := json.Marshal(payload)
		if resp := e.send("/slack/interactions", formType, url.Values{"payload": {string(b)}}.Encode()); resp.StatusCode != http.StatusOK {
			t.Fatalf("click in %q: %d", w.team, resp.StatusCode)
		}
	}
	if got := e.storedVoters(1); got != 3 {
		t.Fatalf("%d voters stored, want 3 (one per workspace)", got)
	}
	e.a.Close()
	e.svc.Close() // the pending card updates are sent
	for _, w := range teams {
		var last *slacktest.Call
		for _, c := range e.fake.Calls("chat.update") {
			if c.Form.Get("channel") == w.channel && c.Form.Get("ts") == cards[w.team].TS {
				last = &c
			}
		}
		if last == nil {
			t.Errorf("the card in %q (%s) was never updated", w.team, w.channel)
			continue
		}
		if want := map[string]string{"": "xoxb-test", "T0OTHER": "xoxb-other", "T0PARTNER": "xoxb-partner"}[w.team]; last.Token != want {
			t.Errorf("card in %q updated with %q, want %q", w.team, last.Token, want)
		}
		for _, want := range []string{"3 of 3 members voted", "3 membres sur 3 ont voté", "\n2 votes, 67%", "\n1 vote, 33%"} {
			if !strings.Contains(last.Form.Get("text"), want) {
				t.Errorf("card in %q: final text lacks %q:\n%s", w.team, want, last.Form.Get("text"))
			}
		}
	}
}

// TestPostKeyedLooksBeforePostingAgain: PostKeyed itself, called again
// after a lost answer in one workspace (without the ledger's look-up
// first: another process, a crash between attempt and answer), finds that
// workspace's copy in its channel and does not post it twice, while a
// workspace whose post was refused gets its copy.
func TestPostKeyedLooksBeforePostingAgain(t *testing.T) {
	e := newEnv(t, withInstalls(t))
	e.installPartners()
	e.fake.LoseAnswer(slacktest.ForToken("chat.postMessage", "xoxb-partner"))
	e.fake.Fail(slacktest.ForToken("chat.postMessage", "xoxb-other"), http.StatusServiceUnavailable, "")
	ctx := context.Background()
	r := handlers.Reply{Kind: "reminder", Lang: "en", Text: "The meeting starts in an hour", Visibility: handlers.InChannel}
	if _, err := e.a.PostKeyed(ctx, "reminder:1:1h", r); err == nil || !handlers.Unsettled(err) {
		t.Fatalf("first attempt: %v", err)
	}
	ref, err := e.a.PostKeyed(ctx, "reminder:1:1h", r)
	if err != nil || ref.Channel != "C0COMMUNITY" {
		t.Fatalf("second attempt: %+v %v", ref, err)
	}
	e.a.Close()
	want := map[string]int{"xoxb-test C0COMMUNITY": 1, "xoxb-other C0OTHERCOM": 2, "xoxb-partner C0PARTNERCOM": 1}
	if got := e.postsBy(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("posts %v, want %v", got, want)
	}
	copies, err := e.db.SlackPosts(ctx, "reminder:1:1h")
	if err != nil || len(copies) != 3 || !copies["T0PARTNER"].Sent || !copies["T0OTHER"].Sent || !copies[""].Sent {
		t.Errorf("copies %+v %v", copies, err)
	}
}

// TestPostReachesEveryWorkspace: an unkeyed community post (a poll's
// reminder in the channel) goes to every workspace's channel with its
// token, and names each copy.
func TestPostReachesEveryWorkspace(t *testing.T) {
	e := newEnv(t, withInstalls(t))
	e.installPartners()
	refs, err := e.a.Post(context.Background(), handlers.Reply{Kind: "poll", Lang: "en", Text: "Two days left to vote",
		Visibility: handlers.InChannel})
	if err != nil || len(refs) != 3 || refs[0].Channel != "C0COMMUNITY" || refs[1].Channel != "C0OTHERCOM" || refs[2].Channel != "C0PARTNERCOM" {
		t.Fatalf("refs %+v %v", refs, err)
	}
	e.a.Close()
	want := map[string]int{"xoxb-test C0COMMUNITY": 1, "xoxb-other C0OTHERCOM": 1, "xoxb-partner C0PARTNERCOM": 1}
	if got := e.postsBy(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("posts %v, want %v", got, want)
	}
}

// TestDeadTokenEndsTheWorkspace: a workspace whose token Slack refuses as
// revoked (copbot was removed while down, so app_uninstalled never came)
// is treated as uninstalled at the first refused post: its token is
// deleted and audited, and the ledger's retry completes without it instead
// of trying it again and again.
func TestDeadTokenEndsTheWorkspace(t *testing.T) {
	e := newEnv(t, withInstalls(t))
	e.installPartners()
	e.svc.SetPoster(e.a)
	e.fake.Refuse(slacktest.ForToken("chat.postMessage", "xoxb-partner"), "token_revoked")
	ctx := context.Background()
	r := handlers.Reply{Kind: "announcement", Lang: "en", Text: "Quarterly meeting", Visibility: handlers.InChannel}
	if _, err := e.svc.PostOnce(ctx, "announce:9", r); err == nil {
		t.Fatal("first run: no error for the refused workspace")
	}
	if refs, err := e.svc.PostOnce(ctx, "announce:9", r); err != nil || len(refs) != 1 {
		t.Fatalf("retry: %+v %v", refs, err)
	}
	e.a.Close()
	want := map[string]int{"xoxb-test C0COMMUNITY": 1, "xoxb-other C0OTHERCOM": 1, "xoxb-partner C0PARTNERCOM": 1}
	if got := e.postsBy(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("posts %v, want %v (the dead token tried once)", got, want)
	}
	for _, in := range e.installs() {
		if in.TeamID == "T0PARTNER" {
			t.Errorf("the workspace with a dead token is still installed")
		}
	}
	log, err := e.db.FindAudit(ctx, storage.AuditFilter{Action: storage.AuditSlackUninstall})
	if err != nil || len(log) != 1 || log[0].Detail["why"] != "refused:token_revoked" {
		t.Errorf("audit %+v %v", log, err)
	}
}

// TestChannelSetLaterIsUsed: a workspace installed without picking a
// channel gets no community posts; once its channel is set in the store
// (`copbot slack channel`, while copbot serves), the next post goes there
// with the workspace's token, without a restart.
func TestChannelSetLaterIsUsed(t *testing.T) {
	e := newEnv(t, withInstalls(t))
	e.install("T0PARTNER", "xoxb-partner", "")
	ctx := context.Background()
	r := handlers.Reply{Kind: "announcement", Lang: "en", Text: "Quarterly meeting", Visibility: handlers.InChannel}
	if _, err := e.a.PostKeyed(ctx, "announce:1", r); err != nil {
		t.Fatal(err)
	}
	if err := e.db.SetSlackChannel(ctx, "T0PARTNER", "C0LATER"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.a.PostKeyed(ctx, "announce:2", r); err != nil {
		t.Fatal(err)
	}
	e.a.Close()
	want := map[string]int{"xoxb-test C0COMMUNITY": 2, "xoxb-partner C0LATER": 1}
	if got := e.postsBy(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("posts %v, want %v", got, want)
	}
}
