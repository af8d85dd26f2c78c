package meetings

import (
	"bufio"
	"context"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"copbot/handlers"
	"copbot/storage"
)

// calendarHistory is how far back the calendar lists past meetings.
const calendarHistory = 366 * 24 * time.Hour

// Calendar writes the Community's meetings as an RFC 5545 iCalendar feed
// (for GET /calendar.ics and "copbot export calendar"). Times are written
// in UTC ("Z"), which every client converts to its reader's zone and which
// needs no VTIMEZONE. Each meeting's UID is stable and globally unique
// (storage gives it, with the installation id, when the meeting is made:
// two copbots' meeting 1 are not one event in a calendar that subscribes
// to both), its SEQUENCE grows with every change, and a cancelled meeting stays in
// the feed as STATUS:CANCELLED so subscribed calendars drop it. The feed is
// bilingual, English first.
func (s *Feature) Calendar(ctx context.Context, w io.Writer) error {
	ms, err := s.store.FindMeetings(ctx, storage.MeetingFilter{From: s.now().Add(-calendarHistory)})
	if err != nil {
		return err
	}
	en, fr := s.langCall("en"), s.langCall("fr")
	iw := newICSWriter(w)
	iw.prop("BEGIN", "VCALENDAR")
	iw.prop("VERSION", "2.0")
	iw.prop("PRODID", "-//copbot//Contact Centre Community of Practice//EN")
	iw.prop("CALSCALE", "GREGORIAN")
	iw.text("X-WR-CALNAME", en.T("calendar_name", nil)+" / "+fr.T("calendar_name", nil))
	for _, m := range ms {
		s.calendarEvent(iw, m, en, fr)
	}
	iw.prop("END", "VCALENDAR")
	return iw.flush()
}

func (s *Feature) calendarEvent(iw *icsWriter, m *storage.Meeting, en, fr *call) {
	status := "CONFIRMED"
	if m.Status == storage.MeetingCancelled {
		status = "CANCELLED"
	}
	summary := m.Title
	if summary == "" {
		summary = en.meetingTitle(m) + " / " + fr.meetingTitle(m)
	}
	iw.prop("BEGIN", "VEVENT")
	iw.prop("UID", meetingUID(m))
	// No METHOD, so DTSTAMP is the last revision, like LAST-MODIFIED: the
	// feed is byte-identical until a meeting changes.
	iw.prop("DTSTAMP", icsTime(m.UpdatedAt))
	iw.prop("CREATED", icsTime(m.CreatedAt))
	iw.prop("LAST-MODIFIED", icsTime(m.UpdatedAt))
	iw.prop("DTSTART", icsTime(m.StartsAt))
	iw.prop("DTEND", icsTime(m.EndsAt()))
	iw.prop("SEQUENCE", strconv.Itoa(m.Sequence))
	iw.prop("STATUS", status)
	iw.text("SUMMARY", summary)
	if d := calendarDescription(m, en, fr); d != "" {
		iw.text("DESCRIPTION", d)
	}
	if m.Link != "" {
		iw.text("LOCATION", m.Link)
		iw.prop("URL", m.Link) // a URI, validated when stored: no escaping
	}
	iw.prop("END", "VEVENT")
}

// calendarDescription is the theme, agenda and link, in English then French.
func calendarDescription(m *storage.Meeting, en, fr *call) string {
	var parts []string
	for _, c := range []*call{en, fr} {
		var lines []string
		if m.Theme != "" {
			lines = append(lines, c.T("calendar_event_theme", map[string]any{"Theme": c.Own(m.Theme)}))
		}
		if m.Agenda != "" {
			lines = append(lines, c.T("calendar_event_agenda", map[string]any{"Agenda": c.Own(m.Agenda)}))
		}
		if m.Link != "" {
			lines = append(lines, c.T("calendar_event_link", map[string]any{"Link": m.Link}))
		}
		if len(lines) > 0 {
			parts = append(parts, strings.Join(lines, "\n"))
		}
	}
	return strings.Join(parts, "\n\n")
}

func icsTime(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// icsWriter writes content lines: CRLF-terminated, folded at 75 octets
// without splitting a UTF-8 sequence. The first error sticks.
type icsWriter struct {
	w      *bufio.Writer
	escape *strings.Replacer
	err    error
}

func newICSWriter(w io.Writer) *icsWriter {
	// TEXT escaping, RFC 5545 §3.3.11.
	esc := strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`)
	return &icsWriter{w: bufio.NewWriter(w), escape: esc}
}

// text writes a TEXT property, escaped.
func (iw *icsWriter) text(name, value string) {
	iw.prop(name, iw.escape.Replace(handlers.Unmark(value)))
}

// prop writes name:value as it is (value must already be escaped).
func (iw *icsWriter) prop(name, value string) {
	line := name + ":" + value
	for iw.err == nil {
		n := icsCut(line, 75)
		_, iw.err = iw.w.WriteString(line[:n] + "\r\n")
		if n == len(line) {
			return
		}
		// A continuation line starts with one space, which counts.
		line = " " + line[n:]
	}
}

func (iw *icsWriter) flush() error {
	if iw.err != nil {
		return iw.err
	}
	return iw.w.Flush()
}

// icsCut returns the longest prefix length of s, at most max octets, that
// ends on a rune boundary.
func icsCut(s string, max int) int {
	if len(s) <= max {
		return len(s)
	}
	n := max
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return n
}

// meetingUID is m's iCalendar UID: the one storage fixed at its creation,
// else (a row the installation-id migration has not given one) the form
// calendars knew it by.
func meetingUID(m *storage.Meeting) string {
	if m.UID != "" {
		return m.UID
	}
	return "meeting-" + strconv.FormatInt(m.ID, 10) + "@copbot"
}
