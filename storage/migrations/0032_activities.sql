-- The planned activities register: free-text activities a coordinator
-- plans ("Explore a collaborative workspace with ISAC"), with remarks and
-- an optional target date, that feed the report's "Planned activities";
-- once done they stay, for the report of the period they were done in.
CREATE TABLE activities (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	text       TEXT NOT NULL CHECK (text <> ''),
	remarks    TEXT NOT NULL DEFAULT '',
	due_on     TEXT NOT NULL DEFAULT '', -- YYYY-MM-DD, or '' for none
	status     TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'done')),
	created_by TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	done_at    TEXT
);

CREATE INDEX activities_status ON activities (status, id);
