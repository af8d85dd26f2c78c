-- A meeting's notices to the community (added, moved, cancelled) are
-- recorded before they are posted, each under a key that names it for ever
-- (announcement:<id>, ids never given twice), so that a notice whose post
-- failed or was cut short by a crash is found in the channel or posted by
-- the scheduler's retries. A newer notice of the same meeting supersedes one
-- still pending, which is then never posted late, after it.
CREATE TABLE announcements (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	meeting_id INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
	notice     TEXT NOT NULL CHECK (notice <> ''), -- the message key of the notice
	was        TEXT,                               -- the start before a move
	created_at TEXT NOT NULL,
	status     TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'posted', 'superseded', 'dropped')),
	done_at    TEXT
);

CREATE INDEX announcements_meeting ON announcements (meeting_id, status);
CREATE INDEX announcements_pending ON announcements (id) WHERE status = 'pending';
