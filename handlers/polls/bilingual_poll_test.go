package polls

import (
	"strings"
	"testing"

	"copbot/handlers"
)

// TestPollShowsReadersHalf: a poll written "English / français" shows the
// reader's half in everything said to one person — the poll's detail
// (question, options and vote buttons), the ballot form of an anonymous
// poll, the vote confirmation — while the channel's bilingual card keeps
// both halves.
func TestPollShowsReadersHalf(t *testing.T) {
	e := newPtEnv(t)
	e.join("en1", "Alex", "en")
	e.join("fr1", "Marie", "fr")
	p := e.create(`"Theme for March? / Thème de mars ?" "Wellness of agents / Le bien-être des agents" "Open data / Les données ouvertes"`)
	e.create(`"Which days? / Quels jours ?" "Monday / Le lundi" "Friday / Le vendredi" "Sunday / Le dimanche" --anonymous --votes 2`)
	for _, tt := range []struct {
		who        string
		lang       []string // reader's halves
		other      []string // the other language's
		detail, of string
	}{
		{"en1", []string{"Theme for March?", "1. Wellness of agents", "2. Open data", "1. Monday"},
			[]string{"Thème de mars", "bien-être", "données", "lundi"}, "poll", "poll"},
		{"fr1", []string{"Thème de mars", "1. Le bien-être des agents", "2. Les données ouvertes", "1. Le lundi"},
			[]string{"Theme for March", "Wellness", "Open data", "Monday"}, "sondage", "sondage"},
	} {
		who := ptUser(tt.who)
		detail := handlers.UnmarkReply(e.ask(who, tt.detail+" 1"))
		var seen []string
		seen = append(seen, detail.Text)
		for _, b := range ptButtons(detail) {
			seen = append(seen, b.Label)
		}
		ballot := handlers.UnmarkReply(e.click(who, "poll_ballot", "2"))
		if ballot.Form == nil {
			t.Fatalf("%s: no ballot form: %q", tt.who, ballot.Text)
		}
		for _, o := range ballot.Form.Fields[0].Options {
			seen = append(seen, o.Label)
		}
		vote := handlers.UnmarkReply(e.click(who, "poll_vote", voteValue(p, 1)))
		seen = append(seen, vote.Text)
		all := strings.Join(seen, "\n")
		for _, w := range tt.lang {
			if !strings.Contains(all, w) {
				t.Errorf("%s lacks %q:\n%s", tt.who, w, all)
			}
		}
		for _, w := range tt.other {
			if strings.Contains(all, w) {
				t.Errorf("%s sees the other language's %q:\n%s", tt.who, w, all)
			}
		}
		labels := []string{}
		for _, b := range ptButtons(detail) {
			labels = append(labels, b.Label)
		}
		if len(labels) < 2 || !strings.Contains(handlers.Unmark(labels[0]), tt.lang[1]) {
			t.Errorf("%s: detail buttons %q", tt.who, labels)
		}
	}
	card := handlers.UnmarkReply(e.f.pollCard(e.poll(p.ID), pollView{}))
	for _, w := range []string{"Theme for March? / Thème de mars ?", "Wellness of agents / Le bien-être des agents"} {
		if !strings.Contains(card.Text, w) {
			t.Errorf("channel card lacks %q whole:\n%s", w, card.Text)
		}
	}
}
