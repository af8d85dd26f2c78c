package meetings

import (
	"strings"
	"testing"
	"time"

	"copbot/handlers"
)

// TestBilingualMeetingTitle (issue 11, item 5): a meeting title given in
// both languages shows in each reader's language.
func TestBilingualMeetingTitle(t *testing.T) {
	e := newPtEnv(t)
	e.ptSetClock(time.Date(2027, 1, 5, 12, 0, 0, 0, time.UTC))
	e.join("en1", "Alex Martin", "en")
	e.join("fr1", "Marie Tremblay", "fr")
	r := e.ask(ptCoordinator, "meeting add 2027-03-17 13:00 Quarterly meeting on accessibility / Réunion trimestrielle sur l’accessibilité")
	if !strings.Contains(r.Text, "Quarterly meeting on accessibility") || strings.Contains(r.Text, "Réunion trimestrielle") {
		t.Fatalf("meeting add (English coordinator): %s %q", r.Kind, r.Text)
	}
	for _, tt := range []struct{ who, cmd, want, not string }{
		{"en1", "meetings", "Quarterly meeting on accessibility", "Réunion trimestrielle"},
		{"fr1", "réunions", "Réunion trimestrielle sur l’accessibilité", "Quarterly meeting"},
		{"fr1", "réunion 1", "Réunion trimestrielle sur l’accessibilité", "Quarterly meeting"},
	} {
		r := e.ask(ptUser(tt.who), tt.cmd)
		if !strings.Contains(r.Text, tt.want) || strings.Contains(r.Text, tt.not) {
			t.Errorf("%s %q: want %q without %q:\n%s", tt.who, tt.cmd, tt.want, tt.not, r.Text)
		}
	}
}

// TestMeetingNotesShowReadersHalf: the record of a meeting (the meeting
// notes reply) shows the reader's half of key points and panelists written
// "English / français", and so does the meeting's agenda.
func TestMeetingNotesShowReadersHalf(t *testing.T) {
	e := newPtEnv(t)
	e.ptSetClock(time.Date(2027, 1, 5, 12, 0, 0, 0, time.UTC))
	steps := []string{
		`meeting add 2026-11-18 13:00 Fall meeting / Réunion d’automne --held --agenda "Welcome and panel / Accueil et discussion en groupe"`,
		`meeting notes 1 --point "Video relay is spreading / Le relais vidéo se répand" --panelists "Employment and Social Development Canada / Emploi et Développement social Canada; City of Edmonton 311 / Ville d’Edmonton 311"`,
	}
	for _, s := range steps {
		if r := e.ask(ptCoordinator, s); r.Kind == "error" {
			t.Fatalf("%s: %s", s, r.Text)
		}
	}
	for _, tt := range []struct {
		cmd         string
		want, other []string
	}{
		{"meeting notes 1", []string{"1. Video relay is spreading", "Employment and Social Development Canada and City of Edmonton 311"},
			[]string{"relais", "Emploi", "Ville d’Edmonton"}},
		{"réunion notes 1", []string{"1. Le relais vidéo se répand", "Emploi et Développement social Canada et Ville d’Edmonton 311"},
			[]string{"Video relay", "Employment", "City of"}},
		{"meeting 1", []string{"Welcome and panel"}, []string{"Accueil"}},
		{"réunion 1", []string{"Accueil et discussion en groupe"}, []string{"Welcome"}},
	} {
		r := handlers.UnmarkReply(e.ask(ptCoordinator, tt.cmd))
		for _, w := range tt.want {
			if !strings.Contains(r.Text, w) {
				t.Errorf("%s lacks %q:\n%s", tt.cmd, w, r.Text)
			}
		}
		for _, w := range tt.other {
			if strings.Contains(r.Text, w) {
				t.Errorf("%s shows the other language's %q:\n%s", tt.cmd, w, r.Text)
			}
		}
	}
}
