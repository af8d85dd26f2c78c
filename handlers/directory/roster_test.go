package directory

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"copbot/handlers"
	"copbot/storage"
)

// mtImport imports csv in lang and returns the report and error.
func mtImport(t *testing.T, s *dirService, csv, lang string) (ImportReport, error) {
	t.Helper()
	return s.ImportRoster(context.Background(), strings.NewReader(csv), lang)
}

func mtLines(es []LineError) string {
	var out []string
	for _, e := range es {
		out = append(out, fmt.Sprintf("%d: %s", e.Line, e.Message))
	}
	return strings.Join(out, "\n")
}

func TestImportRosterEdgeCases(t *testing.T) {
	tests := []struct {
		name     string
		csv      string
		created  int
		dups     int
		warnings string // lines of the warnings, "line: message"
		check    func(t *testing.T, db *storage.DB)
	}{
		{name: "BOM and comma",
			csv:     "\uFEFFname,email,organization,order,jurisdiction,title,language\nAna,ana@x.ca,SO,provincial,ON,,en\n",
			created: 1},
		{name: "semicolons and quoted separators",
			csv: "name;organization;order;jurisdiction;title\n" +
				"\"Roy; Sam\";\"Service Canada\";federal;;\"Director, \"\"Contact\"\" Centre\"\n",
			created: 1,
			check: func(t *testing.T, db *storage.DB) {
				m := mtOnly(t, db)
				if m.Name != "Roy; Sam" || m.Title != `Director, "Contact" Centre` {
					t.Errorf("member = %q / %q", m.Name, m.Title)
				}
			}},
		{name: "comma file with semicolons in cells",
			csv:     "name,organization,order,jurisdiction\n\"A; B\",\"X; Y; Z\",municipal,QC\n",
			created: 1},
		{name: "CRLF and blank lines",
			csv:     "name,organization,order,jurisdiction\r\n\r\nAna,SO,provincial,ON\r\n\r\n,,,\r\nBen,SO,provincial,ON\r\n",
			created: 2},
		{name: "French headers, any order and case",
			csv:     "JURIDICTION,Nom,Ordre,Organisation,Courriel,Langue,Titre\nl'Île-du-Prince-Édouard,Éloïse,Municipalité,Ville de Charlottetown,e@pe.ca,français,Agente\n",
			created: 1,
			check: func(t *testing.T, db *storage.DB) {
				m := mtOnly(t, db)
				if m.Jurisdiction != "PE" || m.Order != storage.OrderMunicipal || m.Language != "fr" || m.Email != "e@pe.ca" {
					t.Errorf("member = %+v", m)
				}
			}},
		{name: "unknown column ignored with a warning",
			csv:      "name,organization,order,jurisdiction,notes\nAna,SO,provincial,ON,call back\n",
			created:  1,
			warnings: "1: Line 1: The column “notes” is not one I know; it was ignored."},
		{name: "identical duplicate skipped",
			csv:      "name,email,organization,order,jurisdiction\nAna,ana@x.ca,SO,provincial,ON\nBen,,SO,provincial,ON\nAna,ana@x.ca,SO,provincial,ON\n",
			created:  2,
			dups:     1,
			warnings: "4: Line 4: Same row as line 2; skipped."},
		{name: "formula guard removed",
			csv:     "name,organization,order,jurisdiction,title\nAna,'@Home,provincial,ON,'=1+2\n",
			created: 1,
			check: func(t *testing.T, db *storage.DB) {
				if m := mtOnly(t, db); m.Organization != "@Home" || m.Title != "=1+2" {
					t.Errorf("member = %q %q", m.Organization, m.Title)
				}
			}},
		{name: "slack and teams ids",
			csv:     "name,organization,order,jurisdiction,slack_id,Teams ID\nAna,SO,provincial,ON,U123,29:abc\n",
			created: 1,
			check: func(t *testing.T, db *storage.DB) {
				if m := mtOnly(t, db); m.SlackID != "U123" || m.TeamsID != "29:abc" {
					t.Errorf("ids = %q %q", m.SlackID, m.TeamsID)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, db := mtService(t, nil)
			rep, err := mtImport(t, s, tt.csv, "en")
			if err != nil {
				t.Fatalf("import: %v\n%s", err, mtLines(rep.Errors))
			}
			if rep.Created != tt.created || rep.Duplicates != tt.dups {
				t.Errorf("created %d dups %d, want %d %d", rep.Created, rep.Duplicates, tt.created, tt.dups)
			}
			if got := mtLines(rep.Warnings); got != tt.warnings {
				t.Errorf("warnings:\n got %q\nwant %q", got, tt.warnings)
			}
			if tt.check != nil {
				tt.check(t, db)
			}
		})
	}
}

func mtOnly(t *testing.T, db *storage.DB) *storage.Member {
	t.Helper()
	ms, n, err := db.FindMembers(context.Background(), storage.MemberFilter{})
	if err != nil || n != 1 {
		t.Fatalf("members: %d %v", n, err)
	}
	return ms[0]
}

// TestImportRosterBroken: every problem is listed with its line, in the
// asked language, and not one row of the database changes.
func TestImportRosterBroken(t *testing.T) {
	const broken = "name,email,organization,order,jurisdiction,title,language\n" +
		"Ana Lee,ana@x.ca,SO,provincial,ON,,en\n" +
		"Ben Roy,ben@x.ca,SO,regional,ON,,en\n" +
		"\n" +
		"Cleo Ng,cleo@x.ca,City of Nowhere,municipal,Narnia,,en\n" +
		"Dan Poe,dan@x.ca,Sask Health,provincial,Saskatchwan,,fr\n" +
		",eve@x.ca,SO,provincial,ON,,en\n" +
		"Fay Wu,fay@x.ca,SO,provincial,ON,,klingon\n" +
		"Gus Li,gus@x.ca,,federal,ON,,\n"
	tests := []struct{ lang, want string }{
		{"en", "3: Line 3, order: “regional” is not an order of government. Use federal, provincial, territorial or municipal.\n" +
			"5: Line 5, jurisdiction: I don’t know the place “Narnia”. Use a province or territory name or code (Yukon, PEI, QC…), or “federal” for the Government of Canada.\n" +
			"6: Line 6, jurisdiction: I don’t know the place “Saskatchwan”. Did you mean Saskatchewan?\n" +
			"7: Line 7, name: A name is required.\n" +
			"8: Line 8, language: “klingon” is not a language I speak. Use en (English) or fr (French).\n" +
			"9: Line 9, organization: An organization (department, ministry or municipality) is required."},
		{"fr", "3: Ligne 3, order\u00a0: «\u00a0regional\u00a0» n’est pas un ordre de gouvernement. Indiquez fédéral, provincial, territorial ou municipal.\n" +
			"5: Ligne 5, jurisdiction\u00a0: je ne connais pas le lieu «\u00a0Narnia\u00a0». Indiquez le nom ou le code d’une province ou d’un territoire (Yukon, Î.-P.-É., QC…), ou «\u00a0fédéral\u00a0» pour le gouvernement du Canada.\n" +
			"6: Ligne 6, jurisdiction\u00a0: je ne connais pas le lieu «\u00a0Saskatchwan\u00a0». Vouliez-vous dire la Saskatchewan\u202f?\n" +
			"7: Ligne 7, name\u00a0: le nom est obligatoire.\n" +
			"8: Ligne 8, language\u00a0: «\u00a0klingon\u00a0» n’est pas une langue que je parle. Indiquez fr (français) ou en (anglais).\n" +
			"9: Ligne 9, organization\u00a0: l’organisation (ministère fédéral ou provincial, ou municipalité) est obligatoire."},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			s, db := mtService(t, nil)
			mtJoin(t, s, "u1", "Ana Lee | SO | provincial | ON | Old title | ana@x.ca")
			n0, upd0 := mtCount(t, db)
			rep, err := mtImport(t, s, broken, tt.lang)
			if !errors.Is(err, ErrRosterRejected) {
				t.Fatalf("err = %v, want ErrRosterRejected", err)
			}
			if got := mtLines(rep.Errors); got != tt.want {
				t.Errorf("errors:\n got %s\nwant %s", got, tt.want)
			}
			n1, upd1 := mtCount(t, db)
			if n1 != n0 || !upd1.Equal(upd0) {
				t.Errorf("database changed: %d→%d rows, updated %v→%v", n0, n1, upd0, upd1)
			}
			if m, _ := db.MemberByIdentity(context.Background(), mtUser("u1")); m.Title != "Old title" {
				t.Errorf("existing member changed: %q", m.Title)
			}
			// The report renders in either language from the same errors.
			mtContains(t, "text", rep.Text(s.Translator(), "fr"), "6 problèmes à corriger", "Ligne 6, jurisdiction\u00a0: je ne connais pas")
			mtContains(t, "text", rep.Text(s.Translator(), "en"), "6 problems to fix", "Line 6, jurisdiction: I don’t know")
		})
	}
}

