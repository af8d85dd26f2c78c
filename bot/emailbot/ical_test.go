package emailbot

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"copbot/handlers/email"
)

func TestFold(t *testing.T) {
	long := "DESCRIPTION:" + strings.Repeat("abcdefghij", 20)
	accents := "SUMMARY:" + strings.Repeat("é", 70) // 2 octets each: cuts must not split one
	for _, tc := range []struct{ name, in string }{
		{"short", "UID:x"},
		{"exactly 75", "X:" + strings.Repeat("a", 73)},
		{"76", "X:" + strings.Repeat("a", 74)},
		{"long", long},
		{"two-octet runes", accents},
		{"four-octet runes", "SUMMARY:" + strings.Repeat("🗓", 40)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Fold(tc.in)
			if !strings.HasSuffix(got, "\r\n") {
				t.Fatalf("no CRLF at the end: %q", got)
			}
			lines := strings.Split(strings.TrimSuffix(got, "\r\n"), "\r\n")
			for i, l := range lines {
				if len(l) > 75 {
					t.Errorf("line %d has %d octets: %q", i, len(l), l)
				}
				if !utf8.ValidString(l) {
					t.Errorf("line %d splits a character: %q", i, l)
				}
				if i > 0 && !strings.HasPrefix(l, " ") {
					t.Errorf("continuation line %d does not start with a space: %q", i, l)
				}
				if strings.ContainsAny(l, "\r\n") {
					t.Errorf("bare line break inside line %d", i)
				}
			}
			if len(tc.in) <= 75 && len(lines) != 1 {
				t.Errorf("a line of %d octets was folded: %q", len(tc.in), got)
			}
			// Unfolding (RFC 5545 §3.1: remove CRLF + one space) gives the line back.
			if back := strings.ReplaceAll(strings.TrimSuffix(got, "\r\n"), "\r\n ", ""); back != tc.in {
				t.Errorf("unfolded %q, want %q", back, tc.in)
			}
		})
	}
	if got, want := Fold("X:"+strings.Repeat("a", 74)), "X:"+strings.Repeat("a", 73)+"\r\n a\r\n"; got != want {
		t.Errorf("Fold at 76 = %q, want %q", got, want)
	}
}

func TestEscapeText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain", "plain"},
		{`a\b`, `a\\b`},
		{"a;b,c", `a\;b\,c`},
		{"line one\nline two", `line one\nline two`},
		{"crlf\r\nhere", `crlf\nhere`},
		{"cr\rhere", `cr\nhere`},
		{"colon: stays", "colon: stays"},
		{"tab\tand bell\a dropped", "taband bell dropped"},
		{"bad \xff utf-8", "bad \uFFFD utf-8"},
		{`\;`, `\\\;`},
	} {
		if got := EscapeText(tc.in); got != tc.want {
			t.Errorf("EscapeText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParamValue(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Marie Tremblay", "Marie Tremblay"},
		{"Tremblay, Marie", `"Tremblay, Marie"`},
		{`Say "hi": x`, `"Say hi: x"`},
		{"new\nline", "newline"},
	} {
		if got := ParamValue(tc.in); got != tc.want {
			t.Errorf("ParamValue(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCalendarRequestAndCancel(t *testing.T) {
	start := time.Date(2027, 3, 17, 13, 0, 0, 0, time.FixedZone("EDT", -4*3600))
	inv := email.Invite{Method: email.MethodRequest, UID: "meeting-7.abc@copbot", Sequence: 2,
		Stamp: time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC), Start: start, End: start.Add(90 * time.Minute),
		Summary: "Quarterly meeting; accessibility, technology", Description: "Agenda:\n1. Welcome",
		Location: "https://meet.example/abc", URL: "https://meet.example/abc",
		Organizer: email.Address{Name: "CoP Secretariat", Addr: "cop@example.gc.ca"},
		Attendee:  email.Address{Name: "Tremblay, Marie", Addr: "marie@example.qc.ca"}}
	got := Calendar(inv)
	for _, want := range []string{
		"BEGIN:VCALENDAR\r\n", "METHOD:REQUEST\r\n", "UID:meeting-7.abc@copbot\r\n", "SEQUENCE:2\r\n",
		"DTSTART:20270317T170000Z\r\n", "DTEND:20270317T183000Z\r\n", "STATUS:CONFIRMED\r\n",
		`SUMMARY:Quarterly meeting\; accessibility\, technology` + "\r\n",
		`DESCRIPTION:Agenda:\n1. Welcome` + "\r\n",
		"ORGANIZER;CN=CoP Secretariat:mailto:cop@example.gc.ca\r\n",
		"END:VCALENDAR\r\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("calendar lacks %q:\n%s", want, got)
		}
	}
	unfolded := strings.ReplaceAll(got, "\r\n ", "")
	if !strings.Contains(unfolded, `ATTENDEE;CN="Tremblay, Marie";CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:marie@example.qc.ca`) {
		t.Errorf("attendee line:\n%s", unfolded)
	}
	for i, l := range strings.Split(strings.TrimSuffix(got, "\r\n"), "\r\n") {
		if len(l) > 75 {
			t.Errorf("line %d longer than 75 octets: %q", i, l)
		}
	}
	if strings.Contains(strings.ReplaceAll(got, "\r\n", ""), "\n") {
		t.Error("a line ends in a bare LF")
	}
	inv.Method, inv.Sequence = email.MethodCancel, 3
	got = Calendar(inv)
	for _, want := range []string{"METHOD:CANCEL\r\n", "STATUS:CANCELLED\r\n", "SEQUENCE:3\r\n", "UID:meeting-7.abc@copbot\r\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("cancellation lacks %q:\n%s", want, got)
		}
	}
}
