package privacy_test

import (
	"strings"
	"testing"
)

// A member's own choice about email is part of "my data" (its
// unsubscribe secret is not); the default, not chosen, is not a datum.
func TestMyDataHasEmailChoice(t *testing.T) {
	e, _ := env(t, 0)
	if file := string(e.Ask(ann, "my data").File.Data); strings.Contains(file, "Email (your choice)") {
		t.Errorf("no choice made, yet the file has one:\n%s", file)
	}
	e.Ask(ann, "preferences email off")
	file := string(e.Ask(ann, "my data").File.Data)
	if !strings.Contains(file, "Email (your choice): false") {
		t.Errorf("the file lacks the email choice:\n%s", file)
	}
	prefs, err := e.DB.EmailPrefs(t.Context())
	if err != nil || len(prefs) != 1 {
		t.Fatal(prefs, err)
	}
	for _, p := range prefs {
		if p.Token == "" || strings.Contains(file, p.Token) {
			t.Errorf("the unsubscribe secret is in the file (or missing): %q", p.Token)
		}
	}
	e.Ask(jean, "préférences courriel oui")
	if fr := string(e.Ask(jean, "mes données").File.Data); !strings.Contains(fr, "Courriel (votre choix)\u00a0: true") {
		t.Errorf("French file:\n%s", fr)
	}
}
