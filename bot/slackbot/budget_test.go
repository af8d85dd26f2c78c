package slackbot

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/slack-go/slack"

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
	if n := utf8.RuneCountInString(m.text); n > slacktest.MaxText {
		t.Errorf("%s: text of %d characters, Slack cuts it at %d", name, n, slacktest.MaxText)
	}
	shown := squash(shownText(m.blocks))
	var file string
	if m.overflow != nil {
		file = squash(string(m.overflow.Data))
		last, ok := m.blocks[len(m.blocks)-1].(*slack.ContextBlock)
		if !ok || !strings.Contains(unescape(last.ContextElements.Elements[0].(*slack.TextBlockObject).Text), m.overflow.Name) {
			t.Errorf("%s: overflowed without a last note naming %s", name, m.overflow.Name)
		}
	}
	// The file holds the text in the reply's order, then the buttons: a
	// cursor in each keeps the search linear.
	// Texts are shown in the reply's order, and the file holds them in that
	// order too, then the buttons: cursors keep the search linear.
	texts, labels := content(r)
	for _, list := range [][]string{texts, labels} {
		seen, kept := 0, 0
		for _, piece := range list {
			p := squash(piece)
			if p == "" {
				continue
			}
			if i := strings.Index(shown[seen:], p); i >= 0 {
				seen += i + len(p)
				continue
			}
			if len(list) == len(labels) && strings.Contains(shown, p) { // a long label is listed above its row
				continue
			}
			i := strings.Index(file[kept:], p)
			if i < 0 {
				t.Errorf("%s: %q is lost: neither shown nor in a file", name, clip(piece))
				return
			}
			kept += i + len(p)
		}
	}
}

// content lists the texts of a reply a reader must be able to find, in
// order, and the labels of its buttons.
func content(r handlers.Reply) (texts, labels []string) {
	for _, b := range r.Blocks {
		switch b := b.(type) {
		case handlers.Header:
			texts = append(texts, b.Text)
		case handlers.Section:
			texts = append(texts, strings.Split(b.Text, "\n")...)
			for _, f := range b.Fields {
				texts = append(texts, strings.ReplaceAll(f.Label, "*", ""), f.Value)
			}
		case handlers.Context:
			texts = append(texts, strings.Split(b.Text, "\n")...)
		case handlers.Actions:
			for _, btn := range b.Buttons {
				labels = append(labels, btn.Label)
			}
		case handlers.Time:
			texts = append(texts, b.Prefix, b.Fallback)
		}
	}
	if len(r.Blocks) == 0 {
		texts = append(texts, strings.Split(r.Text, "\n")...)
	}
	return texts, labels
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

var unescaper = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")

func unescape(s string) string { return unescaper.Replace(s) }

// squash drops white space, where splitting may cut, and reads '|' as '/'
// (a time's fallback cannot hold a '|').
func squash(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return -1
		case r == '|':
			return '/'
		}
		return r
	}, s)
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// randomReply makes a reply of random blocks: lengths from nothing to
// several times Slack's caps, counts past 50, text full of &<>*_~`, accents
// and characters outside the BMP.
func randomReply(rng *rand.Rand) handlers.Reply {
	alphabet := []rune("abc DEF &<>*_~`\n\té€😀«»|")
	text := func(max int) string {
		n := rng.IntN(max + 1)
		r := make([]rune, n)
		for i := range r {
			r[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return string(r)
	}
	long := func() int { return []int{20, 200, 3500, 7000}[rng.IntN(4)] }
	r := handlers.Reply{Kind: "random", Lang: "en"}
	for range rng.IntN(90) {
		switch rng.IntN(6) {
		case 0:
			r.Blocks = append(r.Blocks, handlers.Header{Text: text(long())})
		case 1:
			var fields []handlers.Field
			for range rng.IntN(14) {
				fields = append(fields, handlers.Field{Label: strings.ReplaceAll(text(40), "*", ""), Value: text(long())})
			}
			r.Blocks = append(r.Blocks, handlers.Section{Text: text(long()), Fields: fields})
		case 2:
			r.Blocks = append(r.Blocks, handlers.Context{Text: text(long())})
		case 3:
			var buttons []handlers.Button
			for i := range rng.IntN(30) {
				buttons = append(buttons, handlers.Button{ActionID: "poll_vote", Label: text(120) + fmt.Sprint(i), Value: fmt.Sprint(i)})
			}
			r.Blocks = append(r.Blocks, handlers.Actions{Buttons: buttons})
		case 4:
			r.Blocks = append(r.Blocks, handlers.Divider{})
		case 5:
			r.Blocks = append(r.Blocks, handlers.Time{Prefix: text(40), Unix: 1773853200, Fallback: text(60)})
		}
	}
	r.Text = plainText(r.Lang, r.Blocks)
	return r
}

// TestBudgetOnGeneratedReplies: no generated reply renders past a limit or
// loses a word without saying so, as a message or as a view.
func TestBudgetOnGeneratedReplies(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(15, 2))
	overflowed, n := 0, 200/raceSlowdown
	for i := range n {
		r := randomReply(rng)
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
