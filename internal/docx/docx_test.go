package docx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"slices"
	"strings"
	"testing"
	"time"

	"copbot/internal/docx/docxtest"
)

// tricky is text that breaks naive XML writing: the five special
// characters, an entity already escaped (must stay as typed, not be
// unescaped or escaped twice), control characters XML forbids, a tab,
// a line break, non-Latin scripts and an emoji.
const tricky = "R&D <b>bold</b> \"quoted\" 'single' &amp; \x01\x1f\ufffe kept\ttab\nline 2 — «\u00a0é\u00a0» 日本 🙂"

// trickyRead is tricky as a reader reads it back: forbidden characters gone.
const trickyRead = "R&D <b>bold</b> \"quoted\" 'single' &amp;  kept\ttab\nline 2 — «\u00a0é\u00a0» 日本 🙂"

func sample() *Document {
	d := New("Title & <sub>", "fr-CA")
	d.Subject, d.Creator, d.Created = "Subject "+tricky, "copbot", time.Date(2027, 2, 3, 15, 4, 5, 0, time.UTC)
	d.TitleParagraph("Title & <sub>")
	d.SubtitleParagraph("Sub")
	d.Heading(1, "Section "+tricky)
	d.Heading(2, "Sub-section")
	d.Paragraph(tricky)
	d.Bullets([]string{"first", tricky})
	d.Table("Caption "+tricky, []string{"Name", "N"}, [][]string{{tricky, "1"}, {"short row"}}, []bool{false, true})
	d.Note("Made by copbot")
	return d
}

func TestPackageIsValidAndKeepsEveryText(t *testing.T) {
	b, err := sample().Bytes()
	if err != nil {
		t.Fatal(err)
	}
	parts := docxtest.CheckPackage(t, b)
	for _, want := range []string{"[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/styles.xml",
		"word/numbering.xml", "word/settings.xml", "word/_rels/document.xml.rels", "docProps/core.xml", "docProps/app.xml"} {
		if _, ok := parts[want]; !ok {
			t.Errorf("no part %s", want)
		}
	}
	styles, texts := docxtest.Paragraphs(t, parts["word/document.xml"])
	want := []struct{ style, text string }{{"Title", "Title & <sub>"}, {"Subtitle", "Sub"}, {"Heading1", "Section " + trickyRead},
		{"Heading2", "Sub-section"}, {"Normal", trickyRead}, {"ListBullet", "first"}, {"ListBullet", trickyRead},
		{"Caption", "Caption " + trickyRead}, {"TableText", "Name"}, {"TableText", "N"}, {"TableText", trickyRead},
		{"TableText", "1"}, {"TableText", "short row"}, {"TableText", ""}, {"Note", "Made by copbot"}}
	if len(texts) != len(want) {
		t.Fatalf("%d paragraphs, want %d: %q", len(texts), len(want), texts)
	}
	for i, w := range want {
		if styles[i] != w.style || texts[i] != w.text {
			t.Errorf("paragraph %d: %s %q, want %s %q", i, styles[i], texts[i], w.style, w.text)
		}
	}
	var core struct {
		Title    string `xml:"title"`
		Subject  string `xml:"subject"`
		Creator  string `xml:"creator"`
		Language string `xml:"language"`
		Created  string `xml:"created"`
	}
	if err := xml.Unmarshal([]byte(parts["docProps/core.xml"]), &core); err != nil {
		t.Fatal(err)
	}
	if core.Title != "Title & <sub>" || core.Language != "fr-CA" || core.Subject != "Subject "+trickyRead ||
		core.Creator != "copbot" || core.Created != "2027-02-03T15:04:05Z" {
		t.Errorf("core properties: %+v", core)
	}
}

// TestLanguageEverywhere: the language is in the default run properties
// (styles.xml), on every run of the body, and in the settings.
func TestLanguageEverywhere(t *testing.T) {
	b, err := sample().Bytes()
	if err != nil {
		t.Fatal(err)
	}
	parts := docxtest.CheckPackage(t, b)
	doc := parts["word/document.xml"]
	runs, langs := strings.Count(doc, "<w:r>"), strings.Count(doc, `<w:lang w:val="fr-CA"/>`)
	if runs == 0 || runs != langs || strings.Contains(doc, "en-CA") {
		t.Errorf("%d runs, %d with fr-CA", runs, langs)
	}
	if !strings.Contains(parts["word/styles.xml"], `<w:rPrDefault><w:rPr>`) ||
		!strings.Contains(parts["word/styles.xml"], `<w:lang w:val="fr-CA"`) {
		t.Error("styles.xml: no fr-CA in the default run properties")
	}
	if !strings.Contains(parts["word/settings.xml"], `<w:themeFontLang w:val="fr-CA"/>`) {
		t.Error("settings.xml: no themeFontLang")
	}
}

