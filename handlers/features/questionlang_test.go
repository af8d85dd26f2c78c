package features

import (
	"strings"
	"testing"
)

// TestQuestionLanguage (issue 11, item 5): a question written out in the
// other language is answered in that language, for that reply only;
// commands follow the saved language.
func TestQuestionLanguage(t *testing.T) {
	e := newPtEnv(t)
	e.join("en1", "Alex Martin", "en")
	e.join("fr1", "Marie Tremblay", "fr")
	tests := []struct {
		who, text, want string
	}{
		{"en1", "qui représente le Yukon ?", "Yukon" + nbsp + ": aucun membre"},
		{"en1", "qui Yukon", "Yukon: no member"},
		{"en1", "who represents Yukon?", "Yukon: no member"},
		{"fr1", "who represents Yukon?", "Yukon: no member"},
		{"fr1", "who Yukon", "Yukon" + nbsp + ": aucun membre"},
		{"fr1", "y a-t-il quelqu’un du Yukon ?", "Yukon" + nbsp + ": aucun membre"},
		{"en1", "stats", "The Community"},
	}
	for _, tt := range tests {
		r := e.ask(ptUser(tt.who), tt.text)
		if !strings.Contains(loose(r.Text), loose(tt.want)) {
			t.Errorf("%s asks %q: got %q, want %q", tt.who, tt.text, r.Text, tt.want)
		}
	}
	// The saved language is unchanged.
	ptHas(t, e.ask(ptUser("en1"), "profile"), "Language: English")
}
