package report

import (
	"fmt"
	"strings"
	"time"

	"copbot/storage"
)

// The report as a small document model, written in one language from
// reportData; the Markdown and HTML renderers only lay it out.

type reportDoc struct {
	Lang, Title, Subtitle, Note string
	Sections                    []docSection
}

type docSection struct {
	ID, Title string
	Parts     []docPart
}

// docPart is one of: a heading (H3), a paragraph (Text), a list (Items), a
// table, or a picture (SVG, HTML only; its table follows it).
type docPart struct {
	H3, Text string
	Items    []string
	Table    *docTable
	SVG      string
}

// docTable is a table; RowKeys and ColKeys (optional) name rows and
// columns for the HTML data- attributes the browser test reads.
type docTable struct {
	ID, Caption string
	Head        []string
	Rows        [][]string
	RowKeys     []string
	ColKeys     []string
}

// reportDocument writes d in lang.
func (s *Feature) reportDocument(d *reportData, lang string) *reportDoc {
	c := s.langCall(lang)
	doc := &reportDoc{Lang: lang, Title: c.T("report_title", nil), Subtitle: c.subtitle(d),
		Note: c.T("report_note", map[string]any{"Date": c.reportDate(s.now().In(d.Loc))})}
	doc.Sections = []docSection{c.activitiesSection(d), c.membersSection(d), c.plannedSection(d), c.challengesSection(d)}
	return doc
}

// subtitle names the Community and the period; a period not over yet is
// "to date", with the date the figures stop.
func (c *call) subtitle(d *reportData) string {
	if d.Period.toDate(d.Today) {
		return c.T("report_subtitle_to_date", map[string]any{"From": c.reportDate(d.Period.From), "Today": c.reportDate(d.Today)})
	}
	return c.T("report_subtitle", map[string]any{"From": c.reportDate(d.Period.From), "To": c.reportDate(d.Period.To)})
}

// asOf is the date the membership figures describe: the period's end, or
// today for a period not over yet.
func (d *reportData) asOf() time.Time {
	if d.Period.toDate(d.Today) {
		return d.Today
	}
	return d.Period.To
}

func (c *call) activitiesSection(d *reportData) docSection {
	sec := docSection{ID: "activities", Title: c.T("report_s_activities", nil)}
	if len(d.Meetings) == 0 {
		sec.Parts = append(sec.Parts, docPart{Text: c.T("report_no_meetings", nil)})
	}
	for _, rm := range d.Meetings {
		sec.Parts = append(sec.Parts, c.meetingParts(rm, d.Loc)...)
	}
	if len(d.Upcoming) > 0 {
		sec.Parts = append(sec.Parts, docPart{H3: c.T("report_upcoming", nil)}, docPart{Items: c.plannedLines(d.Upcoming, d.Loc)})
	}
	if len(d.ActsDone) > 0 {
		var items []string
		for _, a := range d.ActsDone {
			items = append(items, c.activityLine(a, d.Loc))
		}
		sec.Parts = append(sec.Parts, docPart{H3: c.T("report_activities_done", nil)}, docPart{Items: items})
	}
	sec.Parts = append(sec.Parts, docPart{H3: c.T("report_polls", nil)})
	if len(d.Polls) == 0 {
		sec.Parts = append(sec.Parts, docPart{Text: c.T("report_no_polls", nil)})
		return sec
	}
	var items []string
	for _, p := range d.Polls {
		items = append(items, c.pollOutcome(p, d))
	}
	return addPart(sec, docPart{Items: items})
}

func addPart(sec docSection, p docPart) docSection {
	sec.Parts = append(sec.Parts, p)
	return sec
}

