package report

import (
	"io"
	"time"

	"copbot/handlers"
	"copbot/internal/docx"
)

// renderDOCX lays the document out as an editable Word document: the
// title and subtitle, one Heading 1 per section and Heading 2 per
// sub-heading, bulleted lists, and every table with its caption and
// header row. Pictures are left out, as in Markdown: their tables carry
// the same numbers. User text loses the marks that set it apart in chat
// replies (handlers.Unmark); the writer escapes it.
func renderDOCX(w io.Writer, doc *reportDoc, made time.Time) error {
	un := handlers.Unmark
	d := docx.New(un(doc.Title), docLang(doc.Lang))
	d.Subject, d.Created, d.Creator = un(doc.Subtitle), made, "copbot"
	d.TitleParagraph(un(doc.Title))
	d.SubtitleParagraph(un(doc.Subtitle))
	for _, sec := range doc.Sections {
		d.Heading(1, un(sec.Title))
		for _, p := range sec.Parts {
			switch {
			case p.H3 != "":
				d.Heading(2, un(p.H3))
			case p.Text != "":
				d.Paragraph(un(p.Text))
			case len(p.Items) > 0:
				items := make([]string, len(p.Items))
				for i, it := range p.Items {
					items[i] = un(it)
				}
				d.Bullets(items)
			case p.Table != nil:
				docxTable(d, p.Table)
			}
		}
	}
	d.Note(un(doc.Note))
	return d.Write(w)
}

func docxTable(d *docx.Document, t *docTable) {
	head := make([]string, len(t.Head))
	right := make([]bool, len(t.Head))
	for i, h := range t.Head {
		head[i] = handlers.Unmark(h)
		right[i] = i > 0 && t.ID != "challenges-table"
	}
	rows := make([][]string, len(t.Rows))
	for i, r := range t.Rows {
		rows[i] = make([]string, len(r))
		for j, c := range r {
			rows[i][j] = handlers.Unmark(c)
		}
	}
	d.Table(handlers.Unmark(t.Caption), head, rows, right)
}

// docLang is the document's language tag: Canadian English or French.
func docLang(lang string) string {
	if lang == "fr" {
		return "fr-CA"
	}
	return "en-CA"
}
