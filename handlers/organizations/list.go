package organizations

import (
	"context"
	"strings"

	"copbot/handlers"
	"copbot/storage"
)

// list: organizations [all]. Pending entries first (a coordinator's to
// confirm or merge), then the entries with active members (a parent with
// its children's); "all" adds the built-in entries nobody is from yet.
func (s *Feature) list(ctx context.Context, c *handlers.Call, all bool) handlers.Reply {
	orgs, err := s.store.Organizations(ctx)
	if err != nil {
		return c.Fail(err)
	}
	counted := map[int64]int{} // active members an entry counts, its children's included
	byID := map[int64]*storage.Organization{}
	for _, o := range orgs {
		byID[o.ID] = o
		counted[o.ID] += o.ActiveMembers
		if o.ParentID != 0 {
			counted[o.ParentID] += o.ActiveMembers
		}
	}
	var pending, shown []string
	hidden := 0
	for _, o := range orgs {
		line := c.T("org_line", map[string]any{"ID": o.ID, "Label": handlers.User(o.Label(c.Lang)),
			"Place": placeOf(c, o), "Members": c.Count("org_members", counted[o.ID], nil)})
		if p := byID[o.ParentID]; p != nil {
			line += " " + c.T("org_part_of", map[string]any{"Parent": handlers.User(p.AcronymIn(c.Lang))})
		}
		switch {
		case o.Status == storage.OrgPending:
			pending = append(pending, "• "+line)
		case all || counted[o.ID] > 0:
			shown = append(shown, "• "+line)
		default:
			hidden++
		}
	}
	blocks := []handlers.Block{handlers.Header{Text: c.T("org_list_title", nil)}}
	if len(pending) > 0 {
		blocks = append(blocks, handlers.Section{Text: c.Count("org_list_pending", len(pending), nil) + "\n" + strings.Join(pending, "\n")})
	}
	if len(shown) > 0 {
		blocks = append(blocks, handlers.Section{Text: c.Count("org_list_confirmed", len(shown), nil) + "\n" + strings.Join(shown, "\n")})
	}
	if hidden > 0 {
		blocks = append(blocks, handlers.Context{Text: c.Count("org_list_hidden", hidden, c.SlashData())})
	}
	blocks = append(blocks, handlers.Context{Text: c.T("org_list_hint", c.SlashData())})
	return c.Reply("organizations", handlers.Ephemeral, blocks...)
}

// placeOf is an entry's order and, below federal, its jurisdiction.
func placeOf(c *handlers.Call, o *storage.Organization) string {
	if o.Order == storage.OrderFederal {
		return c.OrderName(o.Order)
	}
	return c.T("org_place", map[string]any{"Order": c.OrderName(o.Order), "Place": c.PlaceName(o.Jurisdiction)})
}

// entryData is the template data every message about one entry uses.
func entryData(c *handlers.Call, o *storage.Organization) map[string]any {
	return c.With(map[string]any{"ID": o.ID, "Label": handlers.User(o.Label(c.Lang))})
}

// entryBlock shows one entry in the reader's language: its name and
// acronym, place and status, and how many other spellings name it (names
// in the other language among them: a reply speaks one language).
func entryBlock(c *handlers.Call, o *storage.Organization) handlers.Block {
	spellings := c.T("org_none", nil)
	if len(o.Aliases) > 0 {
		spellings = c.Count("org_spellings", len(o.Aliases), nil)
	}
	return handlers.Section{Fields: []handlers.Field{
		{Label: c.T("org_field_name", nil), Value: handlers.User(o.Label(c.Lang))},
		{Label: c.T("org_field_place", nil), Value: placeOf(c, o)},
		{Label: c.T("org_field_status", nil), Value: c.T("org_status_"+string(o.Status), nil)},
		{Label: c.T("org_field_aliases", nil), Value: spellings},
	}}
}
