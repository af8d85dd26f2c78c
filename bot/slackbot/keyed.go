package slackbot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/slack-go/slack"

	"copbot/bot/internal/retry"
	"copbot/handlers"
	"copbot/storage"
)

// PostEventType is the metadata event_type of copbot's keyed community
// posts; their event_payload is {"key": the job key}.
const PostEventType = "copbot_post"

// lookupRefusals are Slack's answers to conversations.history meaning that
// copbot cannot look in the channel at all: an install made before the
// history scopes were asked for, or [slack] channel set to a name. Asking
// again will not help, so FindKeyed answers handlers.ErrNoLookup and the
// post is sent again, as on Teams, rather than never.
var lookupRefusals = map[string]bool{"missing_scope": true, "channel_not_found": true, "not_in_channel": true}

// maxLookupPages bounds one look-up: 200 messages a page is far more than a
// community channel receives between an attempt and its retry.
const maxLookupPages = 10

// Platform names Slack (handlers.KeyedChannel).
func (a *Adapter) Platform() storage.Platform { return storage.PlatformSlack }

// KeyedChannels is the adapter's one community channel
// (handlers.KeyedPoster), for when it posts alone.
func (a *Adapter) KeyedChannels() []handlers.KeyedChannel { return []handlers.KeyedChannel{a} }

// PostKeyed posts r in the community channel with message metadata
// carrying key, which FindKeyed looks for (handlers.KeyedChannel). Like
// Post it never sends the message twice by itself.
func (a *Adapter) PostKeyed(ctx context.Context, key string, r handlers.Reply) (handlers.MessageRef, error) {
	if a.perWorkspace() {
		return a.postWorkspaces(ctx, key, r) // wsposts.go
	}
	if a.cfg.Channel == "" {
		return handlers.MessageRef{}, handlers.NotSent("no_channel", errors.New("slack: no community channel configured ([slack] channel)"))
	}
	return a.postKeyedIn(ctx, a.cfg.Channel, key, r)
}

// FindKeyed looks for copbot's post carrying key in the community channel,
// among the messages since since, with conversations.history and every
// message's metadata (handlers.KeyedChannel). It needs the channels:history
// scope (groups:history for a private channel) and [slack] channel set to
// the channel's id, as conversations.history does not take names.
func (a *Adapter) FindKeyed(ctx context.Context, key string, since time.Time) (handlers.MessageRef, bool, error) {
	if a.perWorkspace() {
		return a.findWorkspaces(ctx, key, since) // wsposts.go
	}
	return a.findIn(ctx, a.cfg.Channel, key, since)
}

// findIn looks for copbot's post carrying key in channel, with ctx's
// workspace's client.
func (a *Adapter) findIn(ctx context.Context, channel, key string, since time.Time) (handlers.MessageRef, bool, error) {
	p := &slack.GetConversationHistoryParameters{ChannelID: channel, Limit: 200, IncludeAllMetadata: true,
		Oldest: strconv.FormatInt(since.Unix(), 10) + ".000000", Inclusive: true}
	for page := 0; page < maxLookupPages; page++ {
		res, err := a.history(ctx, p)
		var refused slack.SlackErrorResponse
		if errors.As(err, &refused) && lookupRefusals[refused.Err] {
			return handlers.MessageRef{}, false, fmt.Errorf("%w: slack conversations.history: %s (reinstall the app with the "+
				"channels:history and groups:history scopes, and set [slack] channel to the channel's id)", handlers.ErrNoLookup, refused.Err)
		}
		if err != nil {
			return handlers.MessageRef{}, false, fmt.Errorf("slack conversations.history: %w", err)
		}
		for _, m := range res.Messages {
			if m.Metadata.EventType == PostEventType && m.Metadata.EventPayload["key"] == key {
				return handlers.MessageRef{Platform: storage.PlatformSlack, Channel: channel, ID: m.Timestamp}, true, nil
			}
		}
		if !res.HasMore || res.ResponseMetaData.NextCursor == "" {
			return handlers.MessageRef{}, false, nil
		}
		p.Cursor = res.ResponseMetaData.NextCursor
	}
	return handlers.MessageRef{}, false, fmt.Errorf("slack conversations.history: more than %d pages since %s", maxLookupPages, since.Format(time.RFC3339))
}

// postFailure sorts a failed chat.postMessage for the delivery ledger:
// Slack's own refusal (an error code, a rate limit, an HTTP error status
// but a gateway time-out) or a request that never left did not post;
// anything else (no answer, a time-out) may have.
func postFailure(err error) error {
	var refused slack.SlackErrorResponse
	var limited *slack.RateLimitedError
	var status slack.StatusCodeError
	switch {
	case errors.As(err, &refused):
		return handlers.Refused(refused.Err, err)
	case errors.As(err, &limited):
		return handlers.Refused("ratelimited", err)
	case errors.As(err, &status) && status.Code != http.StatusGatewayTimeout:
		return handlers.Refused("HTTP "+strconv.Itoa(status.Code), err)
	case retry.NotSent(err):
		return handlers.NotSent("", err)
	}
	return err
}

func (a *Adapter) history(ctx context.Context, p *slack.GetConversationHistoryParameters) (*slack.GetConversationHistoryResponse, error) {
	ctx, cancel := context.WithTimeout(ctx, a.tune.callTimeout)
	defer cancel()
	return a.client(ctx).GetConversationHistoryContext(ctx, p)
}

var _ handlers.KeyedChannel = (*Adapter)(nil)
var _ handlers.KeyedPoster = (*Adapter)(nil)
