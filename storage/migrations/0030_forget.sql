-- Forgetting a person (storage/forget.go) deletes their member row and
-- every row that links them to a vote: their poll_voters and votes rows go,
-- while the options' counters and polls.voters keep their ballots counted,
-- anonymously. For a poll that is not anonymous, the counters can then
-- exceed the votes rows by the forgotten ballots. forgotten_voters counts
-- them per poll, so that the turnout (a share of today's members) leaves
-- them out as it leaves out members who left.
ALTER TABLE polls ADD COLUMN forgotten_voters INTEGER NOT NULL DEFAULT 0 CHECK (forgotten_voters >= 0);
