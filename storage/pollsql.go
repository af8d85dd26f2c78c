package storage

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Row mapping and transaction plumbing of the poll tables.

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

func pollScanAll(rows *sql.Rows) ([]*Poll, error) {
	defer rows.Close()
	var out []*Poll
	for rows.Next() {
		p, err := pollScan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// pollGet reads one poll with its options and tally inside tx.
func pollGet(t pollTx, id int64) (*Poll, error) {
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

func pollOptions(t pollTx, pollID int64) ([]PollOption, error) {
	rows, err := t.query(`SELECT id, position, label, coalesce(added_by, 0), votes
		FROM poll_options WHERE poll_id = ? ORDER BY position`, pollID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PollOption
	for rows.Next() {
		var o PollOption
		if err := rows.Scan(&o.ID, &o.Position, &o.Label, &o.AddedBy, &o.Votes); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// pollTx is a transaction that runs its queries through the DB's
// statement cache: a vote runs about ten statements, and parsing them once
// per connection instead of once per call halves its cost. Query texts
// passed here must be constants (or one of a few built from constants).
type pollTx struct {
	ctx context.Context
	d   *DB
	tx  *sql.Tx
}

// pollBegin starts a write (immediate) or read-only transaction.
func (d *DB) pollBegin(ctx context.Context, readOnly bool) (pollTx, error) {
	var tx *sql.Tx
	var err error
	if readOnly {
		tx, err = d.beginRead(ctx)
	} else {
		tx, err = d.db.BeginTx(ctx, nil)
	}
	return pollTx{ctx: ctx, d: d, tx: tx}, err
}

func (t pollTx) exec(q string, args ...any) (sql.Result, error) {
	st, err := t.d.stmt(t.ctx, t.tx, q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(t.ctx, args...)
}

func (t pollTx) query(q string, args ...any) (*sql.Rows, error) {
	st, err := t.d.stmt(t.ctx, t.tx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(t.ctx, args...)
}

// pollRow is a *sql.Row that may carry a preparation error instead.
type pollRow struct {
	row *sql.Row
	err error
}

func (r pollRow) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	return r.row.Scan(dest...)
}

func (t pollTx) queryRow(q string, args ...any) pollRow {
	st, err := t.d.stmt(t.ctx, t.tx, q)
	if err != nil {
		return pollRow{err: err}
	}
	return pollRow{row: st.QueryRowContext(t.ctx, args...)}
}
