package storage

import (
	"database/sql"
	"errors"
	"time"
)

// Row mapping of the poll tables: their columns, and a poll read with its options.

const pollColumns = `p.id, p.question, p.language, p.max_votes, p.anonymous, p.allow_member_options,
	p.closes_at, p.remind_before, p.reminded_at, p.status, p.closed_at, p.result_claimed_at,
	p.result_posted_at, p.meeting_id, p.creator_platform, p.creator_id, p.channel, p.created_at,
	p.updated_at, p.voters`

type pollScanner interface{ Scan(dest ...any) error }

func pollScan(r pollScanner) (*Poll, error) {
	var p Poll
	var closes, reminded, closed, claimed, posted, created, updated sql.NullString
	var meeting sql.NullInt64
	var remind int64
	err := r.Scan(&p.ID, &p.Question, &p.Language, &p.MaxVotes, &p.Anonymous, &p.AllowMemberOptions,
		&closes, &remind, &reminded, &p.Status, &closed, &claimed, &posted, &meeting,
		&p.Creator.Platform, &p.Creator.ID, &p.Channel, &created, &updated, &p.Voters)
	if err != nil {
		return nil, err
	}
	p.RemindBefore = time.Duration(remind) * time.Second
	p.MeetingID = meeting.Int64
	for dst, src := range map[*time.Time]sql.NullString{&p.ClosesAt: closes, &p.RemindedAt: reminded,
		&p.ClosedAt: closed, &p.ResultClaimedAt: claimed, &p.ResultPostedAt: posted,
		&p.CreatedAt: created, &p.UpdatedAt: updated} {
		if *dst, err = parseTime(src); err != nil {
			return nil, err
		}
	}
	return &p, nil
}

// pollGet reads one poll with its options and tally inside tx.
func pollGet(t *tx, id int64) (*Poll, error) {
	p, err := pollScan(t.queryRow("SELECT "+pollColumns+" FROM polls p WHERE p.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, pollErrNotFound(id)
	}
	if err != nil {
		return nil, err
	}
	p.Options, err = pollOptions(t, id)
	return p, err
}

func pollOptions(t *tx, pollID int64) ([]PollOption, error) {
	var out []PollOption
	err := t.each(`SELECT id, position, label, coalesce(added_by, 0), votes
		FROM poll_options WHERE poll_id = ? ORDER BY position`, func(rows *sql.Rows) error {
		var o PollOption
		err := rows.Scan(&o.ID, &o.Position, &o.Label, &o.AddedBy, &o.Votes)
		out = append(out, o)
		return err
	}, pollID)
	return out, err
}
