package emailbot

import (
	"strings"
	"testing"

	"copbot/handlers"
)

// A message in both languages is typeset by halves: English before the
// divider, French after (« Durée : »); user text is escaped in HTML and
// kept as typed in text.
func TestRenderBothLanguages(t *testing.T) {
	r := handlers.Reply{Lang: "en+fr", Blocks: []handlers.Block{
		handlers.Context{Text: "(Le français suit.)"},
		handlers.Header{Text: "Meeting"},
		handlers.Section{Fields: []handlers.Field{{Label: "Duration", Value: "1 h"}}},
		handlers.Divider{},
		handlers.Header{Text: "Réunion"},
		handlers.Section{Text: "Ordre du jour : " + handlers.User("<b>1. *Accueil*</b>"),
			Fields: []handlers.Field{{Label: "Durée", Value: "1 h"}}},
	}}
	text, page := Render(r)
	for _, want := range []string{"(Le français suit.)\n\nMeeting\nDuration: 1 h\n\n—\n\nRéunion\n", "Durée\u00a0: 1 h",
		"Ordre du jour : <b>1. *Accueil*</b>"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	for _, want := range []string{`<html lang="en">`, "<hr>", "&lt;b&gt;1. *Accueil*&lt;/b&gt;", "<strong>Durée</strong>"} {
		if !strings.Contains(page, want) {
			t.Errorf("HTML lacks %q:\n%s", want, page)
		}
	}
	if strings.Contains(page, "<b>1.") {
		t.Error("user text reached the HTML unescaped")
	}
}
