-- A workspace stamped on an identity (storage/identities.go: the person's
-- first request from a known workspace) changes no directory answer and no
-- cached caller that could be wrong: a caller answer is cached by identity
-- with its workspace, and CallerByIdentity does not cache the answer of a
-- request that stamps. 0037's update trigger bumped directory_version for
-- it all the same, so the first request of each member imported or linked
-- without a workspace emptied every cache (callers, directory pages, the
-- reply cache): after an upgrade, a storm of first requests re-read the
-- directory on nearly every request. Only a change of who holds which
-- user id counts now.
DROP TRIGGER directory_version_identity_update;

CREATE TRIGGER directory_version_identity_update AFTER UPDATE OF platform, user_id, member_id ON identities
BEGIN
	UPDATE directory_version SET v = v + 1;
END;
