package handlers

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"copbot/storage"
)

// The coordinator's "report" command: a summary in the chat and the
// report as a file.

var reportFlags = flagSpec{
	names: map[string]string{"lang": "lang", "langue": "lang", "format": "format", "from": "from", "du": "from", "de": "from",
		"to": "to", "au": "to", "a": "to"},
	help: "--from, --to, --lang, --format",
}

// cmdReport: report [FROM TO] [--lang en|fr] [--format html|md]. Without
// dates the period is the six months up to today.
func (s *Service) cmdReport(ctx context.Context, c *call) Reply {
	p, lang, f, err := s.reportArgs(c)
	if err != nil {
		return c.meetingFail(err, "report_usage")
	}
	if err := s.checkReportArgs(p, lang, f); err != nil {
		return c.meetingFail(err, "report_usage")
	}
	d, err := s.buildReport(ctx, p)
	if err != nil {
		return c.fail(err)
	}
	var buf bytes.Buffer
	if err := s.renderReport(&buf, d, lang, f); err != nil {
		return c.fail(err)
	}
	r := c.reply("report", InChannel, c.reportSummary(d)...)
	mime := "text/html; charset=utf-8"
	if f == ReportMarkdown {
		mime = "text/markdown; charset=utf-8"
	}
	r.File = &File{Name: ReportFileName(p, lang, f), MIME: mime, Data: buf.Bytes()}
	return r
}

// ReportFileName is "copbot-report-2026-09-01-2027-01-31.fr.html".
func ReportFileName(p ReportPeriod, lang string, f ReportFormat) string {
	return fmt.Sprintf("copbot-report-%s-%s.%s.%s", p.From.Format(time.DateOnly), p.To.Format(time.DateOnly), lang, f)
}

func (s *Service) reportArgs(c *call) (ReportPeriod, string, ReportFormat, error) {
	pos, opts, err := reportFlags.parse(c.args)
	lang, f := c.lang, ReportHTML
	today := s.now().In(s.opts.Location)
	p := ReportPeriod{From: time.Date(today.Year(), today.Month()-6, today.Day()+1, 0, 0, 0, 0, time.UTC),
		To: time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)}
	if err != nil {
		return p, lang, f, err
	}
	if len(pos) == 2 {
		opts = append([]opt{{field: "from", name: "--from", value: pos[0]}, {field: "to", name: "--to", value: pos[1]}}, opts...)
	} else if len(pos) != 0 {
		return p, lang, f, errExtra(pos)
	}
	for _, o := range opts {
		switch o.field {
		case "lang":
			lang = strings.ToLower(o.value)
		case "format":
			f = ReportFormat(strings.ToLower(strings.TrimPrefix(o.value, ".")))
		case "from", "to":
			d, ok := parseDate(o.value)
			if !ok {
				return p, lang, f, errValue(o)
			}
			if o.field == "from" {
				p.From = d
			} else {
				p.To = d
			}
		}
	}
	return p, lang, f, nil
}

// ParseReportPeriod reads two YYYY-MM-DD dates, for the command line.
func ParseReportPeriod(from, to string) (ReportPeriod, error) {
	f, ok1 := parseDate(from)
	t, ok2 := parseDate(to)
	if !ok1 || !ok2 || t.Before(f) {
		return ReportPeriod{}, storage.Errorf(storage.EINVALID, "report_error_period", nil, "bad period %s..%s", from, to)
	}
	return ReportPeriod{From: f, To: t}, nil
}

// reportSummary is the chat message that goes with the file: the period,
// the composition sentence, meetings held and open challenges.
func (c *call) reportSummary(d *reportData) []Block {
	held := 0
	for _, m := range d.Meetings {
		if m.Record.Held {
			held++
		}
	}
	return []Block{
		Header{Text: c.T("report_title", nil)},
		Section{Text: c.T("report_subtitle", map[string]any{"From": c.reportDate(d.Period.From), "To": c.reportDate(d.Period.To)})},
		Section{Text: c.T("report_members_sentence", map[string]any{"Date": c.reportDate(d.Period.To), "Sentence": c.statsSentence(d.Stats)}),
			Fields: []Field{
				{Label: c.T("report_fig_joins", nil), Value: c.num(d.Joins)},
				{Label: c.T("report_fig_departures", nil), Value: c.num(d.Departures)},
				{Label: c.T("report_fig_meetings", nil), Value: c.num(held)},
				{Label: c.T("report_fig_challenges", nil), Value: c.num(len(d.Challenges))}}},
		Section{Text: c.reportUncovered(d.Uncovered)},
		Context{Text: c.T("report_file_hint", c.slashData())},
	}
}
