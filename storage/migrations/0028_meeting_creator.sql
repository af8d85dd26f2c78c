-- Who added a meeting, by name as well as identity (created_by), so that a
-- second coordinator adding the same meeting is told "already added by
-- Marie Tremblay" even when the adder is a coordinator named only in the
-- config. Existing meetings take their creator's member name, when the
-- creator is a member.
ALTER TABLE meetings ADD COLUMN created_by_name TEXT NOT NULL DEFAULT '';

UPDATE meetings SET created_by_name = coalesce((
	SELECT m.name FROM members m
	WHERE (substr(meetings.created_by, 1, instr(meetings.created_by, ':') - 1) = 'slack'
			AND m.slack_id = substr(meetings.created_by, instr(meetings.created_by, ':') + 1))
		OR (substr(meetings.created_by, 1, instr(meetings.created_by, ':') - 1) = 'teams'
			AND m.teams_id = substr(meetings.created_by, instr(meetings.created_by, ':') + 1))
		OR (substr(meetings.created_by, 1, instr(meetings.created_by, ':') - 1) = 'console'
			AND m.console_id = substr(meetings.created_by, instr(meetings.created_by, ':') + 1))), '')
WHERE created_by <> '';
