package directory

import (
	"copbot/handlers"
	"strings"
	"testing"
)

func TestStatsSingularAndEmpty(t *testing.T) {
	s, _ := mtService(t, nil)
	tests := []struct{ locale, want string }{
		{"en", "Nobody has joined yet. Type `/cop join` to be the first."},
		{"fr", "Aucune inscription pour l’instant. Tapez `/cop rejoindre` pour ouvrir la marche."},
	}
	for _, tt := range tests {
		if got := mtSection(mtAsk(s, "x", tt.locale, mtWord(tt.locale, "stats", "statistiques")), 0); got != tt.want {
			t.Errorf("%s empty stats = %q, want %q", tt.locale, got, tt.want)
		}
	}
	mtJoin(t, s, "a", "Ana | Service Canada | federal")
	tests = []struct{ locale, want string }{
		{"en", "1 person representing 1 federal department"},
		{"fr", "1 personne représentant 1 ministère fédéral"},
	}
	for _, tt := range tests {
		if got := mtSection(mtAsk(s, "x", tt.locale, mtWord(tt.locale, "statistics", "statistiques")), 0); got != tt.want {
			t.Errorf("%s = %q, want %q", tt.locale, got, tt.want)
		}
	}
	mtJoin(t, s, "b", "Ben | ServiceOntario | provincial | ON")
	mtJoin(t, s, "c", "Cleo | Ville de Québec | municipal | QC")
	tests2 := []struct{ locale, want, ontario, yukon string }{
		{"en", "3 people representing 1 federal department, 1 provincial or territorial ministry and 1 municipality", "Ontario: 1", "Yukon: 0"},
		{"fr", "3 personnes représentant 1 ministère fédéral, 1 ministère provincial ou territorial et 1 municipalité", "Ontario\u00a0: 1", "Yukon\u00a0: 0"},
	}
	for _, tt := range tests2 {
		r := mtAsk(s, "x", tt.locale, mtWord(tt.locale, "stats", "statistiques"))
		if got := mtSection(r, 0); got != tt.want {
			t.Errorf("%s = %q, want %q", tt.locale, got, tt.want)
		}
		mtContains(t, "per-jurisdiction fields", r.Text, tt.ontario, tt.yukon)
	}
	mtJoin(t, s, "d", "Dan | ServiceOntario | provincial | ON")
	r := mtAsk(s, "x", "en", "stats")
	if got, want := mtSection(r, 0), "4 people representing 1 federal department, 1 provincial or territorial ministry and 1 municipality"; got != want {
		t.Errorf("two people of one ministry: %q, want %q", got, want)
	}
}

func TestGapsLevels(t *testing.T) {
	s, _ := mtService(t, nil)
	mtJoin(t, s, "a", "Ana | ServiceOntario | provincial | ON")
	mtJoin(t, s, "b", "Ben | Ville de Québec | municipal | QC")
	r := mtAsk(s, "x", "", "gaps")
	if r.Kind != "gaps" || r.Visibility != handlers.InChannel {
		t.Fatalf("gaps: %s %v", r.Kind, r.Visibility)
	}
	first := mtSection(r, 0)
	if !strings.HasPrefix(first, "11 provinces and territories have no member yet:\n• Newfoundland and Labrador\n") ||
		strings.Contains(first, "Ontario") || strings.Contains(first, "Quebec") {
		t.Errorf("uncovered = %q", first)
	}
	if got, want := mtSection(r, 1), "Covered, but missing an order of government:\n• Quebec: no provincial or territorial ministry yet\n• Ontario: no municipality yet"; got != want {
		t.Errorf("second level = %q, want %q", got, want)
	}
	if got, want := mtSection(r, 2), "Federal: no federal department is represented yet."; got != want {
		t.Errorf("federal = %q, want %q", got, want)
	}
	r = mtAsk(s, "x", "fr", "lacunes")
	mtContains(t, "fr gaps", r.Text, "11 provinces et territoires n’ont encore aucun membre\u00a0:\n• Terre-Neuve-et-Labrador",
		"• Québec\u00a0: aucun ministère provincial ou territorial pour l’instant", "• Ontario\u00a0: aucune municipalité pour l’instant",
		"Fédéral\u00a0: aucun ministère fédéral n’est encore représenté.")
}

func TestGapsOneLeft(t *testing.T) {
	s, _ := mtService(t, nil)
	for i, p := range []string{"CA", "NL", "PE", "NS", "NB", "QC", "ON", "MB", "SK", "AB", "BC", "YT", "NT"} {
		order := "municipal"
		if p == "CA" {
			order = "federal"
		}
		mtJoin(t, s, string(rune('a'+i)), "P"+p+" | Org "+p+" | "+order+" | "+p)
	}
	for _, tt := range []struct{ locale, want string }{
		{"en", "1 province or territory has no member yet:\n• Nunavut"},
		{"fr", "1 province ou territoire n’a encore aucun membre\u00a0:\n• Nunavut"},
	} {
		r := mtAsk(s, "x", tt.locale, mtWord(tt.locale, "coverage", "couverture"))
		if got := mtSection(r, 0); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.locale, got, tt.want)
		}
		mtContains(t, "federal covered", r.Text, map[string]string{"en": "Federal: the Government of Canada is represented.",
			"fr": "Fédéral\u00a0: le gouvernement du Canada est représenté."}[tt.locale])
	}
}
