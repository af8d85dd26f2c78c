-- The ledger learns what a failed attempt means, so that a post whose
-- answer was lost is retried at most once where the platform cannot look it
-- up, then left to a coordinator who checks the channel:
--   status 'uncertain': answers were lost and the bot will not post it again
--     by itself (a coordinator says whether it is there);
--   lost: the attempts whose answer was lost (each may have posted);
--   error_code: why the last attempt failed, a code the bot translates;
--   last_error: now the platform's own word for it ("HTTP 502",
--     "channel_not_found"), never an error's text;
--   resolved_by: the coordinator who said it was posted, or asked again.
-- SQLite cannot change a CHECK constraint in place, so the table is rebuilt.
-- A row failed before this kept an English error and may hide a post: it
-- counts one lost attempt, with the code 'unknown' and the text dropped.
CREATE TABLE deliveries_v2 (
	key         TEXT NOT NULL,
	platform    TEXT NOT NULL,
	status      TEXT NOT NULL CHECK (status IN ('attempting', 'sent', 'failed', 'uncertain')),
	attempts    INTEGER NOT NULL DEFAULT 0,
	lost        INTEGER NOT NULL DEFAULT 0,
	first_at    TEXT NOT NULL,
	started_at  TEXT NOT NULL,
	channel     TEXT NOT NULL DEFAULT '',
	message_id  TEXT NOT NULL DEFAULT '',
	error_code  TEXT NOT NULL DEFAULT '',
	last_error  TEXT NOT NULL DEFAULT '',
	resolved_by TEXT NOT NULL DEFAULT '',
	updated_at  TEXT NOT NULL,
	PRIMARY KEY (key, platform)
) WITHOUT ROWID;

INSERT INTO deliveries_v2 (key, platform, status, attempts, lost, first_at, started_at, channel, message_id,
	error_code, last_error, updated_at)
SELECT key, platform, status, attempts, CASE status WHEN 'failed' THEN 1 ELSE 0 END, first_at, started_at,
	channel, message_id, CASE status WHEN 'failed' THEN 'unknown' ELSE '' END, '', updated_at
FROM deliveries;

DROP TABLE deliveries;
ALTER TABLE deliveries_v2 RENAME TO deliveries;
