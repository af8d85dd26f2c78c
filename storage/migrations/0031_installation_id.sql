-- meta holds facts about this database itself. installation_id is a random
-- id made once, when this migration runs, and kept for ever (a backup
-- carries it): DB.InstallationID. It makes identifiers that leave copbot
-- globally unique, such as the iCalendar UIDs of meetings: two copbots (a
-- community's and a newcomer's console, two communities) both had a
-- "meeting-1@copbot", and a calendar that subscribed to both merged them.
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;

INSERT INTO meta (key, value) VALUES ('installation_id', lower(hex(randomblob(16))));

-- A meeting's iCalendar UID, fixed when it is created: new meetings get
-- "meeting-<id>.<installation_id>@copbot" (DB.CreateMeeting); those that
-- exist keep the form calendars already know them by, so that no
-- subscribed calendar sees them as new events.
ALTER TABLE meetings ADD COLUMN uid TEXT NOT NULL DEFAULT '';
UPDATE meetings SET uid = 'meeting-' || id || '@copbot';
CREATE UNIQUE INDEX meetings_uid ON meetings (uid) WHERE uid <> '';
