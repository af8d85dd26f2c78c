package slackbot

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/slack-go/slack"

	"copbot/bot/internal/admission"
	"copbot/bot/internal/once"
)

// serveCommand is POST /slack/commands.
func (a *Adapter) serveCommand(w http.ResponseWriter, r *http.Request, s *slot, v signed) {
	sc, err := parseSlash(v.body)
	if err != nil || sc.UserID == "" {
		http.Error(w, "malformed slash command", http.StatusBadRequest)
		return
	}
	v.readOnly = a.svc.WritesNothing(sc.Text)
	a.serveSigned(w, r, v, "", func(ctx context.Context) (any, error) { return a.command(ctx, s, sc), nil })
}

// serveInteraction is POST /slack/interactions.
func (a *Adapter) serveInteraction(w http.ResponseWriter, r *http.Request, _ *slot, v signed) {
	c, cb, err := decodeInteraction(v.body)
	switch {
	case err != nil || (c != nil && c.User.ID == "") || (cb != nil && (cb.Type == "" || cb.User.ID == "")):
		http.Error(w, "malformed interaction payload", http.StatusBadRequest)
	case c != nil:
		a.serveSigned(w, r, v, "", func(ctx context.Context) (any, error) { a.blockActions(ctx, c); return nil, nil })
	default:
		a.serveSigned(w, r, v, "", func(ctx context.Context) (any, error) { return a.interaction(ctx, cb), nil })
	}
}

// serveEvent is POST /slack/events.
func (a *Adapter) serveEvent(w http.ResponseWriter, r *http.Request, s *slot, v signed) {
	if !json.Valid(v.body) {
		http.Error(w, "malformed event", http.StatusBadRequest)
		return
	}
	a.serveSigned(w, r, v, eventKey(v.body), func(ctx context.Context) (any, error) { return a.event(ctx, s, v.body) })
}

// serveSigned runs fn for a verified request, once (see beginSigned),
// within the request's acknowledgement budget, records it as handled,
// then answers with fn's acknowledgement.
func (a *Adapter) serveSigned(w http.ResponseWriter, r *http.Request, v signed, event string, fn func(context.Context) (any, error)) {
	ctx, cancel := a.budget(a.forTeam(r.Context(), v.body))
	defer cancel()
	d, ok := a.beginSigned(ctx, w, r, v, event)
	if !ok {
		return
	}
	ctx = d.Context(ctx)
	defer a.once.Finish(ctx, d, nil) // after a panic
	ack, err := fn(ctx)
	a.finish(ctx, d)
	if errors.Is(err, errMalformed) {
		http.Error(w, "malformed event", http.StatusBadRequest)
		return
	}
	a.writeAck(w, ack)
}

// beginSigned claims a verified request, and its event's key when it
// carries one, unless a delivery of either was handled or is in flight.
// The same signature again is a replay (401); the same event under a new
// signature is Slack retrying it (an empty 200). ok=false means it has
// answered. ctx carries the request's budget.
//
// A read-only command (who, gaps, stats, help: v.readOnly) is neither
// looked up in the record of handled requests nor recorded: answering it
// again changes nothing, so only a copy in flight is refused. That saves
// every such command a read and a write transaction, and its turn at the
// single writer.
func (a *Adapter) beginSigned(ctx context.Context, w http.ResponseWriter, r *http.Request, v signed, event string) (*once.Delivery, bool) {
	keys, exp := []string{v.key}, v.expires
	if event != "" {
		keys, exp = append(keys, event), later(exp, a.now().Add(eventRetention))
	}
	var (
		d   *once.Delivery
		st  once.Status
		err error
	)
	if v.readOnly && event == "" {
		d, st = a.once.BeginUnrecorded(keys...)
	} else {
		d, st, err = a.begin(ctx, exp, keys...)
	}
	switch {
	case err != nil:
		a.log.Warn("request not begun: no turn within its budget, or the record is unreadable", "err", err)
		admission.RefuseBusy(w)
		return nil, false
	case st == once.First:
		return d, true
	case d.Matched() == v.key:
		a.refuse(w, r, errReplayed)
		return nil, false
	}
	a.log.Info("slack event retry ignored", "event", event)
	w.WriteHeader(http.StatusOK)
	return nil, false
}

// eventKey names an Events API callback by its event_id, which Slack keeps
// across retries; "" when the payload has none (url_verification).
func eventKey(body []byte) string {
	var p struct {
		EventID string `json:"event_id"`
	}
	if json.Unmarshal(body, &p) != nil || p.EventID == "" {
		return ""
	}
	return "slack:event:" + p.EventID
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// parseSlash decodes a verified slash command body into the fields
// slack-go's SlashCommandParse fills, without building an *http.Request
// around it for ParseForm, which decodes the form into PostForm and copies
// it into Form (a tenth of a `who`'s allocations on the server).
func parseSlash(body []byte) (slack.SlashCommand, error) {
	f, err := url.ParseQuery(string(body))
	if err != nil {
		return slack.SlashCommand{}, err
	}
	return slack.SlashCommand{Token: f.Get("token"), TeamID: f.Get("team_id"), TeamDomain: f.Get("team_domain"),
		EnterpriseID: f.Get("enterprise_id"), EnterpriseName: f.Get("enterprise_name"),
		IsEnterpriseInstall: f.Get("is_enterprise_install") == "true",
		ChannelID:           f.Get("channel_id"), ChannelName: f.Get("channel_name"),
		UserID: f.Get("user_id"), UserName: f.Get("user_name"), Command: f.Get("command"), Text: f.Get("text"),
		ResponseURL: f.Get("response_url"), TriggerID: f.Get("trigger_id"), APIAppID: f.Get("api_app_id")}, nil
}

// writeAck answers 200 with the ack payload as JSON, or an empty body.
func (a *Adapter) writeAck(w http.ResponseWriter, ack any) {
	if ack == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	if b, ok := ack.(encodedAck); ok {
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
		return
	}
	b, err := json.Marshal(ack)
	if err != nil {
		a.log.Error("slack ack not encodable", "err", err)
		w.WriteHeader(http.StatusOK)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}
