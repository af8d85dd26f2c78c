-- directory_version counts writes to members and organizations, whoever
-- makes them (this process, or a console opened on the same file), so that
-- DB.FindMembers can cache directory pages and tell, with one cheap read in
-- the same transaction, whether a cached page is still true. v only
-- matters as "changed or not": a rolled-back write rolls it back too.
CREATE TABLE directory_version (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	v    INTEGER NOT NULL
);
INSERT INTO directory_version (id, v) VALUES (1, 0);

CREATE TRIGGER directory_version_member_insert AFTER INSERT ON members
BEGIN
	UPDATE directory_version SET v = v + 1;
END;

CREATE TRIGGER directory_version_member_update AFTER UPDATE ON members
BEGIN
	UPDATE directory_version SET v = v + 1;
END;

CREATE TRIGGER directory_version_member_delete AFTER DELETE ON members
BEGIN
	UPDATE directory_version SET v = v + 1;
END;

CREATE TRIGGER directory_version_org_insert AFTER INSERT ON organizations
BEGIN
	UPDATE directory_version SET v = v + 1;
END;

CREATE TRIGGER directory_version_org_update AFTER UPDATE ON organizations
BEGIN
	UPDATE directory_version SET v = v + 1;
END;

CREATE TRIGGER directory_version_org_delete AFTER DELETE ON organizations
BEGIN
	UPDATE directory_version SET v = v + 1;
END;
