package meetings

import (
	"errors"
	"testing"
	"time"

	"copbot/storage"
)

func mtgErrKey(err error) string {
	var e *storage.Error
	if errors.As(err, &e) {
		return e.Key
	}
	if err != nil {
		return "untyped: " + err.Error()
	}
	return ""
}

func TestMeetingWhen(t *testing.T) {
	e := newMtgEnv(t, nil)
	tor := mtgToronto(t)
	st, _ := time.LoadLocation("America/St_Johns")
	tests := []struct {
		lang string
		at   time.Time
		loc  *time.Location
		want string
	}{
		{"en", time.Date(2027, 3, 17, 13, 0, 0, 0, tor), tor, "Wednesday, March 17, 2027 at 1:00 p.m. EDT"},
		{"fr", time.Date(2027, 3, 17, 13, 0, 0, 0, tor), tor, "mercredi 17 mars 2027 à 13\u00a0h HAE"},
		{"fr", time.Date(2027, 3, 1, 9, 5, 0, 0, tor), tor, "lundi 1er mars 2027 à 9\u00a0h\u00a005 HNE"},
		{"en", time.Date(2027, 3, 1, 0, 30, 0, 0, tor), tor, "Monday, March 1, 2027 at 12:30 a.m. EST"},
		{"en", time.Date(2027, 12, 15, 12, 0, 0, 0, tor), tor, "Wednesday, December 15, 2027 at 12:00 p.m. EST"},
		{"fr", time.Date(2027, 7, 1, 16, 30, 0, 0, st), st, "jeudi 1er juillet 2027 à 16\u00a0h\u00a030 HAT"},
		{"en", time.Date(2027, 7, 1, 12, 0, 0, 0, time.UTC), time.UTC, "Thursday, July 1, 2027 at 12:00 p.m. UTC"},
		{"fr", time.Date(2027, 8, 2, 12, 0, 0, 0, time.UTC), time.FixedZone("-03", -3*3600), "lundi 2 août 2027 à 9\u00a0h -03"},
	}
	for _, tt := range tests {
		if got := e.f.langCall(tt.lang).When(tt.at, tt.loc); got != tt.want {
			t.Errorf("%s %s: got %q, want %q", tt.lang, tt.at, got, tt.want)
		}
	}
}

func TestMeetingSpan(t *testing.T) {
	e := newMtgEnv(t, nil)
	tests := []struct {
		d      time.Duration
		en, fr string
	}{
		{336 * time.Hour, "14 days", "14 jours"},
		{24 * time.Hour, "1 day", "1 jour"},
		{time.Hour, "1 hour", "1 heure"},
		{36 * time.Hour, "36 hours", "36 heures"},
		{90 * time.Minute, "1 h 30 min", "1\u00a0h\u00a030 min"},
		{125 * time.Minute, "2 h 05 min", "2\u00a0h\u00a005 min"},
		{45 * time.Minute, "45 minutes", "45 minutes"},
		{time.Minute, "1 minute", "1 minute"},
		{58 * time.Second, "58 seconds", "58 secondes"},
	}
	for _, tt := range tests {
		if got := e.f.langCall("en").meetingSpan(tt.d); got != tt.en {
			t.Errorf("en %s: %q, want %q", tt.d, got, tt.en)
		}
		if got := e.f.langCall("fr").meetingSpan(tt.d); got != tt.fr {
			t.Errorf("fr %s: %q, want %q", tt.d, got, tt.fr)
		}
	}
}

