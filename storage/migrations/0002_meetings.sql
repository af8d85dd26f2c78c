-- Meetings, their reminders and members' RSVPs.
-- Timestamps are TEXT, RFC 3339 in UTC with second precision, so text order
-- is time order.

-- A meeting's instant is starts_at (UTC); zone is the IANA zone it was
-- planned in, kept to show it and to export it the way it was meant.
-- sequence counts edits, for iCalendar's SEQUENCE.
CREATE TABLE meetings (
	id               INTEGER PRIMARY KEY,
	title            TEXT NOT NULL DEFAULT '',
	starts_at        TEXT NOT NULL,
	zone             TEXT NOT NULL,
	duration_seconds INTEGER NOT NULL CHECK (duration_seconds > 0),
	agenda           TEXT NOT NULL DEFAULT '',
	link             TEXT NOT NULL DEFAULT '',
	theme            TEXT NOT NULL DEFAULT '',
	status           TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
	sequence         INTEGER NOT NULL DEFAULT 0,
	created_by       TEXT NOT NULL DEFAULT '',
	created_at       TEXT NOT NULL,
	updated_at       TEXT NOT NULL
);

CREATE INDEX meetings_starts_at ON meetings (starts_at);

-- One reminder per meeting, offset and planned start: moving a meeting plans
-- new rows for the new start and keeps the sent ones as history. due_at is
-- starts_at minus offset_seconds, an exact duration. refs is a JSON array
-- of the posted messages.
CREATE TABLE reminders (
	id             INTEGER PRIMARY KEY,
	meeting_id     INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
	offset_seconds INTEGER NOT NULL CHECK (offset_seconds > 0),
	starts_at      TEXT NOT NULL,
	due_at         TEXT NOT NULL,
	status         TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'skipped', 'failed')),
	attempts       INTEGER NOT NULL DEFAULT 0,
	last_error     TEXT NOT NULL DEFAULT '', -- the last delivery error, as the platform said it
	reason         TEXT NOT NULL DEFAULT '', -- why it was skipped or failed: a code (ReminderReason)
	sent_at        TEXT,
	late           INTEGER NOT NULL DEFAULT 0 CHECK (late IN (0, 1)),
	refs           TEXT NOT NULL DEFAULT '[]',
	created_at     TEXT NOT NULL,
	updated_at     TEXT NOT NULL,
	UNIQUE (meeting_id, offset_seconds, starts_at)
);

CREATE INDEX reminders_pending ON reminders (due_at) WHERE status = 'pending';

CREATE TABLE rsvps (
	meeting_id INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
	member_id  INTEGER NOT NULL REFERENCES members (id),
	answer     TEXT NOT NULL CHECK (answer IN ('yes', 'no')),
	updated_at TEXT NOT NULL,
	PRIMARY KEY (meeting_id, member_id)
) WITHOUT ROWID;
