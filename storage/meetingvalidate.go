package storage

import (
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on meeting fields, so a message stays readable on every platform.
const (
	MaxMeetingTitle  = 200
	MaxMeetingTheme  = 200
	MaxMeetingAgenda = 2000
	MaxMeetingLink   = 500
	MinMeetingLength = time.Minute // and whole minutes
	MaxMeetingLength = 24 * time.Hour
	MinReminderAhead = time.Second // and whole seconds
	MaxReminderAhead = 90 * 24 * time.Hour
	// MaxMeetingYears bounds how far ahead a meeting may start, so that
	// every stored start stays a four-digit year that reads back (a start
	// in year 10000 would make every listing of reminders fail).
	MaxMeetingYears = 5
)

// ValidateMeeting checks a meeting's fields without I/O.
func ValidateMeeting(m *Meeting) error {
	if m.StartsAt.IsZero() {
		return Errorf(EINVALID, "meeting_error_when", nil, "meeting has no start")
	}
	if _, err := time.LoadLocation(m.Zone); err != nil || m.Zone == "" || m.Zone == "Local" {
		return Errorf(EINVALID, "meeting_error_zone", map[string]any{"Zone": m.Zone}, "unknown zone %q", m.Zone)
	}
	if err := ValidateMeetingDuration(m.Duration); err != nil {
		return err
	}
	for _, f := range []struct {
		name, value string
		max         int
	}{{"title", m.Title, MaxMeetingTitle}, {"theme", m.Theme, MaxMeetingTheme}, {"agenda", m.Agenda, MaxMeetingAgenda}} {
		if utf8.RuneCountInString(f.value) > f.max {
			return Errorf(EINVALID, "meeting_error_too_long_"+f.name, map[string]any{"Max": f.max}, "%s too long", f.name)
		}
	}
	return validateLink(m.Link)
}

// ValidateMeetingDuration checks a meeting length: whole minutes, from
// MinMeetingLength to MaxMeetingLength.
func ValidateMeetingDuration(d time.Duration) error {
	if d < MinMeetingLength || d > MaxMeetingLength || d%time.Minute != 0 {
		return Errorf(EINVALID, "meeting_error_duration", map[string]any{"Duration": d.String()},
			"duration %s out of range", d)
	}
	return nil
}

func validateLink(link string) error {
	if link == "" {
		return nil
	}
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(link) > MaxMeetingLink ||
		strings.ContainsAny(link, " \t\r\n<>|") {
		return Errorf(EINVALID, "meeting_error_link", map[string]any{"Link": link}, "bad link %q", link)
	}
	return nil
}

// checkFuture accepts a start after now and at most MaxMeetingYears ahead.
func checkFuture(start, now time.Time) error {
	if !start.After(now) {
		return Errorf(EINVALID, "meeting_error_past", nil, "start %s is not after now %s", start, now)
	}
	if start.After(now.AddDate(MaxMeetingYears, 0, 0)) {
		return Errorf(EINVALID, "meeting_error_too_far", map[string]any{"Years": MaxMeetingYears},
			"start %s is more than %d years after now %s", start, MaxMeetingYears, now)
	}
	return nil
}

// checkMeetingText runs checkText over a meeting's texts; only the agenda
// may span lines.
func checkMeetingText(title, agenda, theme, link string) error {
	if err := checkFields(textField{"title", title, textLine}, textField{"agenda", agenda, textBreaks},
		textField{"theme", theme, textLine}, textField{"link", link, textLine}); err != nil {
		return err
	}
	return nil
}
