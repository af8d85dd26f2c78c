package teamsbot

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"copbot/bot/internal/retry"
	"copbot/handlers"
	"copbot/storage"
)

// Teams and the exactly-once ledger (handlers.KeyedChannel). The Bot
// Connector cannot read a channel back: GET on conversations and their
// activities is not supported in Teams, and the connector picks every id.
// So a keyed post stamps its key on its card, and FindKeyed looks for it
// through Microsoft Graph when [teams] graph_team_id is set (see graph.go).
// Without Graph the key lives only in copbot's delivery ledger: each
// attempt is recorded before it is sent, a platform that failed is retried
// alone, and after an attempt whose answer was lost the ledger allows one
// blind retry, then asks a coordinator to check the channel.

// Platform names Teams (handlers.KeyedChannel).
func (a *Adapter) Platform() storage.Platform { return storage.PlatformTeams }

// KeyedChannels is the adapter's one community channel
// (handlers.KeyedPoster), for when it posts alone.
func (a *Adapter) KeyedChannels() []handlers.KeyedChannel { return []handlers.KeyedChannel{a} }

// PostKeyed posts r as a new thread in the community channel, its key
// stamped on the card for FindKeyed (handlers.KeyedChannel).
func (a *Adapter) PostKeyed(ctx context.Context, key string, r handlers.Reply) (handlers.MessageRef, error) {
	if _, err := a.community(); err != nil {
		return handlers.MessageRef{}, handlers.NotSent("no_channel", err)
	}
	c := a.rd.channelCard(r)
	stampKey(c, key)
	if a.perTenant() {
		return a.postTenants(ctx, key, r, c) // tenantposts.go
	}
	refs, err := a.postCard(ctx, r, c)
	if err != nil {
		return handlers.MessageRef{}, postFailure(err)
	}
	return refs[0], nil
}

// postFailure sorts a failed channel post for the delivery ledger: the
// connector's answer with an error status (but a gateway time-out), or a
// request that never left (no token, no connection), did not post;
// anything else (no answer, a time-out) may have.
func postFailure(err error) error {
	var ae *apiError
	var te *tokenError
	switch {
	case errors.As(err, &te):
		return handlers.NotSent("token", err)
	case errors.As(err, &ae) && ae.Status != http.StatusGatewayTimeout:
		return handlers.Refused("HTTP "+strconv.Itoa(ae.Status), err)
	case retry.NotSent(err):
		return handlers.NotSent("", err)
	}
	return err
}

// FindKeyed looks for the post carrying key through Microsoft Graph; it
// answers handlers.ErrNoLookup when graph_team_id is not set, as the Bot
// Connector cannot list a Teams channel's messages.
func (a *Adapter) FindKeyed(ctx context.Context, key string, since time.Time) (handlers.MessageRef, bool, error) {
	if a.perTenant() {
		ref, found, alone, err := a.findTenants(ctx, key) // tenantposts.go
		if found || err != nil || !alone {
			return ref, found, err
		}
	}
	if a.graph == nil {
		return handlers.MessageRef{}, false, handlers.ErrNoLookup
	}
	return a.graph.find(ctx, key, since)
}

var _ handlers.KeyedChannel = (*Adapter)(nil)
var _ handlers.KeyedPoster = (*Adapter)(nil)
