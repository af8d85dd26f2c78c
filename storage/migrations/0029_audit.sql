-- The audit log of coordinators' actions (role changes, imports, exports,
-- report links, deletions, forgetting and retention purges): who (actor,
-- an identity "platform:id", or '' for the system or the command line;
-- actor_name as they were called then), what (action, a code such as
-- 'role.add'), on what (target, e.g. 'slack:U9' or 'poll:4'; member_id when
-- the action is about a member) and small facts (detail, a JSON object of
-- strings: counts, fields changed, never message text). Each row is written
-- in the same transaction as the action it records, so no action commits
-- without its row. Rows are never deleted; forgetting a person rewrites
-- the rows that name them (storage/forget.go).
CREATE TABLE audit (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	at          TEXT NOT NULL,
	actor       TEXT NOT NULL DEFAULT '',
	actor_name  TEXT NOT NULL DEFAULT '',
	coordinator INTEGER NOT NULL DEFAULT 0 CHECK (coordinator IN (0, 1)),
	action      TEXT NOT NULL CHECK (action <> ''),
	target      TEXT NOT NULL DEFAULT '',
	member_id   INTEGER REFERENCES members (id) ON DELETE SET NULL,
	detail      TEXT NOT NULL DEFAULT '{}'
);

CREATE INDEX audit_at ON audit (at);
CREATE INDEX audit_actor ON audit (actor, at);
CREATE INDEX audit_member ON audit (member_id) WHERE member_id IS NOT NULL;

CREATE TRIGGER audit_append_only BEFORE DELETE ON audit
BEGIN
	SELECT RAISE(ABORT, 'audit rows are never deleted');
END;
