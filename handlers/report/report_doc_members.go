package report

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"copbot/handlers"
	"copbot/storage"
)

// membersSection: the composition sentence, the gaps, the period's joins
// and departures, the tile map with its table and the timeline with its.
func (c *call) membersSection(d *reportData) docSection {
	sec := docSection{ID: "members", Title: c.T("report_s_members", nil)}
	sec.Parts = append(sec.Parts, docPart{Text: c.membersSentence(d)})
	sec.Parts = append(sec.Parts, docPart{Text: c.reportUncovered(d.Uncovered)})
	sec.Parts = append(sec.Parts, docPart{Table: c.figuresTable(d)})
	sec.Parts = append(sec.Parts, docPart{H3: c.T("report_by_jurisdiction", nil)},
		docPart{SVG: c.tileMap(d)}, docPart{Table: c.jurisdictionTable(d)})
	if len(d.Timeline) > 0 {
		sec.Parts = append(sec.Parts, docPart{H3: c.T("report_timeline", nil)},
			docPart{SVG: c.timelineChart(d)}, docPart{Table: c.timelineTable(d)})
	}
	return sec
}

// membersSentence is "As of DATE: 81 people representing …". The
// directory's sentence brings its own full stop when it is a whole
// sentence: it is not doubled. With nobody, the report says so in its own
// words (the directory's invites the reader to join, in the chat).
func (c *call) membersSentence(d *reportData) string {
	if d.Stats.People == 0 {
		return c.T("report_members_none", map[string]any{"Date": c.reportDate(d.asOf())})
	}
	s := strings.TrimRight(c.s.directory.StatsSentence(c.Call, d.Stats), ".")
	return c.T("report_members_sentence", map[string]any{"Date": c.reportDate(d.asOf()), "Sentence": s})
}

func (c *call) reportUncovered(js []storage.Jurisdiction) string {
	if len(js) == 0 {
		return c.T("report_uncovered_none", nil)
	}
	var names []string
	for _, j := range js {
		names = append(names, c.T("report_place_code", map[string]any{"Name": c.Place(j.Code, handlers.PlaceOf), "Code": j.Code}))
	}
	return c.Count("report_uncovered", len(js), map[string]any{"List": c.AndList(names)})
}

func (c *call) figuresTable(d *reportData) *docTable {
	row := func(id string, n int) []string { return []string{c.T(id, nil), c.Num(n)} }
	return &docTable{ID: "figures", Caption: c.T("report_figures", nil),
		Head: []string{c.T("report_col_figure", nil), c.T("report_col_number", nil)},
		Rows: [][]string{row("report_fig_people", d.Stats.People),
			row("report_fig_federal", d.Stats.Organizations[storage.OrderFederal]),
			row("report_fig_provincial", d.Stats.Organizations[storage.OrderProvincial]),
			row("report_fig_municipal", d.Stats.Organizations[storage.OrderMunicipal]),
			row("report_fig_joins", d.Joins), row("report_fig_departures", d.Departures)},
		RowKeys: []string{"people", "federal", "provincial", "municipal", "joins", "departures"},
		ColKeys: []string{"label", "value"}}
}

func (c *call) jurisdictionTable(d *reportData) *docTable {
	t := &docTable{ID: "jurisdictions", Caption: c.T("report_by_jurisdiction", nil),
		Head:    []string{c.T("report_col_jurisdiction", nil), c.T("report_col_members", nil)},
		ColKeys: []string{"label", "value"}}
	for _, j := range storage.Jurisdictions() {
		n := d.Stats.PeopleByJurisdiction[j.Code]
		v := c.Num(n)
		if n == 0 && !j.Federal() {
			v = c.T("report_gap_cell", nil)
		}
		t.Rows = append(t.Rows, []string{j.Name(c.Lang), v})
		t.RowKeys = append(t.RowKeys, j.Code)
	}
	return t
}

