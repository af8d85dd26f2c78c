package report

import (
	"context"
	"strconv"
	"strings"
	"time"

	"copbot/handlers"
	"copbot/storage"
)

// Outreach: coordinators log the invitations they send toward a
// jurisdiction or an order of government without a representative
// ("outreach add Yukon --contact … --follow-up 2026-11-02"), update their
// status, and are reminded of follow-ups when due (outreachJobs). A member
// who joins from an invited jurisdiction or order accepts the invitation
// (a storage trigger); coordinators are told (reportFeature.membershipChanged).

// followUpHour is the community-zone hour a follow-up date is due at.
const followUpHour = 9

var outreachFlags = handlers.FlagSpec{
	Names: map[string]string{
		"contact": "contact", "who": "contact", "qui": "contact",
		"sent": "sent", "envoyee": "sent", "envoye": "sent", "date": "sent",
		"follow-up": "follow", "followup": "follow", "relance": "follow", "suivi": "follow",
		"status": "status", "statut": "status", "etat": "status",
	},
	Help: "--contact, --sent, --follow-up, --status",
}

var statusWords = map[string]storage.InvitationStatus{
	"pending": storage.InvitationPending, "en-attente": storage.InvitationPending, "attente": storage.InvitationPending,
	"accepted": storage.InvitationAccepted, "acceptee": storage.InvitationAccepted, "accepte": storage.InvitationAccepted,
	"declined": storage.InvitationDeclined, "declinee": storage.InvitationDeclined, "refusee": storage.InvitationDeclined, "refuse": storage.InvitationDeclined,
}

func (s *Feature) cmdOutreach(ctx context.Context, c *call) handlers.Reply {
	if len(c.Args) == 0 {
		return s.outreachList(ctx, c)
	}
	sub := handlers.Fold(c.Args[0])
	c.Args = c.Args[1:]
	switch sub {
	case "add", "log", "ajouter", "noter":
		return s.outreachAdd(ctx, c)
	case "update", "edit", "modifier":
		return s.outreachUpdate(ctx, c)
	case "list", "liste":
		return s.outreachList(ctx, c)
	}
	return c.ErrorReply("outreach_usage", c.SlashData())
}

// outreachAdd: outreach add WHERE|ORDER --contact "who" [--sent DATE] [--follow-up DATE].
func (s *Feature) outreachAdd(ctx context.Context, c *call) handlers.Reply {
	pos, opts, err := outreachFlags.Parse(c.Args)
	in := storage.InvitationInput{SentOn: s.now().In(s.opts.Location).Format(time.DateOnly), CreatedBy: c.Req.Identity.String()}
	if err == nil {
		err = s.outreachTarget(&in, strings.Join(pos, " "))
	}
	for _, o := range opts {
		if err == nil {
			err = s.applyInvitationOpt(&in, o)
		}
	}
	if err != nil {
		return c.FailUsage(err, "outreach_usage")
	}
	v, err := s.store.AddInvitation(ctx, in)
	if err != nil {
		return c.FailUsage(err, "outreach_usage")
	}
	s.svc.Replan()
	return c.Reply("outreach", handlers.Ephemeral, handlers.Section{Text: c.T("outreach_added", map[string]any{"ID": v.ID})}, c.invitationBlock(v))
}

// outreachTarget reads where the invitation goes: an order of government
// ("municipal") or a jurisdiction ("Yukon", "NU").
func (s *Feature) outreachTarget(in *storage.InvitationInput, text string) error {
	if o, ok := s.directory.MatchOrder(text); ok && o != storage.OrderFederal {
		in.OrderTarget, in.Target = true, string(o)
		return nil
	}
	if j, ok := s.directory.MatchJurisdiction(text); ok {
		in.Target = j.Code
		return nil
	}
	return storage.Errorf(storage.EINVALID, "outreach_error_target", map[string]any{"Target": text}, "unknown target %q", text)
}

func (s *Feature) applyInvitationOpt(in *storage.InvitationInput, o handlers.Opt) error {
	switch o.Field {
	case "contact":
		in.Contact = o.Value
	case "sent":
		if _, ok := handlers.ParseDate(o.Value); !ok {
			return handlers.ErrValue(o)
		}
		in.SentOn = o.Value
	case "follow":
		t, ok := s.followUpAt(o.Value)
		if !ok {
			return handlers.ErrValue(o)
		}
		in.FollowUpAt = t
	case "status":
		return handlers.ErrValue(o) // a new invitation is pending
	}
	return nil
}

