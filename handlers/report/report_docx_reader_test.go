package report

import (
	"bytes"
	"context"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The .docx read back by an independent OOXML reader, Debian's
// python3-docx (.ci/run installs it), whose numbers must equal the HTML
// report's for the same database.

// pythonDocx is the Python that has the docx module: $COPBOT_PYTHON, else
// /usr/bin/python3 (Debian's; a pyenv python3 on the PATH lacks it).
// Without it the test fails when CI is set and is skipped, loudly,
// elsewhere.
func pythonDocx(t *testing.T) string {
	t.Helper()
	py := os.Getenv("COPBOT_PYTHON")
	if py == "" {
		py = "/usr/bin/python3"
	}
	out, err := exec.Command(py, "-c", "import docx").CombinedOutput()
	if err == nil {
		return py
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s cannot import docx, and CI is set: the OOXML reader test must run (apt-get install python3-docx): %v\n%s", py, err, out)
	}
	t.Skipf("!!! SKIPPING the OOXML reader test: %s cannot import docx (apt-get install python3-docx, or set COPBOT_PYTHON) !!!", py)
	return ""
}

// readDOCX runs testdata/readdocx.py on a .docx: the core properties, the
// languages of the runs, and every paragraph and table row as docxLines.
func readDOCX(t *testing.T, py string, data []byte) (meta map[string]string, langs []string, lines []docxLine) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "report.docx")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(py, filepath.Join("testdata", "readdocx.py"), path).Output()
	if err != nil {
		t.Fatalf("readdocx.py: %v", err)
	}
	// python-docx names styles as Word shows them.
	kinds := map[string]string{"Title": "TITLE", "Subtitle": "P", "Heading 1": "H1", "Heading 2": "H2", "Normal": "P",
		"List Bullet": "LI", "Caption": "CAPTION", "Note": "P"}
	meta = map[string]string{}
	for _, l := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		f := strings.Split(l, "\t")
		switch {
		case f[0] == "meta" && len(f) == 3:
			meta[f[1]] = f[2]
		case f[0] == "lang" && len(f) == 2:
			langs = append(langs, f[1])
		case f[0] == "p" && len(f) == 3:
			k, ok := kinds[f[1]]
			if !ok {
				t.Fatalf("paragraph in style %q: %s", f[1], l)
			}
			lines = append(lines, docxLine{k, f[2]})
		case f[0] == "row":
			lines = append(lines, docxLine{"ROW", strings.Join(f[1:], " | ")})
		case f[0] == "table":
		default:
			t.Fatalf("readdocx.py printed %q", l)
		}
	}
	return meta, langs, lines
}

// htmlLines reads the HTML report as docxLines: h1 TITLE, h2 H1, h3 H2,
// p, li, caption and table rows, in page order (pictures and the head
// left out), entities decoded.
func htmlLines(page string) []docxLine {
	page = regexp.MustCompile(`(?s)<head>.*?</head>|<figure>.*?</figure>`).ReplaceAllString(page, "")
	kinds := map[string]string{"h1": "TITLE", "h2": "H1", "h3": "H2", "p": "P", "li": "LI", "caption": "CAPTION", "tr": "ROW"}
	cell := regexp.MustCompile(`(?s)<t[hd]\b[^>]*>(.*?)</t[hd]>`)
	text := func(s string) string {
		return html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(s, ""))
	}
	var out []docxLine
	for _, m := range regexp.MustCompile(`(?s)<(h1|h2|h3|p|li|caption|tr)\b[^>]*>(.*?)</(?:h1|h2|h3|p|li|caption|tr)>`).FindAllStringSubmatch(page, -1) {
		if m[1] != "tr" {
			out = append(out, docxLine{kinds[m[1]], text(m[2])})
			continue
		}
		var cells []string
		for _, c := range cell.FindAllStringSubmatch(m[2], -1) {
			cells = append(cells, text(c[1]))
		}
		out = append(out, docxLine{"ROW", strings.Join(cells, " | ")})
	}
	return out
}

