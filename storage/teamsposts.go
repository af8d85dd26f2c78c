package storage

import (
	"context"
	"database/sql"
	"fmt"
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

// TeamsPosts returns the copies of the post under key, by tenant.
func (d *DB) TeamsPosts(ctx context.Context, key string) (map[string]TeamsPost, error) {
	out := map[string]TeamsPost{}
	err := d.read(ctx, func(t *tx) error {
		return t.each(`SELECT tenant_id, status = 'sent', attempts, conversation, message_id
			FROM teams_posts WHERE key = ?`, func(rows *sql.Rows) error {
			var p TeamsPost
			if err := rows.Scan(&p.TenantID, &p.Sent, &p.Attempts, &p.Conversation, &p.MessageID); err != nil {
				return err
			}
			out[p.TenantID] = p
			return nil
		}, key)
	})
	return out, err
}

// BeginTeamsPost records an attempt to post key in tenant's community
// conversation, before it is sent. It refuses when that copy
// is recorded as sent.
func (d *DB) BeginTeamsPost(ctx context.Context, key, tenant string) error {
	return d.write(ctx, func(t *tx) error {
		ok, err := t.exec1(`INSERT INTO teams_posts (key, tenant_id, status, updated_at) VALUES (?, ?, 'attempting', ?)
			ON CONFLICT (key, tenant_id) DO UPDATE SET attempts = attempts + 1, updated_at = excluded.updated_at
			WHERE teams_posts.status = 'attempting'`, key, strings.ToLower(tenant), formatTime(d.now()))
		if err == nil && !ok {
			err = fmt.Errorf("teams post %s was already sent to tenant %s", key, tenant)
		}
		return err
	})
}

// RecordTeamsPost records tenant's copy of key as sent, where it went.
func (d *DB) RecordTeamsPost(ctx context.Context, key, tenant, conversation, messageID string) error {
	return d.write(ctx, func(t *tx) error {
		_, err := t.exec(`INSERT INTO teams_posts (key, tenant_id, status, conversation, message_id, updated_at)
			VALUES (?, ?, 'sent', ?, ?, ?)
			ON CONFLICT (key, tenant_id) DO UPDATE SET status = 'sent', conversation = excluded.conversation,
			message_id = excluded.message_id, updated_at = excluded.updated_at`,
			key, strings.ToLower(tenant), conversation, messageID, formatTime(d.now()))
		return err
	})
}

// TeamsPostCopies returns every tenant's sent copy of the post that has
// the copy (conversation, messageID), that copy included, by tenant.
func (d *DB) TeamsPostCopies(ctx context.Context, conversation, messageID string) (map[string]TeamsPost, error) {
	out := map[string]TeamsPost{}
	err := d.read(ctx, func(t *tx) error {
		return t.each(`SELECT tenant_id, attempts, conversation, message_id FROM teams_posts
			WHERE status = 'sent' AND key IN (SELECT key FROM teams_posts
				WHERE conversation = ? AND message_id = ? AND status = 'sent')`, func(rows *sql.Rows) error {
			p := TeamsPost{Sent: true}
			if err := rows.Scan(&p.TenantID, &p.Attempts, &p.Conversation, &p.MessageID); err != nil {
				return err
			}
			out[p.TenantID] = p
			return nil
		}, conversation, messageID)
	})
	return out, err
}
