package storage

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"
)

// VoteResult is what a vote did and the tally right after it, read in the
// same transaction.
type VoteResult struct {
	Action VoteAction
	Option int64 // the option clicked (Vote only)
	// Choices are the member's option ids after the vote, in the order they
	// were chosen. For anonymous polls they are only known for this
	// ballot, as nothing links the member to them afterwards.
	Choices []int64
	Poll    *Poll
	// Turnout is the poll's turnout right after the vote, read in the
	// vote's transaction, so that a confirmation needs no second one.
	Turnout Turnout
}

// PollVote is one member's choice in a poll that is not anonymous.
type PollVote struct {
	MemberID   int64
	MemberName string // the member's current name, read in the same query
	OptionID   int64
	VotedAt    time.Time
}

// Vote records memberID's vote for optionID (see ApplyVote: a vote always
// means "for", so the same vote again changes nothing), in one immediate
// transaction so that concurrent clicks never lose a vote or exceed the
// limit. An anonymous poll takes a single-choice vote as the member's
// whole, final ballot; a multiple-choice anonymous poll takes ballots only
// (CastBallot).
func (d *DB) Vote(ctx context.Context, pollID, memberID, optionID int64) (*VoteResult, error) {
	return d.pollVoteTx(ctx, pollID, optionID, d.voteFor(memberID, optionID))
}

// voteFor is Vote's change, to run in a vote transaction.
func (d *DB) voteFor(memberID, optionID int64) pollVoteFunc {
	return func(t *tx, p *Poll) (VoteAction, []int64, error) {
		pollID := p.ID
		if _, ok := p.Option(optionID); !ok {
			return "", nil, pollErrNoOption(pollID)
		}
		if p.Anonymous {
			if p.MaxVotes > 1 {
				return "", nil, Errorf(EINVALID, "poll_error_use_ballot", map[string]any{"ID": pollID, "Max": p.MaxVotes},
					"anonymous multiple-choice poll %d takes whole ballots", pollID)
			}
			return VoteCast, []int64{optionID}, pollAnonymousBallot(t, p, memberID, []int64{optionID})
		}
		if first, err := pollFirstVote(t, pollID, memberID, optionID, d.Now()); first || err != nil {
			return VoteAdded, []int64{optionID}, err
		}
		current, err := pollChoices(t, pollID, memberID)
		if err != nil {
			return "", nil, err
		}
		next, action, err := ApplyVote(current, optionID, p.MaxVotes)
		if err != nil || action == VoteKept {
			return action, next, err
		}
		return action, next, pollReplaceChoices(t, pollID, memberID, current, next, d.Now())
	}
}

// Unvote takes back memberID's vote for optionID, or all their choices
// when optionID is 0 (see ApplyUnvote: taking back what is not chosen
// changes nothing). An anonymous vote is final and cannot be taken back.
func (d *DB) Unvote(ctx context.Context, pollID, memberID, optionID int64) (*VoteResult, error) {
	return d.pollVoteTx(ctx, pollID, optionID, d.unvoteFor(memberID, optionID))
}

// unvoteFor is Unvote's change, to run in a vote transaction.
func (d *DB) unvoteFor(memberID, optionID int64) pollVoteFunc {
	return func(t *tx, p *Poll) (VoteAction, []int64, error) {
		if _, ok := p.Option(optionID); !ok && optionID != 0 {
			return "", nil, pollErrNoOption(p.ID)
		}
		if p.Anonymous {
			return "", nil, Errorf(ECONFLICT, "poll_error_anonymous_unvote", map[string]any{"ID": p.ID},
				"anonymous votes cannot be taken back")
		}
		current, err := pollChoices(t, p.ID, memberID)
		if err != nil {
			return "", nil, err
		}
		next, action := ApplyUnvote(current, optionID)
		if action == VoteNone {
			return action, next, nil
		}
		return action, next, pollReplaceChoices(t, p.ID, memberID, current, next, d.Now())
	}
}

// CastBallot sets all of memberID's choices at once: between 1 and
// MaxVotes distinct options. On an anonymous poll a ballot is final; on
// others it replaces the member's earlier choices.
func (d *DB) CastBallot(ctx context.Context, pollID, memberID int64, optionIDs []int64) (*VoteResult, error) {
	return d.pollVoteTx(ctx, pollID, 0, d.ballotFor(memberID, optionIDs))
}

