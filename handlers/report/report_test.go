package report

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"copbot/handlers"
	"copbot/handlers/directory"
	"copbot/handlers/handlerstest"
	"copbot/handlers/meetings"
	"copbot/internal/demo"
	"copbot/storage"
)

// reportNow is when the report tests run: after the demo period ended.
var reportNow = time.Date(2027, 2, 3, 15, 0, 0, 0, time.UTC)

// demoPeriod is the period of the Community's example report.
var demoPeriod = Period{From: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)}

// newDemoService opens a fresh database, seeds the demo and returns the
// report (with the directory and meetings it reads) on it, its clock
// reading reportNow.
func newDemoService(t testing.TB) (*Feature, *storage.DB) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "demo.db")
	db, err := storage.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.Seed(ctx, db); err != nil {
		t.Fatalf("demo.Seed: %v", err)
	}
	db.Close()
	loc, err := time.LoadLocation("America/Toronto")
	if err != nil {
		t.Fatal(err)
	}
	opts := handlerstest.Options(t)
	opts.Location = loc
	var f *Feature
	e := handlerstest.New(t, handlerstest.Setup{Path: path, Opts: &opts, Clock: handlerstest.NewClock(reportNow),
		Install: func(s *handlers.Service) {
			f = Install(s, Deps{Meetings: meetings.Install(s, meetings.Options{}), Directory: directory.Install(s)}, Options{})
		}})
	return f, e.DB
}

func renderReport(t testing.TB, s *Feature, lang string, f Format) string {
	t.Helper()
	var b bytes.Buffer
	if err := s.Report(context.Background(), &b, demoPeriod, lang, f); err != nil {
		t.Fatalf("Report(%s, %s): %v", lang, f, err)
	}
	return b.String()
}

func TestSeedDemoRefusesNonEmpty(t *testing.T) {
	_, db := newDemoService(t)
	err := demo.Seed(context.Background(), db)
	var e *storage.Error
	if !errorsAs(err, &e) || e.Key != "demo_error_not_empty" {
		t.Fatalf("second seed: got %v, want demo_error_not_empty", err)
	}
}