func (c *call) tileMap(d *reportData) string {
	tiles := map[string]mapTile{}
	for _, j := range storage.Jurisdictions() {
		n := d.Stats.PeopleByJurisdiction[j.Code]
		label := c.Count("report_map_tile", n, map[string]any{"Name": j.Name(c.Lang)})
		if n == 0 {
			label = c.T("report_map_tile_gap", map[string]any{"Name": j.Name(c.Lang)})
		}
		tiles[j.Code] = mapTile{Code: j.Code, Name: j.Name(c.Lang), Members: n, Label: label}
	}
	return tileMapSVG(tiles, mapText{Title: c.T("report_map_title", map[string]any{"Date": c.reportDate(d.asOf())}),
		Desc: c.reportUncovered(d.Uncovered), Gap: c.T("report_map_gap", nil), GapShort: c.T("report_map_gap_short", nil),
		Legend: c.T("report_map_legend", nil), Federal: c.T("report_map_federal", nil),
		Range: func(lo, hi int) string {
			return c.T("report_map_range", map[string]any{"Lo": c.Num(lo), "Hi": c.Num(hi)})
		}})
}

// timelineSeries is one series per order, in report order.
func (c *call) timelineSeries(d *reportData) []series {
	var out []series
	for _, o := range storage.Orders {
		s := series{Key: string(o), Label: c.T("report_order_"+string(o), nil)}
		for _, p := range d.Timeline {
			s.Values = append(s.Values, p.ByOrder[o])
		}
		out = append(out, s)
	}
	return out
}

// monthLabels: "Feb. 2027" for each month of the timeline, and its key
// "2027-02".
func (c *call) monthLabels(d *reportData) (labels, keys []string) {
	for _, p := range d.Timeline {
		labels = append(labels, c.T("report_month_short", map[string]any{
			"Month": c.monthAbbr(p.Month), "Year": strconv.Itoa(p.Month.Year())}))
		keys = append(keys, p.Month.Format("2006-01"))
	}
	return labels, keys
}

func (c *call) monthAbbr(m time.Time) string {
	return c.T("report_month_"+strconv.Itoa(int(m.Month())), nil)
}

