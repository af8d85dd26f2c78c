-- Members, their organizations and coordinators added at run time.
-- Timestamps are TEXT, RFC 3339 in UTC with second precision.

-- An organization (department, ministry, municipality) belongs to one order
-- of government and one jurisdiction. name is the spelling first seen;
-- name_key folds case, accents and spaces so "Service Ontario" and
-- "serviceontario" are one organization.
CREATE TABLE organizations (
	id             INTEGER PRIMARY KEY,
	name           TEXT NOT NULL,
	name_key       TEXT NOT NULL,
	ord            TEXT NOT NULL CHECK (ord IN ('federal', 'provincial', 'municipal')),
	jurisdiction   TEXT NOT NULL CHECK (length(jurisdiction) = 2),
	-- Active members of this organization, kept by the triggers below so that
	-- stats and coverage read a few hundred organizations instead of
	-- scanning every member.
	active_members INTEGER NOT NULL DEFAULT 0 CHECK (active_members >= 0),
	UNIQUE (name_key, ord, jurisdiction),
	-- Target of members' composite foreign key (see members).
	UNIQUE (id, ord, jurisdiction)
);

-- Stats and coverage read only this covering index.
CREATE INDEX organizations_active ON organizations (ord, jurisdiction, active_members) WHERE active_members > 0;

-- A member who left keeps the row (left_at set) so reports over past periods
-- stay true. ord and jurisdiction repeat the organization's so the directory
-- index can hold (jurisdiction, order, name) in one table; the composite
-- foreign key makes SQLite guarantee they agree with the organization.
CREATE TABLE members (
	id              INTEGER PRIMARY KEY,
	name            TEXT NOT NULL,
	name_key        TEXT NOT NULL, -- folded name: sort key and part of the name+organization key
	email           TEXT CHECK (email IS NULL OR (email <> '' AND email = lower(email))),
	organization_id INTEGER NOT NULL,
	ord             TEXT NOT NULL,
	jurisdiction    TEXT NOT NULL,
	-- Report order: federal, provincial, municipal.
	ord_rank        INTEGER GENERATED ALWAYS AS (
		CASE ord WHEN 'federal' THEN 0 WHEN 'provincial' THEN 1 ELSE 2 END) VIRTUAL,
	title           TEXT NOT NULL DEFAULT '',
	language        TEXT NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'fr')),
	slack_id        TEXT CHECK (slack_id IS NULL OR slack_id <> ''),
	teams_id        TEXT CHECK (teams_id IS NULL OR teams_id <> ''),
	console_id      TEXT CHECK (console_id IS NULL OR console_id <> ''),
	joined_at       TEXT NOT NULL,
	left_at         TEXT,
	updated_at      TEXT NOT NULL,
	FOREIGN KEY (organization_id, ord, jurisdiction) REFERENCES organizations (id, ord, jurisdiction)
);

-- One member per platform identity and per email, left members included: a
-- former member who comes back is found again and reactivated.
CREATE UNIQUE INDEX members_slack_id ON members (slack_id) WHERE slack_id IS NOT NULL;
CREATE UNIQUE INDEX members_teams_id ON members (teams_id) WHERE teams_id IS NOT NULL;
CREATE UNIQUE INDEX members_console_id ON members (console_id) WHERE console_id IS NOT NULL;
CREATE UNIQUE INDEX members_email ON members (email) WHERE email IS NOT NULL;
CREATE INDEX members_name_org ON members (name_key, organization_id);
-- The directory ("who represents Yukon?"): active members of a jurisdiction
-- in report order, read straight from the index, LIMIT included. left_at
-- (always NULL here) makes the index cover the total count: SQLite does not
-- infer it from the index's WHERE.
CREATE INDEX members_directory ON members (jurisdiction, ord_rank, name_key, id, left_at) WHERE left_at IS NULL;
-- No index serves listing everyone in report order (the roster export, a
-- rare command): SQLite sorts, about half a second of CPU for 100,000
-- members, where such an index would cost every import a fifth more CPU.

CREATE TRIGGER members_active_insert AFTER INSERT ON members WHEN NEW.left_at IS NULL
BEGIN
	UPDATE organizations SET active_members = active_members + 1 WHERE id = NEW.organization_id;
END;

CREATE TRIGGER members_active_delete AFTER DELETE ON members WHEN OLD.left_at IS NULL
BEGIN
	UPDATE organizations SET active_members = active_members - 1 WHERE id = OLD.organization_id;
END;

CREATE TRIGGER members_active_update AFTER UPDATE OF organization_id, left_at ON members
BEGIN
	UPDATE organizations SET active_members = active_members - 1
	WHERE id = OLD.organization_id AND OLD.left_at IS NULL;
	UPDATE organizations SET active_members = active_members + 1
	WHERE id = NEW.organization_id AND NEW.left_at IS NULL;
END;

-- Coordinators added at run time; those named in the config are not stored.
-- added_by is the adder's identity as "platform:id".
CREATE TABLE coordinators (
	platform TEXT NOT NULL CHECK (platform IN ('console', 'slack', 'teams')),
	id       TEXT NOT NULL CHECK (id <> ''),
	added_by TEXT NOT NULL,
	added_at TEXT NOT NULL,
	PRIMARY KEY (platform, id)
) WITHOUT ROWID;
