package slackbot

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

const barGlyphs = "░█▏▎▍▌▋▊▉"

// TestPollAccessibleInSlack (issue 11, item 6): the poll card Slack gets
// carries a text fallback and no glyph bars, in its blocks or its text;
// a member with plain replies gets their poll view in words; every golden
// reply carries a text fallback.
func TestPollAccessibleInSlack(t *testing.T) {
	e := goldenEnv(t)
	e.svc.SetPoster(e.a)
	ctx := context.Background()
	r := e.svc.Handle(ctx, slackReq("U0COORD", "poll \"Theme for March? / Thème de mars\u202f?\" \"Accessibility / Accessibilité\" \"Wellness / Mieux-être\""))
	if r.Kind != "poll_created" {
		t.Fatalf("poll: %s %q", r.Kind, r.Text)
	}
	e.svc.Handle(ctx, slackReq("U0EN", "vote 1 2"))
	e.svc.Flush()
	e.svc.Handle(ctx, slackReq("U0EN", "preferences plain on"))
	var cards []string
	for _, m := range []string{"chat.postMessage", "chat.update"} {
		for _, c := range e.fake.Calls(m) {
			cards = append(cards, c.Form.Get("text")+"\n"+c.Form.Get("blocks"))
			if strings.TrimSpace(c.Form.Get("text")) == "" {
				t.Errorf("%s without a text fallback: %v", m, c.Form)
			}
		}
	}
	if len(cards) < 2 {
		t.Fatalf("%d card posts and updates, want the post and an update", len(cards))
	}
	for _, c := range cards {
		if strings.ContainsAny(c, barGlyphs) {
			t.Errorf("card has glyph bars:\n%s", c)
		}
	}
	if last := cards[len(cards)-1]; !strings.Contains(last, "1 vote, 100%") {
		t.Errorf("last card lacks the count in words:\n%s", last)
	}
	for lang, user := range map[string]string{"en": "U0EN", "fr": "U0FR"} {
		msg := renderMessage(e.svc.Handle(ctx, slackReq(user, "poll 1")))
		doc, _ := json.Marshal(msg)
		plain := lang == "en"
		if strings.ContainsAny(string(doc), barGlyphs) == plain || msg.Text == "" {
			t.Errorf("%s poll view (plain %v): bars %v, text %q", lang, plain, !plain, msg.Text)
		}
		golden(t, "poll_detail_plain_"+map[bool]string{true: "on", false: "off"}[plain]+"."+lang, msg)
	}
}

// TestEveryMessageHasTextFallback: Slack shows a message's text in
// notifications and screen readers read it; no rendered reply lacks it.
func TestEveryMessageHasTextFallback(t *testing.T) {
	e := goldenEnv(t)
	ctx := context.Background()
	for _, text := range []string{"help", "aide", "who Ontario", "stats", "gaps", "profile", "meetings", "polls", "frobnicate"} {
		msg := renderMessage(e.svc.Handle(ctx, slackReq("U0EN", text)))
		if strings.TrimSpace(msg.Text) == "" {
			t.Errorf("%q renders without a text fallback", text)
		}
	}
}
