package report

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"copbot/handlers"
	"copbot/storage"
)

// The coordinator's "report" command: a summary in the chat and the
// report as a file.

var reportFlags = handlers.FlagSpec{
	Names: map[string]string{"lang": "lang", "langue": "lang", "format": "format", "from": "from", "du": "from", "de": "from",
		"to": "to", "au": "to", "a": "to",
		"next-from": "nextfrom", "prochaine-du": "nextfrom", "suivante-du": "nextfrom",
		"next-to": "nextto", "prochaine-au": "nextto", "suivante-au": "nextto"},
	Help: "--from, --to, --next-from, --next-to, --lang, --format",
}

// cmdReport: report [FROM TO] [--lang en|fr] [--format html|md|docx]. Without
// dates the period is the six months up to today. "report link …" hands
// out a signed link to the report page instead (links.go).
func (s *Feature) cmdReport(ctx context.Context, c *call) handlers.Reply {
	if len(c.Args) > 0 {
		switch handlers.Fold(c.Args[0]) {
		case "link", "lien":
			c.Args = c.Args[1:]
			return s.cmdReportLink(ctx, c)
		}
	}
	p, lang, f, err := s.reportArgs(c)
	if err != nil {
		return c.FailUsage(err, "report_usage")
	}
	if err := s.checkReportArgs(p, lang, f); err != nil {
		return c.FailUsage(err, "report_usage")
	}
	d, err := s.buildReport(ctx, p)
	if err != nil {
		return c.Fail(err)
	}
	if err := s.auditExport(ctx, p, lang, f); err != nil {
		return c.Fail(err)
	}
	var buf bytes.Buffer
	if err := s.renderReport(&buf, d, lang, f); err != nil {
		return c.Fail(err)
	}
	// For the coordinator only: the file names outreach contacts.
	blocks := c.reportSummary(d)
	if b := c.oneLanguageBlock(d); b != nil {
		blocks = append(blocks, b)
	}
	r := c.Reply("report", handlers.Ephemeral, blocks...)
	r.File = &handlers.File{Name: FileName(p, lang, f), MIME: f.MIME(), Data: buf.Bytes()}
	return r
}

// FileName is "copbot-report-2026-09-01-2027-01-31.fr.html".
func FileName(p Period, lang string, f Format) string {
	return fmt.Sprintf("copbot-report-%s-%s.%s.%s", p.From.Format(time.DateOnly), p.To.Format(time.DateOnly), lang, f)
}

func (s *Feature) reportArgs(c *call) (Period, string, Format, error) {
	pos, opts, err := reportFlags.Parse(c.Args)
	lang, f := c.Lang, HTML
	today := s.now().In(s.opts.Location)
	p := Period{From: time.Date(today.Year(), today.Month()-6, today.Day()+1, 0, 0, 0, 0, time.UTC),
		To: time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)}
	if err != nil {
		return p, lang, f, err
	}
	if len(pos) == 2 {
		opts = append([]handlers.Opt{{Field: "from", Name: "--from", Value: pos[0]}, {Field: "to", Name: "--to", Value: pos[1]}}, opts...)
	} else if len(pos) != 0 {
		return p, lang, f, handlers.ErrExtra(pos)
	}
	for _, o := range opts {
		switch o.Field {
		case "lang":
			lang = strings.ToLower(o.Value)
		case "format":
			f = Format(strings.ToLower(strings.TrimPrefix(o.Value, ".")))
		case "from", "to", "nextfrom", "nextto":
			d, ok := handlers.ParseDate(o.Value)
			if !ok {
				return p, lang, f, handlers.ErrValue(o)
			}
			*map[string]*time.Time{"from": &p.From, "to": &p.To, "nextfrom": &p.NextFrom, "nextto": &p.NextTo}[o.Field] = d
		}
	}
	return p, lang, f, nil
}

// WithNext sets the next period from two YYYY-MM-DD dates, either of
// which may be empty (see Period.Next), for the command line.
func (p Period) WithNext(from, to string) (Period, error) {
	for _, x := range []struct {
		s   string
		dst *time.Time
	}{{from, &p.NextFrom}, {to, &p.NextTo}} {
		if x.s == "" {
			continue
		}
		d, ok := handlers.ParseDate(x.s)
		if !ok {
			return p, storage.Errorf(storage.EINVALID, "report_error_next", nil, "bad next period %s..%s", from, to)
		}
		*x.dst = d
	}
	return p, nil
}

// ParsePeriod reads two YYYY-MM-DD dates, for the command line.
func ParsePeriod(from, to string) (Period, error) {
	f, ok1 := handlers.ParseDate(from)
	t, ok2 := handlers.ParseDate(to)
	if !ok1 || !ok2 || t.Before(f) {
		return Period{}, storage.Errorf(storage.EINVALID, "report_error_period", nil, "bad period %s..%s", from, to)
	}
	return Period{From: f, To: t}, nil
}

// reportSummary is the chat message that goes with the file: the period,
// the composition sentence, meetings held and open challenges.
func (c *call) reportSummary(d *reportData) []handlers.Block {
	held := 0
	for _, m := range d.Meetings {
		if m.Record.Held {
			held++
		}
	}
	return []handlers.Block{
		handlers.Header{Text: c.T("report_title", nil)},
		handlers.Section{Text: c.subtitle(d)},
		handlers.Section{Text: c.membersSentence(d),
			Fields: []handlers.Field{
				{Label: c.T("report_fig_joins", nil), Value: c.Num(d.Joins)},
				{Label: c.T("report_fig_departures", nil), Value: c.Num(d.Departures)},
				{Label: c.T("report_fig_meetings", nil), Value: c.Num(held)},
				{Label: c.T("report_fig_challenges", nil), Value: c.Num(len(d.Challenges))}}},
		handlers.Section{Text: c.reportUncovered(d.Uncovered)},
		handlers.Context{Text: c.T("report_file_hint", c.SlashData())},
	}
}
