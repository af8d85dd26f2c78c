package handlers

import (
	"context"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"copbot/storage"
)

// registerMembers installs membership, directory, coverage and help. Names
// are folded (see Fold): English first, then French.
func (s *Service) registerMembers() {
	s.members = newMemberFeature()
	s.commands = append(s.commands,
		&Command{Names: []string{"help", "aide", "?"}, HelpKey: "help_help", Run: s.help},
		&Command{Names: []string{"who", "qui"}, HelpKey: "help_who", Run: s.cmdWho},
		&Command{Names: []string{"join", "rejoindre", "adherer", "inscription"}, HelpKey: "help_join", Run: s.cmdJoin},
		&Command{Names: []string{"profile", "profil"}, HelpKey: "help_profile", Run: s.cmdProfile},
		&Command{Names: []string{"update", "modifier"}, HelpKey: "help_update", Run: s.cmdUpdate},
		&Command{Names: []string{"leave", "quitter"}, HelpKey: "help_leave", Run: s.cmdLeave},
		&Command{Names: []string{"language", "langue", "lang"}, HelpKey: "help_language", Run: s.cmdLanguage},
		&Command{Names: []string{"gaps", "coverage", "lacunes", "couverture"}, HelpKey: "help_gaps", Run: s.cmdGaps},
		&Command{Names: []string{"stats", "statistics", "statistiques"}, HelpKey: "help_stats", Run: s.cmdStats},
		// Everyone may list the coordination team; changing it is checked
		// in cmdCoordinator. « coordination » is the name French help shows.
		&Command{Names: []string{"coordinators", "coordinator", "coordination", "coordonnateurs", "coordonnateur",
			"coordonnatrice", "coordonnatrices", "coordinateur"}, HelpKey: "help_coordinator", Run: s.cmdCoordinator},
	)
	s.actions["signup_open"] = s.actSignupOpen
	s.actions["leave_confirm"] = s.actLeaveConfirm
	s.actions["gaps_show"] = func(ctx context.Context, c *Call, _ string) Reply { return s.cmdGaps(ctx, c) }
	s.actions["stats_show"] = func(ctx context.Context, c *Call, _ string) Reply { return s.cmdStats(ctx, c) }
	s.actions["coordinators_list"] = s.actCoordinatorList
	s.forms["signup"] = s.submitSignup
}

// SlashData is template data every help and hint text may use.
// Console is true in the terminal, which has no forms or buttons.
func (c *Call) SlashData() map[string]any {
	return map[string]any{"Slash": c.s.opts.Command, "Console": c.Req.Identity.Platform == storage.PlatformConsole}
}

// With returns a copy of data With the slash command added, for hints that
// quote a command.
func (c *Call) With(data map[string]any) map[string]any {
	d := c.SlashData()
	for k, v := range data {
		d[k] = v
	}
	return d
}

// Num formats n for the call's language: "100,000" or "100 000".
func (c *Call) Num(n int) string {
	tag := language.English
	if c.Lang == "fr" {
		tag = language.French
	}
	return message.NewPrinter(tag).Sprintf("%d", n)
}

// Count renders a plural message for n; templates show the number as
// {{.Num}}, formatted for the language.
func (c *Call) Count(id string, n int, data map[string]any) string {
	d := c.With(data)
	d["Num"] = c.Num(n)
	return c.N(id, n, d)
}

// AndList joins items as the call's language writes a list: "A, B and C",
// « A, B et C ». Any feature may use it.
func (c *Call) AndList(items []string) string { return andList(c.s.tr, c.Lang, items) }

// andList is call.andList for code that has a translator but no call.
func andList(tr *Translator, lang string, items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return tr.T(lang, "list_and", map[string]any{
		"Head": strings.Join(items[:len(items)-1], tr.T(lang, "list_separator", nil)),
		"Last": items[len(items)-1]})
}

// PlaceName is the jurisdiction's name in the call's language, or the code
// itself if the code is unknown.
func (c *Call) PlaceName(code string) string {
	if j, ok := storage.JurisdictionByCode(code); ok {
		return j.Name(c.Lang)
	}
	return code
}

// OrderName is the order of government as a label: "Federal",
// "Provincial or territorial", "Municipal".
func (c *Call) OrderName(o storage.Order) string { return c.T("order_"+string(o), nil) }

// memberOrder is m's order of government as the member gave it:
// "territorial" for the provincial-or-territorial order in a territory.
// Storage keeps one order for provincial and territorial ministries (the
// report counts them together), and the jurisdiction tells them apart.
func memberOrder(m *storage.Member) string {
	if m.Order == storage.OrderProvincial {
		if j, ok := storage.JurisdictionByCode(m.Jurisdiction); ok && j.Territory {
			return "territorial"
		}
	}
	return string(m.Order)
}

// Reply builds a Reply whose Text is the plain-text rendering of blocks, so
// that the console and notifications say what the blocks say.
func (c *Call) Reply(kind string, vis Visibility, blocks ...Block) Reply {
	return Reply{Kind: kind, Visibility: vis, Lang: c.Lang, Text: BlocksText(c.Lang, blocks), Blocks: blocks, Plain: c.Plain}
}

// blocksText renders blocks as plain text in English typography.
func blocksText(blocks []Block) string { return BlocksText("en", blocks) }

// BlocksText renders blocks as plain text, one block per paragraph, with the
// typography of lang (French puts a space before a colon).
func BlocksText(lang string, blocks []Block) string {
	var parts []string
	for _, b := range blocks {
		if t := blockText(lang, b); t != "" {
			parts = append(parts, t)
		}
	}
	return strings.Join(parts, "\n\n")
}

func blockText(lang string, b Block) string {
	switch b := b.(type) {
	case Header:
		return b.Text
	case Section:
		lines := []string{}
		if b.Text != "" {
			lines = append(lines, b.Text)
		}
		for _, f := range b.Fields {
			lines = append(lines, FieldLine(lang, f.Label, f.Value))
		}
		return strings.Join(lines, "\n")
	case Context:
		return b.Text
	case Time:
		return b.Prefix + b.Fallback
	}
	return ""
}

// FieldLine writes "Label: Value", or « Label : Value » in French with the
// no-break space of typography.go (the value is left as written).
func FieldLine(lang, label, value string) string {
	if lang == "fr" {
		return label + "\u00a0: " + value
	}
	return label + ": " + value
}

// ErrorList is an ephemeral error: a lead sentence and one bullet per
// problem, each already translated.
func (c *Call) ErrorList(lead string, problems []string) Reply {
	text := lead
	if len(problems) > 0 {
		text += "\n• " + strings.Join(problems, "\n• ")
	}
	return c.Reply("error", Ephemeral, Section{Text: text})
}
