// Package docx writes small editable WordprocessingML (.docx) documents:
// a title, headings, paragraphs, bulleted lists and tables, in one
// language. It uses only archive/zip and the standard library, and knows
// nothing of copbot: callers hand it plain text, which it escapes.
//
// The package is what Word, LibreOffice and other OOXML readers need and
// no more: heading styles with outline levels (Word's navigation pane),
// a bullet numbering definition, tables with a repeated header row, the
// document's language in the default run properties, every run and
// docProps/core.xml, and its title there too. Output is deterministic: the
// same document gives the same bytes (parts in a fixed order, fixed zip
// times), so tests can compare it whole.
package docx

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// MIME is the media type of a .docx file.
const MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

// Document is a document being written. Its zero value is not usable:
// start with New.
type Document struct {
	// Title and Subject go to docProps/core.xml (File > Properties).
	Title, Subject string
	// Lang is the BCP 47 tag of the text, e.g. "en-CA" or "fr-CA".
	Lang string
	// Created is the creation time in docProps/core.xml; zero leaves it out.
	Created time.Time
	// Creator is the author in docProps/core.xml.
	Creator string

	body strings.Builder
}

// New starts a document titled title (core properties only: call
// TitleParagraph to print it) in lang.
func New(title, lang string) *Document {
	return &Document{Title: title, Lang: lang}
}

// TitleParagraph prints text in the Title style.
func (d *Document) TitleParagraph(text string) { d.para("Title", text, false) }

// SubtitleParagraph prints text in the Subtitle style.
func (d *Document) SubtitleParagraph(text string) { d.para("Subtitle", text, false) }

// Heading prints text as a heading of level 1 to 3 (Heading1..Heading3).
func (d *Document) Heading(level int, text string) {
	level = min(max(level, 1), 3)
	d.para(fmt.Sprintf("Heading%d", level), text, false)
}

// Paragraph prints text in the Normal style. A line break in text is a
// line break in the paragraph.
func (d *Document) Paragraph(text string) { d.para("", text, false) }

// Note prints text in the Note style (small print, such as how the
// figures were made).
func (d *Document) Note(text string) { d.para("Note", text, false) }

// Bullets prints each item as a paragraph of a bulleted list.
func (d *Document) Bullets(items []string) {
	for _, it := range items {
		d.para("ListBullet", it, false)
	}
}

// Table prints a table: a caption above it, one header row (repeated on
// each page) and the rows. Cells of a column whose right[i] is true are
// right-aligned (numbers). Rows shorter than the header are padded.
func (d *Document) Table(caption string, head []string, rows [][]string, right []bool) {
	if caption != "" {
		d.para("Caption", caption, true)
	}
	cols := len(head)
	for _, r := range rows {
		cols = max(cols, len(r))
	}
	if cols == 0 {
		return
	}
	b := &d.body
	b.WriteString(`<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="5000" w:type="pct"/>` +
		`<w:tblLook w:val="0420" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>`)
	widths := columnWidths(cols, right)
	for _, w := range widths {
		fmt.Fprintf(b, `<w:gridCol w:w="%d"/>`, w)
	}
	b.WriteString(`</w:tblGrid>`)
	row := func(cells []string, header bool) {
		b.WriteString(`<w:tr>`)
		if header {
			b.WriteString(`<w:trPr><w:tblHeader/></w:trPr>`)
		}
		for i := 0; i < cols; i++ {
			cell := ""
			if i < len(cells) {
				cell = cells[i]
			}
			fmt.Fprintf(b, `<w:tc><w:tcPr><w:tcW w:w="%d" w:type="dxa"/>`, widths[i])
			if header {
				b.WriteString(`<w:shd w:val="clear" w:color="auto" w:fill="E7E6E6"/>`)
			}
			b.WriteString(`</w:tcPr><w:p><w:pPr><w:pStyle w:val="TableText"/>`)
			if i < len(right) && right[i] {
				b.WriteString(`<w:jc w:val="right"/>`)
			}
			b.WriteString(`</w:pPr>`)
			d.runs(cell, header)
			b.WriteString(`</w:p></w:tc>`)
		}
		b.WriteString(`</w:tr>`)
	}
	if len(head) > 0 {
		row(head, true)
	}
	for _, r := range rows {
		row(r, false)
	}
	b.WriteString(`</w:tbl>`)
}

// numberWidth is the width of a column of numbers (an inch).
const numberWidth = 1440

// columnWidths share the text width between cols columns: a column of
// numbers (right) gets numberWidth, and the text columns share the rest
// equally, unless that would leave them narrower than a column of
// numbers: then every column gets the same.
func columnWidths(cols int, right []bool) []int {
	widths := make([]int, cols)
	numbers := 0
	for i := range cols {
		if i < len(right) && right[i] {
			numbers++
		}
	}
	if numbers == cols || (textWidth-numbers*numberWidth)/(cols-numbers) < numberWidth {
		for i := range widths {
			widths[i] = textWidth / cols
		}
		return widths
	}
	rest := (textWidth - numbers*numberWidth) / (cols - numbers)
	for i := range widths {
		widths[i] = rest
		if i < len(right) && right[i] {
			widths[i] = numberWidth
		}
	}
	return widths
}