func TestImportRosterRefusedFiles(t *testing.T) {
	tests := []struct{ name, csv, want string }{
		{"empty", "", "0: The file is empty."},
		{"header only", "name,organization,order,jurisdiction\n", "0: The file has a header but no members."},
		{"missing columns", "name,email\nAna,a@x.ca\n", "1: Line 1: The column “organization” is missing.\n1: Line 1: The column “order” is missing.\n1: Line 1: The column “jurisdiction” is missing."},
		{"column twice", "name,nom,organization,order,jurisdiction\nA,B,SO,provincial,ON\n", "1: Line 1: The column “nom” appears twice."},
		{"stray quote", "name,organization,order,jurisdiction\nAna,SO,provincial,ON\nB\"en,SO,provincial,ON\n", "3: Line 3: This line is not valid CSV"},
		{"not UTF-8", "name,organization,order,jurisdiction\nAna,SO,provincial,ON\nB\xe9a,SO,provincial,ON\n", "3: Line 3: The file is not UTF-8"},
		{"extra cells", "name,organization,order,jurisdiction\nAna,SO,provincial,ON,oops\n", "2: Line 2: This row has 5 cells but the header names only 4 columns."},
		{"conflicting duplicate", "name,email,organization,order,jurisdiction\nAna,a@x.ca,SO,provincial,ON\nAnna,A@x.ca,SO,provincial,ON\n", "3: Line 3, email: The email address a@x.ca is already used on line 2."},
		{"federal in a province", "name,organization,order,jurisdiction\nAna,Service Canada,federal,ON\n", "2: Line 2, jurisdiction: Federal members belong to the Government of Canada"},
		{"no province for municipal", "name,organization,order,jurisdiction\nAna,Ville,municipal,\n", "2: Line 2, jurisdiction: Provincial, territorial and municipal members need a province or territory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, db := mtService(t, nil)
			rep, err := mtImport(t, s, tt.csv, "en")
			if !errors.Is(err, ErrRosterRejected) {
				t.Fatalf("err = %v, want ErrRosterRejected", err)
			}
			if got := mtLines(rep.Errors); !strings.HasPrefix(got, tt.want) {
				t.Errorf("errors:\n got %q\nwant prefix %q", got, tt.want)
			}
			if n, _ := mtCount(t, db); n != 0 {
				t.Errorf("%d rows written", n)
			}
		})
	}
}

