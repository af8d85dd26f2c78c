-- Members, their organizations and coordinators added at run time.
CREATE TABLE members (
	id            INTEGER PRIMARY KEY,
	name          TEXT NOT NULL,
	email         TEXT NOT NULL DEFAULT '',
	organization  TEXT NOT NULL,
	ord           TEXT NOT NULL CHECK (ord IN ('federal', 'provincial', 'municipal')),
	jurisdiction  TEXT NOT NULL,
	title         TEXT NOT NULL DEFAULT '',
	language      TEXT NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'fr')),
	slack_id      TEXT,
	teams_id      TEXT,
	console_id    TEXT,
	joined_at     TEXT NOT NULL,
	left_at       TEXT,
	updated_at    TEXT NOT NULL
);
