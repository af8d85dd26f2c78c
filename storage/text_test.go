package storage

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestTextRefused is finding 5 of issue 9: every stored text field refuses
// NUL, C0/C1 controls, DEL, bidi overrides and isolates and invalid UTF-8,
// naming the field and the character's position.
func TestTextRefused(t *testing.T) {
	bad := []struct {
		name, text string
		key        string
		pos        int
		char       string
	}{
		{"NUL", "Org\x00", "error_text_control", 4, "U+0000"},
		{"ESC sequence", "Ann \x1b[31mLee", "error_text_control", 5, "U+001B"},
		{"DEL", "Ann\x7f", "error_text_control", 4, "U+007F"},
		{"C1 NEL", "Ann\u0085Lee", "error_text_control", 4, "U+0085"},
		{"C1 CSI", "Ann\u009bLee", "error_text_control", 4, "U+009B"},
		{"vertical tab", "A\vB", "error_text_control", 2, "U+000B"},
		{"RLO override", "Lee\u202Egpj.exe", "error_text_control", 4, "U+202E"},
		{"LRE embedding", "\u202AX", "error_text_control", 1, "U+202A"},
		{"RLI isolate", "Ré\u2067x", "error_text_control", 3, "U+2067"},
		{"PDI isolate", "x\u2069", "error_text_control", 2, "U+2069"},
		{"invalid UTF-8", "Caf\xe9", "error_text_utf8", 4, ""},
		{"truncated UTF-8", "Zoë\xc3", "error_text_utf8", 4, ""},
	}
	fields := []struct {
		field string
		try   func(text string) error
	}{
		{"name", func(s string) error { return ValidateMember(textMember(func(in *MemberInput) { in.Name = s })) }},
		{"organization", func(s string) error {
			return ValidateMember(textMember(func(in *MemberInput) { in.Organization = s }))
		}},
		{"title", func(s string) error { return ValidateMember(textMember(func(in *MemberInput) { in.Title = s })) }},
		{"question", func(s string) error {
			_, err := ValidatePoll(PollInput{Question: s, Options: []string{"A", "B"}})
			return err
		}},
		{"option", func(s string) error {
			_, err := ValidatePoll(PollInput{Question: "Q?", Options: []string{"A", s}})
			return err
		}},
	}
	for _, f := range fields {
		for _, tt := range bad {
			t.Run(f.field+"/"+tt.name, func(t *testing.T) {
				err := f.try(tt.text)
				var e *Error
				if !errors.As(err, &e) || e.Code != EINVALID || e.Key != tt.key {
					t.Fatalf("error %v, want %s %s", err, EINVALID, tt.key)
				}
				if e.Args["Field"] != f.field || e.Args["Position"] != tt.pos {
					t.Errorf("args %v, want Field %s Position %d", e.Args, f.field, tt.pos)
				}
				if tt.char != "" && e.Args["Char"] != tt.char {
					t.Errorf("Char %v, want %s", e.Args["Char"], tt.char)
				}
			})
		}
	}
}

func textMember(mod func(*MemberInput)) MemberInput {
	in := MemberInput{Name: "Ann Lee", Organization: "Org B", Order: OrderProvincial, Jurisdiction: "ON"}
	mod(&in)
	return in
}

// TestTextKept: accents, emoji, Arabic and Hebrew letters and the plain
// direction marks are stored as given (NFC), and a decomposed accent is
// stored composed.
func TestTextKept(t *testing.T) {
	d, _ := openMemberDB(t)
	for _, name := range []string{"Éloïse Bédard", "محمد علي", "דוד כהן", "Zoë 🎉 O’Brien", "Sam\u200F Roy"} {
		m := mustJoin(t, d, textMember(func(in *MemberInput) { in.Name, in.ConsoleID = name, name }))
		if m.Name != name {
			t.Errorf("stored %q, want %q", m.Name, name)
		}
	}
	m := mustJoin(t, d, textMember(func(in *MemberInput) { in.Name = "Rene\u0301 Roy" }))
	if m.Name != "René Roy" {
		t.Errorf("decomposed accent stored as %q, want NFC %q", m.Name, "René Roy")
	}
}

