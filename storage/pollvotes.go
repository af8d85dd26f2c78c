package storage

import (
	"context"
	"database/sql"
	"errors"
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

// Vote applies one click by memberID on optionID (see ApplyVote), in one
// immediate transaction so that concurrent clicks never lose a vote or
// exceed the limit. An anonymous poll takes a single-choice click as the
// member's whole, final ballot; a multiple-choice anonymous poll takes
// ballots only (CastBallot).
func (d *DB) Vote(ctx context.Context, pollID, memberID, optionID int64) (*VoteResult, error) {
	res, err := d.pollVoteTx(ctx, pollID, func(t *tx, p *Poll) (VoteAction, []int64, error) {
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
		current, err := pollChoices(t, pollID, memberID)
		if err != nil {
			return "", nil, err
		}
		next, action, err := ApplyVote(current, optionID, p.MaxVotes)
		if err != nil {
			return "", nil, err
		}
		return action, next, pollReplaceChoices(t, pollID, memberID, current, next, d.Now())
	})
	if err != nil {
		return nil, err
	}
	res.Option = optionID
	return res, nil
}

// CastBallot sets all of memberID's choices at once: between 1 and
// MaxVotes distinct options. On an anonymous poll a ballot is final; on
// others it replaces the member's earlier choices.
func (d *DB) CastBallot(ctx context.Context, pollID, memberID int64, optionIDs []int64) (*VoteResult, error) {
	return d.pollVoteTx(ctx, pollID, func(t *tx, p *Poll) (VoteAction, []int64, error) {
		if err := ValidateBallot(optionIDs, p.MaxVotes); err != nil {
			return "", nil, err
		}
		for _, o := range optionIDs {
			if _, ok := p.Option(o); !ok {
				return "", nil, pollErrNoOption(pollID)
			}
		}
		if p.Anonymous {
			return VoteCast, optionIDs, pollAnonymousBallot(t, p, memberID, optionIDs)
		}
		current, err := pollChoices(t, pollID, memberID)
		if err != nil {
			return "", nil, err
		}
		return VoteCast, optionIDs, pollReplaceChoices(t, pollID, memberID, current, optionIDs, d.Now())
	})
}

type pollVoteFunc func(t *tx, p *Poll) (VoteAction, []int64, error)

// pollVoteTx runs apply on a poll that takes votes (open and not past its
// deadline) in one write transaction and returns the tally read after it.
func (d *DB) pollVoteTx(ctx context.Context, pollID int64, apply pollVoteFunc) (*VoteResult, error) {
	var res VoteResult
	p, err := d.withOpenPoll(ctx, pollID, func(t *tx, p *Poll) error {
		if p.pastDeadline(d.Now()) {
			return pollErrClosed(pollID)
		}
		var err error
		if res.Action, res.Choices, err = apply(t, p); err != nil {
			return err
		}
		res.Turnout, err = pollTurnoutTx(t, p.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	res.Poll = p
	return &res, nil
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

// pollCountVoters keeps polls.voters equal to the poll's poll_voters rows.
func pollCountVoters(t *tx, pollID int64, by int) error {
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

func pollBump(t *tx, optionID int64, by int) error {
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

// ClosePoll closes an open poll. closed reports whether this call closed
// it: of any number of concurrent callers, in any number of processes,
// exactly one gets true, and with it the duty to post the result (the
// claim is taken in the same statement; see ClaimPollResult).
func (d *DB) ClosePoll(ctx context.Context, id int64) (closed bool, p *Poll, err error) {
	now := formatTime(d.Now())
	err = d.write(ctx, func(t *tx) (err error) {
		closed, err = t.exec1(`UPDATE polls SET status = 'closed', closed_at = ?, result_claimed_at = ?,
			result_posted_at = NULL, updated_at = ? WHERE id = ? AND status = 'open'`, now, now, now, id)
		if err != nil {
			return err
		}
		p, err = pollGet(t, id)
		return err
	})
	if err != nil {
		return false, nil, err
	}
	return closed, p, nil
}

// ReopenPoll opens a closed poll again with a new deadline (zero: none).
// Its result, once posted, will be posted again at the next close.
func (d *DB) ReopenPoll(ctx context.Context, id int64, closesAt time.Time) (*Poll, error) {
	now := d.Now().UTC()
	if err := pollCheckDeadline(closesAt, 0, now); err != nil {
		return nil, err
	}
	var p *Poll
	err := d.write(ctx, func(t *tx) error {
		reopened, err := t.exec1(`UPDATE polls SET status = 'open', closed_at = NULL, closes_at = ?,
			remind_before = CASE WHEN ? IS NULL THEN 0 ELSE remind_before END, reminded_at = NULL,
			result_claimed_at = NULL, result_posted_at = NULL, updated_at = ? WHERE id = ? AND status = 'closed'`,
			formatTime(closesAt), formatTime(closesAt), formatTime(now), id)
		if err != nil {
			return err
		}
		if p, err = pollGet(t, id); err == nil && !reopened {
			err = Errorf(ECONFLICT, "poll_error_already_open", map[string]any{"ID": id}, "poll %d is open", id)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// ClaimPollResult takes the duty to post a closed poll's result when
// nobody holds it, or when the holder has not posted within stale (it
// probably crashed). It reports whether the caller now holds it.
func (d *DB) ClaimPollResult(ctx context.Context, id int64, stale time.Duration) (bool, error) {
	now := d.Now()
	return d.pollExec1(ctx, `UPDATE polls SET result_claimed_at = ? WHERE id = ? AND status = 'closed'
		AND result_posted_at IS NULL AND (result_claimed_at IS NULL OR result_claimed_at <= ?)`,
		formatTime(now), id, formatTime(now.Add(-stale)))
}

// ReleasePollResult gives the duty back after a failed post, so that the
// next try need not wait for the claim to go stale.
func (d *DB) ReleasePollResult(ctx context.Context, id int64) error {
	_, err := d.pollExec1(ctx, `UPDATE polls SET result_claimed_at = NULL
		WHERE id = ? AND result_posted_at IS NULL`, id)
	return err
}

// MarkPollResultPosted records that the result was posted.
func (d *DB) MarkPollResultPosted(ctx context.Context, id int64) error {
	_, err := d.pollExec1(ctx, `UPDATE polls SET result_posted_at = ? WHERE id = ? AND status = 'closed'`,
		formatTime(d.Now()), id)
	return err
}

// ClaimPollReminder takes the duty to remind non-voters of an open poll,
// once: it reports whether this call got it.
func (d *DB) ClaimPollReminder(ctx context.Context, id int64) (bool, error) {
	return d.pollExec1(ctx, `UPDATE polls SET reminded_at = ? WHERE id = ? AND status = 'open'
		AND remind_before > 0 AND reminded_at IS NULL`, formatTime(d.Now()), id)
}

// ReleasePollReminder undoes ClaimPollReminder after a failed send.
func (d *DB) ReleasePollReminder(ctx context.Context, id int64) error {
	_, err := d.pollExec1(ctx, "UPDATE polls SET reminded_at = NULL WHERE id = ?", id)
	return err
}

// pollExec1 runs one update in its own transaction and reports whether it
// changed a row.
func (d *DB) pollExec1(ctx context.Context, q string, args ...any) (bool, error) {
	var changed bool
	err := d.write(ctx, func(t *tx) (err error) {
		changed, err = t.exec1(q, args...)
		return err
	})
	return changed, err
}

// NonVoters returns the active members who have not voted in the poll.
func (d *DB) NonVoters(ctx context.Context, pollID int64) ([]*Member, error) {
	voted, err := d.pollVoterSet(ctx, pollID)
	if err != nil {
		return nil, err
	}
	members, _, err := d.FindMembers(ctx, MemberFilter{})
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(members, func(m *Member) bool { return voted[m.ID] }), nil
}

// pollVoterSet returns who voted in the poll, or ErrNotFound for a poll
// that does not exist (rather than an empty set).
func (d *DB) pollVoterSet(ctx context.Context, pollID int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	err := d.read(ctx, func(t *tx) error {
		if err := pollExists(t, pollID); err != nil {
			return err
		}
		return t.each("SELECT member_id FROM poll_voters WHERE poll_id = ?", func(rows *sql.Rows) error {
			var id int64
			err := rows.Scan(&id)
			out[id] = true
			return err
		}, pollID)
	})
	return out, err
}

// Turnout is how many of the active members voted in a poll.
type Turnout struct {
	Voters  int // active members who voted
	Members int // active members
}

// PollTurnout counts, in one snapshot, the active members and those of
// them who voted in the poll. A member who voted and then left still
// counts in the tally (Poll.Voters and the options' votes: the ballot was
// cast) but not in the turnout, which is a share of today's members and
// so never exceeds them.
func (d *DB) PollTurnout(ctx context.Context, pollID int64) (Turnout, error) {
	var out Turnout
	err := d.read(ctx, func(t *tx) (err error) {
		out, err = pollTurnoutTx(t, pollID)
		return err
	})
	return out, err
}

func pollTurnoutTx(t *tx, pollID int64) (Turnout, error) {
	var out Turnout
	var gone int
	err := t.queryRow("SELECT voters FROM polls WHERE id = ?", pollID).Scan(&out.Voters)
	if errors.Is(err, sql.ErrNoRows) {
		return Turnout{}, pollErrNotFound(pollID)
	}
	if err != nil {
		return Turnout{}, err
	}
	// Both counts avoid a scan per member or per voter, as the turnout is
	// shown after every vote: organizations.active_members is kept by
	// triggers on members (0001_init.sql), and the members who left are
	// few and indexed (0005_poll_turnout.sql).
	if err := t.queryRow("SELECT coalesce(sum(active_members), 0) FROM organizations WHERE active_members > 0").
		Scan(&out.Members); err != nil {
		return Turnout{}, err
	}
	// CROSS JOIN keeps members_left as the outer loop, which the planner,
	// without statistics, would not choose.
	if err := t.queryRow(`SELECT count(*) FROM members m CROSS JOIN poll_voters v
		ON v.poll_id = ? AND v.member_id = m.id WHERE m.left_at IS NOT NULL`, pollID).Scan(&gone); err != nil {
		return Turnout{}, err
	}
	out.Voters -= gone
	return out, nil
}

func pollExists(t *tx, pollID int64) error {
	var n int
	if err := t.queryRow("SELECT count(*) FROM polls WHERE id = ?", pollID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return pollErrNotFound(pollID)
	}
	return nil
}

func pollErrNoOption(pollID int64) *Error {
	return Errorf(ENOTFOUND, "poll_error_option_not_found", map[string]any{"ID": pollID}, "no such option in poll %d", pollID)
}
