package handlers

import (
	"context"
	"strings"
	"unicode"

	"copbot/storage"
)

// profileReply shows m's profile to its owner (emails included: it is
// their own).
func (c *call) profileReply(m *storage.Member) Reply {
	fields := []Field{
		{c.T("field_name", nil), m.Name},
		{c.T("field_organization", nil), m.Organization},
		{c.T("field_order", nil), c.T("order_member_"+memberOrder(m), nil)},
		{c.T("field_jurisdiction", nil), c.placeName(m.Jurisdiction)},
	}
	if m.Title != "" {
		fields = append(fields, Field{c.T("field_title", nil), m.Title})
	}
	if m.Email != "" {
		fields = append(fields, Field{c.T("field_email", nil), m.Email})
	}
	fields = append(fields, Field{c.T("field_language", nil), c.T("language_name_"+m.Language, nil)},
		Field{c.T("field_plain", nil), c.plainState(m.Plain)},
		Field{c.T("field_joined", nil), m.JoinedAt.In(c.s.opts.Location).Format("2006-01-02")})
	return c.reply("profile", Ephemeral,
		Header{Text: c.T("profile_title", nil)},
		Section{Fields: fields},
		Context{Text: c.T("profile_hint", c.slashData())})
}

// cmdProfile shows the caller's profile; "profile edit" opens the form.
func (s *Service) cmdProfile(ctx context.Context, c *call) Reply {
	if c.member == nil {
		return c.notMember()
	}
	if len(c.args) > 0 {
		switch Fold(c.args[0]) {
		case "edit", "update", "modifier", "changer":
			return c.signupReply()
		}
		return c.errorReply("profile_usage", c.slashData())
	}
	return c.profileReply(c.member)
}

// notMember answers a members-only command from someone who is not one:
// a former member is told how to come back rather than how to sign up.
func (c *call) notMember() Reply {
	key := "error_not_member"
	if c.former != nil {
		key = "error_left_member"
	}
	return c.reply("error", Ephemeral, Section{Text: c.T(key, c.slashData())})
}

// cmdUpdate changes the caller's profile: "update title Director",
// "update org=ServiceOntario where=ON", or the prefilled form with no text.
func (s *Service) cmdUpdate(ctx context.Context, c *call) Reply {
	if c.member == nil {
		return c.notMember()
	}
	if len(c.args) == 0 {
		return c.signupReply()
	}
	given, problems := parseUpdate(c, c.args)
	if len(problems) > 0 {
		return c.updateError(problems)
	}
	completePlace(given)
	r, errs := s.joinWith(ctx, c, overlay(memberValues(c, c.member), given), keysOf(given))
	if len(errs) > 0 {
		return c.updateError(problemsOf(c, errs))
	}
	return r
}

// updateError lists what stopped an update, with how to write one (and
// how to clear a field), rather than the sign-up grammar.
func (c *call) updateError(problems []string) Reply {
	r := c.errorList(c.T("update_invalid", c.slashData()), problems)
	r.Blocks = append(r.Blocks, Context{Text: c.T("update_invalid_hint", c.slashData())})
	r.Text = textIn(r.Lang, r.Blocks)
	return r
}

// parseUpdate reads "FIELD VALUE…", "FIELD: VALUE…" or key=value pairs,
// from the raw text so that quotes inside a value survive.
func parseUpdate(c *call, args []string) (map[string]string, []string) {
	line := c.rawArgs()
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
		return nil, []string{c.T("update_value_missing", c.with(map[string]any{"Field": c.T("field_"+f, nil)}))}
	}
	return map[string]string{f: v}, nil
}

// cmdLeave asks for confirmation; "leave confirm" (or the button) leaves.
// The member's row stays for past reports; joining again reactivates it.
func (s *Service) cmdLeave(ctx context.Context, c *call) Reply {
	if c.member == nil {
		return c.notMember()
	}
	if len(c.args) > 0 {
		switch Fold(c.args[0]) {
		case "confirm", "yes", "confirmer", "oui":
			return s.leave(ctx, c)
		}
	}
	s.members.prompted(c.req.Identity, s.now())
	return c.reply("confirm", Ephemeral,
		Section{Text: c.T("leave_confirm_question", nil)},
		Actions{Buttons: []Button{{ActionID: "leave_confirm", Label: c.T("leave_confirm_button", nil), Style: StyleDanger}}},
		Context{Text: c.T("leave_confirm_hint", c.slashData())})
}

func (s *Service) actLeaveConfirm(ctx context.Context, c *call, _ string) Reply {
	if c.member == nil {
		return c.notMember()
	}
	return s.leave(ctx, c)
}

func (s *Service) leave(ctx context.Context, c *call) Reply {
	if err := s.store.LeaveMember(ctx, c.member.ID); err != nil {
		return c.fail(err)
	}
	s.membershipChanged(nil)
	return c.reply("left", Ephemeral, Section{Text: c.T("leave_done", c.with(map[string]any{"Name": c.member.Name}))})
}

// cmdLanguage sets the caller's reply language. Only members have a stored
// preference; others are told how their language is chosen.
func (s *Service) cmdLanguage(ctx context.Context, c *call) Reply {
	errs := map[string]string{}
	lang := ""
	if len(c.args) > 0 {
		lang = profileLanguage(c, c.args[0], errs)
	}
	if lang == "" {
		msg := c.T("language_usage", c.with(map[string]any{"Current": c.T("language_name_"+c.lang, nil)}))
		if m, ok := errs["language"]; ok {
			msg = m + "\n" + msg
		}
		return c.reply("error", Ephemeral, Section{Text: msg})
	}
	c.lang = lang
	if c.member == nil {
		return c.reply("language", Ephemeral, Section{Text: c.T("language_not_member", c.slashData())})
	}
	if _, err := s.store.UpdateMember(ctx, c.member.ID, storage.MemberUpdate{Language: &lang}); err != nil {
		c.lang = c.member.Language
		return c.fail(err)
	}
	return c.reply("language", Ephemeral, Section{Text: c.T("language_set", nil)})
}
