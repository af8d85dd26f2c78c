package storage

import (
	"context"
	"strings"
)

// TeamsPost is one tenant's copy of a keyed Teams post.
type TeamsPost struct {
	TenantID     string // lower case
	Sent         bool   // else an attempt was made whose outcome is unknown
	Attempts     int
	Conversation string
	MessageID    string
}

func teamsPosts(m map[string]PostCopy, err error) (map[string]TeamsPost, error) {
	out := make(map[string]TeamsPost, len(m))
	for k, p := range m {
		out[k] = TeamsPost{TenantID: p.Place, Sent: p.Sent, Attempts: p.Attempts, Conversation: p.Conversation,
			MessageID: p.MessageID}
	}
	return out, err
}

// TeamsPosts returns the copies of the post under key, by tenant.
func (d *DB) TeamsPosts(ctx context.Context, key string) (map[string]TeamsPost, error) {
	return teamsPosts(teamsCopies.copies(ctx, d, key))
}

// BeginTeamsPost records an attempt to post key in tenant's community
// conversation, before it is sent. It refuses when that copy
// is recorded as sent.
func (d *DB) BeginTeamsPost(ctx context.Context, key, tenant string) error {
	return teamsCopies.begin(ctx, d, key, strings.ToLower(tenant))
}

// RecordTeamsPost records tenant's copy of key as sent, where it went.
func (d *DB) RecordTeamsPost(ctx context.Context, key, tenant, conversation, messageID string) error {
	return teamsCopies.record(ctx, d, key, strings.ToLower(tenant), conversation, messageID)
}

// TeamsPostCopies returns every tenant's sent copy of the post that has
// the copy (conversation, messageID), that copy included, by tenant.
func (d *DB) TeamsPostCopies(ctx context.Context, conversation, messageID string) (map[string]TeamsPost, error) {
	return teamsPosts(teamsCopies.siblings(ctx, d, conversation, messageID))
}
