package slackbot

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"copbot/bot/internal/once"
)

// maxSocketAck stays under Socket Mode's 20 KB response limit, above which
// Slack silently drops an ack.
const maxSocketAck = 19 * 1024

// RunSocketMode connects to Slack over Socket Mode (no public URL needed)
// and serves the same payloads as the HTTP routes, with the same code and
// the same acknowledgements. It returns nil when ctx ends, or the error
// that made the connection give up (e.g. an invalid app token).
func (a *Adapter) RunSocketMode(ctx context.Context) error {
	if a.cfg.AppToken == "" {
		return errors.New("slackbot: Socket Mode needs app_token")
	}
	client := socketmode.New(slack.New(a.cfg.BotToken, a.apiOptions(slack.OptionAppLevelToken(a.cfg.AppToken))...))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- client.RunContext(ctx) }()
	for {
		select {
		case <-ctx.Done():
			<-errc
			return nil
		case err := <-errc:
			if ctx.Err() != nil {
				return nil
			}
			return err
		case evt := <-client.Events:
			a.socketEvent(ctx, client, evt)
		}
	}
}

// socketEvent acknowledges one envelope. Each one that gets a place among
// the requests in progress (admission.Limit.Enter) is handled on its own
// goroutine holding it, so a slow one never delays the others and their
// number stays bounded. An envelope over the limit is left
// unacknowledged: Slack tells the person the app did not answer (and
// retries an event), and nothing was done.
func (a *Adapter) socketEvent(ctx context.Context, client *socketmode.Client, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnected:
		a.log.Info("slack socket mode connected")
		return
	case socketmode.EventTypeConnectionError, socketmode.EventTypeInvalidAuth, socketmode.EventTypeErrorBadMessage:
		a.log.Warn("slack socket mode", "event", evt.Type, "data", evt.Data)
		return
	}
	if evt.Request == nil || evt.Request.EnvelopeID == "" {
		return
	}
	start, kind := time.Now(), socketKind(evt.Type)
	s := a.limit.Enter()
	if s == nil {
		a.log.Warn("slack socket mode busy: envelope not acknowledged", "type", evt.Type, "refused_total", a.limit.Refused())
		a.observe(kind, "busy", start)
		return
	}
	req := *evt.Request
	keys := []string{"slack:envelope:" + req.EnvelopeID}
	if evt.Type == socketmode.EventTypeEventsAPI {
		if k := eventKey(req.Payload); k != "" {
			keys = append(keys, k)
		}
	}
	go func() {
		defer s.Leave()
		defer a.recoverPanic()
		bctx, cancel := a.budget(ctx)
		defer cancel()
		d, st, err := a.begin(bctx, a.now().Add(eventRetention), keys...)
		switch {
		case err != nil:
			a.log.Warn("slack socket mode envelope not begun, not acknowledged", "envelope", req.EnvelopeID, "err", err)
			a.observe(kind, "failed", start)
			return
		case st != once.First:
			// Acked again (the first ack may be what was lost) but not run twice.
			a.log.Info("slack socket mode envelope redelivered; ignored", "envelope", req.EnvelopeID, "key", d.Matched())
			a.sendAck(ctx, client, req, nil)
			a.observe(kind, "redelivered", start)
			return
		}
		wctx := d.Context(bctx)
		defer a.once.Finish(wctx, d, nil) // after a panic
		ack, responseURL := a.socketAck(wctx, s, evt)
		a.finish(wctx, d)
		a.ack(ctx, client, req, ack, responseURL)
		a.observe(kind, "acked", start)
	}()
}

// socketKind names an envelope's type with the words the HTTP routes'
// metrics use, so that both transports add up in the same series.
func socketKind(t socketmode.EventType) string {
	switch t {
	case socketmode.EventTypeSlashCommand:
		return "command"
	case socketmode.EventTypeInteractive:
		return "interaction"
	case socketmode.EventTypeEventsAPI:
		return "event"
	}
	return "other"
}

// observe reports a settled envelope to Config.Observe, if set.
func (a *Adapter) observe(kind, outcome string, start time.Time) {
	if a.cfg.Observe != nil {
		a.cfg.Observe(kind, outcome, time.Since(start))
	}
}

// socketAck computes the same payload the HTTP route would answer with.
func (a *Adapter) socketAck(ctx context.Context, s *slot, evt socketmode.Event) (ack any, responseURL string) {
	ctx = a.forTeam(ctx, evt.Request.Payload)
	switch evt.Type {
	case socketmode.EventTypeSlashCommand:
		if sc, ok := evt.Data.(slack.SlashCommand); ok {
			return a.command(ctx, s, sc), sc.ResponseURL
		}
	case socketmode.EventTypeInteractive:
		if cb, ok := evt.Data.(slack.InteractionCallback); ok {
			return a.interaction(ctx, &cb), ""
		}
	case socketmode.EventTypeEventsAPI:
		ack, err := a.event(ctx, s, evt.Request.Payload)
		if err != nil {
			a.log.Warn("slack socket mode event refused", "err", err)
		}
		return ack, ""
	}
	return nil, ""
}

// ack sends the acknowledgement. A slash-command answer too big for a
// Socket Mode frame is acked empty and posted through response_url instead.
func (a *Adapter) ack(ctx context.Context, client *socketmode.Client, req socketmode.Request, ack any, responseURL string) {
	if enc, ok := ack.(encodedAck); ok && len(enc) > maxSocketAck {
		var msg slack.WebhookMessage // rare: a cached reply too big for a frame
		if err := json.Unmarshal(enc, &msg); err == nil {
			ack = &msg
		}
	}
	if msg, ok := ack.(*slack.WebhookMessage); ok && responseURL != "" {
		if b, _ := json.Marshal(ack); len(b) > maxSocketAck {
			a.sendAck(ctx, client, req, nil)
			if err := a.postWebhook(ctx, responseURL, msg); err != nil {
				a.log.Error("slack reply lost", "err", err)
			}
			return
		}
	}
	a.sendAck(ctx, client, req, ack)
}

func (a *Adapter) sendAck(ctx context.Context, client *socketmode.Client, req socketmode.Request, ack any) {
	if err := client.AckCtx(ctx, req.EnvelopeID, ack); err != nil {
		a.log.Error("slack socket mode ack failed", "envelope", req.EnvelopeID, "err", err)
	}
}
