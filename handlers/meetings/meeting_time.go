package meetings

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // zones work on hosts without /usr/share/zoneinfo (scratch images)

	"copbot/handlers"
	"copbot/storage"
)

// This file formats and parses the times of meetings: dates written the
// way each language writes them, the rule that plans the quarterly
// meetings, and durations such as reminder offsets.

// meetingSpan writes a duration the call's way: "14 days", "1 hour",
// "1 h 30 min", « 45 minutes ». Offsets are whole seconds.
func (c *call) meetingSpan(d time.Duration) string {
	switch {
	case d%time.Minute != 0:
		return c.N("meeting_span_seconds", int(d/time.Second), nil)
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		return c.N("meeting_span_days", int(d/(24*time.Hour)), nil)
	case d >= time.Hour && d%time.Hour == 0:
		return c.N("meeting_span_hours", int(d/time.Hour), nil)
	case d < time.Hour:
		return c.N("meeting_span_minutes", int(d/time.Minute), nil)
	}
	return c.T("meeting_span_hm", map[string]any{"Hours": int(d / time.Hour), "Minutes": fmt.Sprintf("%02d", int(d%time.Hour/time.Minute))})
}

// meetingStart parses "YYYY-MM-DD HH:MM [zone]" from the front of args, in
// def unless a zone follows (see meetingParseZone: an IANA name in any
// case, a Canadian abbreviation, UTC or an offset). It returns the instant,
// the zone's name and how many words it used. A wall time that does not
// exist (skipped by a spring-forward change) is refused; an ambiguous one
// (the repeated hour in the fall) means its first, daylight-saving
// occurrence.
func meetingStart(args []string, def *time.Location) (time.Time, string, int, error) {
	if len(args) < 2 {
		return time.Time{}, "", 0, storage.Errorf(storage.EINVALID, "meeting_error_when", nil, "missing date or time")
	}
	day, err := time.Parse("2006-01-02", args[0])
	if err != nil {
		return time.Time{}, "", 0, storage.Errorf(storage.EINVALID, "meeting_error_date", map[string]any{"Value": args[0]}, "bad date")
	}
	hh, mm, ok := meetingParseClock(args[1])
	if !ok {
		return time.Time{}, "", 0, storage.Errorf(storage.EINVALID, "meeting_error_time", map[string]any{"Value": args[1]}, "bad time")
	}
	loc, name, used := def, def.String(), 2
	if len(args) > 2 {
		read, zone, isZone, err := meetingParseZone(args[2], def)
		if err != nil {
			return time.Time{}, "", 0, err
		}
		if isZone {
			loc, name, used = read, zone, 3
		}
	}
	t := time.Date(day.Year(), day.Month(), day.Day(), hh, mm, 0, 0, loc)
	if t.Hour() != hh || t.Minute() != mm {
		return time.Time{}, "", 0, storage.Errorf(storage.EINVALID, "meeting_error_time_gap",
			map[string]any{"Value": args[0] + " " + args[1], "Zone": name}, "wall time skipped by DST")
	}
	return t, name, used, nil
}

// meetingParseClock reads "13:00", "13h00", "13h" or "13 h" (already one word).
func meetingParseClock(s string) (int, int, bool) {
	s = strings.ToLower(strings.ReplaceAll(s, " ", ""))
	h, m, found := strings.Cut(s, ":")
	if !found {
		h, m, found = strings.Cut(s, "h")
	}
	if !found || h == "" || len(h) > 2 || (m != "" && len(m) != 2) {
		return 0, 0, false
	}
	if m == "" {
		m = "00"
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return 0, 0, false
	}
	return hh, mm, true
}

// meetingRule is a parsed "third wednesday 13:00": the nth (or last)
// weekday of a month at a time of day.
type meetingRule struct {
	nth     int // 1..4, or -1 for the last
	weekday time.Weekday
	hour    int
	minute  int
}

// meetingOrdinal reads a folded rule ordinal; -1 means the last.
func meetingOrdinal(w string) (int, bool) {
	switch w {
	case "first", "1st", "premier", "1er":
		return 1, true
	case "second", "2nd", "deuxieme", "2e":
		return 2, true
	case "third", "3rd", "troisieme", "3e":
		return 3, true
	case "fourth", "4th", "quatrieme", "4e":
		return 4, true
	case "last", "dernier":
		return -1, true
	}
	return 0, false
}

// meetingWeekday reads a folded weekday name, English or French.
func meetingWeekday(w string) (time.Weekday, bool) {
	names := [...][2]string{{"sunday", "dimanche"}, {"monday", "lundi"}, {"tuesday", "mardi"},
		{"wednesday", "mercredi"}, {"thursday", "jeudi"}, {"friday", "vendredi"}, {"saturday", "samedi"}}
	for d, n := range names {
		if w == n[0] || w == n[1] {
			return time.Weekday(d), true
		}
	}
	return 0, false
}

// parseMeetingRule reads "<ordinal> <weekday> <HH:MM>", in English or
// French, case and accents ignored.
func parseMeetingRule(rule string) (meetingRule, error) {
	words := strings.Fields(handlers.Fold(rule))
	bad := storage.Errorf(storage.EINVALID, "meeting_error_rule", map[string]any{"Rule": rule}, "bad rule %q", rule)
	if len(words) != 3 {
		return meetingRule{}, bad
	}
	nth, ok1 := meetingOrdinal(words[0])
	wd, ok2 := meetingWeekday(words[1])
	hh, mm, ok3 := meetingParseClock(words[2])
	if !ok1 || !ok2 || !ok3 {
		return meetingRule{}, bad
	}
	return meetingRule{nth: nth, weekday: wd, hour: hh, minute: mm}, nil
}

// meetingRuleWords writes the rule in the call's words: "the third
// Wednesday of the month at 1:00 p.m." or « le troisième mercredi du mois
// à 13 h ».
func (c *call) meetingRuleWords(r meetingRule) string {
	nth := "last"
	if r.nth > 0 {
		nth = strconv.Itoa(r.nth)
	}
	return c.T("meeting_rule", map[string]any{
		"Nth":     c.T("meeting_ordinal_"+nth, nil),
		"Weekday": c.T(fmt.Sprintf("meeting_weekday_%d", r.weekday), nil),
		"Time":    c.Clock(time.Date(2000, 1, 1, r.hour, r.minute, 0, 0, time.UTC)),
	})
}

// in returns the rule's date and time in the given month.
func (r meetingRule) in(year int, month time.Month, loc *time.Location) time.Time {
	if r.nth < 0 {
		last := time.Date(year, month+1, 0, r.hour, r.minute, 0, 0, loc)
		back := (int(last.Weekday()) - int(r.weekday) + 7) % 7
		return last.AddDate(0, 0, -back)
	}
	first := time.Date(year, month, 1, r.hour, r.minute, 0, 0, loc)
	ahead := (int(r.weekday) - int(first.Weekday()) + 7) % 7
	return first.AddDate(0, 0, ahead+7*(r.nth-1))
}
