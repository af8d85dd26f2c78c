-- A lease on a reminder's delivery attempt, so that two processes on one
-- database (an old one still shutting down, a console opened on the
-- production file) never both post it. claimed_at is when the current
-- attempt was claimed (TEXT, RFC 3339 UTC like the other columns; NULL when
-- nobody holds it); a claim older than the lease (storage.ReminderLease) is
-- stale and may be taken over. claimed_by is the claiming process's random
-- id, kept after the attempt for diagnosis.
ALTER TABLE reminders ADD COLUMN claimed_at TEXT;
ALTER TABLE reminders ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
