package report

import (
	"bytes"
	"context"
	"html"
	"strings"
	"testing"
	"time"

	"copbot/handlers"
	"copbot/handlers/directory"
	"copbot/handlers/handlerstest"
	"copbot/handlers/meetings"
	"copbot/handlers/polls"
	"copbot/internal/docx/docxtest"
)

// newPollsEnv is newRcEnv with polls installed too.
func newPollsEnv(t *testing.T) (*rcEnv, *handlerstest.Clock) {
	t.Helper()
	clock, poster := handlerstest.NewClock(rcT0), &handlerstest.DMPoster{}
	e := &rcEnv{}
	e.Env = handlerstest.New(t, handlerstest.Setup{Clock: clock, Poster: poster, Install: func(s *handlers.Service) {
		m := meetings.Install(s, meetings.Options{})
		polls.Install(s, polls.Deps{Meetings: m})
		e.f = Install(s, Deps{Meetings: m, Directory: directory.Install(s)}, Options{})
	}})
	return e, clock
}

// TestReportShowsReadersHalf: text a coordinator wrote "English /
// français" (poll question and options, meeting theme, key points,
// panelists, challenges, activities) shows only the reader's half in each
// language's report.
func TestReportShowsReadersHalf(t *testing.T) {
	e, clock := newPollsEnv(t)
	for _, id := range []string{"ann", "bob"} {
		e.join(id, strings.ToUpper(id), "en")
	}
	steps := []string{
		`meeting add 2026-11-18 13:00 Fall meeting / Réunion d’automne --theme "Accessibility in the contact centre / L’accessibilité dans les centres de contact" --held`,
		`meeting notes 1 --point "Video relay is spreading / Le relais vidéo se répand" --panelists "Employment and Social Development Canada / Emploi et Développement social Canada"`,
		`poll "Theme for March? / Thème de mars ?" "Wellness of agents / Le bien-être des agents" "Open data / Les données ouvertes" --closes 2026-12-20`,
		`challenge add "Few municipal members / Peu de membres municipaux" --criticality medium --plan "Invite the 311 managers / Inviter les gestionnaires du 311"`,
		`activity add "Explore a workspace with ISAC / Explorer un espace de travail avec l’ISAC" --remarks "Trial offered to the Community / Essai offert à la Communauté"`,
	}
	for _, s := range steps {
		if r := e.ask(ptCoordinator, s); r.Kind == "error" {
			t.Fatalf("%s: %s", s, r.Text)
		}
	}
	e.ask(ptUser("ann"), "vote 1 1")
	e.ask(ptUser("bob"), "vote 1 1")
	if r := e.ask(ptCoordinator, "poll close 1"); r.Kind == "error" {
		t.Fatalf("close: %s", r.Text)
	}
	clock.Add(time.Hour)
	p := Period{From: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)}
	for _, tt := range []struct {
		lang        string
		want, other []string
	}{
		{"en", []string{"Fall meeting", "Accessibility in the contact centre", "Video relay is spreading",
			"Employment and Social Development Canada", "“Theme for March?”: “Wellness of agents” chosen", "Few municipal members",
			"Invite the 311 managers", "Explore a workspace with ISAC", "Trial offered"},
			[]string{"Réunion d’automne", "L’accessibilité", "relais vidéo", "Emploi et", "Thème de mars", "bien-être", "Peu de membres",
				"Inviter", "Explorer", "Essai"}},
		{"fr", []string{"Réunion d’automne", "L’accessibilité dans les centres de contact", "Le relais vidéo se répand",
			"Emploi et Développement social Canada", "Thème de mars", "Le bien-être des agents", "Peu de membres municipaux",
			"Inviter les gestionnaires du 311", "Explorer un espace de travail", "Essai offert"},
			[]string{"Fall meeting", "Accessibility in", "Video relay", "Employment and", "Theme for March", "Wellness", "Few municipal",
				"Invite the", "Explore a", "Trial offered"}},
	} {
		var b bytes.Buffer
		if err := e.f.Report(context.Background(), &b, p, tt.lang, Markdown); err != nil {
			t.Fatal(err)
		}
		got := strings.ReplaceAll(strings.ReplaceAll(b.String(), "\u00a0", " "), "\u202f", " ")
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s report lacks %q", tt.lang, w)
			}
		}
		for _, w := range tt.other {
			if strings.Contains(got, w) {
				t.Errorf("%s report shows the other language's %q", tt.lang, w)
			}
		}
		if t.Failed() {
			t.Logf("%s report:\n%s", tt.lang, got)
		}
	}
	// The check before the report: nothing is in one language only yet;
	// then an activity and a key point in English only are named.
	if r := e.ask(ptCoordinator, "report 2026-09-01 2026-12-31"); strings.Contains(r.Text, "one language only") {
		t.Errorf("every text is bilingual, yet:\n%s", r.Text)
	}
	e.ask(ptCoordinator, `activity add "Survey the members"`)
	e.ask(ptCoordinator, `meeting notes 1 --point "Chat works"`)
	rcHas(t, e.ask(ptCoordinator, "report 2026-09-01 2026-12-31"),
		"In one language only, so the other language’s report shows them as written: key point 2 of meeting 1 and activity 2.")
	rcHas(t, e.ask(ptCoordinator, "rapport 2026-09-01 2026-12-31"),
		"En une seule langue, donc tels quels dans le rapport de l’autre langue\u00a0: le point saillant nº\u00a02 de la réunion nº\u00a01 et l’activité nº\u00a02.")
}

