package meetings

import (
	"strings"
	"testing"
)

// A second meeting with the same title and start is refused with a clear
// bilingual reply that changes nothing; --force (--forcer) adds it anyway,
// and another title or time is not a copy.
func TestMeetingAddTwiceRefused(t *testing.T) {
	e := newMtgEnv(t, nil)
	steps := []struct {
		lang, text, want string
		meetings         int
	}{
		{"en", "meeting add 2027-03-17 13:00 Quarterly meeting", "Meeting #1 is scheduled.", 1},
		{"en", "meeting add 2027-03-17 13:00 quarterly MEETING", "Meeting #1 already has this title and starts at the same time " +
			"(Wednesday, March 17, 2027 at 1:00 p.m. EDT). Nothing was changed. To add a second one anyway, repeat the command with `--force`.", 1},
		{"fr", "réunion ajouter 2027-03-17 13:00 Quarterly meeting", "La réunion nº\u00a01 porte déjà ce titre et commence à la même heure " +
			"(mercredi 17 mars 2027 à 13\u00a0h HAE). Rien n’a été modifié. Pour en ajouter une seconde malgré tout, reprenez la commande avec `--forcer`.", 1},
		{"en", "meeting add 2027-03-17 13:00 Quarterly meeting --force", "Meeting #2 is scheduled.", 2},
		{"en", "meeting add 2027-03-17 13:00 Other meeting", "Meeting #3 is scheduled.", 3},
		{"en", "meeting add 2027-03-17 14:00 Quarterly meeting", "Meeting #4 is scheduled.", 4},
		{"en", "meeting add 2027-04-21 13:00", "Meeting #5 is scheduled.", 5},
		{"en", "meeting add 2027-04-21 13:00", "Meeting #5 already has this title", 5},
		{"fr", "réunion ajouter 2027-04-21 13:00 --forcer", "La réunion nº\u00a06 est prévue.", 6},
	}
	for _, st := range steps {
		r := e.ask("coord", st.lang, st.text)
		if !strings.Contains(r.Text, st.want) {
			t.Errorf("%s: %s %q, want %q", st.text, r.Kind, r.Text, st.want)
		}
		if n := len(e.meetings()); n != st.meetings {
			t.Fatalf("%s: %d meetings stored, want %d", st.text, n, st.meetings)
		}
	}
}
