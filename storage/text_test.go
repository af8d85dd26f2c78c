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