// TestStylesForNavigation: the headings are Word's built-in "heading N"
// styles with an outline level (what the navigation pane lists), the list
// style uses the bullet numbering defined in numbering.xml, and the
// table's first row repeats as a header.
func TestStylesForNavigation(t *testing.T) {
	b, err := sample().Bytes()
	if err != nil {
		t.Fatal(err)
	}
	parts := docxtest.CheckPackage(t, b)
	var st struct {
		Styles []struct {
			ID   string `xml:"styleId,attr"`
			Name struct {
				Val string `xml:"val,attr"`
			} `xml:"name"`
			PPr struct {
				Outline *struct {
					Val string `xml:"val,attr"`
				} `xml:"outlineLvl"`
				NumID *struct {
					Val string `xml:"val,attr"`
				} `xml:"numPr>numId"`
			} `xml:"pPr"`
		} `xml:"style"`
	}
	if err := xml.Unmarshal([]byte(parts["word/styles.xml"]), &st); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range st.Styles {
		v := s.Name.Val
		if s.PPr.Outline != nil {
			v += " outline " + s.PPr.Outline.Val
		}
		if s.PPr.NumID != nil {
			v += " num " + s.PPr.NumID.Val
		}
		got[s.ID] = v
	}
	for id, want := range map[string]string{"Heading1": "heading 1 outline 0", "Heading2": "heading 2 outline 1",
		"Heading3": "heading 3 outline 2", "ListBullet": "List Bullet num 1", "Normal": "Normal", "Caption": "caption"} {
		if got[id] != want {
			t.Errorf("style %s: %q, want %q", id, got[id], want)
		}
	}
	for _, w := range []string{`<w:num w:numId="1"><w:abstractNumId w:val="0"/>`, `<w:numFmt w:val="bullet"/>`} {
		if !strings.Contains(parts["word/numbering.xml"], w) {
			t.Errorf("numbering.xml lacks %s", w)
		}
	}
	doc := parts["word/document.xml"]
	if strings.Count(doc, "<w:tblHeader/>") != 1 || !strings.Contains(doc, `<w:jc w:val="right"/>`) {
		t.Errorf("table: want one header row and right-aligned numbers:\n%s", doc)
	}
}

// TestDeterministic: the same document makes the same bytes, and the
// parts carry the fixed time, not the clock's.
func TestDeterministic(t *testing.T) {
	a, err := sample().Bytes()
	if err != nil {
		t.Fatal(err)
	}
	b, err := sample().Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("two writes of one document differ")
	}
	z, err := zip.NewReader(bytes.NewReader(a), int64(len(a)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range z.File {
		if !f.Modified.Equal(zipTime) {
			t.Errorf("%s modified %v, want %v", f.Name, f.Modified, zipTime)
		}
	}
	if len(z.File) != 9 {
		t.Errorf("%d parts, want 9", len(z.File))
	}
}

func TestEscape(t *testing.T) {
	for in, want := range map[string]string{
		`a&b<c>d"e'f`:      "a&amp;b&lt;c&gt;d&quot;e&apos;f",
		"&amp;":            "&amp;amp;",
		"x\x00\x08\x0by":   "xy",
		"\xff\xfeok":       "ok",
		"\ufffd kept":      "\ufffd kept",
		"\ufdd0user\ufdd1": "\ufdd0user\ufdd1",
	} {
		if got := escape(in); got != want {
			t.Errorf("escape(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestColumnWidths(t *testing.T) {
	for _, tt := range []struct {
		cols  int
		right []bool
		want  []int
	}{
		{2, []bool{false, true}, []int{7920, 1440}},
		{3, nil, []int{3120, 3120, 3120}},
		{5, []bool{false, true, true, true, true}, []int{3600, 1440, 1440, 1440, 1440}},
		{8, []bool{false, true, true, true, true, true, true, true}, []int{1170, 1170, 1170, 1170, 1170, 1170, 1170, 1170}},
		{2, []bool{true, true}, []int{4680, 4680}},
	} {
		if got := columnWidths(tt.cols, tt.right); !slices.Equal(got, tt.want) {
			t.Errorf("columnWidths(%d, %v) = %v, want %v", tt.cols, tt.right, got, tt.want)
		}
	}
}
