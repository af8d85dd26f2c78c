package report

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"copbot/internal/docx/docxtest"
	"copbot/storage"
)

// TestReportPeriods: the next period is the twelve months after the
// period unless --next-from/--next-to say otherwise, its dates are in the
// heading; a meeting of the period not held yet is listed as planned; a
// period that ends after today is "to date", with today's figures.
func TestReportPeriods(t *testing.T) {
	e, clock, _ := newRcEnvAt(t, time.Date(2026, 11, 1, 15, 0, 0, 0, time.UTC))
	ctx := context.Background()
	for _, m := range []struct {
		title string
		at    time.Time
	}{
		{"Held in November", time.Date(2026, 11, 18, 18, 0, 0, 0, time.UTC)},
		{"Still to come in December", time.Date(2026, 12, 16, 18, 0, 0, 0, time.UTC)},
		{"September next year", time.Date(2027, 9, 15, 17, 0, 0, 0, time.UTC)},
		{"Beyond the next period", time.Date(2028, 3, 1, 18, 0, 0, 0, time.UTC)},
	} {
		if _, err := e.DB.CreateMeeting(ctx, storage.MeetingInput{Title: m.title, StartsAt: m.at, Zone: "America/Toronto", Duration: time.Hour}); err != nil {
			t.Fatal(err)
		}
	}
	clock.Set(rcT0) // December 4, 2026
	render := func(p Period, lang string) string {
		t.Helper()
		var b bytes.Buffer
		if err := e.f.Report(ctx, &b, p, lang, Markdown); err != nil {
			t.Fatalf("Report: %v", err)
		}
		return strings.NewReplacer("\u00a0", " ", "\u202f", " ").Replace(b.String())
	}
	d := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, time.UTC) }
	year := Period{From: d(2026, 6, 1), To: d(2026, 12, 31)}
	tests := []struct {
		name, lang string
		p          Period
		want, not  []string
	}{
		{"to date, default next year", "en", year, []string{
			"June 1, 2026 to date (December 4, 2026)",
			"### November 18, 2026 — Held in November",
			"### Still planned in the period", "December 16, 2026, 1 p.m. EST — Still to come in December (theme to be chosen)",
			"As of December 4, 2026",
			"## Activities planned for the next period, January 1, 2027 to December 31, 2027",
			"September 15, 2027, 1 p.m. EDT — September next year"},
			[]string{"Beyond the next period", "to December 31, 2026", ".."}},
		{"French", "fr", year, []string{
			"du 1er juin 2026 à ce jour (4 décembre 2026)",
			"### Encore prévu au cours de la période", "16 décembre 2026, 13 h HNE — Still to come in December (thème à choisir)",
			"Au 4 décembre 2026",
			"## Activités prévues pour la prochaine période, du 1er janvier 2027 au 31 décembre 2027",
			"15 septembre 2027, 13 h HAE — September next year"},
			[]string{"Beyond the next period"}},
		{"next period given", "en", Period{From: year.From, To: year.To, NextFrom: d(2027, 1, 1), NextTo: d(2027, 6, 30)}, []string{
			"## Activities planned for the next period, January 1, 2027 to June 30, 2027", "No meeting is planned yet."},
			[]string{"September next year"}},
		{"next period by its end only", "en", Period{From: year.From, To: year.To, NextTo: d(2028, 3, 31)}, []string{
			"next period, January 1, 2027 to March 31, 2028", "September next year", "Beyond the next period"}, nil},
		{"a past period is not to date", "en", Period{From: d(2026, 1, 1), To: d(2026, 11, 30)}, []string{
			"January 1, 2026 to November 30, 2026", "### November 18, 2026 — Held in November", "As of November 30, 2026",
			"next period, December 1, 2026 to November 30, 2027", "Still to come in December", "September next year"},
			[]string{"to date", "Still planned in the period"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := render(tt.p, tt.lang)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("missing %q in:\n%s", w, got)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(got, w) {
					t.Errorf("has %q in:\n%s", w, got)
				}
			}
		})
	}
	// The chat command takes the next period as options, in either language.
	r := e.ask(ptCoordinator, "report 2026-06-01 2026-12-31 --next-from 2027-01-01 --next-to 2027-06-30 --format md")
	if r.File == nil || !strings.Contains(string(r.File.Data), "next period, January 1, 2027 to June 30, 2027") {
		t.Fatalf("report command: %s", r.Text)
	}
	rcHas(t, r, "June 1, 2026 to date (December 4, 2026)")
	r = e.ask(ptCoordinator, "rapport 2026-06-01 2026-12-31 --prochaine-au 2027-03-31 --format md --langue fr")
	if r.File == nil || !strings.Contains(strings.ReplaceAll(string(r.File.Data), "\u00a0", " "), "du 1er janvier 2027 au 31 mars 2027") {
		t.Fatalf("rapport: %s", r.Text)
	}
	rcHas(t, e.ask(ptCoordinator, "report 2026-06-01 2026-12-31 --next-from 2027-05-01 --next-to 2027-01-01"), "Give the next period as dates")
	rcHas(t, e.ask(ptCoordinator, "report 2026-06-01 2026-12-31 --next-to soon"), "is not a valid value for --next-to")
}

// TestReportOfAnEmptyCommunity: with nobody in the directory, the report
// says so in its own words, not the chat's invitation to join (a command
// in backticks has no place in the Council's document).
func TestReportOfAnEmptyCommunity(t *testing.T) {
	e, _, _ := newRcEnv(t)
	p := Period{From: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)}
	for lang, want := range map[string]string{"en": "As of November 30, 2026, the Community had no members yet.",
		"fr": "Au 30 novembre 2026, la Communauté n’avait encore aucun membre."} {
		for _, f := range []Format{Markdown, DOCX} {
			var b bytes.Buffer
			if err := e.f.Report(context.Background(), &b, p, lang, f); err != nil {
				t.Fatal(err)
			}
			got := b.String()
			if f == DOCX {
				got = docxtest.CheckPackage(t, b.Bytes())["word/document.xml"]
			}
			if !strings.Contains(got, want) || strings.Contains(got, "/cop") {
				t.Errorf("%s %s report:\n%s", lang, f, got)
			}
		}
	}
}
