package storage

import "context"

// Each installed Slack workspace's copy of a keyed post (see postcopies.go).
// The home workspace, bot_token's, is the team "".

// SlackPosts returns the copies of the post under key, by team.
func (d *DB) SlackPosts(ctx context.Context, key string) (map[string]PostCopy, error) {
	return slackCopies.copies(ctx, d, key)
}

// BeginSlackPost records an attempt to post key in team's community
// channel, before it is sent. It refuses when that copy is recorded as
// sent.
func (d *DB) BeginSlackPost(ctx context.Context, key, team string) error {
	return slackCopies.begin(ctx, d, key, team)
}

// RecordSlackPost records team's copy of key as sent: its channel and ts.
func (d *DB) RecordSlackPost(ctx context.Context, key, team, channel, ts string) error {
	return slackCopies.record(ctx, d, key, team, channel, ts)
}

// SlackPostCopies returns every team's sent copy of the post that has the
// copy (channel, ts), that copy included, by team.
func (d *DB) SlackPostCopies(ctx context.Context, channel, ts string) (map[string]PostCopy, error) {
	return slackCopies.siblings(ctx, d, channel, ts)
}
