-- Poll turnout counts only members who have not left (DB.PollTurnout). It
-- takes the poll's voters counter and subtracts those who have left, found
-- through this index of the (few) members who left, so that showing the
-- turnout after each vote costs a handful of lookups instead of one per
-- voter.
CREATE INDEX members_left ON members (id) WHERE left_at IS NOT NULL;
