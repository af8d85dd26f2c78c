package slackbot

import (
	"os"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"copbot/handlers"
)

// TestFrenchApostrophes: the adapter's French texts use the typographic
// apostrophe (’), as every other French catalog does, never the straight
// one. Each id is checked as users see it, through the translator.
func TestFrenchApostrophes(t *testing.T) {
	var ids map[string]any
	raw, err := os.ReadFile("../../handlers/locales/slack.fr.toml")
	if err != nil {
		t.Fatal(err)
	}
	if err := toml.Unmarshal(raw, &ids); err != nil {
		t.Fatal(err)
	}
	tr, err := handlers.NewTranslator()
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) == 0 {
		t.Fatal("no ids in the slack French catalog")
	}
	data := map[string]any{"Name": "Élise"}
	for id, v := range ids {
		got := tr.T("fr", id, data)
		if _, plural := v.(map[string]any); plural {
			got = tr.N("fr", id, 2, data)
		}
		if got == id || strings.Contains(got, "'") {
			t.Errorf("%s = %q: want a French text with ’, not '", id, got)
		}
	}
}
