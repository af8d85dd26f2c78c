package report

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"copbot/handlers"
	"copbot/storage"
)

// TestPlaceSentences builds every sentence of the report and the outreach
// log that names a place, for each jurisdiction, in both languages: the
// gaps, the coverage challenge, the growth goal and the invitations.
func TestPlaceSentences(t *testing.T) {
	e, _, _ := newRcEnv(t)
	f := e.f
	nb := regexp.MustCompile("[\u00a0\u202f]")
	wrong := regexp.MustCompile(`\b(de|à) (le|les)\b|\bde (Québec|Yukon|Nunavut|Ontario|Alberta|Manitoba|Nouveau)|\bvers\b|\btoward\b|(représentation|contact) (Yukon|Nunavut|Québec)\b`)
	for _, j := range storage.Jurisdictions() {
		if j.Federal() {
			continue
		}
		for _, lang := range []string{"en", "fr"} {
			c := f.langCall(lang)
			of, the, gov := c.Place(j.Code, handlers.PlaceOf), c.Place(j.Code, handlers.PlaceThe), c.Place(j.Code, handlers.PlaceToGov)
			cov := challengeTexts(f.tr, lang, &storage.Challenge{Kind: storage.ChallengeCoverage, Criticality: storage.CriticalityHigh,
				Jurisdictions: []string{j.Code}})
			// The contact is user text, marked as typed: read as people see it.
			inv := handlers.Unmark(c.invitationLine(&storage.Invitation{Target: j.Code, Contact: "X", SentOn: "2026-10-01"}))
			want := map[string][2]string{
				"uncovered": {c.reportUncovered([]storage.Jurisdiction{j}), map[string]string{
					"en": "No representative yet from " + of + " (" + j.Code + ").",
					"fr": "Pas encore de représentation " + of + " (" + j.Code + ")."}[lang]},
				"problem": {cov.problem, map[string]string{"en": "No representative from " + of, "fr": "Aucune représentation " + of}[lang]},
				"incidence": {cov.incidence, map[string]string{"en": "The Community cannot speak for the contact centres of " + of + ".",
					"fr": "La Communauté ne peut parler au nom des centres de contact " + of + "."}[lang]},
				"goal": {c.Count("report_growth_goal", 1, map[string]any{"List": c.placeList([]storage.Jurisdiction{j})}),
					map[string]string{"en": "Recruit a representative from " + the + ".", "fr": "Trouver une personne pour représenter " + the + "."}[lang]},
				"invitation": {inv, map[string]string{"en": "Invitation " + gov + " sent to X on October 1, 2026.",
					"fr": "Invitation " + gov + " envoyée à X le 1er octobre 2026."}[lang]},
			}
			for name, gw := range want {
				got := nb.ReplaceAllString(gw[0], " ")
				if got != gw[1] {
					t.Errorf("%s %s %s:\n got %q\nwant %q", lang, j.Code, name, got, gw[1])
				}
				if wrong.MatchString(got) {
					t.Errorf("%s %s %s reads wrong: %q", lang, j.Code, name, got)
				}
			}
		}
	}
	// Several places: each keeps its own article.
	c := f.langCall("fr")
	var js []storage.Jurisdiction
	for _, code := range []string{"NL", "PE", "NT", "YT"} {
		j, _ := storage.JurisdictionByCode(code)
		js = append(js, j)
	}
	got := nb.ReplaceAllString(c.reportUncovered(js), " ")
	if w := "Pas encore de représentation de Terre-Neuve-et-Labrador (NL), de l’Île-du-Prince-Édouard (PE), des Territoires du Nord-Ouest (NT) et du Yukon (YT)."; got != w {
		t.Errorf("list:\n got %q\nwant %q", got, w)
	}
	// Orders of government as invitation targets.
	for _, tt := range []struct{ lang, order, want string }{
		{"en", "municipal", "Invitation to municipalities sent to X on October 1, 2026."},
		{"fr", "municipal", "Invitation aux municipalités envoyée à X le 1er octobre 2026."},
		{"en", "provincial", "Invitation to provincial and territorial governments sent to X on October 1, 2026."},
		{"fr", "provincial", "Invitation aux gouvernements provinciaux et territoriaux envoyée à X le 1er octobre 2026."},
	} {
		v := &storage.Invitation{Target: tt.order, OrderTarget: true, Contact: "X", SentOn: "2026-10-01"}
		if got := nb.ReplaceAllString(handlers.Unmark(f.langCall(tt.lang).invitationLine(v)), " "); got != tt.want {
			t.Errorf("%s %s: got %q, want %q", tt.lang, tt.order, got, tt.want)
		}
	}
}

// TestReportPlurals: counts agree with their nouns in both languages,
// zero included (French: « 0 membre a voté »), and a tie says so.
func TestReportPlurals(t *testing.T) {
	e, _, _ := newRcEnv(t)
	d := &reportData{Loc: time.UTC, MeetingByID: map[int64]*storage.Meeting{}}
	poll := func(voters int, votes ...int) *storage.Poll {
		p := &storage.Poll{Question: "Q", Voters: voters}
		for i, v := range votes {
			p.Options = append(p.Options, storage.PollOption{Label: string(rune('A' + i)), Votes: v})
		}
		return p
	}
	tests := []struct {
		lang string
		p    *storage.Poll
		want string
	}{
		{"en", poll(1, 1, 0), "“Q”: “A” chosen with 1 vote; 1 member voted."},
		{"en", poll(3, 2, 2), "“Q”: tie between “A” and “B”, with 2 votes each; 3 members voted."},
		{"fr", poll(1, 1, 0), "« Q » : « A » retenu avec 1 voix ; 1 membre a voté."},
		{"fr", poll(4, 2, 2), "« Q » : égalité entre « A » et « B », avec 2 voix chacun ; 4 membres ont voté."},
	}
	nb := strings.NewReplacer("\u00a0", " ", "\u202f", " ")
	for _, tt := range tests {
		if got := nb.Replace(handlers.Unmark(e.f.langCall(tt.lang).pollOutcome(tt.p, d))); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.lang, got, tt.want)
		}
	}
}
