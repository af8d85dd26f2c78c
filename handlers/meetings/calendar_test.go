package meetings

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"copbot/storage"
)

// icsProp is one parsed content line.
type icsProp struct{ name, value string }

// parseICS checks the physical format (CRLF only, at most 75 octets per
// line, continuation lines starting with one space), unfolds, and returns
// the components (VCALENDAR and each VEVENT) as property lists.
func parseICS(t *testing.T, data []byte) (cal []icsProp, events [][]icsProp) {
	t.Helper()
	text := string(data)
	if !strings.HasSuffix(text, "\r\n") {
		t.Fatal("feed does not end with CRLF")
	}
	physical := strings.Split(strings.TrimSuffix(text, "\r\n"), "\r\n")
	var logical []string
	for i, l := range physical {
		if strings.ContainsAny(l, "\r\n") {
			t.Fatalf("line %d holds a bare CR or LF: %q", i+1, l)
		}
		if len(l) > 75 {
			t.Errorf("line %d is %d octets: %q", i+1, len(l), l)
		}
		if strings.HasPrefix(l, " ") {
			if len(logical) == 0 {
				t.Fatal("feed starts with a continuation line")
			}
			logical[len(logical)-1] += l[1:]
			continue
		}
		logical = append(logical, l)
	}
	var stack []string
	var current *[]icsProp
	for _, l := range logical {
		name, value, ok := strings.Cut(l, ":")
		if !ok || name == "" {
			t.Fatalf("not a content line: %q", l)
		}
		switch name {
		case "BEGIN":
			stack = append(stack, value)
			if value == "VEVENT" {
				events = append(events, nil)
				current = &events[len(events)-1]
			} else {
				current = &cal
			}
			continue
		case "END":
			if len(stack) == 0 || stack[len(stack)-1] != value {
				t.Fatalf("END:%s does not close %v", value, stack)
			}
			stack = stack[:len(stack)-1]
			current = &cal
			continue
		}
		if current == nil {
			t.Fatalf("property %s outside any component", name)
		}
		*current = append(*current, icsProp{name, value})
	}
	if len(stack) != 0 {
		t.Fatalf("unclosed components %v", stack)
	}
	return cal, events
}

// icsUnescape reverses TEXT escaping; a lone backslash is a test failure.
func icsUnescape(t *testing.T, s string) string {
	t.Helper()
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			if s[i] == ',' || s[i] == ';' {
				t.Errorf("unescaped %q in %q", s[i], s)
			}
			b.WriteByte(s[i])
			continue
		}
		i++
		if i == len(s) {
			t.Fatalf("dangling backslash in %q", s)
		}
		switch s[i] {
		case 'n', 'N':
			b.WriteByte('\n')
		case '\\', ';', ',':
			b.WriteByte(s[i])
		default:
			t.Errorf("bad escape \\%c in %q", s[i], s)
		}
	}
	return b.String()
}

func icsGet(props []icsProp, name string) (string, int) {
	var v string
	n := 0
	for _, p := range props {
		if p.name == name {
			v, n = p.value, n+1
		}
	}
	return v, n
}

