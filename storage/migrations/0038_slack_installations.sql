-- Slack installs in several workspaces (issue 18): one row per workspace
-- the app was installed in through OAuth (/slack/install). The bot token
-- is sealed with AES-256-GCM under a key from the environment
-- (COPBOT_SLACK_TOKEN_KEY), the team id as additional data, so that the
-- file alone gives no token and a sealed token moved to another row does
-- not open. An uninstall or a revocation drops the token and keeps the
-- row (removed_at), so that a reinstall finds the community channel.
CREATE TABLE slack_installations (
	team_id       TEXT PRIMARY KEY CHECK (team_id <> ''),
	enterprise_id TEXT NOT NULL DEFAULT '',
	team_name     TEXT NOT NULL DEFAULT '',
	app_id        TEXT NOT NULL DEFAULT '',
	bot_user_id   TEXT NOT NULL CHECK (bot_user_id <> ''),
	scopes        TEXT NOT NULL DEFAULT '',
	installer     TEXT NOT NULL DEFAULT '',
	channel_id    TEXT NOT NULL DEFAULT '',
	token         BLOB CHECK (token IS NULL OR length(token) > 28),
	installed_at  TEXT NOT NULL,
	removed_at    TEXT,
	removed_why   TEXT NOT NULL DEFAULT '',
	CHECK ((token IS NULL) = (removed_at IS NOT NULL))
) WITHOUT ROWID;
