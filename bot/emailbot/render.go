package emailbot

import (
	"html"
	"strings"

	"copbot/handlers"
)

// Render writes a neutral reply as the two readable alternatives of an
// email: plain text, and simple HTML with every piece of text escaped.
// Link buttons become links; other buttons, which need a chat to click,
// are left out (the messages name the typed command instead). In a reply
// in both languages (Lang "en+fr"), the part after the divider is French.
func Render(r handlers.Reply) (text, htmlBody string) {
	r = handlers.UnmarkReply(r)
	if len(r.Blocks) == 0 {
		return strings.TrimSpace(r.Text) + "\n", "<!DOCTYPE html>\n<html><body><p>" + paragraph(r.Text) + "</p></body></html>\n"
	}
	lang := r.Lang
	if lang == "en+fr" {
		lang = "en"
	}
	var t, h strings.Builder
	h.WriteString("<!DOCTYPE html>\n<html lang=\"" + lang + "\"><head><meta charset=\"utf-8\"></head>" +
		"<body style=\"font-family:sans-serif;max-width:40em\">\n")
	for _, blk := range r.Blocks {
		switch b := blk.(type) {
		case handlers.Header:
			t.WriteString("\n" + b.Text + "\n")
			h.WriteString("<h2>" + html.EscapeString(b.Text) + "</h2>\n")
		case handlers.Section:
			if b.Text != "" {
				t.WriteString(b.Text + "\n")
				h.WriteString("<p>" + paragraph(b.Text) + "</p>\n")
			}
			for _, f := range b.Fields {
				t.WriteString(handlers.FieldLine(lang, f.Label, f.Value) + "\n")
				h.WriteString("<p><strong>" + html.EscapeString(f.Label) + "</strong><br>" + paragraph(f.Value) + "</p>\n")
			}
		case handlers.Context:
			t.WriteString(b.Text + "\n")
			h.WriteString("<p style=\"color:#555;font-size:90%\">" + paragraph(b.Text) + "</p>\n")
		case handlers.Time:
			t.WriteString(b.Prefix + b.Fallback + "\n")
			h.WriteString("<p>" + html.EscapeString(b.Prefix+b.Fallback) + "</p>\n")
		case handlers.Divider:
			if r.Lang == "en+fr" {
				lang = "fr"
			}
			t.WriteString("\n—\n")
			h.WriteString("<hr>\n")
		case handlers.Actions:
			for _, btn := range b.Buttons {
				if btn.URL == "" {
					continue
				}
				t.WriteString(handlers.FieldLine(lang, btn.Label, btn.URL) + "\n")
				h.WriteString("<p><a href=\"" + html.EscapeString(btn.URL) + "\">" + html.EscapeString(btn.Label) + "</a></p>\n")
			}
		}
	}
	h.WriteString("</body></html>\n")
	return strings.TrimSpace(t.String()) + "\n", h.String()
}

// paragraph is s escaped for HTML, its line breaks kept.
func paragraph(s string) string {
	return strings.ReplaceAll(html.EscapeString(strings.TrimSpace(s)), "\n", "<br>\n")
}
