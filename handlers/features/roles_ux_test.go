package features

import (
	"context"
	"copbot/handlers"
	"strings"
	"testing"
)

// Members can see who the coordinators are (errors tell them to ask one),
// in English and French, and « coordination » is a command of its own.
func TestMembersSeeCoordinators(t *testing.T) {
	s, _ := mtService(t, nil)
	mtJoin(t, s, "marie", "Marie Roy | SO | provincial | ON")
	mtJoin(t, s, "luc", "Luc Roy | SQ | provincial | QC | | | fr")
	tests := []struct{ as, text, want string }{
		{"marie", "coordinators", "1 coordinator:\n• console:coord (configuration)"},
		{"marie", "coordinators list", "1 coordinator:"},
		{"luc", "coordination", "Équipe de coordination (1 personne)\u00a0:\n• console:coord (configuration)"},
		{"luc", "coordonnatrices", "Équipe de coordination (1 personne)"},
	}
	for _, tt := range tests {
		r := mtAsk(s, tt.as, "", tt.text)
		if r.Kind != "coordinators" {
			t.Errorf("%s: %s %q", tt.text, r.Kind, r.Text)
		}
		mtContains(t, tt.text, r.Text, tt.want)
	}
}

// Every coordinator-only refusal reads the same and names the slash
// command, both for help and for the list of coordinators.
func TestCoordinatorOnlyWordingIsOne(t *testing.T) {
	s, _ := mtService(t, nil)
	mtJoin(t, s, "marie", "Marie Roy | SO | provincial | ON")
	mtJoin(t, s, "luc", "Luc Roy | SQ | provincial | QC | | | fr")
	wants := map[string]string{
		"marie": "Only coordinators can do that. Nothing was changed. Type `/cop coordinators` to see who they are, or `/cop help` for the commands open to everyone.",
		"luc": "Seule l’équipe de coordination peut faire cela. Rien n’a été modifié. Tapez `/cop coordination` pour voir qui en fait partie, " +
			"ou `/cop aide` pour les commandes ouvertes à l’ensemble des membres.",
	}
	for _, text := range []string{"coordinators add console:x", "meeting add 2027-03-17 13:00 x", `poll "Q?" "A" "B"`} {
		for who, want := range wants {
			r := mtAsk(s, who, "", text)
			if r.Kind != "error" || r.Text != want {
				t.Errorf("%s as %s: %s %q, want %q", text, who, r.Kind, r.Text, want)
			}
		}
	}
	if r := handlers.UnmarkReply(s.Act(context.Background(), handlers.Request{Identity: mtUser("marie")}, "coordinators_list", "")); r.Text != wants["marie"] {
		t.Errorf("coordinators_list button: %q", r.Text)
	}
}

// Adding a coordinator twice says so the second time, config ones too.
func TestCoordinatorAddTwice(t *testing.T) {
	s, db := mtService(t, nil)
	steps := []struct{ locale, text, want string }{
		{"", "coordinators add console:ana", "console:ana is now a coordinator."},
		{"", "coordinators add console:ana", "console:ana is already a coordinator. Nothing was changed."},
		{"fr", "coordination ajouter console:ana", "console:ana fait déjà partie de l’équipe de coordination. Rien n’a été modifié."},
		{"", "coordinators add console:coord", "console:coord is already a coordinator."},
	}
	for _, st := range steps {
		r := mtAsk(s, "coord", st.locale, st.text)
		mtContains(t, st.text, r.Text, st.want)
	}
	ids, err := db.ListCoordinators(context.Background())
	if err != nil || len(ids) != 1 {
		t.Errorf("stored coordinators = %v, %v; want console:ana alone", ids, err)
	}
}

// Leaving keeps the profile, the leave text says so (not "past reports"),
// and a bare join brings the member back as they were.
func TestLeaveThenJoinRestoresProfile(t *testing.T) {
	for _, lang := range []string{"en", "fr"} {
		t.Run(lang, func(t *testing.T) {
			s, _ := mtService(t, nil)
			mtJoin(t, s, "ana", "Ana Roy | GNWT | territorial | T.N.-O. | Director | ana@gov.nt.ca | "+lang)
			leave := mtAsk(s, "ana", "", mtWord(lang, "leave confirm", "quitter confirmer"))
			mtContains(t, "leave", leave.Text, mtWord(lang, "Your profile is kept", "Votre profil est conservé"),
				mtWord(lang, "`/cop join`", "`/cop rejoindre`"))
			if strings.Contains(leave.Text, mtWord(lang, "reports", "rapports")) {
				t.Errorf("leave text mentions reports: %q", leave.Text)
			}
			r := mtAsk(s, "ana", "", mtWord(lang, "join", "rejoindre"))
			if r.Kind != "joined" {
				t.Fatalf("join after leave: %s %q", r.Kind, r.Text)
			}
			mtContains(t, "rejoin", r.Text, mtWord(lang, "Welcome back", "Bon retour"), "GNWT", "Director", "ana@gov.nt.ca",
				mtWord(lang, "Territorial", "Territorial"))
			who := mtAsk(s, "x", "", "who NT")
			mtContains(t, "who NT", who.Text, "Ana Roy — Director, GNWT")
		})
	}
}
