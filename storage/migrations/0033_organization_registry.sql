-- The organizations registry (issue 17): an organization is an entry with
-- official names and acronyms in both languages, aliases, a parent and a
-- status, instead of a typed string. "Service Canada", "EDSC", "ESDC" and
-- "Employment and Social Development Canada" are one department.
--
-- name keeps the English official name (or the spelling first met, for an
-- entry nobody confirmed yet); name_fr, acronym_en and acronym_fr may be
-- empty. A child (Service Canada, part of ESDC) counts as its parent, once;
-- parents are one level deep and share their child's order and
-- jurisdiction. status 'pending' is an entry met in a join or an import
-- that a coordinator has not confirmed (or merged) yet; the Government of
-- Canada's built-in list (organizations.tsv) is 'confirmed'. Rows of older
-- databases become 'pending', save those the built-in list recognizes,
-- which are merged into its entries by the step named below.
--
-- ids are never reused: a merged entry's row is deleted, and its id must
-- not come back as another organization in membership history.
-- copbot:autoincrement organizations
-- copbot:after organizations_registry
ALTER TABLE organizations ADD COLUMN name_fr TEXT NOT NULL DEFAULT '';
ALTER TABLE organizations ADD COLUMN acronym_en TEXT NOT NULL DEFAULT '';
ALTER TABLE organizations ADD COLUMN acronym_fr TEXT NOT NULL DEFAULT '';
ALTER TABLE organizations ADD COLUMN parent_id INTEGER REFERENCES organizations (id);
ALTER TABLE organizations ADD COLUMN status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('confirmed', 'pending'));
ALTER TABLE organizations ADD COLUMN builtin INTEGER NOT NULL DEFAULT 0 CHECK (builtin IN (0, 1));

-- Stats count entries (a child as its parent) from this covering index.
DROP INDEX organizations_active;
CREATE INDEX organizations_active ON organizations (ord, jurisdiction, active_members, parent_id) WHERE active_members > 0;

-- Every folded spelling that names an entry: its names and acronyms in
-- both languages and its aliases. A spelling names one entry per order and
-- jurisdiction ("Ministry of Health" is one in Ontario and another in
-- Alberta); the composite foreign key keeps ord and jurisdiction equal to
-- the entry's.
CREATE TABLE organization_names (
	key             TEXT NOT NULL CHECK (key <> ''),
	name            TEXT NOT NULL,
	kind            TEXT NOT NULL CHECK (kind IN ('name', 'acronym', 'alias')),
	organization_id INTEGER NOT NULL,
	ord             TEXT NOT NULL,
	jurisdiction    TEXT NOT NULL,
	PRIMARY KEY (key, ord, jurisdiction),
	FOREIGN KEY (organization_id, ord, jurisdiction) REFERENCES organizations (id, ord, jurisdiction)
) WITHOUT ROWID;
CREATE INDEX organization_names_org ON organization_names (organization_id);
