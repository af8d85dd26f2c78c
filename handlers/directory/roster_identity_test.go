package directory

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"copbot/storage"
)

// rosterSnapshot is every member, left ones included, by id.
func rosterSnapshot(t testing.TB, db *storage.DB) map[int64]storage.Member {
	t.Helper()
	ms, _, err := db.FindMembers(context.Background(), storage.MemberFilter{IncludeLeft: true})
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]storage.Member{}
	for _, m := range ms {
		out[m.ID] = *m
	}
	return out
}

// diffSnapshots lists the members that differ between a and b (every
// field compared, updated_at included).
func diffSnapshots(a, b map[int64]storage.Member) []string {
	var out []string
	for id, m := range a {
		if n, ok := b[id]; !ok || n != m {
			out = append(out, strings.Join([]string{"before: " + memberString(m), "after:  " + memberString(n)}, "\n"))
		}
	}
	for id, n := range b {
		if _, ok := a[id]; !ok {
			out = append(out, "new: "+memberString(n))
		}
	}
	return out
}

func memberString(m storage.Member) string {
	var b bytes.Buffer
	b.WriteString(strings.Join([]string{m.Name, m.Email, m.Organization, string(m.Order), m.Jurisdiction,
		m.Title, m.Language, m.SlackID, m.TeamsID, m.ConsoleID, m.JoinedAt.String(), m.LeftAt.String(),
		m.UpdatedAt.String()}, "|"))
	return b.String()
}

