-- members.plain: the member asked for plain (accessible) replies: counts
-- and percentages in words, no glyph bars or decorative symbols.
ALTER TABLE members ADD COLUMN plain INTEGER NOT NULL DEFAULT 0 CHECK (plain IN (0, 1));

-- poll_messages.kind tells a poll's live card ('card', updated after each
-- vote) from the result post ('result'), which a reopening withdraws.
ALTER TABLE poll_messages ADD COLUMN kind TEXT NOT NULL DEFAULT 'card' CHECK (kind IN ('card', 'result'));

-- counters hand out numbers that must survive restarts, such as the
-- console's message numbers (a "message 3" must never name two posts).
CREATE TABLE counters (
	name  TEXT PRIMARY KEY,
	value INTEGER NOT NULL
) WITHOUT ROWID;