// TestExportRoundTrip: export escapes formulas, and importing the export
// changes nothing.
func TestExportRoundTrip(t *testing.T) {
	s, db := mtService(t, nil)
	ctx := context.Background()
	rows := []storage.MemberInput{
		{Name: "=HYPERLINK(\"http://evil\")", Organization: "@Home", Order: storage.OrderMunicipal, Jurisdiction: "ON", Title: "-2+3", Language: "en"},
		{Name: "Éloïse Bédard", Organization: "Ville de Québec", Order: storage.OrderMunicipal, Jurisdiction: "QC", Email: "e@quebec.ca", Language: "fr", SlackID: "U1"},
		{Name: "Sam Roy", Organization: "Passport Office, Ottawa", Order: storage.OrderFederal, Jurisdiction: "CA", Language: "en", TeamsID: "29:x"},
	}
	if _, err := db.ImportMembers(ctx, rows); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := s.ExportRoster(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.HasPrefix(out, "\uFEFFname,email,organization,order,jurisdiction,title,language,slack_id,teams_id\r\n") {
		t.Errorf("header: %q", out[:80])
	}
	mtContains(t, "export", out, `"'=HYPERLINK(""http://evil"")"`, ",'@Home,", ",'-2+3,", `"Passport Office, Ottawa"`, "Éloïse Bédard")
	rep, err := s.ImportRoster(ctx, strings.NewReader(out), "en")
	if err != nil {
		t.Fatalf("re-import: %v %s", err, mtLines(rep.Errors))
	}
	if rep.Unchanged != 3 || rep.Created+rep.Updated != 0 {
		t.Errorf("re-import: %+v", rep)
	}
}

// TestReimportKeepsSavedLanguage: a roster whose language cell is empty
// gives new members the community default, and re-importing it keeps the
// language a member chose since.
func TestReimportKeepsSavedLanguage(t *testing.T) {
	s, db := mtService(t, func(o *handlers.Options) { o.DefaultLanguage = "fr" })
	ctx := context.Background()
	csv := "name,email,organization,order,jurisdiction,title,language\n" +
		"Jane Doe,jane@ontario.ca,ServiceOntario,provincial,ON,Director,\n" +
		"Luc Roy,luc@ontario.ca,ServiceOntario,provincial,ON,Agent,en\n"
	if rep, err := mtImport(t, s, csv, "en"); err != nil || rep.Created != 2 {
		t.Fatalf("import: %+v %v", rep, err)
	}
	jane, _, _ := db.FindMembers(ctx, storage.MemberFilter{Email: new("jane@ontario.ca")})
	if jane[0].Language != "fr" {
		t.Fatalf("new member's language %q, want the community default fr", jane[0].Language)
	}
	if _, _, err := db.LinkMember(ctx, jane[0].ID, mtUser("jane")); err != nil {
		t.Fatal(err)
	}
	if r := mtAsk(s, "jane", "", "language en"); r.Kind != "language" {
		t.Fatalf("language en: %s %q", r.Kind, r.Text)
	}
	rep, err := mtImport(t, s, csv, "en")
	if err != nil || rep.Unchanged != 2 || rep.Created+rep.Updated != 0 {
		t.Errorf("re-import: %+v %v; want 2 unchanged", rep, err)
	}
	if m, _ := db.MemberByID(ctx, jane[0].ID); m.Language != "en" {
		t.Errorf("re-import reset Jane's language to %q", m.Language)
	}
}

// TestTerritorialOrderKept: a member imported as territorial is exported as
// territorial and their profile says « Territorial », while a provincial
// member's says "Provincial" (both count as one order in stats).
func TestTerritorialOrderKept(t *testing.T) {
	s, _ := mtService(t, nil)
	csv := "name,email,organization,order,jurisdiction,language,slack_id\n" +
		"Tara Kay,tara@gov.nt.ca,GNWT,territorial,T.N.-O.,fr,U7\n" +
		"Paul Roy,paul@ontario.ca,ServiceOntario,provincial,ON,en,U8\n"
	if rep, err := mtImport(t, s, csv, "en"); err != nil || rep.Created != 2 {
		t.Fatalf("import: %+v %v %s", rep, err, mtLines(rep.Errors))
	}
	var buf bytes.Buffer
	if err := s.ExportRoster(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	mtContains(t, "export", buf.String(), "Tara Kay,tara@gov.nt.ca,GNWT,territorial,NT,", "Paul Roy,paul@ontario.ca,ServiceOntario,provincial,ON,")
	tests := []struct{ user, text, want string }{
		{"U7", "profil", "Ordre de gouvernement\u00a0: Territorial\n"},
		{"U8", "profile", "Order of government: Provincial\n"},
		{"U7", "modifier", "• ordre\u00a0: territorial\n"},
	}
	for _, tt := range tests {
		r := s.Handle(context.Background(), handlers.Request{Identity: storage.Identity{Platform: storage.PlatformSlack, ID: tt.user}, Text: tt.text})
		mtContains(t, tt.text, r.Text, tt.want)
	}
	r := mtAsk(s, "x", "", "stats")
	mtContains(t, "stats", r.Text, "2 people representing 2 provincial and territorial ministries")
}
