package consolebot

import (
	"strings"

	"copbot/handlers"
)

// RenderText renders a reply as plain text for terminals and logs. Buttons
// cannot be clicked in a terminal, so they are listed as hints; forms fall
// back to the reply's Text, which explains the one-line command. Control
// characters, bidi overrides and broken UTF-8 that a reply echoes from
// what someone typed are shown as U+FFFD, so that no escape sequence
// reaches the terminal.
func RenderText(r handlers.Reply) string { return terminalSafe(handlers.Unmark(renderText(r))) }

// terminalSafe replaces in s what a terminal would act on or reorder
// rather than show: C0 controls but line feed and tab, DEL, C1 controls,
// bidi embeddings, overrides and isolates, invalid UTF-8.
func terminalSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case r < 0x20 || (r >= 0x7F && r <= 0x9F), r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
			return '\uFFFD'
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

func renderText(r handlers.Reply) string {
	if len(r.Blocks) == 0 {
		return ensureNewline(r.Text)
	}
	var b strings.Builder
	for i, blk := range r.Blocks {
		if _, ok := blk.(handlers.Header); ok && i > 0 {
			b.WriteString("\n") // a header starts a new part
		}
		renderTextBlock(&b, r.Lang, r.Plain, blk)
	}
	return ensureNewline(strings.TrimRight(b.String(), "\n"))
}

// renderTextBlock writes one block. A plain reply (the reader asked for
// plain replies: a screen reader reads a rule of "=" signs one by one)
// gets no underline under its headers.
func renderTextBlock(b *strings.Builder, lang string, plain bool, blk handlers.Block) {
	switch v := blk.(type) {
	case handlers.Header:
		b.WriteString(v.Text + "\n")
		if !plain {
			b.WriteString(strings.Repeat("=", runeLen(handlers.Unmark(v.Text))) + "\n")
		}
	case handlers.Section:
		if v.Text != "" {
			b.WriteString(v.Text + "\n")
		}
		for _, f := range v.Fields {
			b.WriteString("  " + handlers.FieldLine(lang, f.Label, f.Value) + "\n")
		}
	case handlers.Context:
		b.WriteString("  " + v.Text + "\n")
	case handlers.Divider:
		b.WriteString("—\n")
	case handlers.Time:
		b.WriteString(v.Prefix + v.Fallback + "\n")
	case handlers.Actions:
		renderTextButtons(b, v.Buttons)
	}
}

func renderTextButtons(b *strings.Builder, buttons []handlers.Button) {
	var labels []string
	for _, btn := range buttons {
		l := "[" + btn.Label + "]"
		if btn.URL != "" {
			l += " " + btn.URL
		}
		labels = append(labels, l)
	}
	if len(labels) > 0 {
		b.WriteString("  " + strings.Join(labels, " ") + "\n")
	}
}

func runeLen(s string) int { return len([]rune(s)) }

func ensureNewline(s string) string {
	if s == "" || strings.HasSuffix(s, "\n") {
		return s
	}
	return s + "\n"
}
