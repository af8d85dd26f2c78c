package meetings

import (
	"strings"
	"testing"
	"time"
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
