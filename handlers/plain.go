package handlers

import (
	"context"
	"slices"

	"copbot/storage"
)

// Plain replies are for members who listen to copbot (screen readers,
// text-to-speech) or prefer words to pictures: a poll's options read
// "Option 2, Serving vulnerable communities: 3 votes, 60 percent" instead
// of a bar of ten glyphs that a screen reader spells one by one, and
// adapters leave out decorative symbols. It is a member's saved
// preference (members.plain); posts to the community channel are written
// to read well for everyone and do not depend on it.

// cmdPreferences answers `preferences`, `preferences plain on|off`
// (`préférences simple oui|non`) and the features' settings
// (`preferences email on|off`, see Parts.Settings).
func (s *Service) cmdPreferences(ctx context.Context, c *Call) Reply {
	if c.Member == nil {
		return c.NotMember()
	}
	if len(c.Args) == 0 {
		text := c.T("preferences_show", c.With(map[string]any{"State": c.PlainState(c.Member.Plain)}))
		for _, st := range s.reg.settings {
			text += "\n" + st.Show(ctx, c)
		}
		return c.Reply("preferences", Ephemeral, Section{Text: text})
	}
	if len(c.Args) == 2 {
		for _, st := range s.reg.settings {
			if on, ok := onOff(c.Args[1]); ok && slices.Contains(st.Names, Fold(c.Args[0])) {
				return st.Set(ctx, c, on)
			}
		}
	}
	on, ok := plainSwitch(c.Args)
	if !ok {
		return c.ErrorReply("preferences_usage", c.SlashData())
	}
	m, err := s.store.SetMemberPlain(ctx, c.Member.ID, on)
	if err != nil {
		return c.Fail(err)
	}
	c.Member, c.Plain = m, m.Plain
	key := "preferences_plain_off"
	if on {
		key = "preferences_plain_on"
	}
	return c.Reply("preferences", Ephemeral, Section{Text: c.T(key, nil)})
}

// plainSwitch reads "plain on", "simple non", "accessible yes"…: the
// setting's name in either language, then a yes or no.
func plainSwitch(args []string) (on, ok bool) {
	if len(args) != 2 {
		return false, false
	}
	switch Fold(args[0]) {
	case "plain", "simple", "accessible", "simplifie", "simplifiees":
	default:
		return false, false
	}
	return onOff(args[1])
}

// onOff reads a yes or no in either language.
func onOff(word string) (on, ok bool) {
	switch Fold(word) {
	case "on", "yes", "oui", "true", "1", "activer", "active":
		return true, true
	case "off", "no", "non", "false", "0", "desactiver", "desactive":
		return false, true
	}
	return false, false
}

// PlainState names the setting's state in the call's language.
func (c *Call) PlainState(on bool) string {
	if on {
		return c.T("plain_state_on", nil)
	}
	return c.T("plain_state_off", nil)
}

// memberPlain reports whether the caller asked for plain replies.
func memberPlain(m, former *storage.Member) bool {
	for _, x := range []*storage.Member{m, former} {
		if x != nil {
			return x.Plain
		}
	}
	return false
}

// PartSep separates the parts of a line of small print: a middle dot, or
// for plain replies a full stop, which a screen reader pauses at instead
// of naming a symbol.
func (c *Call) PartSep() string {
	if c.Plain {
		return ". "
	}
	return " · "
}
