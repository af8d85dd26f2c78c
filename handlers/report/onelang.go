package report

import (
	"copbot/handlers"
	"copbot/storage"
)

// The check before the report: which texts a coordinator wrote in one
// language only, so that the French report would show English (or the
// other way round). A text is bilingual when written "English /
// français" (handlers.Call.Own splits it).

// maxOneLanguage caps the list in the chat: the rest is counted.
const maxOneLanguage = 8

// freeText is one thing of the report a coordinator wrote: how the check
// names it (a catalog key and its data) and its texts.
type freeText struct {
	key   string
	data  map[string]any
	texts []string
}

// freeTexts are every text a coordinator wrote that the report prints:
// titles and themes of the meetings it lists (held, still planned, next
// period), their panelists and key points, poll questions and options
// (closed polls, and the open polls whose options are candidate themes),
// challenges, planned and completed activities and the outreach
// contacts. Each meeting and poll is named once.
func (d *reportData) freeTexts() []freeText {
	var out []freeText
	add := func(key string, data map[string]any, texts ...string) {
		out = append(out, freeText{key: key, data: data, texts: texts})
	}
	seen := map[int64]bool{}
	meeting := func(m *storage.Meeting, r *storage.MeetingRecord) {
		if seen[m.ID] {
			return
		}
		seen[m.ID] = true
		add("onelang_meeting_title", map[string]any{"ID": m.ID}, m.Title)
		add("onelang_meeting_theme", map[string]any{"ID": m.ID}, m.Theme)
		if r == nil {
			return
		}
		for i, p := range r.Panelists {
			add("onelang_panelist", map[string]any{"ID": m.ID, "Num": i + 1}, p)
		}
		for i, p := range r.KeyPoints {
			add("onelang_key_point", map[string]any{"ID": m.ID, "Num": i + 1}, p)
		}
	}
	for _, rm := range d.Meetings {
		meeting(rm.Meeting, rm.Record)
	}
	for _, ms := range [][]*storage.Meeting{d.Upcoming, d.Planned} {
		for _, m := range ms {
			meeting(m, nil)
		}
	}
	for _, p := range d.Polls {
		add("onelang_poll_question", map[string]any{"ID": p.ID}, p.Question)
	}
	for _, p := range append(append([]*storage.Poll{}, d.Polls...), d.OpenPolls...) {
		for i, o := range p.Options {
			add("onelang_poll_option", map[string]any{"ID": p.ID, "Num": i + 1}, o.Label)
		}
	}
	for _, ch := range d.Challenges {
		add("onelang_challenge", map[string]any{"ID": ch.ID}, ch.Problem, ch.Incidence, ch.ActionPlan)
	}
	for _, a := range append(append([]*storage.Activity{}, d.Activities...), d.ActsDone...) {
		add("onelang_activity", map[string]any{"ID": a.ID}, a.Text, a.Remarks)
	}
	for _, v := range d.Outreach {
		add("onelang_invitation", map[string]any{"ID": v.ID}, v.Contact)
	}
	return out
}

// oneLanguage lists, in c's language, the report's texts that have one
// language only (see freeTexts).
func (c *call) oneLanguage(d *reportData) []string {
	en, fr := c.s.svc.LangCall("en"), c.s.svc.LangCall("fr")
	single := func(s string) bool { return s != "" && en.Own(s) == fr.Own(s) }
	var out []string
	for _, ft := range d.freeTexts() {
		for _, s := range ft.texts {
			if single(s) {
				out = append(out, c.T(ft.key, ft.data))
				break
			}
		}
	}
	return out
}

// oneLanguageBlock is the check as a chat block; nil when every text is
// in both languages.
func (c *call) oneLanguageBlock(d *reportData) handlers.Block {
	items := c.oneLanguage(d)
	if len(items) == 0 {
		return nil
	}
	shown := items
	if len(items) > maxOneLanguage {
		shown = append(items[:maxOneLanguage:maxOneLanguage], c.Count("onelang_more", len(items)-maxOneLanguage, nil))
	}
	return handlers.Context{Text: c.Count("onelang_check", len(items), map[string]any{"List": c.AndList(shown)})}
}