func TestMeetingStartParsing(t *testing.T) {
	tor := mtgToronto(t)
	tests := []struct {
		args     []string
		wantUTC  string
		wantZone string
		wantUsed int
		wantErr  string
	}{
		{[]string{"2027-03-17", "13:00", "Title"}, "2027-03-17T17:00:00Z", "America/Toronto", 2, ""},
		{[]string{"2027-03-17", "13h30"}, "2027-03-17T17:30:00Z", "America/Toronto", 2, ""},
		{[]string{"2027-03-17", "9h"}, "2027-03-17T13:00:00Z", "America/Toronto", 2, ""},
		{[]string{"2027-03-17", "10:00", "America/Vancouver", "x"}, "2027-03-17T17:00:00Z", "America/Vancouver", 3, ""},
		{[]string{"2027-03-17", "17:00", "UTC"}, "2027-03-17T17:00:00Z", "UTC", 3, ""},
		// The repeated hour of the fall-back night means its first (EDT) occurrence.
		{[]string{"2027-11-07", "01:30"}, "2027-11-07T05:30:00Z", "America/Toronto", 2, ""},
		{[]string{"2027-03-14", "02:30"}, "", "", 0, "meeting_error_time_gap"},
		{[]string{"2027-03-17", "ET"}, "", "", 0, "meeting_error_time"},
		{[]string{"2027-03-17", "13:00", "America/Springfield"}, "", "", 0, "meeting_error_zone"},
		// Zones in any case, Canadian abbreviations (EN and FR) and offsets.
		{[]string{"2027-01-22", "10:00", "PST", "Pacific", "meeting"}, "2027-01-22T18:00:00Z", "America/Vancouver", 3, ""},
		{[]string{"2027-07-22", "10:00", "PST"}, "2027-07-22T17:00:00Z", "America/Vancouver", 3, ""},
		{[]string{"2027-01-22", "10:00", "america/vancouver"}, "2027-01-22T18:00:00Z", "America/Vancouver", 3, ""},
		{[]string{"2027-01-22", "10:00", "AMERICA/ST_JOHNS"}, "2027-01-22T13:30:00Z", "America/St_Johns", 3, ""},
		{[]string{"2027-01-22", "10:00", "NST"}, "2027-01-22T13:30:00Z", "America/St_Johns", 3, ""},
		{[]string{"2027-07-22", "10:00", "HAE"}, "2027-07-22T14:00:00Z", "America/Toronto", 3, ""},
		{[]string{"2027-01-22", "10:00", "HNR"}, "2027-01-22T17:00:00Z", "America/Edmonton", 3, ""},
		{[]string{"2027-01-22", "10:00", "AST"}, "2027-01-22T14:00:00Z", "America/Halifax", 3, ""},
		{[]string{"2027-01-22", "10:00", "CDT"}, "2027-01-22T16:00:00Z", "America/Winnipeg", 3, ""},
		{[]string{"2027-01-22", "10:00", "-05:00", "x"}, "2027-01-22T15:00:00Z", "Etc/GMT+5", 3, ""},
		{[]string{"2027-01-22", "10:00", "+0100"}, "2027-01-22T09:00:00Z", "Etc/GMT-1", 3, ""},
		{[]string{"2027-01-22", "10:00", "UTC-8"}, "2027-01-22T18:00:00Z", "Etc/GMT+8", 3, ""},
		{[]string{"2027-01-22", "10:00", "−03:30"}, "2027-01-22T13:30:00Z", "America/Toronto", 3, ""},
		{[]string{"2027-01-22", "10:00", "+00:00"}, "2027-01-22T10:00:00Z", "UTC", 3, ""},
		{[]string{"2027-01-22", "10:00", "gmt"}, "2027-01-22T10:00:00Z", "UTC", 3, ""},
		// Title words that are not zones stay in the title.
		{[]string{"2027-01-22", "10:00", "IT", "modernization"}, "2027-01-22T15:00:00Z", "America/Toronto", 2, ""},
		{[]string{"2027-01-22", "10:00", "Est", "du", "Canada"}, "2027-01-22T15:00:00Z", "America/Toronto", 2, ""},
		{[]string{"2027-01-22", "10:00", "pst"}, "2027-01-22T15:00:00Z", "America/Toronto", 2, ""},
		// Zone-like words that are not zones are refused, not swallowed.
		{[]string{"2027-01-22", "10:00", "XST", "Pacific"}, "", "", 0, "meeting_error_zone"},
		{[]string{"2027-01-22", "10:00", "america/vancover"}, "", "", 0, "meeting_error_zone_suggest"},
		{[]string{"2027-01-22", "10:00", "-25:00"}, "", "", 0, "meeting_error_zone"},
		{[]string{"2027-01-22", "10:00", "+05:75"}, "", "", 0, "meeting_error_zone"},
		{[]string{"2027-03-14", "02:30", "EST"}, "", "", 0, "meeting_error_time_gap"},
		{[]string{"2027-03-17", "Local/Time"}, "", "", 0, "meeting_error_time"},
		{[]string{"17/03/2027", "13:00"}, "", "", 0, "meeting_error_date"},
		{[]string{"2027-03-17", "1:5"}, "", "", 0, "meeting_error_time"},
		{[]string{"2027-03-17", "24:00"}, "", "", 0, "meeting_error_time"},
		{[]string{"2027-03-17"}, "", "", 0, "meeting_error_when"},
	}
	for _, tt := range tests {
		got, zone, used, err := meetingStart(tt.args, tor)
		if key := mtgErrKey(err); key != tt.wantErr {
			t.Errorf("%v: error %q, want %q", tt.args, key, tt.wantErr)
			continue
		}
		if err != nil {
			continue
		}
		if got.UTC().Format(time.RFC3339) != tt.wantUTC || zone != tt.wantZone || used != tt.wantUsed {
			t.Errorf("%v: %s %s used %d, want %s %s used %d", tt.args, got.UTC().Format(time.RFC3339), zone, used,
				tt.wantUTC, tt.wantZone, tt.wantUsed)
		}
	}
}

func TestMeetingRule(t *testing.T) {
	tor := mtgToronto(t)
	tests := []struct {
		rule  string
		year  int
		month time.Month
		want  string // local date and time, or the error key
	}{
		{"third wednesday 13:00", 2027, time.March, "2027-03-17 13:00"},
		{"third wednesday 13:00", 2027, time.September, "2027-09-15 13:00"},
		{"Third Wednesday 13:00", 2027, time.December, "2027-12-15 13:00"},
		{"first monday 09:30", 2027, time.March, "2027-03-01 09:30"},
		{"fourth thursday 14:00", 2027, time.February, "2027-02-25 14:00"},
		{"last friday 10:00", 2027, time.April, "2027-04-30 10:00"},
		{"last sunday 10:00", 2027, time.February, "2027-02-28 10:00"},
		{"troisième mercredi 13h00", 2027, time.June, "2027-06-16 13:00"},
		{"dernier vendredi 10h", 2027, time.December, "2027-12-31 10:00"},
		{"fifth wednesday 13:00", 2027, time.March, "meeting_error_rule"},
		{"third wednesday", 2027, time.March, "meeting_error_rule"},
		{"third wedsday 13:00", 2027, time.March, "meeting_error_rule"},
		{"third wednesday 25:00", 2027, time.March, "meeting_error_rule"},
	}
	for _, tt := range tests {
		r, err := parseMeetingRule(tt.rule)
		if err != nil {
			if got := mtgErrKey(err); got != tt.want {
				t.Errorf("%q: error %q, want %s", tt.rule, got, tt.want)
			}
			continue
		}
		if got := r.in(tt.year, tt.month, tor).Format("2006-01-02 15:04"); got != tt.want {
			t.Errorf("%q in %s %d: %s, want %s", tt.rule, tt.month, tt.year, got, tt.want)
		}
	}
}
