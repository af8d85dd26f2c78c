// Package replytext writes a neutral reply out as plain text, for the
// adapters that must hand over a reply too long for one of their messages
// as a file: the text a reader would have seen, nothing left out.
package replytext

import (
	"strings"

	"copbot/handlers"
)

// Text is r's plain text: its Text, or, when it has none, its blocks
// written out (headers, paragraphs, "Label: value" fields, small print,
// times in the community's zone). What people typed keeps its marks
// (handlers.User), for the renderer to escape.
func Text(r handlers.Reply) string {
	if r.Text != "" {
		return r.Text
	}
	var lines []string
	for _, b := range r.Blocks {
		switch b := b.(type) {
		case handlers.Header:
			lines = append(lines, b.Text)
		case handlers.Section:
			lines = append(lines, b.Text)
			for _, f := range b.Fields {
				lines = append(lines, handlers.FieldLine(r.Lang, f.Label, f.Value))
			}
		case handlers.Context:
			lines = append(lines, b.Text)
		case handlers.Time:
			lines = append(lines, b.Prefix+b.Fallback)
		}
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// File is the whole of r as a UTF-8 text file named after its kind
// ("copbot-directory.txt"): its text, then the labels of its buttons, with
// the address of a link.
func File(r handlers.Reply) *handlers.File {
	kind := r.Kind
	if kind == "" {
		kind = "reply"
	}
	lines := []string{handlers.Unmark(Text(r))}
	for _, b := range r.Blocks {
		if a, ok := b.(handlers.Actions); ok {
			for _, btn := range a.Buttons {
				lines = append(lines, strings.TrimSpace("["+handlers.Unmark(btn.Label)+"] "+btn.URL))
			}
		}
	}
	return &handlers.File{Name: "copbot-" + kind + ".txt", MIME: "text/plain; charset=utf-8",
		Data: []byte(strings.Join(lines, "\n") + "\n")}
}
