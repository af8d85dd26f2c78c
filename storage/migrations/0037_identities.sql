-- A member may hold several identities, several on one platform too: a
-- person in their own Slack workspace and a guest in a partner's, or in two
-- Teams tenants. An identity is (platform, workspace, user): workspace is the
-- Slack team id (the user's own team) or the Teams tenant id, '' for the
-- console.
--
-- What identifies a person on a platform is the user id: Slack keeps a
-- user's id when they appear in another organization's shared channel, and
-- a Teams guest in another tenant has another user id there. So user_id is
-- unique per platform and workspace is where that identity lives: Teams
-- direct messages are created in it, and a request for that user id from
-- another workspace is not that person (storage/identities.go).
--
-- workspace '' means not known yet: every identity migrated here from the
-- members columns below, and those a roster import or a coordinator's link
-- names (they carry no workspace). Such an identity answers a request for
-- its user id from any workspace; the first one stamps its workspace on it
-- (DB.CallerByIdentity), from then on it answers only there.
--
-- members.slack_id, teams_id and console_id stay: each is the member's
-- first identity on its platform (the one a roster export writes and a
-- direct message reaches by default). The triggers below keep one
-- identity row for each of them, whatever writes members; further
-- identities exist only here.
CREATE TABLE identities (
	platform  TEXT NOT NULL CHECK (platform IN ('slack', 'teams', 'console')),
	user_id   TEXT NOT NULL CHECK (user_id <> ''),
	workspace TEXT NOT NULL DEFAULT '' CHECK (platform <> 'console' OR workspace = ''),
	member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
	added_at  TEXT NOT NULL,
	PRIMARY KEY (platform, user_id)
) WITHOUT ROWID;

CREATE INDEX identities_member ON identities (member_id, platform);

INSERT INTO identities (platform, user_id, member_id, added_at)
SELECT 'slack', slack_id, id, joined_at FROM members WHERE slack_id IS NOT NULL
UNION ALL SELECT 'teams', teams_id, id, joined_at FROM members WHERE teams_id IS NOT NULL
UNION ALL SELECT 'console', console_id, id, joined_at FROM members WHERE console_id IS NOT NULL;

-- A members column set (or changed) gives its member that identity; the one
-- it replaces goes. An identity another member holds makes the write fail
-- (the primary key), as the members columns' own unique indexes do.
CREATE TRIGGER identities_member_insert AFTER INSERT ON members
BEGIN
	INSERT INTO identities (platform, user_id, member_id, added_at)
	SELECT 'slack', NEW.slack_id, NEW.id, NEW.updated_at WHERE NEW.slack_id IS NOT NULL
	UNION ALL SELECT 'teams', NEW.teams_id, NEW.id, NEW.updated_at WHERE NEW.teams_id IS NOT NULL
	UNION ALL SELECT 'console', NEW.console_id, NEW.id, NEW.updated_at WHERE NEW.console_id IS NOT NULL;
END;

CREATE TRIGGER identities_member_slack AFTER UPDATE OF slack_id ON members
WHEN OLD.slack_id IS NOT NEW.slack_id
BEGIN
	DELETE FROM identities WHERE platform = 'slack' AND user_id = OLD.slack_id AND member_id = OLD.id;
	INSERT INTO identities (platform, user_id, member_id, added_at)
	SELECT 'slack', NEW.slack_id, NEW.id, NEW.updated_at WHERE NEW.slack_id IS NOT NULL AND NOT EXISTS (
		SELECT 1 FROM identities WHERE platform = 'slack' AND user_id = NEW.slack_id AND member_id = NEW.id);
END;

CREATE TRIGGER identities_member_teams AFTER UPDATE OF teams_id ON members
WHEN OLD.teams_id IS NOT NEW.teams_id
BEGIN
	DELETE FROM identities WHERE platform = 'teams' AND user_id = OLD.teams_id AND member_id = OLD.id;
	INSERT INTO identities (platform, user_id, member_id, added_at)
	SELECT 'teams', NEW.teams_id, NEW.id, NEW.updated_at WHERE NEW.teams_id IS NOT NULL AND NOT EXISTS (
		SELECT 1 FROM identities WHERE platform = 'teams' AND user_id = NEW.teams_id AND member_id = NEW.id);
END;

CREATE TRIGGER identities_member_console AFTER UPDATE OF console_id ON members
WHEN OLD.console_id IS NOT NEW.console_id
BEGIN
	DELETE FROM identities WHERE platform = 'console' AND user_id = OLD.console_id AND member_id = OLD.id;
	INSERT INTO identities (platform, user_id, member_id, added_at)
	SELECT 'console', NEW.console_id, NEW.id, NEW.updated_at WHERE NEW.console_id IS NOT NULL AND NOT EXISTS (
		SELECT 1 FROM identities WHERE platform = 'console' AND user_id = NEW.console_id AND member_id = NEW.id);
END;

-- Callers are cached by directory_version (0006, 0015): an identity added,
-- stamped or removed changes who a request's caller is.
CREATE TRIGGER directory_version_identity_insert AFTER INSERT ON identities
BEGIN
	UPDATE directory_version SET v = v + 1;
END;

CREATE TRIGGER directory_version_identity_update AFTER UPDATE ON identities
BEGIN
	UPDATE directory_version SET v = v + 1;
END;

CREATE TRIGGER directory_version_identity_delete AFTER DELETE ON identities
BEGIN
	UPDATE directory_version SET v = v + 1;
END;
