package teamsbot

import (
	"context"
	"time"

	"copbot/handlers"
	"copbot/storage"
)

// Teams and the exactly-once ledger (handlers.KeyedChannel). The Bot
// Connector cannot read a channel back: GET on conversations and their
// activities is not supported in Teams, and the connector picks every id
// (the thread's ";messageid=" and the activity id), so no client-chosen key
// can be searched for. Reading back would take Microsoft Graph (channel
// messages, with another token and the ChannelMessage.Read.Group
// permission), which copbot does not use. So on Teams the key lives only in
// copbot's delivery ledger: each attempt is recorded before it is sent, a
// platform that failed is retried alone, and after an attempt whose outcome
// is unknown (a lost answer, a crash between the post and its record) the
// post is sent again. The one way a Teams post can still show twice is
// such an attempt that had in fact arrived.

// Platform names Teams (handlers.KeyedChannel).
func (a *Adapter) Platform() storage.Platform { return storage.PlatformTeams }

// KeyedChannels is the adapter's one community channel
// (handlers.KeyedPoster), for when it posts alone.
func (a *Adapter) KeyedChannels() []handlers.KeyedChannel { return []handlers.KeyedChannel{a} }

// PostKeyed posts r as a new thread in the community channel
// (handlers.KeyedChannel). The key is not sent: Teams could not find it
// again (see above).
func (a *Adapter) PostKeyed(ctx context.Context, _ string, r handlers.Reply) (handlers.MessageRef, error) {
	refs, err := a.Post(ctx, r)
	if err != nil {
		return handlers.MessageRef{}, err
	}
	return refs[0], nil
}

// FindKeyed always answers handlers.ErrNoLookup: the Bot Connector cannot
// list a Teams channel's messages.
func (a *Adapter) FindKeyed(context.Context, string, time.Time) (handlers.MessageRef, bool, error) {
	return handlers.MessageRef{}, false, handlers.ErrNoLookup
}

var _ handlers.KeyedChannel = (*Adapter)(nil)
var _ handlers.KeyedPoster = (*Adapter)(nil)