func exportRoster(t testing.TB, s *dirService) string {
	t.Helper()
	var buf bytes.Buffer
	if err := s.ExportRoster(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// annLees imports two namesakes at Org B, each with an email.
func annLees(t *testing.T, s *dirService) {
	t.Helper()
	csv := "name,email,organization,order,jurisdiction,title,language\n" +
		"Ann Lee,ann.lee@orgb.ca,Org B,provincial,ON,Director,fr\n" +
		"Ann Lee,a.lee@orgb.ca,Org B,provincial,ON,Analyst,en\n"
	if rep, err := mtImport(t, s, csv, "en"); err != nil || rep.Created != 2 {
		t.Fatalf("setup import: %+v %v", rep, err)
	}
}

// TestImportNamesakeWithoutEmailIsRefused is finding 4 of issue 9: a row
// with neither email nor platform id used to update the first namesake
// (overwriting another person's title and language). With several
// candidates it is now refused, naming the line, and nothing changes.
func TestImportNamesakeWithoutEmailIsRefused(t *testing.T) {
	for _, lang := range []string{"en", "fr"} {
		t.Run(lang, func(t *testing.T) {
			s, db := mtService(t, nil)
			annLees(t, s)
			before := rosterSnapshot(t, db)
			csv := "name,email,organization,order,jurisdiction,title,language\n" +
				"Bob Roy,bob@orgb.ca,Org B,provincial,ON,Agent,en\n" +
				"Ann Lee,,Org B,provincial,ON,Clerk,en\n"
			rep, err := mtImport(t, s, csv, lang)
			if !errors.Is(err, ErrRosterRejected) || len(rep.Errors) != 1 || rep.Errors[0].Line != 3 {
				t.Fatalf("import: err %v, errors %q; want one error on line 3", err, mtLines(rep.Errors))
			}
			mtContains(t, "error", rep.Errors[0].Message, mtWord(lang, "Line 3", "Ligne 3"),
				mtWord(lang, "Several members are called Ann Lee at Org B", "Plusieurs membres s’appellent Ann Lee à Org B"))
			if d := diffSnapshots(before, rosterSnapshot(t, db)); len(d) > 0 {
				t.Errorf("refused import changed members:\n%s", strings.Join(d, "\n"))
			}
		})
	}
}

// TestReimportExportKeepsNamesakesApart: an export row with neither email
// nor platform id (a member whose email was cleared) used to be matched to
// the first namesake on re-import, overwriting her title and language.
func TestReimportExportKeepsNamesakesApart(t *testing.T) {
	s, db := mtService(t, nil)
	ctx := context.Background()
	annLees(t, s)
	second, _, err := db.FindMembers(ctx, storage.MemberFilter{Email: new("a.lee@orgb.ca")})
	if err != nil || len(second) != 1 {
		t.Fatalf("find: %v %v", second, err)
	}
	if _, err := db.UpdateMember(ctx, second[0].ID, storage.MemberUpdate{Email: new("")}); err != nil {
		t.Fatal(err)
	}
	before := rosterSnapshot(t, db)
	for range 2 {
		rep, err := mtImport(t, s, exportRoster(t, s), "en")
		if err != nil || rep.Unchanged != 2 || rep.Created+rep.Updated != 0 {
			t.Fatalf("re-import: %+v %v %s", rep, err, mtLines(rep.Errors))
		}
	}
	if d := diffSnapshots(before, rosterSnapshot(t, db)); len(d) > 0 {
		t.Errorf("re-importing the export changed members:\n%s", strings.Join(d, "\n"))
	}
}

// TestImportRosterRefusesControlText: a cell with a control character or
// a bidi override is refused with its line and column (the file's header)
// and the character's position, in both languages; nothing is written.
func TestImportRosterRefusesControlText(t *testing.T) {
	for _, lang := range []string{"en", "fr"} {
		t.Run(lang, func(t *testing.T) {
			s, db := mtService(t, nil)
			csv := "Nom,Courriel,Organisation,Ordre,Province\n" +
				"Bob Roy,bob@orgb.ca,Org B,provincial,ON\n" +
				"Ann\u202ELee,ann@orgb.ca,Org B,provincial,ON\n" +
				"Cy Roy,cy@orgb.ca,\"Org\x00\",provincial,ON\n"
			rep, err := mtImport(t, s, csv, lang)
			if !errors.Is(err, ErrRosterRejected) || len(rep.Errors) != 2 {
				t.Fatalf("import: %v, errors %q; want 2", err, mtLines(rep.Errors))
			}
			for i, want := range []struct {
				line      int
				col, text string
			}{{3, "Nom", mtWord(lang, "The name contains", "le nom contient")},
				{4, "Organisation", mtWord(lang, "The organization contains", "l’organisation contient")}} {
				e := rep.Errors[i]
				if e.Line != want.line || e.Column != want.col {
					t.Errorf("error %d at line %d column %q, want %d %q", i, e.Line, e.Column, want.line, want.col)
				}
				mtContains(t, "message", e.Message, want.text, []string{"U+202E", "U+0000"}[i])
			}
			if n, _ := mtCount(t, db); n != 0 {
				t.Errorf("%d members written", n)
			}
		})
	}
}

// TestExportOddTextImportsBack: accents, emoji, Arabic and Hebrew, quotes,
// separators, formula look-alikes and guarded look-alikes survive export
// and re-import unchanged.
func TestExportOddTextImportsBack(t *testing.T) {
	s, db := mtService(t, nil)
	ctx := context.Background()
	rows := []storage.MemberInput{
		{Name: "محمد علي", Organization: "Ville de Québec; \"Centre\"", Order: storage.OrderMunicipal, Jurisdiction: "QC", Title: "'=Tricky", Language: "fr"},
		{Name: "דוד כהן", Organization: "''@Home, Inc.", Order: storage.OrderFederal, Jurisdiction: "CA", Title: "-1", Language: "en", Email: "d@x.ca"},
		{Name: "Zoë 🎉 O’Brien\u200F", Organization: "'Plain", Order: storage.OrderProvincial, Jurisdiction: "NU", Title: "''", Language: "en", SlackID: "U9"},
	}
	if _, err := db.ImportMembers(ctx, rows); err != nil {
		t.Fatal(err)
	}
	before := rosterSnapshot(t, db)
	rep, err := mtImport(t, s, exportRoster(t, s), "en")
	if err != nil || rep.Unchanged != 3 {
		t.Fatalf("re-import: %+v %v %s", rep, err, mtLines(rep.Errors))
	}
	if d := diffSnapshots(before, rosterSnapshot(t, db)); len(d) > 0 {
		t.Errorf("round trip changed members:\n%s", strings.Join(d, "\n"))
	}
}

// TestImportTwoRowsOneMember: two rows that name one member by different
// keys (an email, a Slack id) used to update it twice per import, each
// undoing the other; now the file is refused, naming both lines.
func TestImportTwoRowsOneMember(t *testing.T) {
	s, db := mtService(t, nil)
	csv := "name,email,organization,order,jurisdiction,slack_id\n" +
		"Ann Lee,ann@orgb.ca,Org B,provincial,ON,U1\n"
	if _, err := mtImport(t, s, csv, "en"); err != nil {
		t.Fatal(err)
	}
	before := rosterSnapshot(t, db)
	csv = "name,email,organization,order,jurisdiction,title,slack_id\n" +
		"Ann Lee,ann@orgb.ca,Org B,provincial,ON,Director,\n" +
		"Ann Leigh,,Org C,provincial,ON,Analyst,U1\n"
	rep, err := mtImport(t, s, csv, "en")
	if !errors.Is(err, ErrRosterRejected) || len(rep.Errors) != 1 || rep.Errors[0].Line != 3 {
		t.Fatalf("import: %v %q, want one error on line 3", err, mtLines(rep.Errors))
	}
	mtContains(t, "error", rep.Errors[0].Message, "This row and line 2 are the same member")
	if d := diffSnapshots(before, rosterSnapshot(t, db)); len(d) > 0 {
		t.Errorf("refused import changed members:\n%s", strings.Join(d, "\n"))
	}
}

// TestImportRosterBrokenUTF8Position: a file that breaks UTF-8 (an export
// of text stored before validation, or a Latin-1 file) is refused with the
// line and the character in it.
func TestImportRosterBrokenUTF8Position(t *testing.T) {
	s, _ := mtService(t, nil)
	csv := "name,organization,order,jurisdiction\nAna,SO,provincial,ON\nBé\xe9a,SO,provincial,ON\n"
	for lang, want := range map[string]string{"en": "Line 3: The file is not UTF-8 text: character 3 of this line is broken.",
		"fr": "caractère 3 de cette ligne est endommagé"} {
		rep, err := mtImport(t, s, csv, lang)
		if !errors.Is(err, ErrRosterRejected) || len(rep.Errors) != 1 {
			t.Fatalf("%s: %v %q", lang, err, mtLines(rep.Errors))
		}
		mtContains(t, lang, rep.Errors[0].Message, want)
	}
}