// TestNULOrganizationNotAnother: "Org\x00" used to be stored as another
// organization than "Org" (and counted twice in stats); now it is refused
// and nothing is written.
func TestNULOrganizationNotAnother(t *testing.T) {
	d, _ := openMemberDB(t)
	ctx := context.Background()
	mustJoin(t, d, textMember(func(in *MemberInput) { in.Organization = "Org" }))
	_, err := d.ImportMembers(ctx, []MemberInput{textMember(func(in *MemberInput) {
		in.Name, in.Organization = "Bob Roy", "Org\x00"
	})})
	var e *Error
	if !errors.As(err, &e) || e.Key != "error_text_control" || e.Args["Row"] != 0 || e.Args["Field"] != "organization" {
		t.Fatalf("import: %v, want error_text_control on row 0, organization", err)
	}
	st, err := d.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Organizations[OrderProvincial]; got != 1 {
		t.Errorf("provincial organizations = %d, want 1", got)
	}
}

// TestMeetingTextRefused: meeting title, agenda, theme and link refuse
// controls on create and on edit; the agenda keeps its line breaks (CRLF
// stored as LF).
func TestMeetingTextRefused(t *testing.T) {
	d, _ := openMemberDB(t)
	ctx := context.Background()
	in := MeetingInput{Title: "Quarterly", StartsAt: time.Date(2027, 3, 10, 17, 0, 0, 0, time.UTC),
		Zone: "America/Toronto", Duration: time.Hour, Agenda: "1. Accueil\r\n2. Panel\tQ&A"}
	m, err := d.CreateMeeting(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if m.Agenda != "1. Accueil\n2. Panel\tQ&A" {
		t.Errorf("agenda %q", m.Agenda)
	}
	bad := "x\u202Ey"
	for _, tt := range []struct {
		field string
		upd   MeetingUpdate
		mod   func(*MeetingInput)
	}{
		{"title", MeetingUpdate{Title: &bad}, func(in *MeetingInput) { in.Title = bad }},
		{"agenda", MeetingUpdate{Agenda: &bad}, func(in *MeetingInput) { in.Agenda = bad }},
		{"theme", MeetingUpdate{Theme: &bad}, func(in *MeetingInput) { in.Theme = bad }},
		{"link", MeetingUpdate{Link: &bad}, func(in *MeetingInput) { in.Link = bad }},
	} {
		c := in
		tt.mod(&c)
		for what, err := range map[string]error{"create": errOf(d.CreateMeeting(ctx, c)), "edit": errOf(d.UpdateMeeting(ctx, m.ID, tt.upd))} {
			var e *Error
			if !errors.As(err, &e) || e.Key != "error_text_control" || e.Args["Field"] != tt.field {
				t.Errorf("%s %s: %v, want error_text_control on %s", what, tt.field, err, tt.field)
			}
		}
	}
	if n := countRows(t, d, "SELECT count(*) FROM meetings"); n != 1 {
		t.Errorf("%d meetings, want 1", n)
	}
}

func errOf[T any](_ T, err error) error { return err }

// TestTextInvisible is finding 6 of issue 16: names, titles and questions
// made only of zero-width characters were accepted in join, update, polls,
// meetings and the CSV import, and the update title error was labelled
// "Name". Every stored text now needs a visible character, and the error
// names the field it is about.
func TestTextInvisible(t *testing.T) {
	d, _ := openMemberDB(t)
	ctx := context.Background()
	m := mustJoin(t, d, marieInput())
	meeting, err := d.CreateMeeting(ctx, MeetingInput{StartsAt: time.Date(2027, 3, 1, 17, 0, 0, 0, time.UTC),
		Zone: "America/Toronto", Duration: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	invisible := map[string]string{
		"zero-width space": "\u200b", "joiners": "\u200c\u200d", "word joiner": "\u2060", "BOM": "\ufeff",
		"direction marks": "\u200e\u200f", "spaced": " \u200b\u00a0", "Hangul filler": "\u3164",
		"lone accent": "\u0301", "braille blank": "\u2800",
	}
	fields := []struct {
		field string
		try   func(s string) error
	}{
		{"name", func(s string) error {
			_, _, err := d.JoinMember(ctx, textMember(func(in *MemberInput) { in.Name = s }))
			return err
		}},
		{"organization", func(s string) error {
			_, _, err := d.JoinMember(ctx, textMember(func(in *MemberInput) { in.Organization = s }))
			return err
		}},
		{"title", func(s string) error { _, err := d.UpdateMember(ctx, m.ID, MemberUpdate{Title: &s}); return err }},
		{"name", func(s string) error {
			_, err := d.ImportMembers(ctx, []MemberInput{textMember(func(in *MemberInput) { in.Name = s })})
			return err
		}},
		{"question", func(s string) error {
			_, err := d.CreatePoll(ctx, PollInput{Question: s, Options: []string{"A", "B"}, Creator: marieActor.Identity})
			return err
		}},
		{"option", func(s string) error {
			_, err := d.CreatePoll(ctx, PollInput{Question: "Q?", Options: []string{"A", s}, Creator: marieActor.Identity})
			return err
		}},
		{"title", func(s string) error {
			_, err := d.CreateMeeting(ctx, MeetingInput{Title: s, StartsAt: time.Date(2027, 4, 1, 17, 0, 0, 0, time.UTC),
				Zone: "America/Toronto", Duration: time.Hour})
			return err
		}},
		{"theme", func(s string) error { _, err := d.UpdateMeeting(ctx, meeting.ID, MeetingUpdate{Theme: &s}); return err }},
		{"problem", func(s string) error {
			_, err := d.AddChallenge(ctx, ChallengeInput{Problem: s, Criticality: CriticalityLow})
			return err
		}},
		{"contact", func(s string) error {
			_, err := d.AddInvitation(ctx, InvitationInput{Target: "YT", Contact: s, SentOn: "2027-01-10"})
			return err
		}},
		{"agenda", func(s string) error { return CheckText("agenda", s) }},
	}
	for _, f := range fields {
		for name, text := range invisible {
			err := f.try(text)
			var e *Error
			if !errors.As(err, &e) || e.Key != "error_text_invisible" || e.Args["Field"] != f.field {
				t.Errorf("%s %s: %v, want error_text_invisible for %s", f.field, name, err, f.field)
			}
		}
	}
	if n := countRows(t, d, "SELECT count(*) FROM polls") + countRows(t, d, "SELECT count(*) FROM challenges") +
		countRows(t, d, "SELECT count(*) FROM invitations") + countRows(t, d, "SELECT count(*) FROM members"); n != 1 {
		t.Errorf("%d rows written by refused input, want only Marie", n-1)
	}
	for _, ok := range []string{"Zoë", "李明", "🙂", "\u200bAnn", "Ann\u200d\u200d", "\u0627\u200f"} {
		if err := CheckText("name", ok); err != nil {
			t.Errorf("CheckText(%q) = %v, want nil", ok, err)
		}
	}
}

// TestCheckTextBeforeParsing: CheckText judges the raw bytes, so invalid
// UTF-8 is refused before a parser can turn it into U+FFFD.
func TestCheckTextBeforeParsing(t *testing.T) {
	for _, tt := range []struct{ in, key string }{
		{"poll new \"Th\xe8me?\" A B", "error_text_utf8"},
		{"meeting add 2027-03-01 13:00 Caf\xe9", "error_text_utf8"},
		{"join \u200b | Org | federal", ""}, // the whole line has visible text: the field check is storage's
		{"\u200b\u200b", "error_text_invisible"},
		{"line one\nline two\ttab", ""},
		{"\x1b[31m", "error_text_control"},
	} {
		err := CheckText("command", tt.in)
		var e *Error
		switch {
		case tt.key == "" && err != nil:
			t.Errorf("CheckText(%q) = %v, want nil", tt.in, err)
		case tt.key != "" && (!errors.As(err, &e) || e.Key != tt.key || e.Args["Field"] != "command"):
			t.Errorf("CheckText(%q) = %v, want %s for command", tt.in, err, tt.key)
		}
	}
}
