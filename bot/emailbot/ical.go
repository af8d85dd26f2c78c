package emailbot

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"copbot/handlers"
	"copbot/handlers/email"
)

// The iCalendar writing here is pure (RFC 5545, with the iTIP methods of
// RFC 5546): no I/O, so folding and escaping are tested on their own.

// maxLine is the longest content line in octets, CRLF excluded (§3.1).
const maxLine = 75

// Fold writes one content line: lines longer than 75 octets are cut at a
// rune boundary and continued on lines that start with one space (which
// counts in their 75), each ending in CRLF.
func Fold(line string) string {
	var b strings.Builder
	limit := maxLine
	for len(line) > limit {
		n := limit
		for n > 0 && !utf8.RuneStart(line[n]) {
			n--
		}
		b.WriteString(line[:n])
		b.WriteString("\r\n ")
		line = line[n:]
		limit = maxLine - 1
	}
	b.WriteString(line)
	b.WriteString("\r\n")
	return b.String()
}

// textEscaper escapes a TEXT value (§3.3.11): backslash, semicolon, comma
// and line breaks.
var textEscaper = strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`)

// EscapeText is s as an iCalendar TEXT value. Other control characters,
// which no content line may hold, are dropped.
func EscapeText(s string) string {
	return textEscaper.Replace(dropControls(s, true))
}

// ParamValue is s as a parameter value (§3.1, CN="…"): quoted when it
// holds ":;,", with the double quotes and control characters that a
// quoted value cannot hold dropped.
func ParamValue(s string) string {
	s = strings.ReplaceAll(dropControls(s, false), `"`, "")
	if strings.ContainsAny(s, ":;,") {
		return `"` + s + `"`
	}
	return s
}

// dropControls removes control characters; keepBreaks keeps line feeds
// and carriage returns, which TEXT escapes.
func dropControls(s string, keepBreaks bool) string {
	return strings.Map(func(r rune) rune {
		if (r < 0x20 && !(keepBreaks && (r == '\n' || r == '\r'))) || r == 0x7f {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

// icsTime is t in UTC, the form every calendar converts to its reader's
// zone without a VTIMEZONE.
func icsTime(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// Calendar is inv as an iCalendar object with its method: the body of the
// text/calendar part. A CANCEL keeps the UID and carries a higher
// SEQUENCE than the REQUEST it cancels (the caller's Sequence).
func Calendar(inv email.Invite) string {
	var b strings.Builder
	p := func(name, value string) { b.WriteString(Fold(name + ":" + value)) }
	t := func(name, value string) {
		if value != "" {
			p(name, EscapeText(handlers.Unmark(value)))
		}
	}
	status := "CONFIRMED"
	if inv.Method == email.MethodCancel {
		status = "CANCELLED"
	}
	p("BEGIN", "VCALENDAR")
	p("PRODID", "-//copbot//Contact Centre Community of Practice//EN")
	p("VERSION", "2.0")
	p("CALSCALE", "GREGORIAN")
	p("METHOD", inv.Method)
	p("BEGIN", "VEVENT")
	p("UID", EscapeText(inv.UID))
	p("DTSTAMP", icsTime(inv.Stamp))
	p("SEQUENCE", strconv.Itoa(inv.Sequence))
	p("DTSTART", icsTime(inv.Start))
	p("DTEND", icsTime(inv.End))
	p("STATUS", status)
	t("SUMMARY", inv.Summary)
	t("DESCRIPTION", inv.Description)
	t("LOCATION", inv.Location)
	if inv.URL != "" {
		p("URL", dropControls(inv.URL, false))
	}
	b.WriteString(Fold("ORGANIZER;CN=" + commonName(inv.Organizer) + ":mailto:" + inv.Organizer.Addr))
	b.WriteString(Fold("ATTENDEE;CN=" + commonName(inv.Attendee) +
		";CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:" + inv.Attendee.Addr))
	p("TRANSP", "OPAQUE")
	p("END", "VEVENT")
	p("END", "VCALENDAR")
	return b.String()
}

// commonName is a's CN parameter: the name, or the address for none.
func commonName(a email.Address) string {
	if strings.TrimSpace(a.Name) == "" {
		return ParamValue(a.Addr)
	}
	return ParamValue(a.Name)
}