// meetingParts: a heading (date and title) then the record's facts.
func (c *call) meetingParts(rm reportMeeting, loc *time.Location) []docPart {
	m, r := rm.Meeting, rm.Record
	parts := []docPart{{H3: c.T("report_meeting_heading", map[string]any{"Date": c.reportDate(m.StartsAt.In(loc)),
		"Title": c.s.meetings.Title(c.Call, m)})}}
	switch {
	case !r.Held:
		return append(parts, docPart{Text: c.T("report_meeting_not_held", nil)})
	case !r.Recorded:
		return append(parts, docPart{Text: c.T("report_meeting_unrecorded", map[string]any{"When": c.reportDateTime(m.StartsAt, loc)})})
	}
	facts := []string{c.fact("report_meeting_when", c.reportDateTime(m.StartsAt, loc))}
	if r.Format != "" {
		facts = append(facts, c.fact("record_format", c.T("format_"+string(r.Format), nil)))
	}
	if len(r.Panelists) > 0 {
		facts = append(facts, c.fact("record_panelists", c.AndList(c.own(r.Panelists))))
	}
	if m.Theme != "" {
		facts = append(facts, c.fact("report_theme", c.quote(c.Own(m.Theme))))
	}
	facts = append(facts, c.fact("record_attendance", c.Count("report_attendance", r.Attendees(), nil)))
	parts = append(parts, docPart{Items: facts})
	if len(r.KeyPoints) > 0 {
		parts = append(parts, docPart{Text: c.T("record_points", nil)}, docPart{Items: c.own(r.KeyPoints)})
	}
	return parts
}

// own is each text as the reader should see it: their language's half of
// text written "English / français" (handlers.Call.Own).
func (c *call) own(texts []string) []string {
	out := make([]string, len(texts))
	for i, s := range texts {
		out[i] = c.Own(s)
	}
	return out
}

// fact is "Label: value" with the language's punctuation.
func (c *call) fact(labelID, value string) string {
	return c.T("report_fact", map[string]any{"Label": c.T(labelID, nil), "Value": value})
}

// quote puts text in the language's quotation marks.
func (c *call) quote(s string) string { return c.T("report_quote", map[string]any{"Text": s}) }

// reportDateTime is "March 17, 2027, 1 p.m. EDT" / « 17 mars 2027, 13 h HAE ».
func (c *call) reportDateTime(t time.Time, loc *time.Location) string {
	lt := t.In(loc)
	clock := c.Clock(lt)
	if c.Lang == "fr" && lt.Minute() == 0 {
		clock = fmt.Sprintf("%d h", lt.Hour())
	} else if lt.Minute() == 0 {
		clock = strings.Replace(clock, ":00", "", 1)
	}
	return c.T("report_datetime", map[string]any{"Date": c.reportDate(lt), "Time": clock, "Zone": c.Zone(lt)})
}

// pollOutcome: the question, what won, how many voted, and the theme it
// set for a meeting.
func (c *call) pollOutcome(p *storage.Poll, d *reportData) string {
	w := winners(p)
	if len(w) == 0 {
		return c.T("report_poll_no_votes", map[string]any{"Question": c.quote(c.Own(p.Question))})
	}
	quoted := make([]string, len(w))
	for i, s := range w {
		quoted[i] = c.quote(c.Own(s))
	}
	votes := 0
	if o, ok := optionByLabel(p, w[0]); ok {
		votes = o.Votes
	}
	outcome := c.Count("report_poll_chosen", len(w), map[string]any{"List": c.AndList(quoted),
		"Votes": c.Count("report_votes", votes, nil)})
	line := c.Count("report_poll_result", p.Voters, map[string]any{"Question": c.quote(c.Own(p.Question)),
		"Outcome": outcome, "Voters": c.Count("report_voters", p.Voters, nil)})
	if m, ok := d.MeetingByID[p.MeetingID]; ok && len(w) == 1 {
		line += " " + c.T("report_poll_theme", map[string]any{"Date": c.reportDate(m.StartsAt.In(d.Loc)), "Theme": quoted[0]})
	}
	return line
}

func optionByLabel(p *storage.Poll, label string) (storage.PollOption, bool) {
	for _, o := range p.Options {
		if o.Label == label {
			return o, true
		}
	}
	return storage.PollOption{}, false
}
