package slackbot

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"copbot/bot/internal/replygen"
	"copbot/bot/slackbot/slacktest"
	"copbot/handlers"
	"copbot/storage"
)

// The budget: every message copbot sends is one Slack accepts (blocks,
// characters per block, about 12,000 characters of block text, 40,000 of
// text), and whatever does not fit is named in a note and sent whole as a
// file. Checked on generated replies and on real ones from a seeded
// community, with slacktest's own, independent reading of Slack's limits.

// checkBudget fails t when m is not a message Slack accepts, or when a
// piece of r's content is neither in it nor, with a note saying so, in
// its overflow file.
func checkBudget(t *testing.T, name string, r handlers.Reply, m rendered, s surface) {
	t.Helper()
	raw, err := json.Marshal(m.blocks)
	if err != nil {
		t.Fatal(err)
	}
	kind := slacktest.MessageSurface
	if s == viewSurface {
		kind = slacktest.ViewSurface
	}
	if problems, _ := slacktest.BlockProblems(raw, kind); len(problems) > 0 {
		t.Errorf("%s: Slack would refuse it: %v", name, problems[:min(3, len(problems))])
	}
	if strings.ContainsAny(string(raw)+m.text, "\ufdd0\ufdd1") ||
		m.overflow != nil && strings.ContainsAny(string(m.overflow.Data), "\ufdd0\ufdd1") {
		t.Errorf("%s: the marks of user text reach Slack", name)
	}
	if n := utf8.RuneCountInString(m.text); n > slacktest.MaxText {
		t.Errorf("%s: text of %d characters, Slack cuts it at %d", name, n, slacktest.MaxText)
	}
	var file string
	if m.overflow != nil {
		file = string(m.overflow.Data)
		last, ok := m.blocks[len(m.blocks)-1].(*slack.ContextBlock)
		if !ok || !strings.Contains(unescape(last.ContextElements.Elements[0].(*slack.TextBlockObject).Text), m.overflow.Name) {
			t.Errorf("%s: overflowed without a last note naming %s", name, m.overflow.Name)
		}
	}
	// The file holds the text in the reply's order, then the buttons: a
	// cursor in each keeps the search linear.
	if piece, lost := replygen.Missing(r, shownText(m.blocks), file); lost {
		t.Errorf("%s: %q is lost: neither shown nor in a file", name, replygen.Clip(piece))
	}
}

// shownText is every text of the blocks, unescaped.
func shownText(blocks []slack.Block) string {
	var b strings.Builder
	add := func(t *slack.TextBlockObject) {
		if t != nil {
			b.WriteString(unescape(t.Text) + "\n")
		}
	}
	for _, bl := range blocks {
		switch bl := bl.(type) {
		case *slack.HeaderBlock:
			add(bl.Text)
		case *slack.SectionBlock:
			add(bl.Text)
			for _, f := range bl.Fields {
				add(f)
			}
		case *slack.ContextBlock:
			for _, e := range bl.ContextElements.Elements {
				add(e.(*slack.TextBlockObject))
			}
		case *slack.ActionBlock:
			for _, e := range bl.Elements.ElementSet {
				add(e.(*slack.ButtonBlockElement).Text)
			}
		}
	}
	return b.String()
}

// unescaper undoes escape: the entities, and the look-alikes that stand in
// for formatting characters in user text (the generated text has none of
// its own).
var unescaper = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&",
	"\u2217", "*", "\u02cd", "_", "\u223c", "~", "\u02cb", "`")

func unescape(s string) string { return unescaper.Replace(s) }

// TestBudgetOnGeneratedReplies: no generated reply renders past a limit or
// loses a word without saying so, as a message or as a view.
func TestBudgetOnGeneratedReplies(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(15, 2))
	// Rendering is pure: the race detector finds little here, and 200
	// replies under it cost over a minute of CI, so it checks 20.
	overflowed, n := 0, 200
	if raceSlowdown > 1 {
		n = 20
	}
	for i := range n {
		r := replygen.Random(rng)
		m := testRender(r, messageSurface)
		checkBudget(t, fmt.Sprintf("reply %d", i), r, m, messageSurface)
		if m.overflow != nil {
			overflowed++
		}
		v := testRender(r, viewSurface)
		checkBudget(t, fmt.Sprintf("view %d", i), r, v, viewSurface)
	}
	if overflowed == 0 || overflowed == n {
		t.Errorf("%d of %d replies overflowed: the generator does not test both paths", overflowed, n)
	}
}

// TestBudgetOnCommunityReplies renders real answers over a community with
// long names and titles full of formatting characters, and a 200-voter
// poll export.
func TestBudgetOnCommunityReplies(t *testing.T) {
	t.Parallel()
	e := newStormEnv(t, 200)
	ctx := context.Background()
	for i := range 120 {
		in := marie()
		in.Name = fmt.Sprintf("%s *Marie* _%d_ ~Tremblay~ ``` %s", strings.Repeat("Long Name ", 8), i, strings.Repeat("é", 40))
		in.Title = strings.Repeat("Director <of> Very & Long Titles ", 5)
		in.Email = fmt.Sprintf("m%d@ontario.ca", i)
		e.join(in)
	}
	poll := e.postPoll("Accessibility technology in contact centres", "Serving vulnerable communities")
	ms, _, err := e.db.FindMembers(ctx, storage.MemberFilter{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.db.PollByID(ctx, poll.ID)
	if err != nil {
		t.Fatal(err)
	}
	votes := 0
	for i, m := range ms {
		if m.SlackID == "" || votes == 200 {
			continue
		}
		if _, err := e.db.Vote(ctx, p.ID, m.ID, p.Options[i%2].ID); err != nil {
			t.Fatal(err)
		}
		votes++
	}
	for _, cmd := range []string{"who Ontario", "who", "stats", "gaps", "help", "aide", "polls", "meetings",
		fmt.Sprintf("poll %d", poll.ID), fmt.Sprintf("poll export %d", poll.ID)} {
		r := e.svc.Handle(ctx, slackReq(stormCoordinator, cmd))
		checkBudget(t, cmd, r, e.a.message(r), messageSurface)
	}
	checkBudget(t, "home", e.svc.Home(ctx, slackReq(stormCoordinator, "")),
		testRender(e.svc.Home(ctx, slackReq(stormCoordinator, "")), viewSurface), viewSurface)
}
