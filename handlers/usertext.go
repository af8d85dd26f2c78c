package handlers

import (
	"strings"
	"unicode/utf8"
)

// What people typed (names, titles, organizations, poll questions and
// options, key points) travels through the reply model marked as theirs,
// so that each renderer shows it as typed: a name full of *, _, ~ or
// backticks never turns into bold, strike-through or a code block. The
// catalogs' own formatting (`code` spans around commands) is outside the
// marks and still renders.
//
// The marks are two Unicode noncharacters, which Unicode sets aside for a
// program's internal use: they pass through the catalogs' templates and
// French typography untouched, and no one can type them (see User).
// Renderers read the runs with Spans; every other output (the console,
// e-mail, files, the calendar, the report) takes Unmark.
const (
	userOpen  = '\ufdd0'
	userClose = '\ufdd1'
)

// User marks s as text a person typed. Marks already in s are dropped, so
// text cannot open or close a run itself.
func User(s string) string {
	if s == "" {
		return ""
	}
	return string(userOpen) + Unmark(s) + string(userClose)
}

// Span is a run of a reply's text: the catalog's (formatting renders) or
// a person's (shown as typed).
type Span struct {
	Text string
	User bool
}

// Spans cuts s into its runs, marks removed, in order; adjacent runs of
// one kind are joined. A run whose mark was cut off (text split in two)
// ends at the end of s or starts at its beginning.
func Spans(s string) []Span {
	const marks = string(userOpen) + string(userClose)
	if !strings.ContainsAny(s, marks) {
		if s == "" {
			return nil
		}
		return []Span{{Text: s}}
	}
	if !utf8.ValidString(s) {
		s = string([]rune(s)) // each invalid byte reads as U+FFFD, as ranging over s does
	}
	var out []Span
	user := startsInUser(s)
	add := func(text string) { // a slice of s: no copy unless two runs of one kind meet
		if text == "" {
			return
		}
		if n := len(out); n > 0 && out[n-1].User == user {
			out[n-1].Text += text
		} else {
			out = append(out, Span{Text: text, User: user})
		}
	}
	for {
		i := strings.IndexAny(s, marks)
		if i < 0 {
			add(s)
			return out
		}
		add(s[:i])
		r, size := utf8.DecodeRuneInString(s[i:])
		user = r == userOpen
		s = s[i+size:]
	}
}

// startsInUser reports whether s begins inside a person's run: its first
// mark closes one.
func startsInUser(s string) bool {
	for _, r := range s {
		switch r {
		case userOpen:
			return false
		case userClose:
			return true
		}
	}
	return false
}

// Unmark is s as a reader sees it: the text with the marks removed.
func Unmark(s string) string {
	if !strings.ContainsAny(s, string(userOpen)+string(userClose)) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r == userOpen || r == userClose {
			return -1
		}
		return r
	}, s)
}

// TextLen is the number of characters a reader sees in s.
func TextLen(s string) int { return utf8.RuneCountInString(Unmark(s)) }

// UnmarkReply is r as a reader sees it, every text unmarked: for outputs
// that show text as it is, and for tests that check what a reader reads.
func UnmarkReply(r Reply) Reply {
	r.Text = Unmark(r.Text)
	if r.Blocks != nil {
		blocks := make([]Block, len(r.Blocks))
		for i, b := range r.Blocks {
			blocks[i] = unmarkBlock(b)
		}
		r.Blocks = blocks
	}
	if r.Form != nil {
		f := *r.Form
		f.Title = Unmark(f.Title)
		f.Fields = append([]FormField(nil), f.Fields...)
		for i, ff := range f.Fields {
			ff.Label, ff.Hint, ff.Initial = Unmark(ff.Label), Unmark(ff.Hint), Unmark(ff.Initial)
			ff.Options = append([]Option(nil), ff.Options...)
			for j, o := range ff.Options {
				ff.Options[j].Label = Unmark(o.Label)
			}
			f.Fields[i] = ff
		}
		r.Form = &f
	}
	return r
}

func unmarkBlock(b Block) Block {
	switch b := b.(type) {
	case Header:
		b.Text = Unmark(b.Text)
		return b
	case Section:
		b.Text = Unmark(b.Text)
		if b.Fields != nil {
			fields := make([]Field, len(b.Fields))
			for i, f := range b.Fields {
				fields[i] = Field{Label: Unmark(f.Label), Value: Unmark(f.Value)}
			}
			b.Fields = fields
		}
		return b
	case Actions:
		buttons := append([]Button(nil), b.Buttons...)
		for i := range buttons {
			buttons[i].Label = Unmark(buttons[i].Label)
		}
		return Actions{Buttons: buttons}
	case Context:
		b.Text = Unmark(b.Text)
		return b
	case Time:
		b.Prefix, b.Fallback = Unmark(b.Prefix), Unmark(b.Fallback)
		return b
	}
	return b
}