// TestDemoReportFigures checks every section, in order, with the demo's
// figures, in both languages and both formats.
func TestDemoReportFigures(t *testing.T) {
	s, _ := newDemoService(t)
	nb := "\u00a0"
	tests := []struct {
		lang string
		f    Format
		want []string // in this order
	}{
		{"en", Markdown, []string{
			"# Report to the Public Sector Service Delivery Council",
			"September 1, 2026 to January 31, 2027",
			"## Activities completed in the period",
			"### September 16, 2026 — Accessibility in the contact centre",
			"Format: Panel", "Panelists’ organizations: Employment and Social Development Canada, Ontario Ministry of Public and Business Service Delivery and City of Edmonton 311",
			"Attendance: 47 participants", "Video relay and TTY calls",
			"### December 16, 2026 — Community of Practice meeting", "No record of this meeting yet.",
			"### Polls and themes chosen",
			"“Theme of the March 2027 meeting?”: “AI in contact centres” chosen with 15 votes; 30 members voted. Theme chosen for the meeting of March 17, 2027",
			"## Current members",
			"As of January 31, 2027: 81 people representing 6 federal departments, 21 provincial and territorial ministries and 22 municipalities.",
			"No representative yet from Newfoundland and Labrador (NL), Prince Edward Island (PE), Yukon (YT) and Nunavut (NU).",
			"| Joined during the period | 12 |", "| Left during the period | 3 |",
			"| Ontario | 15 |", "| Yukon | 0 — no representative |",
			"| Jan. 2027 | 18 | 33 | 30 | 81 |",
			"## Activities planned for the next period",
			"March 17, 2027, 1 p.m. EDT — Community of Practice meeting (theme: “AI in contact centres”)",
			"June 16, 2027, 1 p.m. EDT",
			"### Candidate themes", "- “Indigenous service delivery”\n- “Omnichannel service”\n- “Wait-time reporting”",
			"### Other planned activities", "Explore a collaborative workspace with ISAC",
			"### Membership growth", "Recruit a representative from each of Newfoundland and Labrador, Prince Edward Island, Yukon and Nunavut.",
			"Invitation to the Government of Yukon sent to Council member for Yukon (Deputy Minister’s office) on",
			"## Problems and challenges",
			"| No representative from Newfoundland and Labrador, Prince Edward Island, Yukon and Nunavut | High | The Community cannot speak for the contact centres of these 4 jurisdictions. | Ask the Council members of those jurisdictions to designate one; review the CoP’s terms of reference. |",
			"| Few municipal members attend the quarterly meetings | Medium |",
		}},
		{"fr", Markdown, []string{
			"# Rapport au Conseil de la prestation des services du secteur public",
			"du 1er septembre 2026 au 31 janvier 2027",
			"## Activités réalisées au cours de la période",
			"### 16 septembre 2026 — L’accessibilité dans les centres de contact",
			"Format" + nb + ": discussion en groupe",
			"Organisations des panélistes" + nb + ": Emploi et Développement social Canada, Ministère des Services au public et aux entreprises de l’Ontario et Ville d’Edmonton 311",
			"Participation" + nb + ": 47 personnes",
			"Les appels par relais vidéo et ATS sont désormais pris dans tous les centres de contact fédéraux.",
			"«" + nb + "Thème de la réunion de mars 2027" + nb + "?" + nb + "»" + nb + ": «" + nb + "L’IA dans les centres de contact" + nb + "» retenu avec 15 voix" + nb + "; 30 membres ont voté.",
			"Thème retenu pour la réunion du 17 mars 2027",
			"## Membres actuels",
			"Au 31 janvier 2027" + nb + ": 81 personnes représentant 6 ministères fédéraux, 21 ministères provinciaux et territoriaux et 22 municipalités.",
			"Pas encore de représentation de Terre-Neuve-et-Labrador (NL), de l’Île-du-Prince-Édouard (PE), du Yukon (YT) et du Nunavut (NU).",
			"| Adhésions au cours de la période | 12 |", "| Départs au cours de la période | 3 |",
			"| Yukon | 0 — aucune représentation |",
			"| janv. 2027 | 18 | 33 | 30 | 81 |",
			"## Activités prévues pour la prochaine période",
			"17 mars 2027, 13 h HAE — Réunion de la communauté de pratique (thème" + nb + ": «" + nb + "L’IA dans les centres de contact" + nb + "»)",
			"«" + nb + "Les services aux Autochtones" + nb + "»", "Explorer un espace de travail collaboratif avec l’ISAC",
			"Invitation au gouvernement du Yukon envoyée à membre du Conseil pour le Yukon (cabinet du sous-ministre) le",
			"## Problèmes et défis",
			"| Aucune représentation de Terre-Neuve-et-Labrador, de l’Île-du-Prince-Édouard, du Yukon et du Nunavut | Élevée |",
			"Demander aux membres du Conseil de ces gouvernements de désigner une personne" + nb + "; revoir le mandat de la CdP.",
			"| Peu de membres municipaux assistent aux réunions trimestrielles | Moyenne |",
		}},
		{"en", HTML, []string{`<html lang="en">`, `<section id="activities"`, "Attendance: 47 participants",
			`<section id="members"`, "81 people representing 6 federal departments", `<svg xmlns="http://www.w3.org/2000/svg" class="tilemap"`,
			`<g class="tile" data-code="YT" data-value="0" data-fill="url(#gap-hatch)"><title>Yukon: no representative</title>`,
			`<tr data-key="ON"><th scope="row">Ontario</th><td data-col="value" class="num">15</td></tr>`,
			`class="timeline"`, `<section id="planned"`, `<section id="challenges"`, "Few municipal members"}},
		{"fr", HTML, []string{`<html lang="fr">`, "Au 31 janvier 2027", "81 personnes représentant", "Aucune représentation"}},
	}
	for _, tt := range tests {
		t.Run(tt.lang+"."+string(tt.f), func(t *testing.T) {
			// Narrow or not, a no-break space is right before ; ? ! (the
			// Translator's typography pass chooses which).
			got := strings.ReplaceAll(renderReport(t, s, tt.lang, tt.f), "\u202f", nb)
			rest := got
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					if strings.Contains(got, w) {
						t.Fatalf("%q is out of order", w)
					}
					t.Fatalf("missing %q in:\n%s", w, got)
				}
				rest = rest[i+len(w):]
			}
		})
	}
}

// TestReportFrenchTypography: no plain space before : ; ? ! or », none
// after «, in the French report.
func TestReportFrenchTypography(t *testing.T) {
	s, _ := newDemoService(t)
	for _, f := range []Format{Markdown, HTML} {
		got := renderReport(t, s, "fr", f)
		// URLs and HTML/CSS syntax (style, tags) are not prose.
		prose := regexp.MustCompile(`(?s)<style>.*?</style>|<[^>]*>|https?://\S+`).ReplaceAllString(got, "")
		if m := regexp.MustCompile(` [:;?!»]|« `).FindAllString(prose, -1); len(m) > 0 {
			i := strings.Index(prose, m[0])
			t.Errorf("%s: plain space in %q", f, prose[max(0, i-40):min(len(prose), i+20)])
		}
	}
}

func errorsAs(err error, target **storage.Error) bool {
	e, ok := err.(*storage.Error)
	if ok {
		*target = e
	}
	return ok
}
