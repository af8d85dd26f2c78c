package directory

import (
	"bytes"
	"context"
	"copbot/handlers"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateRoster = flag.Bool("update-roster", false, "rewrite testdata/report_roster*.csv from the generator")

// reportOrg is one organization of the report roster: people is how many
// members it has.
type reportOrg struct {
	name, order, place string
	people             int
}

// reportOrgs is the composition of the Community's report: 6 federal
// departments, 21 provincial and territorial ministries, 22 municipalities;
// 81 people; nobody from NL, PE, YT or NU (and no municipality in NT).
// Places are written the many ways a roster does.
var reportOrgs = []reportOrg{
	{"Service Canada", "federal", "", 4}, {"Canada Revenue Agency", "Fédéral", "CA", 3},
	{"Immigration, Refugees and Citizenship Canada", "federal", "Canada", 3}, {"Veterans Affairs Canada", "federal", "federal", 2},
	{"Statistics Canada", "fédéral", "", 2}, {"Shared Services Canada", "Federal", "", 1},
	{"Service Nova Scotia", "provincial", "NS", 2}, {"Nova Scotia Health", "provincial", "Nouvelle-Écosse", 1},
	{"Service New Brunswick", "provincial", "N.B.", 2}, {"Services Québec", "provincial", "Québec", 3},
	{"Revenu Québec", "provinciale", "QC", 2}, {"Ministère de la Santé et des Services sociaux", "provincial", "quebec", 2},
	{"ServiceOntario", "provincial", "Ontario", 3}, {"Ontario Ministry of Health", "provincial", "ON", 2},
	{"Ontario Ministry of Transportation", "provincial", "l'Ontario", 1}, {"Manitoba Families", "provincial", "MB", 2},
	{"Manitoba Public Insurance", "provincial", "Manitoba", 1}, {"SaskTel Government Services", "provincial", "SK", 1},
	{"Saskatchewan Health Authority", "provincial", "Saskatchewan", 2}, {"Service Alberta", "provincial", "AB", 3},
	{"Alberta Health Services", "provincial", "Alberta", 1}, {"Service BC", "provincial", "B.C.", 3},
	{"BC Ministry of Health", "provincial", "Colombie-Britannique", 1}, {"HealthLink BC", "provincial", "BC", 1},
	{"ICBC", "provincial", "British Columbia", 1}, {"NWT Health and Social Services", "territorial", "NWT", 1},
	{"GNWT Service Centre", "Territorial", "TNO", 1},
	{"Halifax Regional Municipality", "municipal", "NS", 2}, {"City of Moncton", "municipal", "NB", 1},
	{"City of Fredericton", "municipale", "Nouveau-Brunswick", 1}, {"Ville de Montréal", "municipalité", "QC", 2},
	{"Ville de Québec", "municipal", "Québec", 2}, {"Ville de Laval", "municipal", "QC", 1},
	{"Ville de Gatineau", "municipal", "QC", 1}, {"Ville de Sherbrooke", "municipal", "QC", 1},
	{"City of Toronto 311", "municipal", "ON", 3}, {"City of Ottawa", "municipal", "Ontario", 2},
	{"City of Mississauga", "municipal", "ON", 1}, {"City of Hamilton", "municipal", "ON", 1},
	{"City of Brampton", "municipal", "ON", 1}, {"City of Winnipeg 311", "municipal", "MB", 2},
	{"City of Regina", "municipal", "SK", 1}, {"City of Saskatoon", "municipal", "SK", 1},
	{"City of Calgary 311", "municipal", "AB", 2}, {"City of Edmonton 311", "municipal", "Alberta", 1},
	{"City of Vancouver 3-1-1", "municipal", "BC", 1}, {"City of Surrey", "municipal", "BC", 1},
	{"City of Victoria", "municipal", "BC", 1}, {"City of Burnaby", "municipal", "C.-B.", 1},
}

var reportFirst = []string{"Marie", "Jean", "Sophie", "Liam", "Chloé", "Noah", "Émilie", "Olivia", "François", "Aiden", "Léa", "Raj"}
var reportLast = []string{"Tremblay", "Smith", "Gagnon", "Wong", "Roy", "Singh", "Côté", "MacDonald", "Bouchard", "Nguyen", "Pelletier"}

// reportRoster generates the report roster CSV. Semicolon files use French
// headers, a BOM and CRLF line ends, as a French spreadsheet exports them.
func reportRoster(sep string) []byte {
	var b bytes.Buffer
	eol := "\n"
	header := []string{"name", "email", "organization", "order", "jurisdiction", "title", "language"}
	if sep == ";" {
		b.WriteString("\uFEFF")
		eol = "\r\n"
		header = []string{"Nom", "Courriel", "Organisation", "Ordre", "Juridiction", "Titre", "Langue"}
	}
	b.WriteString(strings.Join(header, sep) + eol)
	n := 0
	for _, o := range reportOrgs {
		for range o.people {
			first, last := reportFirst[n%len(reportFirst)], reportLast[(n/len(reportFirst)+n)%len(reportLast)]
			email := strings.ToLower(fmt.Sprintf("%s.%s%d@example.ca", handlers.Fold(first), handlers.Fold(last), n))
			lang := []string{"en", "fr", "English", "Français", ""}[n%5]
			cells := []string{first + " " + last, email, o.name, o.order, o.place, "Contact Centre Lead", lang}
			for i, c := range cells {
				if strings.ContainsAny(c, sep+`"`) {
					cells[i] = `"` + strings.ReplaceAll(c, `"`, `""`) + `"`
				}
			}
			b.WriteString(strings.Join(cells, sep) + eol)
			n++
		}
	}
	return b.Bytes()
}

// TestReportRosterFiles keeps the committed files equal to the generator
// (go test -run ReportRosterFiles -update-roster rewrites them).
func TestReportRosterFiles(t *testing.T) {
	for name, sep := range map[string]string{"report_roster.csv": ",", "report_roster_semicolon.csv": ";"} {
		path := filepath.Join("testdata", name)
		want := reportRoster(sep)
		if *updateRoster {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is out of date: run go test ./handlers -run ReportRosterFiles -update-roster", path)
		}
	}
}

// TestReportComposition imports the report roster and checks that stats
// and gaps say exactly what the report says, in English and French.
func TestReportComposition(t *testing.T) {
	for _, file := range []string{"report_roster.csv", "report_roster_semicolon.csv"} {
		t.Run(file, func(t *testing.T) {
			s, _ := mtService(t, nil)
			f, err := os.Open(filepath.Join("testdata", file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			rep, err := s.ImportRoster(context.Background(), f, "en")
			if err != nil || rep.Created != 81 || rep.Rows != 81 {
				t.Fatalf("import: %v\n%s", err, rep.Text(s.Translator(), "en"))
			}
			mtCheckReport(t, s)
		})
	}
}

func mtCheckReport(t *testing.T, s *dirService) {
	t.Helper()
	tests := []struct {
		locale, statsCmd, gapsCmd, stats, gaps string
	}{
		{"en", "stats", "gaps", "81 people representing 6 federal departments, 21 provincial and territorial ministries and 22 municipalities",
			"4 provinces and territories have no member yet:\n• Newfoundland and Labrador\n• Prince Edward Island\n• Yukon\n• Nunavut"},
		{"fr", "statistiques", "lacunes", "81 personnes représentant 6 ministères fédéraux, 21 ministères provinciaux et territoriaux et 22 municipalités",
			"4 provinces et territoires n’ont encore aucun membre\u00a0:\n• Terre-Neuve-et-Labrador\n• Île-du-Prince-Édouard\n• Yukon\n• Nunavut"},
	}
	for _, tt := range tests {
		r := mtAsk(s, "visitor", tt.locale, tt.statsCmd)
		if got := mtSection(r, 0); got != tt.stats {
			t.Errorf("%s stats:\n got %q\nwant %q", tt.locale, got, tt.stats)
		}
		if r.Visibility != handlers.InChannel || !strings.Contains(r.Text, tt.stats) {
			t.Errorf("%s stats reply: %v %q", tt.locale, r.Visibility, r.Text)
		}
		r = mtAsk(s, "visitor", tt.locale, tt.gapsCmd)
		if got := mtSection(r, 0); got != tt.gaps {
			t.Errorf("%s gaps:\n got %q\nwant %q", tt.locale, got, tt.gaps)
		}
	}
}
