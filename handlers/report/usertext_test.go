package report

import (
	"context"
	"slices"
	"strings"
	"testing"

	"copbot/handlers"
)

// TestReportCarriesNoUserTextMarks: meeting titles reach the report marked
// as user text (handlers.User, for chat renderers); the document, in both
// languages and formats, shows them without the marks.
func TestReportCarriesNoUserTextMarks(t *testing.T) {
	s, _ := newDemoService(t)
	for _, lang := range []string{"en", "fr"} {
		for _, f := range []Format{HTML, Markdown} {
			doc := renderReport(t, s, lang, f)
			if strings.ContainsAny(doc, "\ufdd0\ufdd1") {
				t.Errorf("%s %s report holds the marks of user text", lang, f)
			}
			if !strings.Contains(doc, "Quarterly") && !strings.Contains(doc, "trimestrielle") {
				t.Errorf("%s %s report names no meeting: the test checks nothing", lang, f)
			}
		}
	}
}

// TestCoordinatorTextsMarkedAsTyped: what coordinators type into the
// registers (an invitation's contact, a challenge, an activity and its
// remarks) reaches the chat marked
// as user text, for renderers to show as typed.
func TestCoordinatorTextsMarkedAsTyped(t *testing.T) {
	e, _, _ := newRcEnv(t)
	typed := "*Deputy* _minister_ ```"
	for _, cmd := range []string{`outreach add Yukon --contact "` + typed + `"`, `challenge add ` + typed,
		`activity add "` + typed + `"`, `activity edit 1 --remarks "` + typed + `"`} {
		r := e.S.Handle(context.Background(), handlers.Request{Identity: ptCoordinator, Text: cmd})
		if r.Kind == "error" {
			t.Fatalf("%s: %s", cmd, r.Text)
		}
		var user []string
		for _, b := range r.Blocks {
			if s, ok := b.(handlers.Section); ok {
				for _, text := range append([]string{s.Text}, fieldValues(s)...) {
					for _, sp := range handlers.Spans(text) {
						if sp.User {
							user = append(user, sp.Text)
						}
					}
				}
			}
		}
		if !slices.Contains(user, typed) {
			t.Errorf("%s: user text runs %q, want %q among them", cmd, user, typed)
		}
	}
}

func fieldValues(s handlers.Section) []string {
	var out []string
	for _, f := range s.Fields {
		out = append(out, f.Value)
	}
	return out
}
