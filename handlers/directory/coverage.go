package directory

import (
	"context"
	"strings"

	"copbot/handlers"
	"copbot/storage"
)

// cmdGaps lists the provinces and territories with nobody, then those
// missing an order of government, then federal coverage. Names are in the
// reply's language, in the reference order (east to west, territories last).
func (s *Feature) cmdGaps(ctx context.Context, c *call) handlers.Reply {
	cov, err := s.store.Coverage(ctx)
	if err != nil {
		return c.Fail(err)
	}
	blocks := []handlers.Block{handlers.Header{Text: c.T("gaps_title", nil)}, handlers.Section{Text: c.uncoveredText(cov.Uncovered)}}
	if len(cov.MissingOrders) > 0 {
		blocks = append(blocks, handlers.Section{Text: c.missingOrdersText(cov.MissingOrders)})
	}
	federal := "gaps_federal_missing"
	if cov.FederalCovered {
		federal = "gaps_federal_covered"
	}
	blocks = append(blocks, handlers.Section{Text: c.T(federal, nil)},
		handlers.Context{Text: c.T("gaps_hint", c.SlashData())})
	return c.Reply("gaps", handlers.InChannel, blocks...)
}

func (c *call) uncoveredText(js []storage.Jurisdiction) string {
	if len(js) == 0 {
		return c.T("gaps_all_covered", nil)
	}
	lines := []string{c.Count("gaps_uncovered", len(js), nil)}
	for _, j := range js {
		lines = append(lines, "• "+j.Name(c.Lang))
	}
	return strings.Join(lines, "\n")
}

// missingOrdersText has one whole sentence per missing order, so that each
// language words it freely.
func (c *call) missingOrdersText(gaps []storage.JurisdictionGap) string {
	lines := []string{c.T("gaps_missing_title", nil)}
	for _, g := range gaps {
		for _, o := range g.Missing {
			lines = append(lines, "• "+c.T("gaps_missing_"+string(o), map[string]any{"Place": g.Jurisdiction.Name(c.Lang)}))
		}
	}
	return strings.Join(lines, "\n")
}

// cmdStats states the Community's composition as the report does, with the
// head count per jurisdiction as fields.
func (s *Feature) cmdStats(ctx context.Context, c *call) handlers.Reply {
	st, err := s.store.Stats(ctx)
	if err != nil {
		return c.Fail(err)
	}
	return c.Reply("stats", handlers.InChannel,
		handlers.Header{Text: c.T("stats_title", nil)},
		handlers.Section{Text: c.statsSentence(st)},
		handlers.Section{Fields: c.jurisdictionCounts(st)},
		handlers.Context{Text: c.T("stats_hint", c.SlashData())})
}

// statsSentence is "81 people representing 6 federal departments, 21
// provincial and territorial ministries and 22 municipalities". Each noun
// phrase is one plural message, and the frame's plural follows the people
// count: neither language makes the frame agree with the listed phrases,
// so composing them loses nothing. Orders with no organization are left out.
func (c *call) statsSentence(st storage.Stats) string {
	if st.People == 0 {
		return c.T("stats_empty", c.SlashData())
	}
	var parts []string
	for _, o := range storage.Orders {
		if n := st.Organizations[o]; n > 0 {
			parts = append(parts, c.Count("stats_org_"+string(o), n, nil))
		}
	}
	if len(parts) == 0 {
		return c.Count("stats_people_only", st.People, nil)
	}
	return c.Count("stats_people", st.People, map[string]any{"List": c.AndList(parts)})
}

// jurisdictionCounts is one field per jurisdiction: its active head count.
func (c *call) jurisdictionCounts(st storage.Stats) []handlers.Field {
	var fields []handlers.Field
	for _, j := range storage.Jurisdictions() {
		fields = append(fields, handlers.Field{Label: j.Name(c.Lang), Value: c.Num(st.PeopleByJurisdiction[j.Code])})
	}
	return fields
}
