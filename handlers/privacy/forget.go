package privacy

import (
	"context"
	"strconv"
	"strings"
	"time"

	"copbot/handlers"
	"copbot/storage"
)

// "forget me" erases a person (storage.ForgetIdentity): their profile,
// platform ids, RSVPs, coordinator role and the links from their votes to
// them; their votes stay counted, anonymously, and their joins and
// departures stay in the Community's figures under a pseudonym. It cannot
// be undone, so it runs only after an explicit confirmation: the button
// of the prompt (whose value is the prompt's expiry, so an old button
// cannot erase anyone, and names who it was shown to), or a bare "yes"
// within forgetPromptTTL.

// cmdForget: forget me / oublier moi (oubliez-moi). It shows what would be
// erased and asks to confirm.
func (s *Feature) cmdForget(ctx context.Context, c *call) handlers.Reply {
	first, _ := c.FirstWord()
	bare := len(c.Args) == 0 && (first == "oubliez-moi" || first == "oublie-moi")
	if !bare && !c.oneWord("me", "moi", "myself") {
		return c.ErrorReply("forget_usage", c.SlashData())
	}
	d, r, ok := s.held(ctx, c, "forget_nothing")
	if !ok {
		return r
	}
	now := s.now()
	s.prompts.Asked(c.Req.Identity, now)
	value := strconv.FormatInt(now.Add(forgetPromptTTL).Unix(), 10) + " " + c.Req.Identity.String()
	return c.Reply("confirm", handlers.Ephemeral,
		handlers.Header{Text: c.T("forget_title", nil)},
		handlers.Section{Text: c.forgetSummary(d)},
		handlers.Section{Text: c.T("forget_kept", nil)},
		handlers.Actions{Buttons: []handlers.Button{
			{ActionID: "forget_confirm", Label: c.T("forget_button", nil), Value: value, Style: handlers.StyleDanger},
			{ActionID: "forget_cancel", Label: c.T("forget_cancel_button", nil)}}},
		handlers.Context{Text: c.T("forget_hint", c.SlashData())})
}

// forgetSummary lists what forgetting erases for this person.
func (c *call) forgetSummary(d *storage.PersonData) string {
	var items []string
	if d.Member != nil {
		items = append(items, c.T("forget_item_profile", map[string]any{"Name": d.Member.Name}))
	}
	if n := len(d.Identities); n > 0 {
		items = append(items, c.Count("forget_item_ids", n, nil))
	}
	if n := len(d.RSVPs); n > 0 {
		items = append(items, c.Count("forget_item_rsvps", n, nil))
	}
	if n := len(d.Coordinator); n > 0 {
		items = append(items, c.T("forget_item_coordinator", nil))
	}
	if n := len(d.Ballots); n > 0 {
		items = append(items, c.Count("forget_item_ballots", n, nil))
	}
	if n := len(d.Meetings) + len(d.Polls); n > 0 {
		items = append(items, c.T("forget_item_created", nil))
	}
	out := c.T("forget_erases", nil)
	for _, it := range items {
		out += "\n• " + it
	}
	return out
}

// actForgetConfirm is the prompt's button; its value is the prompt's
// expiry (Unix seconds) and the identity it was shown to: a button only
// erases the person who asked, and only for a while.
func (s *Feature) actForgetConfirm(ctx context.Context, c *call, value string) handlers.Reply {
	at, who, _ := strings.Cut(value, " ")
	exp, err := strconv.ParseInt(at, 10, 64)
	if err != nil || who != c.Req.Identity.String() {
		return c.ErrorReply("error_unknown_action", nil)
	}
	if !s.now().Before(time.Unix(exp, 0)) {
		return c.ErrorReply("forget_expired", c.SlashData())
	}
	s.prompts.Answered(c.Req.Identity, s.now())
	return s.forget(ctx, c)
}

func (s *Feature) actForgetCancel(_ context.Context, c *call, _ string) handlers.Reply {
	s.prompts.Answered(c.Req.Identity, s.now())
	return c.Reply("forget_cancelled", handlers.Ephemeral, handlers.Section{Text: c.T("forget_cancelled", nil)})
}

// answerForget takes a bare "yes" or "no" as the answer to a "forget me"
// prompt shown to the caller less than forgetPromptTTL ago.
func (s *Feature) answerForget(ctx context.Context, c *call) (handlers.Reply, bool) {
	yes, ok := c.YesNo()
	if !ok || c.Req.Identity.IsZero() || !s.prompts.Answered(c.Req.Identity, s.now()) {
		return handlers.Reply{}, false
	}
	if !yes {
		return c.Reply("forget_cancelled", handlers.Ephemeral, handlers.Section{Text: c.T("forget_cancelled", nil)}), true
	}
	return s.forget(ctx, c), true
}

// forget erases the caller and says what remains: nothing of theirs, but
// a coordinator named in the configuration stays one until an
// administrator removes them there.
func (s *Feature) forget(ctx context.Context, c *call) handlers.Reply {
	if _, r, ok := s.held(ctx, c, "forget_nothing"); !ok { // asked twice, or from two places
		return r
	}
	if err := s.store.ForgetIdentity(ctx, c.Req.Identity); err != nil {
		return c.Fail(err)
	}
	if c.Member != nil || c.Former != nil {
		s.svc.MembershipChanged(nil)
	}
	s.log.Info("person forgotten at their request") // no identity: the log would keep what was erased
	blocks := []handlers.Block{handlers.Section{Text: c.T("forget_done", c.SlashData())}}
	if s.svc.CoordinatorInConfig(c.Req.Identity) {
		blocks = append(blocks, handlers.Context{Text: c.T("forget_config_coordinator", nil)})
	}
	return c.Reply("forgotten", handlers.Ephemeral, blocks...)
}

// held is everything held about the caller, or (ok false) the reply
// instead: an error, or the message nothing (whose key is given) when
// copbot holds nothing about them.
func (s *Feature) held(ctx context.Context, c *call, nothing string) (*storage.PersonData, handlers.Reply, bool) {
	if c.Req.Identity.IsZero() {
		return nil, c.ErrorReply("error_no_identity", nil), false
	}
	d, err := s.store.PersonData(ctx, c.Req.Identity)
	if err != nil {
		return nil, c.Fail(err), false
	}
	if empty(d) {
		return nil, c.Reply(nothing, handlers.Ephemeral, handlers.Section{Text: c.T(nothing, nil)}), false
	}
	return d, handlers.Reply{}, true
}

// empty reports whether d holds nothing about the person.
func empty(d *storage.PersonData) bool {
	return d.Member == nil && len(d.Coordinator) == 0 && len(d.Ballots) == 0 && len(d.Votes) == 0 &&
		len(d.Options) == 0 && len(d.RSVPs) == 0 && len(d.Meetings) == 0 && len(d.Polls) == 0 &&
		len(d.Invitations) == 0 && len(d.History) == 0 && len(d.Audit) == 0
}
