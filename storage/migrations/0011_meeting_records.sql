-- What happened at a meeting, as coordinators record it for the report to
-- the Council. One row per meeting, written by "meeting notes". panelists
-- and key_points are JSON arrays of strings, in the order given.
-- attendance is the actual head count; NULL means "not corrected": the
-- report then counts the members who answered yes.
CREATE TABLE meeting_records (
	meeting_id INTEGER PRIMARY KEY REFERENCES meetings (id) ON DELETE CASCADE,
	held       INTEGER NOT NULL DEFAULT 1 CHECK (held IN (0, 1)),
	format     TEXT NOT NULL DEFAULT '' CHECK (format IN ('', 'panel', 'presentation', 'workshop', 'discussion', 'other')),
	panelists  TEXT NOT NULL DEFAULT '[]',
	key_points TEXT NOT NULL DEFAULT '[]',
	attendance INTEGER CHECK (attendance IS NULL OR attendance >= 0),
	updated_by TEXT NOT NULL DEFAULT '',
	updated_at TEXT NOT NULL
);
