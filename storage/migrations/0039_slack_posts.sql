-- Slack installs in several workspaces (issue 18): each workspace's copy
-- of a keyed post (reminders, polls, announcements), as teams_posts is
-- each tenant's. The deliveries ledger holds one row per key and
-- platform; Slack posts one copy in every installed workspace's community
-- channel, and a retry must post only the copies not yet sent. team_id is
-- '' for the home workspace (bot_token).
CREATE TABLE slack_posts (
	key          TEXT NOT NULL,
	team_id      TEXT NOT NULL,
	status       TEXT NOT NULL CHECK (status IN ('attempting', 'sent')),
	attempts     INTEGER NOT NULL DEFAULT 1,
	conversation TEXT NOT NULL DEFAULT '',
	message_id   TEXT NOT NULL DEFAULT '',
	updated_at   TEXT NOT NULL,
	PRIMARY KEY (key, team_id)
) WITHOUT ROWID;
