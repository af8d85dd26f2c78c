package handlers

import (
	"context"
	"strings"
	"unicode"

	"copbot/storage"
)

// profileReply shows m's profile to its owner (emails included: it is
// their own).
func (c *Call) profileReply(m *storage.Member) Reply {
	fields := []Field{
		{c.T("field_name", nil), m.Name},
		{c.T("field_organization", nil), m.Organization},
		{c.T("field_order", nil), c.T("order_member_"+memberOrder(m), nil)},
		{c.T("field_jurisdiction", nil), c.PlaceName(m.Jurisdiction)},
	}
	if m.Title != "" {
		fields = append(fields, Field{c.T("field_title", nil), m.Title})
	}
	if m.Email != "" {
		fields = append(fields, Field{c.T("field_email", nil), m.Email})
	}
	fields = append(fields, Field{c.T("field_language", nil), c.T("language_name_"+m.Language, nil)},
		Field{c.T("field_plain", nil), c.PlainState(m.Plain)},
		Field{c.T("field_joined", nil), m.JoinedAt.In(c.s.opts.Location).Format("2006-01-02")})
	return c.Reply("profile", Ephemeral,
		Header{Text: c.T("profile_title", nil)},
		Section{Fields: fields},
		Context{Text: c.T("profile_hint", c.SlashData())})
}

// cmdProfile shows the caller's profile; "profile edit" opens the form.
func (s *Service) cmdProfile(ctx context.Context, c *Call) Reply {
	if c.Member == nil {
		return c.NotMember()
	}
	if len(c.Args) > 0 {
		switch Fold(c.Args[0]) {
		case "edit", "update", "modifier", "changer":
			return c.signupReply()
		}
		return c.ErrorReply("profile_usage", c.SlashData())
	}
	return c.profileReply(c.Member)
}

// cmdUpdate changes the caller's profile: "update title Director",
// "update org=ServiceOntario where=ON", or the prefilled form with no text.
func (s *Service) cmdUpdate(ctx context.Context, c *Call) Reply {
	if c.Member == nil {
		return c.NotMember()
	}
	if len(c.Args) == 0 {
		return c.signupReply()
	}
	given, problems := parseUpdate(c, c.Args)
	if len(problems) > 0 {
		return c.updateError(problems)
	}
	completePlace(given)
	r, errs := s.joinWith(ctx, c, overlay(memberValues(c, c.Member), given), keysOf(given))
	if len(errs) > 0 {
		return c.updateError(problemsOf(c, errs))
	}
	return r
}

// updateError lists what stopped an update, with how to write one (and
// how to clear a field), rather than the sign-up grammar.
func (c *Call) updateError(problems []string) Reply {
	r := c.ErrorList(c.T("update_invalid", c.SlashData()), problems)
	r.Blocks = append(r.Blocks, Context{Text: c.T("update_invalid_hint", c.SlashData())})
	r.Text = BlocksText(r.Lang, r.Blocks)
	return r
}

// parseUpdate reads "FIELD VALUE…", "FIELD: VALUE…" or key=value pairs,
// from the raw text so that quotes inside a value survive.
func parseUpdate(c *Call, args []string) (map[string]string, []string) {
	line := c.RawArgs()
	if strings.ContainsAny(line, "=|") {
		return parseProfileLine(c, line, false)
	}
	if _, _, keyed := splitKey(args[0]); keyed {
		return parseProfileLine(c, line, false)
	}
	f, ok := profileKey(Fold(args[0]))
	if !ok {
		return nil, []string{c.T("join_unknown_key", map[string]any{"Key": args[0]})}
	}
	v := ""
	if i := strings.IndexFunc(line, unicode.IsSpace); i >= 0 {
		v = cleanValue(line[i:])
	}
	if v == "" {
		return nil, []string{c.T("update_value_missing", c.With(map[string]any{"Field": c.T("field_"+f, nil)}))}
	}
	return map[string]string{f: v}, nil
}

// cmdLeave asks for confirmation; "leave confirm" (or the button) leaves.
// The member's row stays for past reports; joining again reactivates it.
func (s *Service) cmdLeave(ctx context.Context, c *Call) Reply {
	if c.Member == nil {
		return c.NotMember()
	}
	if len(c.Args) > 0 {
		switch Fold(c.Args[0]) {
		case "confirm", "yes", "confirmer", "oui":
			return s.leave(ctx, c)
		}
	}
	s.members.prompted(c.Req.Identity, s.now())
	return c.Reply("confirm", Ephemeral,
		Section{Text: c.T("leave_confirm_question", nil)},
		Actions{Buttons: []Button{{ActionID: "leave_confirm", Label: c.T("leave_confirm_button", nil), Style: StyleDanger}}},
		Context{Text: c.T("leave_confirm_hint", c.SlashData())})
}

func (s *Service) actLeaveConfirm(ctx context.Context, c *Call, _ string) Reply {
	if c.Member == nil {
		return c.NotMember()
	}
	return s.leave(ctx, c)
}

func (s *Service) leave(ctx context.Context, c *Call) Reply {
	if err := s.store.LeaveMember(ctx, c.Member.ID); err != nil {
		return c.Fail(err)
	}
	s.MembershipChanged(nil)
	return c.Reply("left", Ephemeral, Section{Text: c.T("leave_done", c.With(map[string]any{"Name": c.Member.Name}))})
}

// cmdLanguage sets the caller's reply language. Only members have a stored
// preference; others are told how their language is chosen.
func (s *Service) cmdLanguage(ctx context.Context, c *Call) Reply {
	errs := map[string]string{}
	lang := ""
	if len(c.Args) > 0 {
		lang = profileLanguage(c, c.Args[0], errs)
	}
	if lang == "" {
		msg := c.T("language_usage", c.With(map[string]any{"Current": c.T("language_name_"+c.Lang, nil)}))
		if m, ok := errs["language"]; ok {
			msg = m + "\n" + msg
		}
		return c.Reply("error", Ephemeral, Section{Text: msg})
	}
	c.Lang = lang
	if c.Member == nil {
		return c.Reply("language", Ephemeral, Section{Text: c.T("language_not_member", c.SlashData())})
	}
	if _, err := s.store.UpdateMember(ctx, c.Member.ID, storage.MemberUpdate{Language: &lang}); err != nil {
		c.Lang = c.Member.Language
		return c.Fail(err)
	}
	return c.Reply("language", Ephemeral, Section{Text: c.T("language_set", nil)})
}
