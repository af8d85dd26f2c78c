package slackbot

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/slack-go/slack"

	"copbot/handlers"
)

// This file holds one function per payload kind. The HTTP routes and Socket
// Mode both call them, and both send back the acknowledgement payload they
// return (nil means an empty 200 / a bare envelope ack).

// command answers a slash command. The ack carries the reply when the
// service answers within the budget; otherwise it is a "working on it"
// note and the reply follows through response_url. A Form (join with no
// text) acks empty and opens as a modal.
func (a *Adapter) command(sc slack.SlashCommand) any {
	if a.cfg.Command != "" && sc.Command != "" && !strings.EqualFold(sc.Command, a.cfg.Command) {
		a.log.Warn("slash command differs from [slack] command", "got", sc.Command, "config", a.cfg.Command)
	}
	t := target{user: sc.UserID, channel: sc.ChannelID, responseURL: sc.ResponseURL, triggerID: sc.TriggerID}
	work := func(ctx context.Context) handlers.Reply {
		return a.svc.Handle(ctx, a.request(ctx, sc.UserID, sc.UserName, sc.ChannelID, sc.Text))
	}
	r, ok := within(a, work, func(ctx context.Context, r handlers.Reply) { a.deliver(ctx, t, r) })
	switch {
	case !ok:
		lang := a.guessLang(context.Background(), sc.UserID)
		return messagePayload(handlers.Reply{Kind: "working", Lang: lang, Text: a.t(lang, "slack_working")})
	case r.Form != nil:
		a.spawn(func(ctx context.Context) { a.deliver(ctx, t, r) })
		return nil
	case empty(r):
		return nil
	}
	return messagePayload(r)
}

// interaction handles block_actions and view_submission; view_closed and
// anything else needs no answer.
func (a *Adapter) interaction(cb *slack.InteractionCallback) any {
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		a.blockActions(cb)
	case slack.InteractionTypeViewSubmission:
		return a.viewSubmission(cb)
	}
	return nil
}

// blockActions acks at once (Slack ignores the body) and routes each click
// to the service in the background; the answer goes where deliver says.
func (a *Adapter) blockActions(cb *slack.InteractionCallback) {
	t := target{user: cb.User.ID, channel: firstNonEmpty(cb.Channel.ID, cb.Container.ChannelID),
		responseURL: cb.ResponseURL, triggerID: cb.TriggerID, home: cb.View.Type == slack.VTHomeTab}
	for _, act := range cb.ActionCallback.BlockActions {
		id, ok := routeAction(act.ActionID)
		if !ok {
			continue
		}
		value := actionValue(*act)
		a.spawn(func(ctx context.Context) {
			req := a.request(ctx, cb.User.ID, cb.User.Name, t.channel, "")
			a.deliver(ctx, t, a.svc.Act(ctx, req, id, value))
		})
	}
}

// submission is the service's answer to a submitted form.
type submission struct {
	r    handlers.Reply
	errs map[string]string
}

// viewSubmission validates a modal through the service. Field errors keep
// the modal open with each message under its field; success closes it and
// the confirmation follows as a message.
func (a *Adapter) viewSubmission(cb *slack.InteractionCallback) any {
	meta := decodeMeta(cb.View.PrivateMetadata)
	formID := firstNonEmpty(meta.Form, strings.TrimPrefix(cb.View.CallbackID, modalCallbackPfx))
	values := formValues(cb.View.State)
	t := target{user: cb.User.ID, channel: meta.Channel, responseURL: meta.ResponseURL, home: meta.Home}
	work := func(ctx context.Context) submission {
		req := a.request(ctx, cb.User.ID, cb.User.Name, meta.Channel, "")
		r, errs := a.svc.Submit(ctx, req, formID, meta.State, values)
		return submission{r, errs}
	}
	s, ok := within(a, work, func(ctx context.Context, s submission) { a.finishSubmission(ctx, t, s) })
	if !ok {
		return nil // the modal closes; the outcome follows by message
	}
	return a.submissionAck(t, s, inputBlockIDs(cb.View))
}

func (a *Adapter) submissionAck(t target, s submission, ids []string) any {
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
	a.spawn(func(ctx context.Context) { a.finishSubmission(ctx, t, s) })
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
		a.publishHome(ctx, t.user)
	}
	a.deliver(ctx, t, r)
}
