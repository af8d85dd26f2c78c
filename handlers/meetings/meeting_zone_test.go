package meetings

import (
	"strings"
	"testing"
	"time"
)

// A zone after the time is read in add and move, whatever its form, and a
// zone-like word that is no zone is refused with nothing stored, never
// taken into the title.
func TestMeetingCommandsReadZones(t *testing.T) {
	tests := []struct {
		lang, text string
		wantTitle  string // of meeting 1 afterwards; "" means none stored
		wantStart  string // UTC
		wantZone   string
		wantErr    string // text in the error reply
	}{
		{"en", "meeting add 2027-03-22 10:00 PST Pacific meeting", "Pacific meeting", "2027-03-22T17:00:00Z", "America/Vancouver", ""},
		{"en", "meeting add 2027-03-22 10:00 -05:00 Offset meeting", "Offset meeting", "2027-03-22T15:00:00Z", "Etc/GMT+5", ""},
		{"en", "meeting add 2027-03-22 10:00 america/vancouver Lower", "Lower", "2027-03-22T17:00:00Z", "America/Vancouver", ""},
		{"fr", "réunion ajouter 2027-03-22 10:00 HNP Réunion du Pacifique", "Réunion du Pacifique", "2027-03-22T17:00:00Z", "America/Vancouver", ""},
		// Issue 9, finding 8: the generic abbreviations are zones, not title words.
		{"en", "meeting add 2027-03-22 13:00 PT Workshop", "Workshop", "2027-03-22T20:00:00Z", "America/Vancouver", ""},
		{"en", "meeting add 2027-03-22 10:00 ET Eastern", "Eastern", "2027-03-22T14:00:00Z", "America/Toronto", ""},
		{"en", "meeting add 2027-03-22 10:00 CT Central", "Central", "2027-03-22T15:00:00Z", "America/Winnipeg", ""},
		{"en", "meeting add 2027-03-22 10:00 MT Mountain", "Mountain", "2027-03-22T16:00:00Z", "America/Edmonton", ""},
		{"en", "meeting add 2027-03-22 10:00 AT Atlantic", "Atlantic", "2027-03-22T13:00:00Z", "America/Halifax", ""},
		{"en", "meeting add 2027-03-22 10:00 NT Newfoundland", "Newfoundland", "2027-03-22T12:30:00Z", "America/St_Johns", ""},
		{"fr", "réunion ajouter 2027-03-22 10:00 HE Atelier", "Atelier", "2027-03-22T14:00:00Z", "America/Toronto", ""},
		{"fr", "réunion ajouter 2027-03-22 10:00 HP Atelier", "Atelier", "2027-03-22T17:00:00Z", "America/Vancouver", ""},
		{"fr", "réunion ajouter 2027-03-22 10:00 HR Atelier", "Atelier", "2027-03-22T16:00:00Z", "America/Edmonton", ""},
		{"fr", "réunion ajouter 2027-03-22 10:00 HC Atelier", "Atelier", "2027-03-22T15:00:00Z", "America/Winnipeg", ""},
		{"fr", "réunion ajouter 2027-03-22 10:00 HA Atelier", "Atelier", "2027-03-22T13:00:00Z", "America/Halifax", ""},
		{"fr", "réunion ajouter 2027-03-22 10:00 HT Atelier", "Atelier", "2027-03-22T12:30:00Z", "America/St_Johns", ""},
		{"en", "meeting add 2027-03-22 10:00 XST Pacific meeting", "", "", "", "“XST” is not a time zone I know"},
		{"en", "meeting add 2027-03-22 10:00 America/Vancover x", "", "", "", "Did you mean America/Vancouver?"},
		{"fr", "réunion ajouter 2027-03-22 10:00 America/Vancover x", "", "", "", "Vouliez-vous dire America/Vancouver\u202f?"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			e := newMtgEnv(t, nil)
			r := e.ask("coord", tt.lang, tt.text)
			ms := e.meetings()
			if tt.wantErr != "" {
				if r.Kind != "error" || !strings.Contains(r.Text, tt.wantErr) || len(ms) != 0 {
					t.Errorf("%s %q with %d meetings stored; want an error with %q and none", r.Kind, r.Text, len(ms), tt.wantErr)
				}
				return
			}
			if len(ms) != 1 {
				t.Fatalf("%d meetings stored; reply %s %q", len(ms), r.Kind, r.Text)
			}
			m := ms[0]
			if m.Title != tt.wantTitle || m.StartsAt.Format(time.RFC3339) != tt.wantStart || m.Zone != tt.wantZone {
				t.Errorf("stored %q %s %s, want %q %s %s", m.Title, m.StartsAt.Format(time.RFC3339), m.Zone,
					tt.wantTitle, tt.wantStart, tt.wantZone)
			}
		})
	}
}

func TestMeetingMoveReadsZones(t *testing.T) {
	e := newMtgEnv(t, nil)
	m := e.addMeeting(mtgT0.Add(30 * 24 * time.Hour))
	for _, tt := range []struct{ text, wantStart, wantZone string }{
		{"meeting move 1 2027-04-22 10:00 PST", "2027-04-22T17:00:00Z", "America/Vancouver"},
		{"meeting move 1 2027-04-22 10:00 america/halifax", "2027-04-22T13:00:00Z", "America/Halifax"},
		{"meeting move 1 2027-04-22 10:00 -04:00", "2027-04-22T14:00:00Z", "Etc/GMT+4"},
	} {
		if r := e.ask("coord", "en", tt.text); r.Kind == "error" {
			t.Fatalf("%s: %s", tt.text, r.Text)
		}
		got, err := e.db.MeetingByID(t.Context(), m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.StartsAt.Format(time.RFC3339) != tt.wantStart || got.Zone != tt.wantZone {
			t.Errorf("%s: %s %s, want %s %s", tt.text, got.StartsAt.Format(time.RFC3339), got.Zone, tt.wantStart, tt.wantZone)
		}
	}
}
