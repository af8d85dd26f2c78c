package slackbot

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/slack-go/slack"
)

// serveCommand is POST /slack/commands.
func (a *Adapter) serveCommand(w http.ResponseWriter, r *http.Request, s *slot) {
	body, ok := a.readVerified(w, r)
	if !ok {
		return
	}
	sc, err := slack.SlashCommandParse(formRequest(body))
	if err != nil || sc.UserID == "" {
		http.Error(w, "malformed slash command", http.StatusBadRequest)
		return
	}
	a.writeAck(w, a.command(r.Context(), s, sc))
}

// serveInteraction is POST /slack/interactions.
func (a *Adapter) serveInteraction(w http.ResponseWriter, r *http.Request, s *slot) {
	body, ok := a.readVerified(w, r)
	if !ok {
		return
	}
	cb, err := slack.InteractionCallbackParse(formRequest(body))
	if err != nil || cb.Type == "" || cb.User.ID == "" {
		http.Error(w, "malformed interaction payload", http.StatusBadRequest)
		return
	}
	a.writeAck(w, a.interaction(r.Context(), &cb))
}

// serveEvent is POST /slack/events.
func (a *Adapter) serveEvent(w http.ResponseWriter, r *http.Request, s *slot) {
	body, ok := a.readVerified(w, r)
	if !ok {
		return
	}
	ack, err := a.event(r.Context(), s, body)
	if errors.Is(err, errMalformed) {
		http.Error(w, "malformed event", http.StatusBadRequest)
		return
	}
	a.writeAck(w, ack)
}

// formRequest wraps a verified body for slack-go's form parsers. The
// content type is fixed: Slack always form-encodes these two callbacks.
func formRequest(body []byte) *http.Request {
	return &http.Request{Method: http.MethodPost,
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
		Body:   io.NopCloser(bytes.NewReader(body))}
}

// writeAck answers 200 with the ack payload as JSON, or an empty body.
func (a *Adapter) writeAck(w http.ResponseWriter, ack any) {
	if ack == nil {
		w.WriteHeader(http.StatusOK)
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
