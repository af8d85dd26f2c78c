-- meeting_version counts writes to meetings, whoever makes them (this
-- process, or the command line on the same file), as directory_version
-- (0006) does for the directory: the core caches the `meetings` list by
-- it. v only matters as "changed or not": a rolled-back write rolls it
-- back too. A later migration that rebuilds the meetings table must
-- create these triggers again.
CREATE TABLE meeting_version (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	v    INTEGER NOT NULL
);
INSERT INTO meeting_version (id, v) VALUES (1, 0);

CREATE TRIGGER meeting_version_insert AFTER INSERT ON meetings
BEGIN
	UPDATE meeting_version SET v = v + 1;
END;

CREATE TRIGGER meeting_version_update AFTER UPDATE ON meetings
BEGIN
	UPDATE meeting_version SET v = v + 1;
END;

CREATE TRIGGER meeting_version_delete AFTER DELETE ON meetings
BEGIN
	UPDATE meeting_version SET v = v + 1;
END;
