package slackbot

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strings"

	"github.com/slack-go/slack/slackevents"

	"copbot/handlers"
)

var errMalformed = errors.New("malformed payload")

// mentionRE matches a user mention token, <@U123> or <@U123|name>.
var mentionRE = regexp.MustCompile(`<@([UWB][A-Z0-9]+)(?:\|[^>]*)?>`)

// event handles one Events API payload. url_verification echoes the
// challenge. Callers have claimed the callback's event_id (Slack retries a
// delivery it thinks failed; see eventKey). A message to the bot is answered by the
// service before the ack (a command typed in a DM may change state), and
// the answer is posted after it, through the outbox. Valid JSON of an
// event type copbot does not use is ignored.
func (a *Adapter) event(ctx context.Context, _ *slot, body []byte) (any, error) {
	if !json.Valid(body) {
		return nil, errMalformed
	}
	ev, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
	if err != nil {
		a.log.Debug("slack event ignored", "err", err)
		return nil, nil
	}
	switch ev.Type {
	case "":
		return nil, errMalformed
	case slackevents.URLVerification:
		if v, ok := ev.Data.(*slackevents.EventsAPIURLVerificationEvent); ok {
			return map[string]string{"challenge": v.Challenge}, nil
		}
	case slackevents.CallbackEvent:
		a.innerEvent(ctx, ev.InnerEvent.Data, ev.TeamID, botUsers(body))
	}
	return nil, nil
}

// innerEvent routes the events copbot subscribes to. team is the
// envelope's workspace; a message's user_team, when set (a person of
// another organization in a shared channel), is the person's own.
func (a *Adapter) innerEvent(ctx context.Context, data any, team string, bots []string) {
	switch e := data.(type) {
	case *slackevents.AppMentionEvent:
		if e.BotID != "" || e.User == "" || e.Edited != nil {
			return
		}
		a.answer(ctx, e.User, firstNonEmpty(e.UserTeam, team), e.Channel, firstNonEmpty(e.ThreadTimeStamp, e.TimeStamp), false, stripMentions(e.Text, bots))
	case *slackevents.MessageEvent:
		if e.ChannelType != "im" || e.SubType != "" || e.BotID != "" || e.User == "" || slices.Contains(bots, e.User) {
			return
		}
		a.answer(ctx, e.User, firstNonEmpty(e.UserTeam, team), e.Channel, e.ThreadTimeStamp, true, stripMentions(e.Text, bots))
	case *slackevents.AppUninstalledEvent:
		a.uninstalled(ctx, teamFrom(ctx), string(slackevents.AppUninstalled))
	case *slackevents.TokensRevokedEvent:
		if len(e.Tokens.Bot) > 0 {
			a.uninstalled(ctx, teamFrom(ctx), string(slackevents.TokensRevoked))
		}
	case *slackevents.AppHomeOpenedEvent:
		if e.Tab == "home" && e.User != "" {
			a.enqueue(ctx, "home", func(ctx context.Context) { a.publishHome(ctx, e.User, team) })
		}
	}
}

// answer replies to a plain question typed in a DM or a mention. In a DM
// the answer is private anyway; in a channel a personal answer is shown
// only to the asker, in the thread of the question.
func (a *Adapter) answer(ctx context.Context, user, team, channel, thread string, im bool, text string) {
	ctx, cancel := a.budget(ctx)
	defer cancel()
	var r handlers.Reply
	if a.allows(ctx, team, "") {
		r = a.svc.Handle(ctx, a.request(ctx, user, team, "", channel, text))
	} else {
		r = a.teamRefusal()
	}
	if empty(r) {
		return
	}
	r.Form = nil // no trigger to open a modal with: Text explains the one-line command
	a.enqueue(ctx, "answer", func(ctx context.Context) {
		var err error
		if im || r.Visibility == handlers.InChannel {
			_, _, err = a.postMessage(ctx, channel, thread, r)
		} else {
			err = a.postEphemeral(ctx, channel, user, thread, r)
		}
		if err != nil {
			a.log.Error("slack answer lost", "user", user, "channel", channel, "err", err)
		}
	})
}

// botUsers lists the bot user ids the event was delivered for, from its
// authorizations, so that the bot's own mention can be removed.
func botUsers(body []byte) []string {
	var p struct {
		Authorizations []struct {
			UserID string `json:"user_id"`
			IsBot  bool   `json:"is_bot"`
		} `json:"authorizations"`
	}
	if json.Unmarshal(body, &p) != nil {
		return nil
	}
	var ids []string
	for _, au := range p.Authorizations {
		if au.IsBot && au.UserID != "" {
			ids = append(ids, au.UserID)
		}
	}
	return ids
}

// stripMentions removes the bot's mentions from text ("<@U0BOT> who
// represents Yukon?"). Without known bot ids only a leading mention goes.
func stripMentions(text string, bots []string) string {
	if len(bots) == 0 {
		t := strings.TrimSpace(text)
		if loc := mentionRE.FindStringIndex(t); loc != nil && loc[0] == 0 {
			t = t[loc[1]:]
		}
		return strings.Join(strings.Fields(t), " ")
	}
	t := mentionRE.ReplaceAllStringFunc(text, func(m string) string {
		if slices.Contains(bots, mentionRE.FindStringSubmatch(m)[1]) {
			return " "
		}
		return m
	})
	return strings.Join(strings.Fields(t), " ")
}
