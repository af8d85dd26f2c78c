package handlers

import (
	"strings"
	"testing"
)

func TestFrenchTypography(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Quand : demain", "Quand\u00a0: demain"},
		{"Quand\u00a0: demain", "Quand\u00a0: demain"},
		{"Rien n’a changé ; réessayez.", "Rien n’a changé\u202f; réessayez."},
		{"Serez-vous des nôtres ? Oui !", "Serez-vous des nôtres\u202f? Oui\u202f!"},
		{"Serez-vous des nôtres\u00a0?", "Serez-vous des nôtres\u202f?"},
		{"le lieu « Narnie »", "le lieu «\u00a0Narnie\u00a0»"},
		{"le lieu «Narnie»", "le lieu «\u00a0Narnie\u00a0»"},
		{"50 % des votes, 25% des membres", "50\u00a0% des votes, 25\u00a0% des membres"},
		{"à 13 h 00 HNE", "à 13\u00a0h HNE"},
		{"à 13 h 30 HNE", "à 13\u00a0h\u00a030 HNE"},
		{"durée 2 h 00 min", "durée 2 h 00 min"},
		{"durée 1 h 30 min", "durée 1\u00a0h\u00a030 min"},
		// What must not change: code spans, emoji codes, URLs, identities,
		// clock times, English quoted in French, Slack tokens.
		{"Tapez `/cop sondage \"Thème ?\" A B` : voilà", "Tapez `/cop sondage \"Thème ?\" A B`\u00a0: voilà"},
		{"Fait :white_check_mark: bravo", "Fait :white_check_mark: bravo"},
		{"Lien : https://meet.example.ca/j/1?pwd=a", "Lien\u00a0: https://meet.example.ca/j/1?pwd=a"},
		{"compte slack:U012 à 13:00", "compte slack:U012 à 13:00"},
		{"en anglais : “who represents Yukon?”.", "en anglais\u00a0: “who represents Yukon?”."},
		{"<!here> ?", "<!here>\u202f?"},
		{"*Gras* :", "*Gras*\u00a0:"},
		{"? au début", "? au début"},
		{"ligne\n« cité »", "ligne\n«\u00a0cité\u00a0»"},
		{"la réunion nº 12", "la réunion nº\u00a012"},
		{"", ""},
	}
	for _, tt := range tests {
		got := FrenchTypography(tt.in)
		if got != tt.want {
			t.Errorf("FrenchTypography(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if again := FrenchTypography(got); again != got {
			t.Errorf("not idempotent on %q: %q", got, again)
		}
	}
}

// The translator types the catalog text but never what was passed in as
// data: a member's name or a poll question stays as typed.
func TestTranslatorTypesCatalogNotData(t *testing.T) {
	tr, err := NewTranslator()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		lang, id string
		data     map[string]any
		want     string
	}{
		{"fr", "error_place_unknown", map[string]any{"Place": "Nar : nie ?"},
			"Je ne connais pas le lieu «\u00a0Nar : nie ?\u00a0»."},
		{"fr", "error_order_invalid", map[string]any{"Value": "régional"}, "«\u00a0régional\u00a0» n’est pas"},
		{"en", "error_place_unknown", map[string]any{"Place": "Nar : nie ?"}, "I don’t know the place “Nar : nie ?”"},
	}
	for _, tt := range tests {
		got := tr.T(tt.lang, tt.id, tt.data)
		if !strings.Contains(got, tt.want) {
			t.Errorf("T(%s, %s) = %q, want it to contain %q", tt.lang, tt.id, got, tt.want)
		}
	}
}

func TestAfterColon(t *testing.T) {
	tests := []struct{ lang, in, want string }{
		{"fr", "Je ne connais pas le lieu.", "je ne connais pas le lieu."},
		{"fr", "L’organisation est obligatoire.", "l’organisation est obligatoire."},
		{"fr", "Écrivez-la sous la forme nom@exemple.ca.", "Écrivez-la sous la forme nom@exemple.ca."},
		{"fr", "Écrivez la date.", "écrivez la date."},
		{"fr", "Île-du-Prince-Édouard compte déjà un membre.", "Île-du-Prince-Édouard compte déjà un membre."},
		{"fr", "« x » n’est pas un ordre.", "« x » n’est pas un ordre."},
		{"en", "I don’t know the place.", "I don’t know the place."},
	}
	for _, tt := range tests {
		if got := AfterColon(tt.lang, tt.in); got != tt.want {
			t.Errorf("afterColon(%s, %q) = %q, want %q", tt.lang, tt.in, got, tt.want)
		}
	}
}
