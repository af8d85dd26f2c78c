package report

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"

	"copbot/internal/docx"
	"copbot/storage"
)

//go:embed templates/report.html.tmpl
var reportTemplateFS embed.FS

// parseReportTemplate parses the page template; reports are rare, so it
// is parsed for each one rather than kept.
func parseReportTemplate() (*template.Template, error) {
	return template.New("report.html.tmpl").Funcs(template.FuncMap{
		// svg marks the pictures, built by the pure functions of
		// report_svg.go which escape every text they draw, as safe HTML.
		"svg": func(s string) template.HTML { return template.HTML(s) },
		"rowKey": func(t *docTable, i int) string {
			if i < len(t.RowKeys) {
				return t.RowKeys[i]
			}
			return ""
		},
		"colKey": func(t *docTable, i int) string {
			if i < len(t.ColKeys) {
				return t.ColKeys[i]
			}
			return ""
		},
		"numeric": func(t *docTable) bool { return t.ID != "challenges-table" },
	}).ParseFS(reportTemplateFS, "templates/report.html.tmpl")
}

// Format is md, html or docx.
type Format string

// Report formats.
const (
	Markdown Format = "md"
	HTML     Format = "html"
	DOCX     Format = "docx"
)

// MIME is the media type of a report file in format f.
func (f Format) MIME() string {
	switch f {
	case Markdown:
		return "text/markdown; charset=utf-8"
	case DOCX:
		return docx.MIME
	}
	return "text/html; charset=utf-8"
}

// Report writes the report to the Council for period p in lang ("en" or
// "fr") and format. Figures are computed from the database for the period:
// members as of its end, joins and departures in it, meetings held in it.
func (s *Feature) Report(ctx context.Context, w io.Writer, p Period, lang string, f Format) error {
	if err := s.checkReportArgs(p, lang, f); err != nil {
		return err
	}
	d, err := s.buildReport(ctx, p)
	if err != nil {
		return err
	}
	if err := s.auditExport(ctx, p, lang, f); err != nil {
		return err
	}
	return s.renderReport(w, d, lang, f)
}

// auditExport records in the audit log, before any of it is handed out,
// that the report (which names outreach contacts) is being exported, by
// ctx's actor: a coordinator in the chat, the command line, the page.
func (s *Feature) auditExport(ctx context.Context, p Period, lang string, f Format) error {
	_, err := s.store.RecordAudit(ctx, storage.AuditEntry{Action: storage.AuditReportExport, Target: "report",
		Detail: map[string]string{"from": p.From.Format(time.DateOnly), "to": p.To.Format(time.DateOnly),
			"lang": lang, "format": string(f)}})
	return err
}

// renderReport writes the facts d in lang and format f.
func (s *Feature) renderReport(w io.Writer, d *reportData, lang string, f Format) error {
	doc := s.reportDocument(d, lang)
	if f == DOCX {
		return renderDOCX(w, doc, s.now())
	}
	// The document shows user text as its own escaping does: the marks
	// that set it apart in chat replies come out (see unmarked).
	var b strings.Builder
	if f == HTML {
		if err := renderHTML(&b, doc); err != nil {
			return err
		}
	} else {
		b.WriteString(renderMarkdown(doc))
	}
	_, err := io.WriteString(w, unmarked(b.String()))
	return err
}

func (s *Feature) checkReportArgs(p Period, lang string, f Format) error {
	switch {
	case lang != "en" && lang != "fr":
		return storage.Errorf(storage.EINVALID, "report_error_lang", map[string]any{"Value": lang}, "bad language %q", lang)
	case f != Markdown && f != HTML && f != DOCX:
		return storage.Errorf(storage.EINVALID, "report_error_format", map[string]any{"Value": string(f)}, "bad format %q", f)
	case p.From.IsZero() || p.To.IsZero() || p.To.Before(p.From):
		return storage.Errorf(storage.EINVALID, "report_error_period", nil, "bad period")
	case p.Next().To.Before(p.Next().From):
		return storage.Errorf(storage.EINVALID, "report_error_next", nil, "bad next period")
	}
	return nil
}

func renderHTML(w io.Writer, doc *reportDoc) error {
	t, err := parseReportTemplate()
	if err != nil {
		return err
	}
	return t.Execute(w, doc)
}

// renderMarkdown lays the document out as CommonMark with GFM tables.
// Pictures are left out: their tables carry the same numbers.
func renderMarkdown(doc *reportDoc) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n%s\n", mdEscape(doc.Title), mdEscape(doc.Subtitle))
	for _, sec := range doc.Sections {
		fmt.Fprintf(&b, "\n## %s\n", mdEscape(sec.Title))
		for _, p := range sec.Parts {
			writeMarkdownPart(&b, p)
		}
	}
	fmt.Fprintf(&b, "\n---\n\n%s\n", mdEscape(doc.Note))
	return b.String()
}

func writeMarkdownPart(b *strings.Builder, p docPart) {
	switch {
	case p.H3 != "":
		fmt.Fprintf(b, "\n### %s\n", mdEscape(p.H3))
	case p.Text != "":
		fmt.Fprintf(b, "\n%s\n", mdEscape(p.Text))
	case len(p.Items) > 0:
		b.WriteString("\n")
		for _, it := range p.Items {
			fmt.Fprintf(b, "- %s\n", mdEscape(it))
		}
	case p.Table != nil:
		writeMarkdownTable(b, p.Table)
	}
}

func writeMarkdownTable(b *strings.Builder, t *docTable) {
	fmt.Fprintf(b, "\n**%s**\n\n", mdEscape(t.Caption))
	row := func(cells []string) {
		b.WriteString("|")
		for _, c := range cells {
			fmt.Fprintf(b, " %s |", strings.ReplaceAll(mdEscape(c), "|", `\|`))
		}
		b.WriteString("\n")
	}
	row(t.Head)
	sep := make([]string, len(t.Head))
	for i := range sep {
		sep[i] = "---"
		if i > 0 && t.ID != "challenges-table" {
			sep[i] = "---:"
		}
	}
	b.WriteString("|" + strings.Join(sep, "|") + "|\n")
	for _, r := range t.Rows {
		row(r)
	}
}

// mdEscape keeps user text from being read as Markdown markup, and line
// breaks from breaking a list item or a table row.
func mdEscape(s string) string {
	return mdReplacer.Replace(s)
}

var mdReplacer = strings.NewReplacer(`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
	"<", "&lt;", ">", "&gt;", "#", `\#`, "\n", " ", "\r", "")
