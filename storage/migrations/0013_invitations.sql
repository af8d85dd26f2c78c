-- Outreach: invitations coordinators sent toward a jurisdiction without a
-- representative ("jurisdiction", target a code) or an order of government
-- ("order", target federal/provincial/municipal). sent_on is a calendar
-- date (YYYY-MM-DD); follow_up_at the instant a follow-up is due, reminded_at
-- when coordinators were reminded of it (cleared when it changes).
CREATE TABLE invitations (
	id           INTEGER PRIMARY KEY,
	target_kind  TEXT NOT NULL CHECK (target_kind IN ('jurisdiction', 'order')),
	target       TEXT NOT NULL CHECK (target <> ''),
	contact      TEXT NOT NULL CHECK (contact <> ''),
	sent_on      TEXT NOT NULL,
	status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'declined')),
	follow_up_at TEXT,
	reminded_at  TEXT,
	member_id    INTEGER REFERENCES members (id), -- whose joining accepted it
	created_by   TEXT NOT NULL DEFAULT '',
	created_at   TEXT NOT NULL,
	updated_at   TEXT NOT NULL
);

CREATE INDEX invitations_pending ON invitations (target_kind, target) WHERE status = 'pending';
CREATE INDEX invitations_follow_up ON invitations (follow_up_at) WHERE status = 'pending' AND reminded_at IS NULL;

-- A member who joins (or comes back, or moves) into an invited
-- jurisdiction or order accepts the pending invitations toward it, in the
-- same transaction as the join, whoever writes it (chat, import).
CREATE TRIGGER invitations_accept_insert AFTER INSERT ON members WHEN NEW.left_at IS NULL
BEGIN
	UPDATE invitations SET status = 'accepted', member_id = NEW.id, updated_at = NEW.updated_at
	WHERE status = 'pending' AND ((target_kind = 'jurisdiction' AND target = NEW.jurisdiction)
		OR (target_kind = 'order' AND target = NEW.ord));
END;

CREATE TRIGGER invitations_accept_update AFTER UPDATE OF left_at, organization_id ON members
WHEN NEW.left_at IS NULL AND (OLD.left_at IS NOT NULL OR OLD.organization_id <> NEW.organization_id)
BEGIN
	UPDATE invitations SET status = 'accepted', member_id = NEW.id, updated_at = NEW.updated_at
	WHERE status = 'pending' AND ((target_kind = 'jurisdiction' AND target = NEW.jurisdiction)
		OR (target_kind = 'order' AND target = NEW.ord));
END;
