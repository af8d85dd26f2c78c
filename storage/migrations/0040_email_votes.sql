-- Votes by email (issue 18): the secrets of the vote links in a poll's
-- email to one member. Only each secret's SHA-256 is kept, so that the
-- database alone votes for nobody. A secret is random (130 bits), made for
-- one member and one poll, and never made twice: every attempt at sending
-- the mail carries a new one (a resend after a lost answer may reach the
-- mailbox as well as the first), and each stays good until its poll or
-- its member is gone. It lets its holder vote in that poll as that member,
-- nothing else.
CREATE TABLE email_vote_tokens (
	hash       BLOB PRIMARY KEY CHECK (length(hash) = 32),
	poll_id    INTEGER NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
	member_id  INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
	created_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE INDEX email_vote_tokens_member ON email_vote_tokens (member_id);
CREATE INDEX email_vote_tokens_poll ON email_vote_tokens (poll_id);
