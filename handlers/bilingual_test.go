package handlers

import "testing"

func TestSplitBilingual(t *testing.T) {
	tests := []struct {
		in, en, fr string
		ok         bool
	}{
		{"Theme for March? / Thème de mars ?", "Theme for March?", "Thème de mars ?", true},
		{"Thème de mars ? / Theme for March?", "Theme for March?", "Thème de mars ?", true},
		{"Serving vulnerable communities / Servir les communautés vulnérables",
			"Serving vulnerable communities", "Servir les communautés vulnérables", true},
		{"Accessibility in contact centres / L'accessibilité dans les centres d'appels",
			"Accessibility in contact centres", "L'accessibilité dans les centres d'appels", true},
		{"City of Edmonton 311 / Ville d’Edmonton 311", "City of Edmonton 311", "Ville d’Edmonton 311", true}, // typographic elision
		{"L’IA au quotidien / AI every day", "AI every day", "L’IA au quotidien", true},
		{"Yes / No", "", "", false},
		{"Oui / Non", "", "", false},
		{"Before / after 2020", "", "", false},
		{"A / B / C", "", "", false},
		{"Theme for March?/Thème de mars ?", "", "", false}, // no spaces: not the separator
		{"Thème de mars / ", "", "", false},
		{"Café et croissants / Café et croissants", "", "", false}, // both French
	}
	for _, tt := range tests {
		en, fr, ok := splitBilingual(tt.in)
		if en != tt.en || fr != tt.fr || ok != tt.ok {
			t.Errorf("splitBilingual(%q) = %q, %q, %v; want %q, %q, %v", tt.in, en, fr, ok, tt.en, tt.fr, tt.ok)
		}
	}
	if got := inLanguage("Yes / No", "fr"); got != "Yes / No" {
		t.Errorf("inLanguage kept = %q", got)
	}
	if got := inLanguage("Theme for March? / Thème de mars ?", "fr"); got != "Thème de mars ?" {
		t.Errorf("inLanguage fr = %q", got)
	}
}