// ballotFor is CastBallot's change, to run in a vote transaction.
func (d *DB) ballotFor(memberID int64, optionIDs []int64) pollVoteFunc {
	return func(t *tx, p *Poll) (VoteAction, []int64, error) {
		if err := ValidateBallot(optionIDs, p.MaxVotes); err != nil {
			return "", nil, err
		}
		for _, o := range optionIDs {
			if _, ok := p.Option(o); !ok {
				return "", nil, pollErrNoOption(p.ID)
			}
		}
		if p.Anonymous {
			return VoteCast, optionIDs, pollAnonymousBallot(t, p, memberID, optionIDs)
		}
		current, err := pollChoices(t, p.ID, memberID)
		if err != nil {
			return "", nil, err
		}
		return VoteCast, optionIDs, pollReplaceChoices(t, p.ID, memberID, current, optionIDs, d.Now())
	}
}

type pollVoteFunc func(t *tx, p *Poll) (VoteAction, []int64, error)

// pollVoteTx runs apply on a poll that takes votes (open and not past its
// deadline) in a write transaction shared with the votes sent meanwhile
// (votebatch.go), and returns the tally right after it; option is the one
// clicked, 0 for a whole ballot or every choice. It returns once the
// transaction has committed, or with an error when the vote was not
// written.
func (d *DB) pollVoteTx(ctx context.Context, pollID, option int64, apply pollVoteFunc) (*VoteResult, error) {
	return d.votes.submit(&voteJob{ctx: ctx, pollID: pollID, option: option, apply: apply, done: make(chan voteOutcome, 1)})
}

// pollAnonymousBallot records that memberID voted and bumps the counters,
// and nothing that says which options the member chose.
func pollAnonymousBallot(t *tx, p *Poll, memberID int64, options []int64) error {
	first, err := t.exec1(`INSERT INTO poll_voters (poll_id, member_id, choices) VALUES (?, ?, ?)
		ON CONFLICT DO NOTHING`, p.ID, memberID, len(options))
	switch {
	case err != nil:
		return err
	case !first:
		return Errorf(ECONFLICT, "poll_error_anonymous_final", map[string]any{"ID": p.ID},
			"member already voted in anonymous poll")
	}
	for _, o := range options {
		if err := pollBump(t, o, 1); err != nil {
			return err
		}
	}
	return pollCountVoters(t, p.ID, 1)
}

// pollFirstVote records a member's first choice in a poll that is not
// anonymous, the common case, in two statements: a poll_voters row exists
// exactly while the member has choices, so inserting one tells that they
// had none. first is false, with nothing written, when they had some.
func pollFirstVote(t *tx, pollID, memberID, optionID int64, now time.Time) (first bool, err error) {
	first, err = t.exec1(`INSERT INTO poll_voters (poll_id, member_id, choices, voted_at) VALUES (?, ?, 1, ?)
		ON CONFLICT DO NOTHING`, pollID, memberID, formatTime(now))
	if sqliteCode(err) == sqliteConstraintForeignKey {
		return false, Errorf(ENOTFOUND, "poll_error_not_member", nil, "member %d does not exist", memberID)
	}
	if !first || err != nil {
		return false, err
	}
	if _, err := t.exec("INSERT INTO votes (poll_id, member_id, option_id, voted_at) VALUES (?, ?, ?, ?)",
		pollID, memberID, optionID, formatTime(now)); err != nil {
		return false, err
	}
	if err := pollBump(t, optionID, 1); err != nil {
		return false, err
	}
	return true, pollCountVoters(t, pollID, 1)
}

// pollCountVoters keeps polls.voters equal to the poll's poll_voters rows
// (in a vote batch, at the batch's end: see voteCounts).
func pollCountVoters(t *tx, pollID int64, by int) error {
	if t.counts != nil {
		t.counts.voter(pollID, by)
		return nil
	}
	_, err := t.exec("UPDATE polls SET voters = voters + ? WHERE id = ?", by, pollID)
	return err
}

