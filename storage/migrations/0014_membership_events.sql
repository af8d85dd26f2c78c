-- Membership history: every join and departure, with the organization
-- (and its order and jurisdiction) at that moment, so that a report over a
-- past period counts who was a member then, and charts growth. Written by
-- triggers, whoever changes members; the existing members are backfilled
-- from joined_at and left_at. A move to another organization is a
-- departure from the old one and a join to the new one at updated_at.
CREATE TABLE membership_events (
	id              INTEGER PRIMARY KEY,
	member_id       INTEGER NOT NULL,
	kind            TEXT NOT NULL CHECK (kind IN ('join', 'leave')),
	at              TEXT NOT NULL,
	organization_id INTEGER NOT NULL,
	ord             TEXT NOT NULL,
	jurisdiction    TEXT NOT NULL
);

INSERT INTO membership_events (member_id, kind, at, organization_id, ord, jurisdiction)
SELECT id, 'join', joined_at, organization_id, ord, jurisdiction FROM members ORDER BY joined_at, id;
INSERT INTO membership_events (member_id, kind, at, organization_id, ord, jurisdiction)
SELECT id, 'leave', left_at, organization_id, ord, jurisdiction FROM members WHERE left_at IS NOT NULL ORDER BY left_at, id;

CREATE TRIGGER membership_join_insert AFTER INSERT ON members
BEGIN
	INSERT INTO membership_events (member_id, kind, at, organization_id, ord, jurisdiction)
	VALUES (NEW.id, 'join', NEW.joined_at, NEW.organization_id, NEW.ord, NEW.jurisdiction);
	INSERT INTO membership_events (member_id, kind, at, organization_id, ord, jurisdiction)
	SELECT NEW.id, 'leave', NEW.left_at, NEW.organization_id, NEW.ord, NEW.jurisdiction WHERE NEW.left_at IS NOT NULL;
END;

CREATE TRIGGER membership_leave AFTER UPDATE OF left_at, organization_id ON members
WHEN OLD.left_at IS NULL AND (NEW.left_at IS NOT NULL OR OLD.organization_id <> NEW.organization_id)
BEGIN
	INSERT INTO membership_events (member_id, kind, at, organization_id, ord, jurisdiction)
	VALUES (OLD.id, 'leave', coalesce(NEW.left_at, NEW.updated_at), OLD.organization_id, OLD.ord, OLD.jurisdiction);
END;

CREATE TRIGGER membership_rejoin AFTER UPDATE OF left_at, organization_id ON members
WHEN NEW.left_at IS NULL AND (OLD.left_at IS NOT NULL OR OLD.organization_id <> NEW.organization_id)
BEGIN
	INSERT INTO membership_events (member_id, kind, at, organization_id, ord, jurisdiction)
	VALUES (NEW.id, 'join', NEW.updated_at, NEW.organization_id, NEW.ord, NEW.jurisdiction);
END;