// followUpAt is the instant a follow-up date is due: followUpHour in the
// community zone.
func (s *Feature) followUpAt(date string) (time.Time, bool) {
	d, ok := handlers.ParseDate(date)
	if !ok {
		return time.Time{}, false
	}
	return time.Date(d.Year(), d.Month(), d.Day(), followUpHour, 0, 0, 0, s.opts.Location), true
}

// outreachUpdate: outreach update ID [--status S] [--follow-up DATE|-] [--contact …].
func (s *Feature) outreachUpdate(ctx context.Context, c *call) handlers.Reply {
	id, ok := challengeID(c.Args)
	if !ok {
		return c.ErrorReply("outreach_usage", c.SlashData())
	}
	pos, opts, err := outreachFlags.Parse(c.Args[1:])
	if err == nil && (len(pos) > 0 || len(opts) == 0) {
		err = handlers.ErrExtra(pos)
	}
	var u storage.InvitationUpdate
	for _, o := range opts {
		if err == nil {
			err = s.applyInvitationUpdate(&u, o)
		}
	}
	if err != nil {
		return c.FailUsage(err, "outreach_usage")
	}
	v, err := s.store.UpdateInvitation(ctx, id, u)
	if err != nil {
		return c.Fail(err)
	}
	s.svc.Replan()
	return c.Reply("outreach", handlers.Ephemeral, handlers.Section{Text: c.T("outreach_updated", map[string]any{"ID": id})}, c.invitationBlock(v))
}

func (s *Feature) applyInvitationUpdate(u *storage.InvitationUpdate, o handlers.Opt) error {
	switch o.Field {
	case "status":
		st, ok := statusWords[handlers.Fold(o.Value)]
		if !ok {
			return handlers.ErrValue(o)
		}
		u.Status = &st
	case "follow":
		var t time.Time
		if o.Value != "-" {
			var ok bool
			if t, ok = s.followUpAt(o.Value); !ok {
				return handlers.ErrValue(o)
			}
		}
		u.FollowUpAt = &t
	case "contact":
		v := o.Value
		u.Contact = &v
	default:
		return handlers.ErrValue(o)
	}
	return nil
}

func (s *Feature) outreachList(ctx context.Context, c *call) handlers.Reply {
	vs, err := s.store.Invitations(ctx, storage.InvitationFilter{})
	if err != nil {
		return c.Fail(err)
	}
	blocks := []handlers.Block{handlers.Header{Text: c.T("outreach_list_title", nil)}}
	for _, v := range vs {
		blocks = append(blocks, c.invitationBlock(v))
	}
	if len(vs) == 0 {
		blocks = append(blocks, handlers.Section{Text: c.T("outreach_list_empty", nil)})
	}
	blocks = append(blocks, handlers.Context{Text: c.T("outreach_hint", c.SlashData())})
	return c.Reply("outreach", handlers.Ephemeral, blocks...)
}

// invitationBlock shows one invitation.
func (c *call) invitationBlock(v *storage.Invitation) handlers.Block {
	follow := c.T("record_none", nil)
	if !v.FollowUpAt.IsZero() {
		follow = c.reportDate(v.FollowUpAt.In(c.s.opts.Location))
	}
	sent, _ := handlers.ParseDate(v.SentOn)
	return handlers.Section{Text: c.T("outreach_line", map[string]any{"ID": v.ID, "Target": c.invitationTarget(v)}), Fields: []handlers.Field{
		{Label: c.T("outreach_contact", nil), Value: handlers.User(v.Contact)},
		{Label: c.T("outreach_sent", nil), Value: c.reportDate(sent)},
		{Label: c.T("outreach_status", nil), Value: c.T("outreach_status_"+string(v.Status), nil)},
		{Label: c.T("outreach_follow_up", nil), Value: follow}}}
}

// invitationTarget names where an invitation went.
func (c *call) invitationTarget(v *storage.Invitation) string {
	if v.OrderTarget {
		return c.T("outreach_to_"+v.Target, nil)
	}
	return c.Place(v.Target, handlers.PlaceToGov)
}

// reportDate writes a calendar date: "March 17, 2027", « 17 mars 2027 ».
func (c *call) reportDate(t time.Time) string {
	return c.T("report_date", map[string]any{"Day": t.Day(), "Year": t.Year(),
		"Month": c.T("meeting_month_"+strconv.Itoa(int(t.Month())), nil)})
}