// periodPoints are the indexes of the timeline's first and last months
// in the report's period.
func periodPoints(d *reportData) [2]int {
	out := [2]int{-1, -1}
	from := time.Date(d.Period.From.Year(), d.Period.From.Month(), 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
	to := d.Period.To.Format("2006-01")
	for i, p := range d.Timeline {
		if k := p.Month.Format("2006-01"); k >= from && k <= to {
			if out[0] < 0 {
				out[0] = i
			}
			out[1] = i
		}
	}
	return out
}

func (c *call) timelineChart(d *reportData) string {
	labels, keys := c.monthLabels(d)
	last := d.Timeline[len(d.Timeline)-1]
	desc := c.T("report_timeline_desc", map[string]any{"From": labels[0], "To": labels[len(labels)-1],
		"Federal": c.Num(last.ByOrder[storage.OrderFederal]), "Provincial": c.Num(last.ByOrder[storage.OrderProvincial]),
		"Municipal": c.Num(last.ByOrder[storage.OrderMunicipal])})
	var axis []string
	for _, p := range d.Timeline {
		axis = append(axis, c.monthAbbr(p.Month))
	}
	return timelineSVG(c.timelineSeries(d), timelineText{Title: c.T("report_timeline", nil), Desc: desc,
		Months: labels, AxisMonths: axis, MonthKeys: keys, Period: periodPoints(d), PeriodLabel: c.T("report_timeline_period", nil),
		PointLabel: func(series, month string, n int) string {
			return c.Count("report_timeline_point", n, map[string]any{"Series": series, "Month": month})
		}})
}

func (c *call) timelineTable(d *reportData) *docTable {
	labels, keys := c.monthLabels(d)
	t := &docTable{ID: "timeline", Caption: c.T("report_timeline_table", nil), RowKeys: keys,
		Head: []string{c.T("report_col_month", nil)}, ColKeys: []string{"month"}}
	for _, o := range storage.Orders {
		t.Head = append(t.Head, c.T("report_order_"+string(o), nil))
		t.ColKeys = append(t.ColKeys, string(o))
	}
	t.Head, t.ColKeys = append(t.Head, c.T("report_col_total", nil)), append(t.ColKeys, "total")
	for i, p := range d.Timeline {
		row := []string{labels[i]}
		total := 0
		for _, o := range storage.Orders {
			row = append(row, c.Num(p.ByOrder[o]))
			total += p.ByOrder[o]
		}
		t.Rows = append(t.Rows, append(row, c.Num(total)))
	}
	return t
}

// plannedSection: the meetings of the next period, candidate themes and
// membership growth (the gaps to fill and the invitations under way).
func (c *call) plannedSection(d *reportData) docSection {
	next := d.Period.Next()
	sec := docSection{ID: "planned", Title: c.T("report_s_planned", map[string]any{"From": c.reportDate(next.From), "To": c.reportDate(next.To)})}
	sec.Parts = append(sec.Parts, docPart{H3: c.T("report_planned_meetings", nil)})
	sec.Parts = append(sec.Parts, listOr(c.plannedLines(d.Planned, d.Loc), c.T("report_no_planned", nil)))
	var themes []string
	seen := map[string]bool{}
	for _, t := range d.Candidates {
		if q := c.quote(c.Own(t)); !seen[q] {
			seen[q] = true
			themes = append(themes, q)
		}
	}
	sec.Parts = append(sec.Parts, docPart{H3: c.T("report_candidates", nil)}, listOr(themes, c.T("report_no_candidates", nil)))
	if len(d.Activities) > 0 {
		var items []string
		for _, a := range d.Activities {
			items = append(items, c.activityLine(a, d.Loc))
		}
		sec.Parts = append(sec.Parts, docPart{H3: c.T("report_activities_planned", nil)}, docPart{Items: items})
	}
	sec.Parts = append(sec.Parts, docPart{H3: c.T("report_growth", nil)})
	var growth []string
	if len(d.Uncovered) > 0 {
		growth = append(growth, c.Count("report_growth_goal", len(d.Uncovered), map[string]any{"List": c.placeList(d.Uncovered)}))
	}
	for _, v := range d.Outreach {
		growth = append(growth, c.invitationLine(v))
	}
	return addPart(sec, listOr(growth, c.T("report_growth_none", nil)))
}

// plannedLines: one line per meeting, its date, title and theme.
func (c *call) plannedLines(ms []*storage.Meeting, loc *time.Location) []string {
	var items []string
	for _, m := range ms {
		theme := c.T("report_theme_tbd", nil)
		if m.Theme != "" {
			theme = c.T("report_planned_theme", map[string]any{"Theme": c.quote(c.Own(m.Theme))})
		}
		items = append(items, c.T("report_planned_line", map[string]any{"When": c.reportDateTime(m.StartsAt, loc),
			"Title": c.s.meetings.Title(c.Call, m), "Theme": theme}))
	}
	return items
}

func listOr(items []string, none string) docPart {
	if len(items) == 0 {
		return docPart{Text: none}
	}
	return docPart{Items: items}
}

// placeList names the jurisdictions as objects: « le Nunavut et le Yukon ».
func (c *call) placeList(js []storage.Jurisdiction) string {
	codes := make([]string, len(js))
	for i, j := range js {
		codes[i] = j.Code
	}
	return c.PlaceList(codes, handlers.PlaceThe)
}

func (c *call) invitationLine(v *storage.Invitation) string {
	sent, _ := handlers.ParseDate(v.SentOn)
	data := map[string]any{"Target": c.invitationTarget(v), "Contact": c.Own(v.Contact), "Date": c.reportDate(sent)}
	if v.FollowUpAt.IsZero() {
		return c.T("report_invitation", data)
	}
	data["FollowUp"] = c.reportDate(v.FollowUpAt.In(c.s.opts.Location))
	return c.T("report_invitation_follow_up", data)
}

// challengesSection is the table: problem, criticality, incidence, plan.
func (c *call) challengesSection(d *reportData) docSection {
	sec := docSection{ID: "challenges", Title: c.T("report_s_challenges", nil)}
	if len(d.Challenges) == 0 {
		return addPart(sec, docPart{Text: c.T("report_no_challenges", nil)})
	}
	t := &docTable{ID: "challenges-table", Caption: c.T("report_s_challenges", nil),
		Head: []string{c.T("report_col_problem", nil), c.T("challenge_criticality", nil),
			c.T("challenge_incidence", nil), c.T("challenge_plan", nil)}}
	for _, ch := range d.Challenges {
		x := challengeTexts(c.s.tr, c.Lang, ch)
		t.Rows = append(t.Rows, []string{c.Own(x.problem), x.criticality, c.Own(x.incidence), c.Own(x.plan)})
		t.RowKeys = append(t.RowKeys, fmt.Sprint(ch.ID))
	}
	return addPart(sec, docPart{Table: t})
}
