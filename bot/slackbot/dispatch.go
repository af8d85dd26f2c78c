package slackbot

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"copbot/handlers"
)

// This file holds one function per payload kind. The HTTP routes and Socket
// Mode both call them, and both send back the acknowledgement payload they
// return (nil means an empty 200 / a bare envelope ack). ctx is the
// request's context; s is its admission slot, which the functions here
// may pass on to work that outlives the acknowledgement.

// command answers a slash command. The ack carries the reply when the
// service answers within the budget; otherwise it is a "working on it"
// note (which claims nothing was done) and the reply follows through
// response_url. A Form (join with no text) acks empty and opens as a modal.
func (a *Adapter) command(ctx context.Context, s *slot, sc slack.SlashCommand) any {
	if a.cfg.Command != "" && sc.Command != "" && !strings.EqualFold(sc.Command, a.cfg.Command) {
		a.log.Warn("slash command differs from [slack] command", "got", sc.Command, "config", a.cfg.Command)
	}
	t := target{user: sc.UserID, team: sc.TeamID, channel: sc.ChannelID, responseURL: sc.ResponseURL, triggerID: sc.TriggerID}
	if !a.allows(ctx, sc.TeamID, sc.EnterpriseID) {
		m, _ := a.messagePayload(a.teamRefusal())
		return m
	}
	work := func(ctx context.Context) handlers.Reply {
		return a.svc.Handle(ctx, a.request(ctx, sc.UserID, t.team, sc.UserName, sc.ChannelID, sc.Text))
	}
	r, ok := within(ctx, a, s, work, func(ctx context.Context, r handlers.Reply) { a.deliver(ctx, t, r) })
	switch {
	case !ok:
		lang := a.guessLang(ctx, sc.UserID)
		m, _ := a.messagePayload(handlers.Reply{Kind: "working", Lang: lang, Text: a.t(lang, "slack_working")})
		return m
	case r.Form != nil:
		a.enqueue(ctx, "form", func(ctx context.Context) { a.deliver(ctx, t, r) })
		return nil
	case empty(r):
		return nil
	}
	if ack, ok := a.acks.get(r.Key); ok {
		return ack
	}
	m, files := a.messagePayload(r)
	if len(files) > 0 { // a report or an export: the message acks, the files follow
		a.enqueue(ctx, "file", func(ctx context.Context) { a.sendFiles(ctx, t, r, files) })
		return m
	}
	return a.acks.put(r.Key, m)
}

// interaction handles block_actions and view_submission; view_closed and
// anything else needs no answer.
func (a *Adapter) interaction(ctx context.Context, cb *slack.InteractionCallback) any {
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		a.blockActions(ctx, clicksOf(cb))
	case slack.InteractionTypeViewSubmission:
		return a.viewSubmission(ctx, cb)
	}
	return nil
}

// budget bounds the service call an acknowledgement waits for, so that it
// reaches Slack within its 3 seconds. When it runs out, the transaction in
// progress fails with the context's error and does not commit, and the
// service's answer says so (handlers' error_busy).
func (a *Adapter) budget(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, a.tune.budget)
}

// remaining is what is left of ctx's budget, or a whole budget when ctx
// has none.
func (a *Adapter) remaining(ctx context.Context) time.Duration {
	if d, ok := ctx.Deadline(); ok {
		return time.Until(d)
	}
	return a.tune.budget
}

// blockActions runs each click through the service before the ack returns
// (Slack ignores its body), so a vote or RSVP the person is told about is
// already committed. ctx carries the request's budget (serveSigned, or
// Socket Mode's envelope). The answer, success or failure, is derived from that
// outcome and delivered after the ack, through the outbox.
func (a *Adapter) blockActions(ctx context.Context, cb *clicks) {
	// The person's own team (user.team_id) differs from the payload's for
	// someone of another organization in a shared channel.
	t := target{user: cb.User.ID, team: firstNonEmpty(cb.User.TeamID, cb.Team.ID),
		channel:     firstNonEmpty(cb.Channel.ID, cb.Container.ChannelID),
		responseURL: cb.ResponseURL, triggerID: cb.TriggerID, home: cb.View.Type == slack.VTHomeTab}
	if !a.allows(ctx, t.team, cb.org()) {
		t.home = false // their App Home is not copbot's to refresh: the answer goes back where they clicked
		a.enqueue(ctx, "reply", func(ctx context.Context) { a.deliver(ctx, t, a.teamRefusal()) })
		return
	}
	for _, act := range cb.Actions {
		id, ok := routeAction(act.ActionID)
		if !ok {
			continue
		}
		req := a.request(ctx, cb.User.ID, t.team, cb.User.Name, t.channel, "")
		r := a.svc.Act(ctx, req, id, actionValue(*act))
		a.enqueue(ctx, "reply", func(ctx context.Context) { a.deliver(ctx, t, r) })
	}
}