func TestCalendarParsesBack(t *testing.T) {
	e := newMtgEnvOffsets(t, time.Hour)
	ctx := context.Background()
	tor := mtgToronto(t)
	// The day after the spring-forward change: 13:00 EDT is 17:00 UTC.
	title := "Réunion trimestrielle; accessibilité, services \\ communautés vulnérables — un titre assez long pour être plié plusieurs fois"
	first, err := e.db.CreateMeeting(ctx, storage.MeetingInput{Title: title, StartsAt: time.Date(2027, 3, 15, 13, 0, 0, 0, tor),
		Zone: "America/Toronto", Duration: 90 * time.Minute, Agenda: "1. Accueil\n2. Panel, Q&A",
		Link: "https://meet.example.ca/j/123?pwd=a,b", Theme: "Accessibilité"})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Set(mtgT0.Add(time.Hour))
	second := e.addMeeting(time.Date(2027, 6, 16, 13, 0, 0, 0, tor))
	if _, err := e.db.CancelMeeting(ctx, second.ID); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := e.f.Calendar(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	cal, events := parseICS(t, buf.Bytes())
	inst, err := e.db.InstallationID(ctx)
	if err != nil || len(inst) != 32 {
		t.Fatalf("installation id %q %v", inst, err)
	}
	for _, want := range []icsProp{{"VERSION", "2.0"}, {"CALSCALE", "GREGORIAN"}} {
		if got, n := icsGet(cal, want.name); got != want.value || n != 1 {
			t.Errorf("calendar %s = %q (×%d), want %q", want.name, got, n, want.value)
		}
	}
	if _, n := icsGet(cal, "PRODID"); n != 1 {
		t.Error("calendar has no PRODID")
	}
	if len(events) != 2 {
		t.Fatalf("%d events, want 2", len(events))
	}
	tests := []struct {
		event       []icsProp
		name, value string
	}{
		{events[0], "UID", "meeting-1." + inst + "@copbot"},
		{events[0], "DTSTART", "20270315T170000Z"},
		{events[0], "DTEND", "20270315T183000Z"},
		{events[0], "STATUS", "CONFIRMED"},
		{events[0], "SEQUENCE", "0"},
		{events[0], "DTSTAMP", "20270201T150000Z"},
		{events[0], "URL", "https://meet.example.ca/j/123?pwd=a,b"},
		{events[1], "UID", "meeting-2." + inst + "@copbot"},
		{events[1], "STATUS", "CANCELLED"},
		{events[1], "SEQUENCE", "1"},
		{events[1], "DTSTART", "20270616T170000Z"},
		{events[1], "DTSTAMP", "20270201T160000Z"},
	}
	for _, tt := range tests {
		uid, _ := icsGet(tt.event, "UID")
		if got, n := icsGet(tt.event, tt.name); got != tt.value || n != 1 {
			t.Errorf("%s %s = %q (×%d), want %q", uid, tt.name, got, n, tt.value)
		}
	}
	summary, _ := icsGet(events[0], "SUMMARY")
	if got := icsUnescape(t, summary); got != title {
		t.Errorf("SUMMARY round trip = %q, want %q", got, title)
	}
	desc, _ := icsGet(events[0], "DESCRIPTION")
	got := icsUnescape(t, desc)
	for _, want := range []string{"Theme: Accessibilité", "Agenda: 1. Accueil\n2. Panel, Q&A", "Thème\u00a0: Accessibilité",
		"Ordre du jour\u00a0: 1. Accueil"} {
		if !strings.Contains(got, want) {
			t.Errorf("DESCRIPTION %q lacks %q", got, want)
		}
	}
	// Editing bumps SEQUENCE and DTSTAMP; the UID stays.
	e.clock.Set(mtgT0.Add(2 * time.Hour))
	theme := "Serving vulnerable communities"
	if _, err := e.db.UpdateMeeting(ctx, first.ID, storage.MeetingUpdate{Theme: &theme}); err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	if err := e.f.Calendar(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	_, events = parseICS(t, buf.Bytes())
	if uid, _ := icsGet(events[0], "UID"); uid != "meeting-1."+inst+"@copbot" {
		t.Errorf("UID changed to %q", uid)
	}
	if seq, _ := icsGet(events[0], "SEQUENCE"); seq != "1" {
		t.Errorf("SEQUENCE after an edit = %s, want 1", seq)
	}
	if stamp, _ := icsGet(events[0], "DTSTAMP"); stamp != "20270201T170000Z" {
		t.Errorf("DTSTAMP after an edit = %s", stamp)
	}
	// A theme written in both languages: each part of the description has
	// its own language's half only.
	theme = "Serving vulnerable communities / Servir les communautés vulnérables"
	if _, err := e.db.UpdateMeeting(ctx, first.ID, storage.MeetingUpdate{Theme: &theme}); err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	if err := e.f.Calendar(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	_, events = parseICS(t, buf.Bytes())
	desc, _ = icsGet(events[0], "DESCRIPTION")
	got = icsUnescape(t, desc)
	if !strings.Contains(got, "Theme: Serving vulnerable communities\n") || !strings.Contains(got, "Thème\u00a0: Servir les communautés vulnérables\n") ||
		strings.Count(got, " / ") != 0 {
		t.Errorf("DESCRIPTION with a bilingual theme: %q", got)
	}
}

func TestICSFoldingKeepsRunesWhole(t *testing.T) {
	for _, value := range []string{strings.Repeat("é", 100), strings.Repeat("a", 74) + "€" + strings.Repeat("b", 80), "short"} {
		var buf bytes.Buffer
		iw := newTestICSWriter(&buf)
		iw.text("SUMMARY", value)
		if err := iw.flush(); err != nil {
			t.Fatal(err)
		}
		_, _ = parseICSLines(t, buf.String())
		unfolded := strings.ReplaceAll(buf.String(), "\r\n ", "")
		if got := strings.TrimSuffix(strings.TrimPrefix(unfolded, "SUMMARY:"), "\r\n"); got != value {
			t.Errorf("unfolded %q, want %q", got, value)
		}
	}
}

func newTestICSWriter(buf *bytes.Buffer) *icsWriter { return newICSWriter(buf) }

// parseICSLines checks every physical line is valid UTF-8 of at most 75
// octets.
func parseICSLines(t *testing.T, s string) (int, int) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n")
	longest := 0
	for _, l := range lines {
		if !utf8.ValidString(l) {
			t.Errorf("line %q splits a UTF-8 sequence", l)
		}
		longest = max(longest, len(l))
	}
	if longest > 75 {
		t.Errorf("a line has %d octets", longest)
	}
	return len(lines), longest
}

// Two copbots' meeting 1 are two events: UIDs hold the installation id.
// A meeting from before that keeps the UID calendars know it by.
func TestCalendarUIDsGloballyUnique(t *testing.T) {
	ctx := context.Background()
	uids := func(e *mtgEnv) []string {
		var buf strings.Builder
		if err := e.f.Calendar(ctx, &buf); err != nil {
			t.Fatal(err)
		}
		_, events := parseICS(t, []byte(buf.String()))
		var out []string
		for _, ev := range events {
			uid, _ := icsGet(ev, "UID")
			out = append(out, uid)
		}
		return out
	}
	a, b := newMtgEnv(t, nil), newMtgEnv(t, nil)
	a.addMeeting(mtgT0.Add(48 * time.Hour))
	a.addMeeting(mtgT0.Add(72 * time.Hour))
	b.addMeeting(mtgT0.Add(48 * time.Hour))
	ua, ub := uids(a), uids(b)
	if len(ua) != 2 || len(ub) != 1 || ua[0] == ub[0] || ua[0] == ua[1] {
		t.Fatalf("UIDs %v and %v: want all different", ua, ub)
	}
	a.Exec("UPDATE meetings SET uid = 'meeting-2@copbot' WHERE id = 2") // as the installation-id migration left an older meeting
	if got := uids(a); got[0] != ua[0] || got[1] != "meeting-2@copbot" {
		t.Errorf("UIDs %v, want %s then the old meeting-2@copbot", got, ua[0])
	}
}
