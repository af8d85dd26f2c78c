-- Coordinators added or removed at run time change what a caller lookup
-- answers (DB.CallerByIdentity), which is cached per directory_version
-- (0006): count their writes there too.
CREATE TRIGGER directory_version_coordinator_insert AFTER INSERT ON coordinators
BEGIN
	UPDATE directory_version SET v = v + 1;
END;

CREATE TRIGGER directory_version_coordinator_update AFTER UPDATE ON coordinators
BEGIN
	UPDATE directory_version SET v = v + 1;
END;

CREATE TRIGGER directory_version_coordinator_delete AFTER DELETE ON coordinators
BEGIN
	UPDATE directory_version SET v = v + 1;
END;
