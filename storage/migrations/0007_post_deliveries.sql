-- The delivery ledger of community posts that must go out exactly once
-- (reminders, poll results, poll cards, meeting announcements): one row per
-- job key and platform. An attempt is recorded here (status 'attempting',
-- started_at) and committed BEFORE the post is sent, so that an outcome the
-- bot never learned (a lost answer, a crash between the post and its
-- record) is found on the next attempt and resolved by looking the key up
-- in the channel rather than by posting blindly again. first_at is when the
-- first attempt started: the look-up searches from there.
CREATE TABLE deliveries (
	key        TEXT NOT NULL,
	platform   TEXT NOT NULL,
	status     TEXT NOT NULL CHECK (status IN ('attempting', 'sent', 'failed')),
	attempts   INTEGER NOT NULL DEFAULT 0,
	first_at   TEXT NOT NULL,
	started_at TEXT NOT NULL,
	channel    TEXT NOT NULL DEFAULT '',
	message_id TEXT NOT NULL DEFAULT '',
	last_error TEXT NOT NULL DEFAULT '',
	updated_at TEXT NOT NULL,
	PRIMARY KEY (key, platform)
) WITHOUT ROWID;
