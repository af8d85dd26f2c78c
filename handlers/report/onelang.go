package report

import "copbot/handlers"

// The check before the report: which texts a coordinator wrote in one
// language only, so that the French report would show English (or the
// other way round). A text is bilingual when written "English /
// français" (handlers.Call.Own splits it).

// maxOneLanguage caps the list in the chat: the rest is counted.
const maxOneLanguage = 8

// oneLanguage lists, in c's language, the report's texts that have one
// language only: meeting titles and themes, key points, poll questions
// and options, challenges and planned activities.
func (c *call) oneLanguage(d *reportData) []string {
	en, fr := c.s.svc.LangCall("en"), c.s.svc.LangCall("fr")
	single := func(s string) bool { return s != "" && en.Own(s) == fr.Own(s) }
	var out []string
	add := func(key string, data map[string]any) { out = append(out, c.T(key, data)) }
	for _, rm := range d.Meetings {
		m := rm.Meeting
		if single(m.Title) {
			add("onelang_meeting_title", map[string]any{"ID": m.ID})
		}
		if single(m.Theme) {
			add("onelang_meeting_theme", map[string]any{"ID": m.ID})
		}
		for i, p := range rm.Record.KeyPoints {
			if single(p) {
				add("onelang_key_point", map[string]any{"ID": m.ID, "Num": i + 1})
			}
		}
	}
	for _, p := range d.Polls {
		if single(p.Question) {
			add("onelang_poll_question", map[string]any{"ID": p.ID})
		}
		for i, o := range p.Options {
			if single(o.Label) {
				add("onelang_poll_option", map[string]any{"ID": p.ID, "Num": i + 1})
			}
		}
	}
	for _, ch := range d.Challenges {
		if single(ch.Problem) || single(ch.Incidence) || single(ch.ActionPlan) {
			add("onelang_challenge", map[string]any{"ID": ch.ID})
		}
	}
	for _, a := range d.Activities {
		if single(a.Text) || single(a.Remarks) {
			add("onelang_activity", map[string]any{"ID": a.ID})
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
