// Package replygen makes neutral replies for the adapters' budget tests
// (random ones, of every block, past every platform limit) and lists what
// a reader must find of one. It is for tests.
package replygen

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"unicode"

	"copbot/bot/internal/replytext"
	"copbot/handlers"
)

// Random makes a reply of random blocks: lengths from nothing to
// several times Slack's caps, counts past 50, text full of &<>*_~`, accents
// and characters outside the BMP, half of it marked as typed by a person
// (handlers.User).
func Random(rng *rand.Rand) handlers.Reply {
	alphabet := []rune("abc DEF &<>*_~`\n\té€😀«»|")
	text := func(max int) string {
		n := rng.IntN(max + 1)
		r := make([]rune, n)
		for i := range r {
			r[i] = alphabet[rng.IntN(len(alphabet))]
		}
		if rng.IntN(2) == 0 {
			return handlers.User(string(r))
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
	r.Text = replytext.Text(r)
	return r
}

// Content lists the texts of a reply a reader must be able to find, in
// order, and the labels of its buttons, as a reader sees them (without the
// marks of user text).
func Content(r handlers.Reply) (texts, labels []string) {
	defer func() {
		for _, list := range [][]string{texts, labels} {
			for i, s := range list {
				list[i] = handlers.Unmark(s)
			}
		}
	}()
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

// Squash drops white space, where splitting may cut, and reads '|' as '/'
// (a time's fallback cannot hold a '|').
func Squash(s string) string {
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

// Clip shortens s for a test message.
func Clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// Missing returns a piece of r's content that a reader finds neither in
// shown, the text a message shows, nor in file, the overflow file's text
// ("" when there is none), and whether there is one. White space is
// ignored (splitting may cut there). Texts are looked for in the reply's
// order, which keeps the search linear; a button label may also be shown
// out of order (a long one is written out above its row).
func Missing(r handlers.Reply, shown, file string) (string, bool) {
	shown, file = Squash(shown), Squash(file)
	texts, labels := Content(r)
	for k, list := range [][]string{texts, labels} {
		seen, kept, isLabels := 0, 0, k == 1
		for _, piece := range list {
			p := Squash(piece)
			if p == "" {
				continue
			}
			if i := strings.Index(shown[seen:], p); i >= 0 {
				seen += i + len(p)
				continue
			}
			if isLabels && strings.Contains(shown, p) {
				continue
			}
			i := strings.Index(file[kept:], p)
			if i < 0 {
				return piece, true
			}
			kept += i + len(p)
		}
	}
	return "", false
}
