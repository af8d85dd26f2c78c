-- Theme polls, their options, who voted and where the poll was posted.
-- Timestamps are TEXT, RFC 3339 in UTC with second precision; durations are
-- INTEGER seconds.
--
-- Anonymity. For an anonymous poll the database never holds a readable link
-- between a member and an option:
--   * votes (the member→option table) refuses rows for anonymous polls (the
--     trigger votes_not_anonymous below), so only poll_voters (that a member
--     voted, and how many choices they used, to enforce the limit) and the
--     per-option counters in poll_options are written;
--   * poll_voters keeps no time for anonymous ballots (voted_at is NULL) and
--     is WITHOUT ROWID, so neither a timestamp nor an insertion order can be
--     lined up with the counters;
--   * the consequence is that an anonymous ballot is final: nobody, copbot
--     included, knows what to take back.

CREATE TABLE polls (
	id                   INTEGER PRIMARY KEY,
	question             TEXT NOT NULL CHECK (question <> ''),
	-- The language the question is written in (the creator's).
	language             TEXT NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'fr')),
	max_votes            INTEGER NOT NULL DEFAULT 1 CHECK (max_votes BETWEEN 1 AND 10),
	anonymous            INTEGER NOT NULL DEFAULT 0 CHECK (anonymous IN (0, 1)),
	allow_member_options INTEGER NOT NULL DEFAULT 0 CHECK (allow_member_options IN (0, 1)),
	closes_at            TEXT,
	-- Remind non-voters this long before closes_at; 0 means no reminder.
	remind_before        INTEGER NOT NULL DEFAULT 0 CHECK (remind_before >= 0),
	reminded_at          TEXT,
	status               TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
	closed_at            TEXT,
	-- Posting the result is claimed (result_claimed_at) by whoever closed the
	-- poll, and recorded once posted, so that it happens once even when
	-- several processes run the closing job or one crashes half way.
	result_claimed_at    TEXT,
	result_posted_at     TEXT,
	meeting_id           INTEGER REFERENCES meetings (id) ON DELETE SET NULL,
	creator_platform     TEXT NOT NULL CHECK (creator_platform IN ('console', 'slack', 'teams')),
	creator_id           TEXT NOT NULL,
	channel              TEXT NOT NULL DEFAULT '',
	-- Members who voted: the rows of poll_voters, counted in the same
	-- transaction so that showing a tally never counts them.
	voters               INTEGER NOT NULL DEFAULT 0 CHECK (voters >= 0),
	created_at           TEXT NOT NULL,
	updated_at           TEXT NOT NULL,
	CHECK ((status = 'closed') = (closed_at IS NOT NULL)),
	CHECK (remind_before = 0 OR closes_at IS NOT NULL)
);

-- The scheduler's questions: open polls with a deadline, closed polls whose
-- result is not posted yet.
CREATE INDEX polls_open ON polls (closes_at) WHERE status = 'open';
CREATE INDEX polls_result_pending ON polls (id) WHERE status = 'closed' AND result_posted_at IS NULL;
CREATE INDEX polls_meeting ON polls (meeting_id) WHERE meeting_id IS NOT NULL;

-- votes counts the choices for the option; it is the only tally an
-- anonymous poll has, and for other polls it always equals the rows of
-- votes (kept in the same transaction, checked by tests).
CREATE TABLE poll_options (
	id        INTEGER PRIMARY KEY,
	poll_id   INTEGER NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
	position  INTEGER NOT NULL CHECK (position BETWEEN 1 AND 10),
	label     TEXT NOT NULL CHECK (label <> ''),
	label_key TEXT NOT NULL, -- folded label: options must differ after folding
	added_by  INTEGER REFERENCES members (id), -- NULL: written by the poll's creator
	votes     INTEGER NOT NULL DEFAULT 0 CHECK (votes >= 0),
	UNIQUE (poll_id, position),
	UNIQUE (poll_id, label_key)
);

-- One row per member who voted; choices is how many options they chose.
CREATE TABLE poll_voters (
	poll_id   INTEGER NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
	member_id INTEGER NOT NULL REFERENCES members (id),
	choices   INTEGER NOT NULL CHECK (choices BETWEEN 1 AND 10),
	voted_at  TEXT, -- NULL for anonymous polls, see above
	PRIMARY KEY (poll_id, member_id)
) WITHOUT ROWID;

-- Who chose what, for polls that are not anonymous only.
CREATE TABLE votes (
	poll_id   INTEGER NOT NULL,
	member_id INTEGER NOT NULL,
	option_id INTEGER NOT NULL REFERENCES poll_options (id) ON DELETE CASCADE,
	voted_at  TEXT NOT NULL,
	PRIMARY KEY (poll_id, member_id, option_id),
	FOREIGN KEY (poll_id, member_id) REFERENCES poll_voters (poll_id, member_id) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE INDEX votes_option ON votes (option_id);

CREATE TRIGGER votes_not_anonymous BEFORE INSERT ON votes
WHEN (SELECT anonymous FROM polls WHERE id = NEW.poll_id) <> 0
BEGIN
	SELECT RAISE(ABORT, 'votes of an anonymous poll are not linked to members');
END;

-- Where a poll was posted, so that live results can update each copy.
CREATE TABLE poll_messages (
	poll_id    INTEGER NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
	platform   TEXT NOT NULL,
	channel    TEXT NOT NULL,
	message_id TEXT NOT NULL,
	PRIMARY KEY (poll_id, platform, channel, message_id)
) WITHOUT ROWID;