// textWidth is the width between the margins of a Letter page with
// one-inch margins, in twentieths of a point.
const textWidth = 9360

// para writes one paragraph of style (empty: Normal).
func (d *Document) para(style, text string, keepNext bool) {
	b := &d.body
	b.WriteString(`<w:p>`)
	if style != "" || keepNext {
		b.WriteString(`<w:pPr>`)
		if style != "" {
			fmt.Fprintf(b, `<w:pStyle w:val="%s"/>`, style)
		}
		if keepNext {
			b.WriteString(`<w:keepNext/>`)
		}
		b.WriteString(`</w:pPr>`)
	}
	d.runs(text, false)
	b.WriteString(`</w:p>`)
}

// runs writes text as runs in the document's language, a line break
// (<w:br/>) for each newline and a tab for each tab.
func (d *Document) runs(text string, bold bool) {
	b := &d.body
	b.WriteString(`<w:r><w:rPr>`)
	if bold {
		b.WriteString(`<w:b/>`)
	}
	fmt.Fprintf(b, `<w:lang w:val="%s"/></w:rPr>`, attr(d.Lang))
	text = strings.ReplaceAll(text, "\r\n", "\n")
	for i, line := range strings.Split(text, "\n") {
		if i > 0 {
			b.WriteString(`<w:br/>`)
		}
		for j, piece := range strings.Split(line, "\t") {
			if j > 0 {
				b.WriteString(`<w:tab/>`)
			}
			if piece != "" {
				fmt.Fprintf(b, `<w:t xml:space="preserve">%s</w:t>`, escape(piece))
			}
		}
	}
	b.WriteString(`</w:r>`)
}

// escape makes s safe as XML character data or an attribute value: the
// five special characters become entities, and characters XML 1.0 does
// not allow (control characters, lone surrogates, U+FFFE and U+FFFF) are
// dropped, since a reader would refuse the whole document for one.
func escape(s string) string {
	var b strings.Builder
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		s = s[size:]
		switch {
		case r == utf8.RuneError && size == 1: // invalid UTF-8: dropped
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '"':
			b.WriteString("&quot;")
		case r == '\'':
			b.WriteString("&apos;")
		case xmlChar(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

func attr(s string) string { return escape(s) }

// xmlChar reports whether XML 1.0 allows r in a document.
func xmlChar(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r <= 0xD7FF) ||
		(r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}

// zipTime is the time stamped on every part, so that the same document
// always makes the same bytes.
var zipTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// Write writes the document as a .docx file.
func (d *Document) Write(w io.Writer) error {
	z := zip.NewWriter(w)
	for _, p := range d.parts() {
		f, err := z.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Deflate, Modified: zipTime})
		if err != nil {
			return err
		}
		if _, err := io.WriteString(f, xmlHeader+p.body); err != nil {
			return err
		}
	}
	return z.Close()
}

// Bytes is the document as a .docx file.
func (d *Document) Bytes() ([]byte, error) {
	var b bytes.Buffer
	if err := d.Write(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

const xmlHeader = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"

type part struct{ name, body string }

// parts are the package's parts, [Content_Types].xml first as readers
// that stream the zip expect.
func (d *Document) parts() []part {
	return []part{
		{"[Content_Types].xml", contentTypes},
		{"_rels/.rels", packageRels},
		{"docProps/core.xml", d.coreXML()},
		{"docProps/app.xml", appXML},
		{"word/_rels/document.xml.rels", documentRels},
		{"word/document.xml", d.DocumentXML()},
		{"word/styles.xml", stylesXML(d.Lang)},
		{"word/numbering.xml", numberingXML},
		{"word/settings.xml", settingsXML(d.Lang)},
	}
}

// DocumentXML is word/document.xml without its XML declaration: the body
// written so far and the page set-up (Letter, one-inch margins).
func (d *Document) DocumentXML() string {
	return `<w:document xmlns:w="` + nsW + `" xmlns:r="` + nsR + `"><w:body>` + d.body.String() +
		`<w:sectPr><w:pgSz w:w="12240" w:h="15840"/><w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" w:header="720" w:footer="720" w:gutter="0"/></w:sectPr>` +
		`</w:body></w:document>`
}

func (d *Document) coreXML() string {
	var b strings.Builder
	b.WriteString(`<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" ` +
		`xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" ` +
		`xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`)
	fmt.Fprintf(&b, `<dc:title>%s</dc:title>`, escape(d.Title))
	if d.Subject != "" {
		fmt.Fprintf(&b, `<dc:subject>%s</dc:subject>`, escape(d.Subject))
	}
	if d.Creator != "" {
		fmt.Fprintf(&b, `<dc:creator>%s</dc:creator>`, escape(d.Creator))
	}
	fmt.Fprintf(&b, `<dc:language>%s</dc:language>`, escape(d.Lang))
	if !d.Created.IsZero() {
		t := d.Created.UTC().Format(time.RFC3339)
		fmt.Fprintf(&b, `<dcterms:created xsi:type="dcterms:W3CDTF">%s</dcterms:created>`+
			`<dcterms:modified xsi:type="dcterms:W3CDTF">%s</dcterms:modified>`, t, t)
	}
	b.WriteString(`</cp:coreProperties>`)
	return b.String()
}
