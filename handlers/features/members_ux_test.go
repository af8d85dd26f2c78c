package features

import (
	"context"
	"strings"
	"testing"
)

// TestFormerMember: a member who left keeps their saved language, is told
// how to come back rather than to sign up, and is welcomed back.
func TestFormerMember(t *testing.T) {
	s, db := mtService(t, nil)
	mtJoin(t, s, "u1", "Marie | Services Québec | provincial | QC | | | fr")
	if r := mtAsk(s, "u1", "", "leave confirm"); r.Kind != "left" {
		t.Fatalf("leave: %s %q", r.Kind, r.Text)
	}
	for _, tt := range []struct{ text, want string }{
		{"help", "Ce que je sais faire"},
		{"profile", "Vous avez quitté la communauté. Tapez `/cop rejoindre` pour revenir"},
		{"update title Chef", "Vous avez quitté la communauté"},
		{"attend 1", "Vous avez quitté la communauté"},
	} {
		r := mtAsk(s, "u1", "en-CA", tt.text)
		if r.Lang != "fr" || !strings.Contains(r.Text, tt.want) {
			t.Errorf("%q: %s %q, want fr containing %q", tt.text, r.Lang, r.Text, tt.want)
		}
	}
	if r := mtAsk(s, "stranger", "", "profile"); !strings.Contains(r.Text, "You’re not a member yet") {
		t.Errorf("stranger: %q", r.Text)
	}
	r := mtAsk(s, "u1", "", "join title=Cheffe")
	if r.Kind != "joined" || !strings.Contains(r.Text, "Bon retour dans la communauté de pratique, Marie") {
		t.Errorf("rejoin: %s %q", r.Kind, r.Text)
	}
	if m, err := db.MemberByIdentity(context.Background(), mtUser("u1")); err != nil || m.Title != "Cheffe" {
		t.Errorf("rejoined member: %+v %v", m, err)
	}
}

// TestUnknownCommandSuggests: near misses get the closest command in the
// user's language; greetings a friendly pointer to help.
func TestUnknownCommandSuggests(t *testing.T) {
	s, _ := mtService(t, nil)
	tests := []struct{ text, kind, lang, want string }{
		{"hlep", "error", "en", "Did you mean `/cop help`?"},
		{"stat", "error", "en", "Did you mean `/cop stats`?"},
		{"statistique", "error", "fr", "Vouliez-vous dire `/cop statistiques`\u202f?"},
		{"reunoins", "error", "fr", "`/cop réunions`"},
		{"frobnicate", "error", "en", "I don’t know the command “frobnicate”. Type `/cop help`"},
		{"hello", "greeting", "en", "Hello! I’m the Community of Practice assistant. Type `/cop help`"},
		{"Hi there!", "greeting", "en", "Type `/cop help`"},
		{"bonjour", "greeting", "fr", "Bonjour\u202f! Je suis l’assistant de la communauté de pratique. Tapez `/cop aide`"},
		{"salut", "greeting", "fr", "Tapez `/cop aide`"},
		{"merci!", "greeting", "fr", "Avec plaisir\u202f!"},
		{"thanks", "greeting", "en", "You’re welcome!"},
	}
	for _, tt := range tests {
		r := mtAsk(s, "x", "", tt.text)
		if r.Kind != tt.kind || r.Lang != tt.lang || !strings.Contains(r.Text, tt.want) {
			t.Errorf("%q: %s %s %q, want %s %s containing %q", tt.text, r.Kind, r.Lang, r.Text, tt.kind, tt.lang, tt.want)
		}
	}
}