// TestOneLanguageCheckCoversEveryText: the check before the report names
// every kind of text a coordinator writes that the report prints, when it
// is in one language only: panelists, meetings still planned (title and
// theme), options of open polls (the candidate themes) and outreach
// contacts, besides the rest.
func TestOneLanguageCheckCoversEveryText(t *testing.T) {
	e, _ := newPollsEnv(t)
	for _, s := range []string{
		`meeting add 2026-11-18 13:00 Fall meeting / Réunion d’automne --held`,
		`meeting notes 1 --panelists "Canada Revenue Agency"`,
		`meeting add 2027-03-17 13:00 Spring meeting --theme "Workforce wellness"`,
		`poll "Next theme? / Prochain thème ?" "Open data" "Le bien-être / Wellness"`,
		`outreach add Yukon --contact "Deputy minister’s office" --sent 2026-11-02`,
	} {
		if r := e.ask(ptCoordinator, s); r.Kind == "error" {
			t.Fatalf("%s: %s", s, r.Text)
		}
	}
	rcHas(t, e.ask(ptCoordinator, "report 2026-09-01 2026-12-31"), "In one language only",
		"panelist 1 of meeting 1", "meeting 2’s title", "meeting 2’s theme", "option 1 of poll 1", "invitation 1’s contact")
	r := e.ask(ptCoordinator, "rapport 2026-09-01 2026-12-31")
	rcHas(t, r, "l’organisation panéliste nº\u00a01 de la réunion nº\u00a01", "la personne contactée pour l’invitation nº\u00a01")
	for _, w := range []string{"meeting 1’s title", "option 2 of poll 1", "poll 1’s question"} {
		if strings.Contains(e.ask(ptCoordinator, "report 2026-09-01 2026-12-31").Text, w) {
			t.Errorf("%s is bilingual, yet named", w)
		}
	}
}

// TestDemoIsBilingual: the demo community writes every text in both
// languages, so the check before the report finds nothing, and neither
// language's report (Markdown, HTML or Word) shows a word of the other's
// half of any of them.
func TestDemoIsBilingual(t *testing.T) {
	s, _ := newDemoService(t)
	d, err := s.buildReport(context.Background(), demoPeriod)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.langCall("en").oneLanguage(d); len(got) > 0 {
		t.Errorf("demo texts in one language only: %q", got)
	}
	halves := map[string][]string{} // lang → the other language's halves, to be absent
	n := 0
	for _, ft := range d.freeTexts() {
		for _, text := range ft.texts {
			if text == "" {
				continue
			}
			en, fr := handlers.Unmark(s.langCall("en").Own(text)), handlers.Unmark(s.langCall("fr").Own(text))
			halves["fr"], halves["en"] = append(halves["fr"], en), append(halves["en"], fr)
			n++
		}
	}
	if n < 20 {
		t.Fatalf("only %d demo texts checked", n)
	}
	for _, lang := range []string{"en", "fr"} {
		var docx bytes.Buffer
		if err := s.Report(context.Background(), &docx, demoPeriod, lang, DOCX); err != nil {
			t.Fatal(err)
		}
		outputs := map[string]string{"md": renderReport(t, s, lang, Markdown), "html": html.UnescapeString(renderReport(t, s, lang, HTML)),
			"docx": html.UnescapeString(docxtest.CheckPackage(t, docx.Bytes())["word/document.xml"])}
		for format, out := range outputs {
			for _, other := range halves[lang] {
				if strings.Contains(out, other) {
					t.Errorf("%s %s report shows the other language's %q", lang, format, other)
				}
			}
		}
	}
}
