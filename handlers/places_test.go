package handlers

import (
	"regexp"
	"testing"

	"copbot/storage"
)

// TestPlacePhrases builds every place-name phrase in both languages: each
// form of each jurisdiction is what a careful writer would put in the
// sentence (articles, contractions, "the" before the Northwest
// Territories, and governments invited as « au gouvernement du Yukon »).
func TestPlacePhrases(t *testing.T) {
	tr, err := NewTranslator()
	if err != nil {
		t.Fatal(err)
	}
	// code: the, of, to_gov — English, then French.
	want := map[string][2][3]string{
		"CA": {{"the Government of Canada", "the Government of Canada", "to the Government of Canada"},
			{"le gouvernement du Canada", "du gouvernement du Canada", "au gouvernement du Canada"}},
		"NL": {{"Newfoundland and Labrador", "Newfoundland and Labrador", "to the Government of Newfoundland and Labrador"},
			{"Terre-Neuve-et-Labrador", "de Terre-Neuve-et-Labrador", "au gouvernement de Terre-Neuve-et-Labrador"}},
		"PE": {{"Prince Edward Island", "Prince Edward Island", "to the Government of Prince Edward Island"},
			{"l’Île-du-Prince-Édouard", "de l’Île-du-Prince-Édouard", "au gouvernement de l’Île-du-Prince-Édouard"}},
		"NS": {{"Nova Scotia", "Nova Scotia", "to the Government of Nova Scotia"},
			{"la Nouvelle-Écosse", "de la Nouvelle-Écosse", "au gouvernement de la Nouvelle-Écosse"}},
		"NB": {{"New Brunswick", "New Brunswick", "to the Government of New Brunswick"},
			{"le Nouveau-Brunswick", "du Nouveau-Brunswick", "au gouvernement du Nouveau-Brunswick"}},
		"QC": {{"Quebec", "Quebec", "to the Government of Quebec"},
			{"le Québec", "du Québec", "au gouvernement du Québec"}},
		"ON": {{"Ontario", "Ontario", "to the Government of Ontario"},
			{"l’Ontario", "de l’Ontario", "au gouvernement de l’Ontario"}},
		"MB": {{"Manitoba", "Manitoba", "to the Government of Manitoba"},
			{"le Manitoba", "du Manitoba", "au gouvernement du Manitoba"}},
		"SK": {{"Saskatchewan", "Saskatchewan", "to the Government of Saskatchewan"},
			{"la Saskatchewan", "de la Saskatchewan", "au gouvernement de la Saskatchewan"}},
		"AB": {{"Alberta", "Alberta", "to the Government of Alberta"},
			{"l’Alberta", "de l’Alberta", "au gouvernement de l’Alberta"}},
		"BC": {{"British Columbia", "British Columbia", "to the Government of British Columbia"},
			{"la Colombie-Britannique", "de la Colombie-Britannique", "au gouvernement de la Colombie-Britannique"}},
		"YT": {{"Yukon", "Yukon", "to the Government of Yukon"},
			{"le Yukon", "du Yukon", "au gouvernement du Yukon"}},
		"NT": {{"the Northwest Territories", "the Northwest Territories", "to the Government of the Northwest Territories"},
			{"les Territoires du Nord-Ouest", "des Territoires du Nord-Ouest", "au gouvernement des Territoires du Nord-Ouest"}},
		"NU": {{"Nunavut", "Nunavut", "to the Government of Nunavut"},
			{"le Nunavut", "du Nunavut", "au gouvernement du Nunavut"}},
	}
	if len(want) != len(storage.Jurisdictions()) {
		t.Fatalf("the table covers %d jurisdictions, the reference list has %d", len(want), len(storage.Jurisdictions()))
	}
	// What must never appear: an uncontracted article, a bare "de" before
	// a name that takes one, or the old "vers"/"toward".
	wrong := regexp.MustCompile(`\b(de|à) (le|les)\b|\bde (Québec|Yukon|Nunavut|Ontario|Alberta|Manitoba)\b|\bvers\b|\btoward\b`)
	for _, j := range storage.Jurisdictions() {
		for li, lang := range []string{"en", "fr"} {
			for fi, f := range PlaceForms {
				got := tr.Place(lang, j.Code, f)
				if w := want[j.Code][li][fi]; got != w {
					t.Errorf("Place(%s, %s, %s) = %q, want %q", lang, j.Code, f, got, w)
				}
				if wrong.MatchString(got) {
					t.Errorf("Place(%s, %s, %s) = %q reads wrong", lang, j.Code, f, got)
				}
			}
		}
	}
	if got := tr.Place("fr", "ZZ", PlaceOf); got != "ZZ" {
		t.Errorf("unknown code: %q", got)
	}
}