// pollChoices returns the member's choices in the order they were made.
func pollChoices(t *tx, pollID, memberID int64) ([]int64, error) {
	rows, err := t.query(`SELECT option_id FROM votes WHERE poll_id = ? AND member_id = ?
		ORDER BY voted_at, option_id`, pollID, memberID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// pollReplaceChoices moves the member's votes from current to next,
// keeping the counters and poll_voters in step.
func pollReplaceChoices(t *tx, pollID, memberID int64, current, next []int64, now time.Time) error {
	if err := pollSetVoter(t, pollID, memberID, len(next), now); err != nil {
		return err
	}
	if by := pollVoterDelta(len(current), len(next)); by != 0 {
		if err := pollCountVoters(t, pollID, by); err != nil {
			return err
		}
	}
	for _, o := range current {
		if slices.Contains(next, o) {
			continue
		}
		if _, err := t.exec("DELETE FROM votes WHERE poll_id = ? AND member_id = ? AND option_id = ?",
			pollID, memberID, o); err != nil {
			return err
		}
		if err := pollBump(t, o, -1); err != nil {
			return err
		}
	}
	for _, o := range next {
		if slices.Contains(current, o) {
			continue
		}
		if _, err := t.exec("INSERT INTO votes (poll_id, member_id, option_id, voted_at) VALUES (?, ?, ?, ?)",
			pollID, memberID, o, formatTime(now)); err != nil {
			return err
		}
		if err := pollBump(t, o, 1); err != nil {
			return err
		}
	}
	return nil
}

// pollVoterDelta is how the number of voters changes when a member goes
// from had to has choices.
func pollVoterDelta(had, has int) int {
	switch {
	case had == 0 && has > 0:
		return 1
	case had > 0 && has == 0:
		return -1
	}
	return 0
}

// pollSetVoter records how many choices the member has; with none left the
// row goes (cascading to votes, which the caller has already counted).
func pollSetVoter(t *tx, pollID, memberID int64, choices int, now time.Time) error {
	if choices == 0 {
		_, err := t.exec("DELETE FROM poll_voters WHERE poll_id = ? AND member_id = ?", pollID, memberID)
		return err
	}
	_, err := t.exec(`INSERT INTO poll_voters (poll_id, member_id, choices, voted_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (poll_id, member_id) DO UPDATE SET choices = excluded.choices, voted_at = excluded.voted_at`,
		pollID, memberID, choices, formatTime(now))
	if sqliteCode(err) == sqliteConstraintForeignKey {
		return Errorf(ENOTFOUND, "poll_error_not_member", nil, "member %d does not exist", memberID)
	}
	return err
}

// pollBump keeps poll_options.votes equal to the option's votes (in a
// vote batch, at the batch's end: see voteCounts).
func pollBump(t *tx, optionID int64, by int) error {
	if t.counts != nil {
		t.counts.option(optionID, by)
		return nil
	}
	_, err := t.exec("UPDATE poll_options SET votes = votes + ? WHERE id = ?", by, optionID)
	return err
}

// MemberChoices returns the member's option ids in a poll that is not
// anonymous, and whether they voted at all (the only thing an anonymous
// poll knows).
func (d *DB) MemberChoices(ctx context.Context, pollID, memberID int64) ([]int64, bool, error) {
	var choices []int64
	var n int
	err := d.read(ctx, func(t *tx) (err error) {
		if n, err = t.count("SELECT count(*) FROM poll_voters WHERE poll_id = ? AND member_id = ?", pollID, memberID); err != nil {
			return err
		}
		choices, err = pollChoices(t, pollID, memberID)
		return err
	})
	if err != nil {
		return nil, false, err
	}
	return choices, n > 0, nil
}

// PollVotes lists who chose what, by member then choice order, with each
// member's name (one query, so showing voters costs no lookup per vote). It
// refuses anonymous polls, for which nobody can know.
func (d *DB) PollVotes(ctx context.Context, pollID int64) ([]PollVote, error) {
	var out []PollVote
	err := d.read(ctx, func(t *tx) error {
		p, err := pollGet(t, pollID)
		if err != nil {
			return err
		}
		if p.Anonymous {
			return Errorf(EFORBIDDEN, "poll_error_anonymous_votes", map[string]any{"ID": pollID}, "anonymous poll")
		}
		return t.each(`SELECT v.member_id, m.name, v.option_id, v.voted_at FROM votes v
		JOIN poll_options o ON o.id = v.option_id JOIN members m ON m.id = v.member_id
		WHERE v.poll_id = ? ORDER BY v.member_id, o.position`,
			func(rows *sql.Rows) error {
				var v PollVote
				var at sql.NullString
				if err := rows.Scan(&v.MemberID, &v.MemberName, &v.OptionID, &at); err != nil {
					return err
				}
				var err error
				v.VotedAt, err = parseTime(at)
				out = append(out, v)
				return err
			}, pollID)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func pollErrNoOption(pollID int64) *Error {
	return Errorf(ENOTFOUND, "poll_error_option_not_found", map[string]any{"ID": pollID}, "no such option in poll %d", pollID)
}

// ExportPollVotes is PollVotes for an export of who chose what: the audit
// log records it (AuditPollVotesExport) and that record commits before the
// votes are returned; if it cannot be written, nothing is returned.
func (d *DB) ExportPollVotes(ctx context.Context, pollID int64) ([]PollVote, error) {
	votes, err := d.PollVotes(ctx, pollID)
	if err != nil {
		return nil, err
	}
	if _, err := d.RecordAudit(ctx, AuditEntry{Action: AuditPollVotesExport, Target: fmt.Sprintf("poll:%d", pollID),
		Detail: map[string]string{"votes": fmt.Sprint(len(votes))}}); err != nil {
		return nil, err
	}
	return votes, nil
}
