package meetings

import (
	"copbot/handlers"
	"strings"
	"testing"
	"time"
)

// The reminder post keeps each half's typography even when a renderer
// type-sets the whole bilingual message in one language (the console and
// Slack get the blocks with Lang "en+fr").
func TestReminderPostFrenchTypography(t *testing.T) {
	e := newMtgEnvOffsets(t, 24*time.Hour)
	start := mtgT0.Add(48 * time.Hour)
	e.addMeeting(start, 24*time.Hour)
	e.clock.Set(start.Add(-24 * time.Hour))
	if errs := e.runPending(); len(errs) != 0 {
		t.Fatal(errs)
	}
	posts := e.poster.Posts("reminder")
	if len(posts) != 1 {
		t.Fatalf("%d posts", len(posts))
	}
	rendered := handlers.BlocksText("en", posts[0].Blocks)
	for _, want := range []string{"Durée\u00a0: 1 heure", "Thème\u00a0: Accessibility", "Vidéoconférence\u00a0: https://meet.example.ca/cop",
		"Duration: 1 hour", "Theme: Accessibility"} {
		if !strings.Contains(rendered, want) {
			t.Errorf("rendered post lacks %q:\n%s", want, rendered)
		}
	}
}

func TestMeetingReadOnlyAndWording(t *testing.T) {
	e := newMtgEnv(t, nil)
	e.addMeeting(mtgT0.Add(30 * 24 * time.Hour))
	tests := []struct {
		lang, text string
		want       []string
		notWant    string
	}{
		{"en", "meeting 99", []string{"There is no meeting #99.", "`/cop meetings`"}, "Nothing was changed"},
		{"fr", "réunion 99", []string{"Il n’y a pas de réunion nº\u00a099.", "`/cop réunions`"}, "Rien n’a été modifié"},
		{"en", "meeting rsvps 99", []string{"There is no meeting #99."}, "Nothing was changed"},
		{"en", "meeting move 99 2027-05-05 10:00", []string{"There is no meeting #99.", "Nothing was changed"}, ""},
		{"fr", "réunion planifier 2027", []string{"Règle\u00a0: le troisième mercredi du mois à 13\u00a0h — chaque"}, "third wednesday"},
		{"en", "meeting plan 2027", []string{"Rule: the third Wednesday of the month at 1:00 p.m. — each"}, ""},
	}
	for _, tt := range tests {
		r := e.ask("coord", tt.lang, tt.text)
		mtgHas(t, r, tt.want...)
		if tt.notWant != "" && strings.Contains(r.Text, tt.notWant) {
			t.Errorf("%q says %q:\n%s", tt.text, tt.notWant, r.Text)
		}
	}
	// A move within the same day is a change of time; to another day, a
	// new date and time.
	if r := e.ask("coord", "en", "meeting move 1 2027-03-03 14:00"); r.Kind == "error" {
		t.Fatal(r.Text)
	}
	posts := e.poster.Posts("meeting_notice")
	if len(posts) != 1 {
		t.Fatalf("%d notices", len(posts))
	}
	mtgHas(t, posts[0], "Change of time: “Quarterly meeting”", "Changement d’heure\u00a0: «\u00a0Quarterly meeting\u00a0»")
}

// A meeting in another zone than the community's shows the community's
// time only, not the whole date twice, unless the day differs.
func TestMeetingTimeInTwoZones(t *testing.T) {
	e := newMtgEnv(t, nil)
	for _, tt := range []struct{ text, want, notWant string }{
		{"meeting add 2027-03-17 10:00 PST West", "Wednesday, March 17, 2027 at 10:00 a.m. PDT (1:00 p.m. EDT in the community’s time zone)", ""},
		{"meeting add 2027-03-17 22:00 PST Late", "Wednesday, March 17, 2027 at 10:00 p.m. PDT (Thursday, March 18, 2027 at 1:00 a.m. EDT in the community’s time zone)", ""},
	} {
		r := e.ask("coord", "en", tt.text)
		mtgHas(t, r, tt.want)
	}
}
