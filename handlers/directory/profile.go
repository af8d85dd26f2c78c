package directory

import (
	"context"
	"strings"
	"unicode"

	"copbot/handlers"
	"copbot/storage"
)

// profileReply shows m's profile to its owner (emails included: it is
// their own).
func (c *call) profileReply(m *storage.Member) handlers.Reply {
	fields := []handlers.Field{
		{Label: c.T("field_name", nil), Value: handlers.User(m.Name)},
		{Label: c.T("field_organization", nil), Value: handlers.User(m.OrganizationIn(c.Lang))},
		{Label: c.T("field_order", nil), Value: c.T("order_member_"+memberOrder(m), nil)},
		{Label: c.T("field_jurisdiction", nil), Value: c.PlaceName(m.Jurisdiction)},
	}
	if m.Title != "" {
		fields = append(fields, handlers.Field{Label: c.T("field_title", nil), Value: handlers.User(m.Title)})
	}
	if m.Email != "" {
		fields = append(fields, handlers.Field{Label: c.T("field_email", nil), Value: m.Email})
	}
	fields = append(fields, handlers.Field{Label: c.T("field_language", nil), Value: c.T("language_name_"+m.Language, nil)},
		handlers.Field{Label: c.T("field_plain", nil), Value: c.PlainState(m.Plain)},
		handlers.Field{Label: c.T("field_joined", nil), Value: m.JoinedAt.In(c.s.opts.Location).Format("2006-01-02")})
	return c.Reply("profile", handlers.Ephemeral,
		handlers.Header{Text: c.T("profile_title", nil)},
		handlers.Section{Fields: fields},
		handlers.Context{Text: c.T("profile_hint", c.SlashData())})
}

// cmdProfile shows the caller's profile; "profile edit" opens the form.
func (s *Feature) cmdProfile(ctx context.Context, c *call) handlers.Reply {
	if c.Member == nil {
		return c.NotMember()
	}
	if len(c.Args) > 0 {
		switch handlers.Fold(c.Args[0]) {
		case "edit", "update", "modifier", "changer":
			return c.signupReply()
		}
		return c.ErrorReply("profile_usage", c.SlashData())
	}
	return c.profileReply(c.Member)
}

// cmdUpdate changes the caller's profile: "update title Director",
// "update org=ServiceOntario where=ON", or the prefilled form with no text.
func (s *Feature) cmdUpdate(ctx context.Context, c *call) handlers.Reply {
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
func (c *call) updateError(problems []string) handlers.Reply {
	r := c.ErrorList(c.T("update_invalid", c.SlashData()), problems)
	r.Blocks = append(r.Blocks, handlers.Context{Text: c.T("update_invalid_hint", c.SlashData())})
	r.Text = handlers.BlocksText(r.Lang, r.Blocks)
	return r
}

// parseUpdate reads "FIELD VALUE…", "FIELD: VALUE…" or key=value pairs,
// from the raw text so that quotes inside a value survive.
func parseUpdate(c *call, args []string) (map[string]string, []string) {
	line := c.RawArgs()
	if strings.ContainsAny(line, "=|") {
		return parseProfileLine(c, line, false)
	}
	if _, _, keyed := splitKey(args[0]); keyed {
		return parseProfileLine(c, line, false)
	}
	f, ok := profileKey(handlers.Fold(args[0]))
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
func (s *Feature) cmdLeave(ctx context.Context, c *call) handlers.Reply {
	if c.Member == nil {
		return c.NotMember()
	}
	if len(c.Args) > 0 {
		switch handlers.Fold(c.Args[0]) {
		case "confirm", "yes", "confirmer", "oui":
			return s.leave(ctx, c)
		}
	}
	s.members.Asked(c.Req.Identity, s.now())
	return c.Reply("confirm", handlers.Ephemeral,
		handlers.Section{Text: c.T("leave_confirm_question", nil)},
		handlers.Actions{Buttons: []handlers.Button{{ActionID: "leave_confirm", Label: c.T("leave_confirm_button", nil), Style: handlers.StyleDanger}}},
		handlers.Context{Text: c.T("leave_confirm_hint", c.SlashData())})
}

func (s *Feature) actLeaveConfirm(ctx context.Context, c *call, _ string) handlers.Reply {
	if c.Member == nil {
		return c.NotMember()
	}
	return s.leave(ctx, c)
}

func (s *Feature) leave(ctx context.Context, c *call) handlers.Reply {
	if err := s.store.LeaveMember(ctx, c.Member.ID); err != nil {
		return c.Fail(err)
	}
	s.svc.MembershipChanged(nil)
	return c.Reply("left", handlers.Ephemeral, handlers.Section{Text: c.T("leave_done", c.With(map[string]any{"Name": handlers.User(c.Member.Name)}))})
}

// cmdLanguage sets the caller's reply language. Only members have a stored
// preference; others are told how their language is chosen.
func (s *Feature) cmdLanguage(ctx context.Context, c *call) handlers.Reply {
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
		return c.Reply("error", handlers.Ephemeral, handlers.Section{Text: msg})
	}
	c.Lang = lang
	if c.Member == nil {
		return c.Reply("language", handlers.Ephemeral, handlers.Section{Text: c.T("language_not_member", c.SlashData())})
	}
	if _, err := s.store.UpdateMember(ctx, c.Member.ID, storage.MemberUpdate{Language: &lang}); err != nil {
		c.Lang = c.Member.Language
		return c.Fail(err)
	}
	return c.Reply("language", handlers.Ephemeral, handlers.Section{Text: c.T("language_set", nil)})
}