// reportFigures are the numbers the Council reads, taken from a report's
// lines the same way whatever the format: people per order of government
// (the timeline's last row), organizations per order (the figures table),
// jurisdictions without representative (cells of the jurisdiction table
// that are not a bare number), meetings of the period (headings of the
// first section with a date and a title) and the poll results' numbers.
type reportFigures struct {
	PeoplePerOrder, Organizations string
	Uncovered, Meetings           int
	Votes                         string
}

func figuresOf(lines []docxLine) reportFigures {
	var f reportFigures
	var tables [][]string // rows of each table, header included
	section, lastH2 := 0, ""
	var pollNumbers []string
	for _, l := range lines {
		switch l.Kind {
		case "H1":
			section++
		case "H2":
			lastH2 = l.Text
			if section == 1 && strings.Contains(l.Text, " — ") {
				f.Meetings++
			}
		case "CAPTION":
			tables = append(tables, nil)
		case "ROW":
			tables[len(tables)-1] = append(tables[len(tables)-1], l.Text)
		case "LI":
			if section == 1 && (strings.Contains(lastH2, "Poll") || strings.Contains(lastH2, "Sondage")) {
				pollNumbers = append(pollNumbers, regexp.MustCompile(`\d+`).FindAllString(l.Text, -1)...)
			}
		}
	}
	f.Votes = strings.Join(pollNumbers, " ")
	if len(tables) < 3 {
		return f
	}
	figures, places, timeline := tables[0], tables[1], tables[2]
	if len(figures) >= 5 {
		var orgs []string
		for _, r := range figures[2:5] {
			orgs = append(orgs, lastCell(r))
		}
		f.Organizations = strings.Join(orgs, " ")
	}
	for _, r := range places[1:] {
		if !regexp.MustCompile(`^\d+$`).MatchString(lastCell(r)) {
			f.Uncovered++
		}
	}
	if last := timeline[len(timeline)-1]; strings.Contains(last, " | ") {
		_, f.PeoplePerOrder, _ = strings.Cut(last, " | ")
	}
	return f
}

func lastCell(row string) string { return row[strings.LastIndex(row, " | ")+3:] }

// TestDOCXReadByPythonDocx: python-docx opens the demo report's .docx in
// each language and reads the same headings, paragraphs, items and table
// cells as the HTML page shows, so the same figures, which are the demo's;
// the title and the language (en-CA / fr-CA, on every run) are those of
// the report.
func TestDOCXReadByPythonDocx(t *testing.T) {
	py := pythonDocx(t)
	s, _ := newDemoService(t)
	want := reportFigures{PeoplePerOrder: "18 | 33 | 30 | 81", Organizations: "6 21 22", Uncovered: 4, Meetings: 2,
		Votes: "2027 15 30 17 2027"}
	for _, lang := range []string{"en", "fr"} {
		t.Run(lang, func(t *testing.T) {
			var b bytes.Buffer
			if err := s.Report(context.Background(), &b, demoPeriod, lang, DOCX); err != nil {
				t.Fatal(err)
			}
			meta, langs, got := readDOCX(t, py, b.Bytes())
			page := htmlLines(renderReport(t, s, lang, HTML))
			if len(page) < 50 {
				t.Fatalf("the HTML report reads as %d lines", len(page))
			}
			sameLines(t, got, page, "python-docx reads", "the HTML page shows")
			if gf, hf := figuresOf(got), figuresOf(page); gf != hf || gf != want {
				t.Errorf("figures: docx %+v, html %+v, want %+v", gf, hf, want)
			}
			tag := map[string]string{"en": "en-CA", "fr": "fr-CA"}[lang]
			if meta["title"] != page[0].Text || meta["language"] != tag || strings.Join(langs, " ") != tag {
				t.Errorf("title %q, language %q, run languages %v; want %q, %s", meta["title"], meta["language"], langs, page[0].Text, tag)
			}
		})
	}
}
