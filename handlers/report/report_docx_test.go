package report

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"copbot/handlers"
	"copbot/internal/docx/docxtest"
	"copbot/storage"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/*.golden")

// docxLine is one paragraph of a document as a reader sees it: its kind
// (TITLE, H1, H2, P, LI, CAPTION, or ROW for a table row, its cells
// joined by " | ") and its text.
type docxLine struct{ Kind, Text string }

// wantDOCXLines is the report's document model as the .docx must read:
// every heading, paragraph, item and table cell, user text unmarked.
func wantDOCXLines(doc *reportDoc) []docxLine {
	un := handlers.Unmark
	out := []docxLine{{"TITLE", un(doc.Title)}, {"P", un(doc.Subtitle)}}
	for _, sec := range doc.Sections {
		out = append(out, docxLine{"H1", un(sec.Title)})
		for _, p := range sec.Parts {
			switch {
			case p.H3 != "":
				out = append(out, docxLine{"H2", un(p.H3)})
			case p.Text != "":
				out = append(out, docxLine{"P", un(p.Text)})
			case len(p.Items) > 0:
				for _, it := range p.Items {
					out = append(out, docxLine{"LI", un(it)})
				}
			case p.Table != nil:
				out = append(out, docxLine{"CAPTION", un(p.Table.Caption)}, docxLine{"ROW", un(strings.Join(p.Table.Head, " | "))})
				for _, r := range p.Table.Rows {
					out = append(out, docxLine{"ROW", un(strings.Join(r, " | "))})
				}
			}
		}
	}
	return append(out, docxLine{"P", un(doc.Note)})
}

// sameLines fails at the first line where got and want differ.
func sameLines(t *testing.T, got, want []docxLine, gotSays, wantSays string) {
	t.Helper()
	for i := range max(len(got), len(want)) {
		var g, w docxLine
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			t.Fatalf("line %d: %s %s %q, %s %s %q", i, gotSays, g.Kind, g.Text, wantSays, w.Kind, w.Text)
		}
	}
}

// docxStyleKinds maps the writer's style ids to line kinds; table cells
// (TableText) are gathered into rows by the caller.
var docxStyleKinds = map[string]string{"Title": "TITLE", "Subtitle": "P", "Heading1": "H1", "Heading2": "H2",
	"Normal": "P", "ListBullet": "LI", "Caption": "CAPTION", "Note": "P"}

// demoWithTrickyText is the demo with a challenge whose text breaks
// naive XML writing: the five special characters and an entity typed as
// such, which must come back exactly as typed.
func demoWithTrickyText(t testing.TB) *Feature {
	t.Helper()
	s, db := newDemoService(t)
	now := db.Now
	db.Now = func() time.Time { return time.Date(2026, 11, 2, 15, 0, 0, 0, time.UTC) } // in the demo period
	defer func() { db.Now = now }()
	_, err := db.AddChallenge(context.Background(), storage.ChallengeInput{Problem: trickyProblem,
		Criticality: storage.CriticalityLow, Incidence: `Tom & Jerry's "311" line`, ActionPlan: "Write <b>less</b> &amp; more"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const trickyProblem = `R&D <script>alert("x")</script> & 'AT&T' &lt;`

// TestDemoDOCXKeepsEveryText: the demo report as .docx in each language
// is a valid package (docxtest.CheckPackage: well-formed parts, content
// types, relationships) whose paragraphs, read back with encoding/xml,
// are every text of the report in order, in the right styles, user text
// neither lost nor escaped twice; its title and language are in
// docProps/core.xml.
func TestDemoDOCXKeepsEveryText(t *testing.T) {
	s := demoWithTrickyText(t)
	d, err := s.buildReport(context.Background(), demoPeriod)
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"en", "fr"} {
		t.Run(lang, func(t *testing.T) {
			doc := s.reportDocument(d, lang)
			var b bytes.Buffer
			if err := renderDOCX(&b, doc, reportNow); err != nil {
				t.Fatal(err)
			}
			parts := docxtest.CheckPackage(t, b.Bytes())
			got := docxLines(t, parts["word/document.xml"])
			sameLines(t, got, wantDOCXLines(doc), "document.xml reads", "the report's model has")
			text := parts["word/document.xml"]
			for _, w := range []string{"R&amp;D &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &apos;AT&amp;T&apos; &amp;lt;",
				"Write &lt;b&gt;less&lt;/b&gt; &amp;amp; more"} {
				if !strings.Contains(text, w) {
					t.Errorf("document.xml lacks the user text escaped once: %s", w)
				}
			}
			if strings.ContainsRune(text, '\ufdd0') || strings.ContainsRune(text, '\ufdd1') {
				t.Error("user-text marks left in the document")
			}
			tag := map[string]string{"en": "en-CA", "fr": "fr-CA"}[lang]
			for _, w := range []string{"<dc:title>" + handlers.Unmark(doc.Title) + "</dc:title>", "<dc:language>" + tag + "</dc:language>"} {
				if !strings.Contains(parts["docProps/core.xml"], w) {
					t.Errorf("core.xml lacks %s:\n%s", w, parts["docProps/core.xml"])
				}
			}
		})
	}
}

// docxLines reads document.xml's paragraphs as docxLines, gathering table
// cells into rows.
func docxLines(t *testing.T, documentXML string) []docxLine {
	t.Helper()
	styles, texts := docxtest.Paragraphs(t, documentXML)
	rows := docxtest.Rows(t, documentXML)
	var out []docxLine
	for i := 0; i < len(styles); i++ {
		if styles[i] == "TableText" {
			row := rows[0]
			rows = rows[1:]
			out = append(out, docxLine{"ROW", strings.Join(row, " | ")})
			i += len(row) - 1
			continue
		}
		k, ok := docxStyleKinds[styles[i]]
		if !ok {
			t.Fatalf("paragraph %d has style %s", i, styles[i])
		}
		out = append(out, docxLine{k, texts[i]})
	}
	return out
}

// TestDemoDOCXGolden compares the demo report's word/document.xml in
// English with testdata/report.en.document.xml.golden (one paragraph or
// row per line); -update rewrites it. Read the diff.
func TestDemoDOCXGolden(t *testing.T) {
	s, _ := newDemoService(t)
	var b bytes.Buffer
	if err := s.Report(context.Background(), &b, demoPeriod, "en", DOCX); err != nil {
		t.Fatal(err)
	}
	parts := docxtest.CheckPackage(t, b.Bytes())
	got := strings.NewReplacer("<w:p>", "\n<w:p>", "<w:tbl>", "\n<w:tbl>", "<w:tr>", "\n<w:tr>", "<w:sectPr>", "\n<w:sectPr>").
		Replace(parts["word/document.xml"]) + "\n"
	path := filepath.Join("testdata", "report.en.document.xml.golden")
	if *updateGolden {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("line %d differs from %s:\ngot  %s\nwant %s", i+1, path, gl[i], wl[i])
			}
		}
		t.Fatalf("%d lines, golden has %d", len(gl), len(wl))
	}
	// The same report makes the same bytes.
	var again bytes.Buffer
	if err := s.Report(context.Background(), &again, demoPeriod, "en", DOCX); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), again.Bytes()) {
		t.Error("two DOCX reports of the same data differ")
	}
}

// TestReportCommandSendsDOCX: "report … --format docx" in the chat
// answers with the Word file, named and typed as such.
func TestReportCommandSendsDOCX(t *testing.T) {
	e, _, _ := newRcEnv(t)
	for _, tt := range []struct{ cmd, name string }{
		{"report 2026-09-01 2026-11-30 --format docx", "copbot-report-2026-09-01-2026-11-30.en.docx"},
		{"rapport 2026-09-01 2026-11-30 --format .DOCX --langue fr", "copbot-report-2026-09-01-2026-11-30.fr.docx"},
	} {
		r := e.ask(ptCoordinator, tt.cmd)
		if r.Kind == "error" || r.File == nil {
			t.Fatalf("%s: %s %q, file %v", tt.cmd, r.Kind, r.Text, r.File)
		}
		if r.File.Name != tt.name || r.File.MIME != "application/vnd.openxmlformats-officedocument.wordprocessingml.document" {
			t.Errorf("%s: file %s (%s)", tt.cmd, r.File.Name, r.File.MIME)
		}
		docxtest.CheckPackage(t, r.File.Data)
	}
	rcHas(t, e.ask(ptCoordinator, "report 2026-09-01 2026-11-30 --format pdf"), "is not a report format: use html, md or docx.")
}

// BenchmarkReportDOCX is the whole demo report as .docx (read the
// database, lay out, zip), as the command makes it; it reports the
// file's size. BenchmarkReportHTML is the same for the page, to compare.
func BenchmarkReportDOCX(b *testing.B) { benchmarkReport(b, DOCX) }

func BenchmarkReportHTML(b *testing.B) { benchmarkReport(b, HTML) }

func benchmarkReport(b *testing.B, f Format) {
	s, _ := newDemoService(b)
	var size int
	for b.Loop() {
		var buf bytes.Buffer
		if err := s.Report(context.Background(), &buf, demoPeriod, "fr", f); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(size), "file-bytes")
}

// BenchmarkRenderDOCX is the layout and zip alone, from gathered data.
func BenchmarkRenderDOCX(b *testing.B) {
	s, _ := newDemoService(b)
	d, err := s.buildReport(context.Background(), demoPeriod)
	if err != nil {
		b.Fatal(err)
	}
	doc := s.reportDocument(d, "fr")
	for b.Loop() {
		if err := renderDOCX(new(bytes.Buffer), doc, reportNow); err != nil {
			b.Fatal(err)
		}
	}
}
