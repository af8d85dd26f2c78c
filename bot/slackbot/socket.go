package slackbot

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
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
			a.socketEvent(client, evt)
		}
	}
}

// socketEvent acknowledges one envelope. Each is handled in the background
// so that a slow one never delays the others.
func (a *Adapter) socketEvent(client *socketmode.Client, evt socketmode.Event) {
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
	req := *evt.Request
	if !a.seen.Add("envelope:"+req.EnvelopeID, struct{}{}) {
		// Acked again (the first ack may be what was lost) but not run twice.
		a.log.Info("slack socket mode envelope redelivered; ignored", "envelope", req.EnvelopeID)
		a.spawn(func(ctx context.Context) { a.sendAck(ctx, client, req, nil) })
		return
	}
	a.spawn(func(ctx context.Context) {
		ack, responseURL := a.socketAck(evt)
		a.ack(ctx, client, req, ack, responseURL)
	})
}

// socketAck computes the same payload the HTTP route would answer with.
func (a *Adapter) socketAck(evt socketmode.Event) (ack any, responseURL string) {
	switch evt.Type {
	case socketmode.EventTypeSlashCommand:
		if sc, ok := evt.Data.(slack.SlashCommand); ok {
			return a.command(sc), sc.ResponseURL
		}
	case socketmode.EventTypeInteractive:
		if cb, ok := evt.Data.(slack.InteractionCallback); ok {
			return a.interaction(&cb), ""
		}
	case socketmode.EventTypeEventsAPI:
		ack, err := a.event(evt.Request.Payload)
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