// submission is the service's answer to a submitted form.
type submission struct {
	r    handlers.Reply
	errs map[string]string
}

// viewSubmission validates and saves a modal through the service before
// the ack. Field errors (including "too busy, nothing saved" when the
// budget ran out) keep the modal open with each message under its field;
// success closes it and the confirmation follows as a message.
func (a *Adapter) viewSubmission(ctx context.Context, cb *slack.InteractionCallback) any {
	meta := decodeMeta(cb.View.PrivateMetadata)
	formID := firstNonEmpty(meta.Form, strings.TrimPrefix(cb.View.CallbackID, modalCallbackPfx))
	t := target{user: cb.User.ID, team: userTeam(cb), channel: meta.Channel, responseURL: meta.ResponseURL, home: meta.Home}
	if !a.allows(ctx, t.team, interactionOrg(cb)) {
		a.enqueue(ctx, "reply", func(ctx context.Context) { a.deliver(ctx, t, a.teamRefusal()) })
		return nil // the modal closes: nothing was saved
	}
	ctx, cancel := a.budget(ctx)
	defer cancel()
	req := a.request(ctx, cb.User.ID, t.team, cb.User.Name, meta.Channel, "")
	r, errs := a.svc.Submit(ctx, req, formID, meta.State, formValues(cb.View.State))
	return a.submissionAck(ctx, t, submission{r, errs}, inputBlockIDs(cb.View))
}

func (a *Adapter) submissionAck(ctx context.Context, t target, s submission, ids []string) any {
	errs := s.errs
	if len(errs) == 0 && s.r.Kind == "error" {
		errs = map[string]string{"": s.r.Text}
	}
	if len(errs) > 0 {
		if m, ok := fieldErrors(errs, ids); ok {
			return &slack.ViewSubmissionResponse{ResponseAction: slack.RAErrors, Errors: m}
		}
	}
	if len(errs) == 0 && s.r.Form != nil {
		meta := formMeta{Form: s.r.Form.ID, State: s.r.Form.State, ResponseURL: t.responseURL,
			Channel: t.channel, Home: t.home}
		if v, ok := a.modal(s.r.Form, meta, s.r.Lang); ok {
			return slack.NewUpdateViewSubmissionResponse(&v)
		}
	}
	a.enqueue(ctx, "reply", func(ctx context.Context) { a.finishSubmission(ctx, t, s) })
	return nil
}

// finishSubmission confirms a closed modal's outcome to its author, and
// refreshes the App Home it was opened from.
func (a *Adapter) finishSubmission(ctx context.Context, t target, s submission) {
	r := s.r
	if len(s.errs) > 0 {
		msgs := make([]string, 0, len(s.errs))
		for _, k := range slices.Sorted(maps.Keys(s.errs)) {
			msgs = append(msgs, s.errs[k])
		}
		text := strings.Join(msgs, "\n")
		r = handlers.Reply{Kind: "error", Lang: r.Lang, Text: text, Blocks: []handlers.Block{handlers.Section{Text: text}}}
	}
	r.Form, r.Replace = nil, false
	if t.home && len(s.errs) == 0 {
		a.publishHome(ctx, t.user, t.team)
	}
	a.deliver(ctx, t, r)
}

// userTeam is the workspace of the person who clicked or submitted: their
// own team (user.team_id), which differs from the payload's team for a
// person of another organization in a shared channel.
func userTeam(cb *slack.InteractionCallback) string { return firstNonEmpty(cb.User.TeamID, cb.Team.ID) }

// interactionOrg is the Enterprise Grid organization of the person, when
// the payload's is theirs (their team is the payload's).
func interactionOrg(cb *slack.InteractionCallback) string {
	if cb.User.TeamID != "" && cb.User.TeamID != cb.Team.ID {
		return ""
	}
	return cb.Enterprise.ID
}
