package teamsbot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"copbot/bot/internal/admission"
	"copbot/bot/internal/once"
	"copbot/handlers"
)

// maxBodyBytes caps an inbound activity. Teams messages stop near 28 KB;
// a card submission is far smaller.
const maxBodyBytes = 256 << 10

// Invoke response types for adaptiveCard/action.
const (
	invokeCard    = cardContentType
	invokeMessage = "application/vnd.microsoft.activity.message"
)

// serveMessages is POST /teams/messages. Nothing is parsed, run or posted
// before the bearer token has been verified.
func (a *Adapter) serveMessages(w http.ResponseWriter, r *http.Request) {
	if !a.running.Begin() {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	defer a.running.Done()
	authz := r.Header.Get("Authorization")
	if authz == "" {
		a.refuse(w, r, http.StatusUnauthorized, errors.New("no Authorization header"))
		return
	}
	body, err := a.intake.Read(w, r, maxBodyBytes)
	if err != nil {
		a.log.Warn("request body refused", "remote", r.RemoteAddr, "err", err)
		admission.Refuse(w, err)
		return
	}
	act, claims, err := a.authenticate(r.Context(), authz, body)
	if err != nil {
		a.refuse(w, r, refusalStatus(err), err)
		return
	}
	place := a.limit.Enter()
	if place == nil {
		a.log.Warn("request refused: too many in progress", "refused_total", a.limit.Refused())
		admission.RefuseBusy(w)
		return
	}
	defer place.Leave()
	// The work outlives a client that hangs up: a command that ran must
	// get its answer posted.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), a.workTimeout)
	defer cancel()
	d, st, err := a.begin(r.Context(), retention(a.now(), claims), activityKey(act, body))
	switch {
	case err != nil:
		a.log.Warn("request not begun: no turn, or the record is unreadable", "err", err)
		admission.RefuseBusy(w)
		return
	case st != once.First:
		a.redelivered(ctx, w, act, d)
		return
	}
	ctx = d.Context(ctx)
	defer a.once.Finish(ctx, d, nil) // after a panic
	resp, code := a.dispatch(ctx, act)
	a.once.Finish(ctx, d, resp)
	switch {
	case resp != nil:
		a.writeJSON(w, *resp)
	case code == http.StatusNotImplemented:
		http.Error(w, "unsupported invoke", code)
	default:
		w.WriteHeader(code)
	}
}

// begin claims a delivery (see once.Guard.Begin); its look-up reads the
// database, so it waits its turn like a service call.
func (a *Adapter) begin(ctx context.Context, expires time.Time, key string) (*once.Delivery, once.Status, error) {
	defer a.limit.Turn(ctx)()
	if err := ctx.Err(); err != nil {
		return nil, once.First, err
	}
	return a.once.Begin(ctx, expires, key)
}

func refusalStatus(err error) int {
	switch {
	case errors.Is(err, errForbidden):
		return http.StatusForbidden
	case errors.Is(err, errUnauthorized):
		return http.StatusUnauthorized
	}
	return http.StatusBadRequest
}

func (a *Adapter) refuse(w http.ResponseWriter, r *http.Request, code int, err error) {
	a.log.Warn("request refused", "status", code, "remote", r.RemoteAddr, "err", err)
	http.Error(w, http.StatusText(code), code)
}

// errForbidden wraps the refusal of a genuine activity from another
// tenant than the configured one.
var errForbidden = errors.New("forbidden")

// authenticate verifies the token, then that it was issued for the
// activity's serviceUrl, that its key is endorsed for the channel and, when
// tenant_id or allowed_tenants is configured, that the activity comes from
// one of those tenants: a bot
// installed by another organization must not be able to vote or post in
// the community.
func (a *Adapter) authenticate(ctx context.Context, authz string, body []byte) (*activity, *botClaims, error) {
	claims, key, err := a.auth.verify(ctx, authz)
	if err != nil {
		return nil, nil, err
	}
	act, err := checkActivity(claims, key, body, &a.cfg)
	return act, claims, err
}

// checkActivity decodes the activity a verified token came with and checks
// it against the token.
func checkActivity(claims *botClaims, key signingKey, body []byte, cfg *Config) (*activity, error) {
	act := &activity{}
	if err := json.Unmarshal(body, act); err != nil {
		return nil, fmt.Errorf("bad activity: %w", err)
	}
	// Case-insensitive like the Bot Framework SDKs: hosts are.
	if act.ServiceURL == "" || !strings.EqualFold(claims.serviceURL(), act.ServiceURL) {
		return nil, fmt.Errorf("%w: token serviceurl %q does not match activity's %q",
			errUnauthorized, claims.serviceURL(), act.ServiceURL)
	}
	if !validServiceURL(act.ServiceURL) {
		return nil, fmt.Errorf("%w: serviceUrl %q is not https", errUnauthorized, act.ServiceURL)
	}
	if !key.endorses(act.ChannelID) {
		return nil, fmt.Errorf("%w: key not endorsed for channel %q", errUnauthorized, act.ChannelID)
	}
	if t := act.tenant(); !cfg.allows(t) {
		return nil, fmt.Errorf("%w: activity of tenant %q, which is not in allowed_tenants (or tenant_id)", errForbidden, t)
	}
	return act, nil
}

// dispatch runs one authenticated activity, first delivered, and returns
// its invoke response, if any, else the status to answer. Messages are
// answered with 200 even when posting the reply failed: the command ran,
// and a retried delivery must not run it twice.
func (a *Adapter) dispatch(ctx context.Context, act *activity) (*invokeResponse, int) {
	switch {
	case act.Type == "message" && hasValue(act.Value):
		a.onSubmitMessage(ctx, act)
	case act.Type == "message":
		a.onMessage(ctx, act)
	case act.Type == "invoke" && act.Name == "adaptiveCard/action":
		r := a.onCardAction(ctx, act)
		return &r, http.StatusOK
	case act.Type == "invoke" && act.Name == "fileConsent/invoke":
		a.onFileConsent(ctx, act) // files.go
	case act.Type == "invoke":
		return nil, http.StatusNotImplemented
	case act.Type == "conversationUpdate":
		a.onConversationUpdate(ctx, act)
	}
	return nil, http.StatusOK
}

// redelivered answers an activity being handled or handled before without
// running anything again: 200 for everything but card actions, which get
// the first delivery's answer once it is known (the Bot Framework may show
// only the redelivery's), a note that the click is still being handled,
// or, when the first was answered before (perhaps by a process since
// restarted), a note that it was handled.
func (a *Adapter) redelivered(ctx context.Context, w http.ResponseWriter, act *activity, d *once.Delivery) {
	a.log.Info("teams redelivery ignored", "type", act.Type, "id", act.ID, "conversation", act.Conversation.ID)
	switch {
	case act.Type == "invoke" && act.Name == "adaptiveCard/action":
	case act.Type == "invoke" && act.Name != "fileConsent/invoke":
		http.Error(w, "unsupported invoke", http.StatusNotImplemented)
		return
	default:
		w.WriteHeader(http.StatusOK)
		return
	}
	note := "teams_still_working"
	select {
	case <-d.Done():
		if resp, ok := d.Result().(*invokeResponse); ok && resp != nil {
			a.writeJSON(w, *resp)
			return
		}
		note = "teams_reply_failed"
	case <-ctx.Done():
	}
	l := a.svc.Language(context.WithoutCancel(ctx), act.request(""))
	a.writeJSON(w, invokeResponse{StatusCode: 200, Type: invokeMessage, Value: a.tr.T(l, note, nil)})
}

func hasValue(v json.RawMessage) bool {
	s := strings.TrimSpace(string(v))
	return s != "" && s != "null"
}

func (a *Adapter) writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		a.log.Error("encode invoke response", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(b)
}

// onMessage runs a command; its reply is posted after the answer, on the
// outbox. The command's effect is committed by then, so a reply the outbox
// drops (full) loses a notice, never the work.
func (a *Adapter) onMessage(ctx context.Context, act *activity) {
	reply := a.handle(ctx, act.request(act.commandText()))
	a.out.Enqueue("reply", func(ctx context.Context) {
		if err := a.deliver(ctx, act, reply); err != nil {
			a.log.Error("reply not posted", "conversation", act.Conversation.ID, "kind", reply.Kind, "err", err)
		}
	})
}

// onSubmitMessage handles an Action.Submit from a card: Teams sends it as
// a message whose value holds the card's data and inputs. A reply meant to
// replace the card updates the card's message, after the answer.
func (a *Adapter) onSubmitMessage(ctx context.Context, act *activity) {
	sub, err := messageValue(act.Value)
	if err != nil {
		a.log.Warn("bad card submission", "err", err)
	}
	reply, errs := a.route(ctx, act, sub)
	var c *card
	if len(errs) > 0 {
		reply, c = a.refused(ctx, act, reply, sub, errs)
	} else {
		c = a.rd.card(reply)
	}
	a.out.Enqueue("card reply", func(ctx context.Context) {
		var err error
		switch {
		case len(errs) == 0 && reply.Replace && act.ReplyToID != "":
			err = a.update(ctx, act.ServiceURL, act.Conversation.ID, act.ReplyToID, reply, c)
		case !isEmpty(reply):
			err = a.deliverCard(ctx, act, reply, c)
		}
		if err != nil {
			a.log.Error("card reply not posted", "conversation", act.Conversation.ID, "err", err)
		}
	})
}

// handle runs a command in its turn of database work.
func (a *Adapter) handle(ctx context.Context, req handlers.Request) handlers.Reply {
	defer a.limit.Turn(ctx)()
	return a.svc.Handle(ctx, req)
}

// route sends a card submission to Service.Submit (forms) or Service.Act
// (buttons), in its turn of database work. An unknown or malformed one
// reaches Act with an empty id and comes back as a translated "unknown
// action" error.
func (a *Adapter) route(ctx context.Context, act *activity, sub submission) (handlers.Reply, map[string]string) {
	defer a.limit.Turn(ctx)()
	req := act.request("")
	if sub.Form != "" {
		return a.svc.Submit(ctx, req, sub.Form, sub.State, sub.Inputs)
	}
	return a.svc.Act(ctx, req, sub.Action, sub.Value), nil
}

// invokeResponse is the body answering an adaptiveCard/action invoke.
type invokeResponse struct {
	StatusCode int    `json:"statusCode"`
	Type       string `json:"type"`
	Value      any    `json:"value"`
}

// onCardAction handles Action.Execute. Forms and replies meant to replace
// the clicked card come back as a card; errors as a message; anything else
// is acknowledged with a short message and posted in the conversation
// after the answer.
func (a *Adapter) onCardAction(ctx context.Context, act *activity) invokeResponse {
	sub, err := invokeValue(act.Value)
	if err != nil {
		a.log.Warn("bad card action", "err", err)
	}
	reply, errs := a.route(ctx, act, sub)
	if len(errs) > 0 {
		r, c := a.refused(ctx, act, reply, sub, errs)
		if r.Form != nil {
			return invokeResponse{StatusCode: 200, Type: invokeCard, Value: c}
		}
		return invokeResponse{StatusCode: 200, Type: invokeMessage, Value: handlers.Unmark(r.Text)}
	}
	l := lang(reply)
	switch {
	case isEmpty(reply):
		return invokeResponse{StatusCode: 200, Type: invokeMessage, Value: a.tr.T(l, "teams_action_done", nil)}
	case reply.Form != nil || reply.Replace || sub.Form != "":
		return invokeResponse{StatusCode: 200, Type: invokeCard, Value: a.rd.card(reply)}
	case reply.Kind == "error":
		return invokeResponse{StatusCode: 200, Type: invokeMessage, Value: reply.Text}
	case reply.Visibility != handlers.InChannel && !act.personal():
		return a.answerPrivately(ctx, act, reply) // post.go: a vote's answer never goes to the channel
	}
	a.out.Enqueue("action reply", func(ctx context.Context) {
		if err := a.deliver(ctx, act, reply); err != nil {
			a.log.Error("action reply not posted", "conversation", act.Conversation.ID, "err", err)
		}
	})
	return invokeResponse{StatusCode: 200, Type: invokeMessage, Value: a.tr.T(l, "teams_action_done", nil)}
}

// refused builds what to show when a submission was refused: the form
// again with its errors and the user's input when the handler returned the
// form, else the errors as an error reply.
func (a *Adapter) refused(ctx context.Context, act *activity, r handlers.Reply, sub submission, errs map[string]string) (handlers.Reply, *card) {
	if r.Form != nil {
		return r, a.rd.form(r, sub.Inputs, errs)
	}
	l := r.Lang
	if l == "" {
		l = a.svc.Language(ctx, act.request(""))
	}
	lines := []string{a.tr.T(l, "teams_form_invalid", nil)}
	for _, k := range sortedKeys(errs) {
		lines = append(lines, "- "+errs[k])
	}
	text := strings.Join(lines, "\n")
	er := handlers.Reply{Kind: "error", Lang: l, Text: text, Blocks: []handlers.Block{handlers.Section{Text: text}}}
	return er, a.rd.card(er)
}

// botAdded reports whether the bot itself is among the members added.
func (a *activity) botAdded() bool {
	for _, m := range a.MembersAdded {
		if m.ID == a.Recipient.ID {
			return true
		}
	}
	return false
}
