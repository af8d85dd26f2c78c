package storage

import (
	"context"
	"database/sql"
	"errors"
	"slices"
)

// PollWithTurnout reads a poll and its turnout (see PollTurnout) in one
// snapshot, so that a card never shows counts from before a vote beside a
// turnout from after it ("1 vote" beside "No votes yet").
func (d *DB) PollWithTurnout(ctx context.Context, id int64) (*Poll, Turnout, error) {
	var p *Poll
	var out Turnout
	err := d.read(ctx, func(t *tx) (err error) {
		if p, err = pollGet(t, id); err != nil {
			return err
		}
		out, err = pollTurnoutTx(t, id)
		return err
	})
	if err != nil {
		return nil, Turnout{}, err
	}
	return p, out, nil
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
	if out.Members, gone, err = pollTurnoutCounts(t, pollID); err != nil {
		return Turnout{}, err
	}
	out.Voters -= gone
	return out, nil
}

// pollTurnoutCounts reads the active members, and the voters in the tally
// who are no members now: those who left, and those forgotten
// (ForgetMember), who still count in the tally but whose poll_voters rows
// are gone. Both counts avoid a scan per member or per voter, as
// the turnout is shown after every vote: organizations.active_members is
// kept by triggers on members (0001_init.sql), and the members who left
// are few and indexed (0005_poll_turnout.sql).
func pollTurnoutCounts(t *tx, pollID int64) (members, gone int, err error) {
	if err := t.queryRow("SELECT coalesce(sum(active_members), 0) FROM organizations WHERE active_members > 0").
		Scan(&members); err != nil {
		return 0, 0, err
	}
	// CROSS JOIN keeps members_left as the outer loop, which the planner,
	// without statistics, would not choose.
	if err := t.queryRow(`SELECT (SELECT count(*) FROM members m CROSS JOIN poll_voters v
		ON v.poll_id = ?1 AND v.member_id = m.id WHERE m.left_at IS NOT NULL)
		+ (SELECT forgotten_voters FROM polls WHERE id = ?1)`, pollID).Scan(&gone); err != nil {
		return 0, 0, err
	}
	return members, gone, nil
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
