package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// PollStatus is open or closed.
type PollStatus string

// Poll statuses.
const (
	PollOpen   PollStatus = "open"
	PollClosed PollStatus = "closed"
)

// Poll is a question put to the members, with its live tally.
type Poll struct {
	ID                 int64
	Question           string
	Language           string // language the question is written in
	Options            []PollOption
	MaxVotes           int // choices per member
	Anonymous          bool
	AllowMemberOptions bool
	ClosesAt           time.Time     // zero: closed by hand only
	RemindBefore       time.Duration // 0: no reminder to non-voters
	RemindedAt         time.Time
	Status             PollStatus
	ClosedAt           time.Time
	ResultClaimedAt    time.Time
	ResultPostedAt     time.Time
	MeetingID          int64 // 0: not linked
	Creator            Identity
	Channel            string
	Voters             int // members who voted
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// Open reports whether the poll takes votes.
func (p *Poll) Open() bool { return p.Status == PollOpen }

// pastDeadline reports whether the deadline has passed, even if the
// closing job has not run yet (it may be late): such a poll takes no more
// votes or options.
func (p *Poll) pastDeadline(now time.Time) bool {
	return !p.ClosesAt.IsZero() && !now.Before(p.ClosesAt)
}

// Option returns the option with that id.
func (p *Poll) Option(id int64) (PollOption, bool) {
	for _, o := range p.Options {
		if o.ID == id {
			return o, true
		}
	}
	return PollOption{}, false
}

// OptionAt returns the option at position (1-based).
func (p *Poll) OptionAt(position int) (PollOption, bool) {
	for _, o := range p.Options {
		if o.Position == position {
			return o, true
		}
	}
	return PollOption{}, false
}

// PollOption is one answer and its count.
type PollOption struct {
	ID       int64
	Position int // 1-based, the number members type
	Label    string
	AddedBy  int64 // member who added it; 0 for the creator's options
	Votes    int
}

// PollInput creates a poll.
type PollInput struct {
	Question           string
	Options            []string
	Language           string
	MaxVotes           int // 0 means 1
	Anonymous          bool
	AllowMemberOptions bool
	ClosesAt           time.Time
	RemindBefore       time.Duration
	MeetingID          int64
	Creator            Identity
	Channel            string
}

// PollUpdate changes the non-nil fields. Question, Options, MaxVotes and
// Anonymous change what people vote on and are refused once anyone voted;
// the deadline, reminder, member options and meeting may change while the
// poll is open. A zero *ClosesAt removes the deadline; a zero *MeetingID
// unlinks the meeting.
type PollUpdate struct {
	Question           *string
	Options            []string // nil: unchanged
	MaxVotes           *int
	Anonymous          *bool
	AllowMemberOptions *bool
	ClosesAt           *time.Time
	RemindBefore       *time.Duration
	MeetingID          *int64
}

func (u PollUpdate) changesBallot() bool {
	return u.Question != nil || u.Options != nil || u.MaxVotes != nil || u.Anonymous != nil
}

// PollFilter selects polls; zero fields do not filter. Results are newest
// first.
type PollFilter struct {
	Status    *PollStatus
	MeetingID *int64
	// Scheduled keeps open polls with a deadline.
	Scheduled bool
	// ResultPending keeps closed polls whose result is not posted yet.
	ResultPending bool
	Offset        int
	Limit         int // 0: no limit
}

// CreatePoll validates in and stores the poll, open.
func (d *DB) CreatePoll(ctx context.Context, in PollInput) (*Poll, error) {
	in, err := ValidatePoll(in)
	if err != nil {
		return nil, err
	}
	now := d.Now().UTC()
	if err := pollCheckDeadline(in.ClosesAt, in.RemindBefore, now); err != nil {
		return nil, err
	}
	var p *Poll
	err = d.write(ctx, func(t *tx) error {
		if err := pollCheckMeeting(t, in.MeetingID); err != nil {
			return err
		}
		id, err := pollInsert(t, in, now)
		if err != nil {
			return err
		}
		if err := pollInsertOptions(t, id, in.Options); err != nil {
			return err
		}
		if err := t.auditWork(&AuditEntry{Action: AuditPollCreate, Target: pollTarget(id)}); err != nil {
			return err
		}
		p, err = pollGet(t, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// pollCheckDeadline refuses a deadline in the past and a reminder that
// would fall before now.
func pollCheckDeadline(closes time.Time, remind time.Duration, now time.Time) error {
	if closes.IsZero() {
		return nil
	}
	if !closes.After(now) {
		return Errorf(EINVALID, "poll_error_closes_past", nil, "deadline %s is not after %s", closes, now)
	}
	if remind > 0 && !closes.Add(-remind).After(now) {
		return Errorf(EINVALID, "poll_error_remind_too_late", nil, "reminder would be due before now")
	}
	return nil
}

func pollCheckMeeting(t *tx, id int64) error {
	if id == 0 {
		return nil
	}
	var n int
	if err := t.queryRow("SELECT count(*) FROM meetings WHERE id = ?", id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return Errorf(EINVALID, "poll_error_meeting_not_found", map[string]any{"ID": id}, "no meeting %d", id)
	}
	return nil
}

func pollInsert(t *tx, in PollInput, now time.Time) (int64, error) {
	res, err := t.exec(`INSERT INTO polls (question, language, max_votes, anonymous,
		allow_member_options, closes_at, remind_before, meeting_id, creator_platform, creator_id,
		channel, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		in.Question, in.Language, in.MaxVotes, in.Anonymous, in.AllowMemberOptions,
		formatTime(in.ClosesAt), int64(in.RemindBefore/time.Second), nullIfZero(in.MeetingID),
		string(in.Creator.Platform), in.Creator.ID, in.Channel, formatTime(now), formatTime(now))
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

func pollInsertOptions(t *tx, pollID int64, labels []string) error {
	for i, l := range labels {
		if _, err := t.exec(`INSERT INTO poll_options (poll_id, position, label, label_key)
			VALUES (?, ?, ?, ?)`, pollID, i+1, l, PollFold(l)); err != nil {
			return err
		}
	}
	return nil
}

// PollByID returns the poll with its tally, or ErrNotFound.
func (d *DB) PollByID(ctx context.Context, id int64) (*Poll, error) {
	var p *Poll
	err := d.read(ctx, func(t *tx) (err error) {
		p, err = pollGet(t, id)
		return err
	})
	return p, err
}

// FindPolls returns the polls matching f, newest first, with their tallies.
func (d *DB) FindPolls(ctx context.Context, f PollFilter) ([]*Poll, error) {
	where, args := pollWhere(f)
	limit := f.Limit
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	var polls []*Poll
	err := d.read(ctx, func(t *tx) error {
		err := t.each("SELECT "+pollColumns+" FROM polls p"+where+" ORDER BY p.id DESC LIMIT ? OFFSET ?",
			func(rows *sql.Rows) error {
				p, err := pollScan(rows)
				polls = append(polls, p)
				return err
			}, append(args, limit, f.Offset)...)
		for _, p := range polls {
			if err != nil {
				break
			}
			p.Options, err = pollOptions(t, p.ID)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return polls, nil
}

func pollWhere(f PollFilter) (string, []any) {
	var conds []string
	var args []any
	if f.Status != nil {
		conds, args = append(conds, "p.status = ?"), append(args, string(*f.Status))
	}
	if f.MeetingID != nil {
		conds, args = append(conds, "p.meeting_id = ?"), append(args, *f.MeetingID)
	}
	if f.Scheduled {
		conds = append(conds, "p.status = 'open' AND p.closes_at IS NOT NULL")
	}
	if f.ResultPending {
		conds = append(conds, "p.status = 'closed' AND p.result_posted_at IS NULL")
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// UpdatePoll changes an open poll; see PollUpdate for what may change when.
// A poll past its deadline that the closing job has not closed yet may
// still change, so that a deadline can be pushed back at the last minute.
func (d *DB) UpdatePoll(ctx context.Context, id int64, upd PollUpdate) (*Poll, error) {
	return d.withOpenPoll(ctx, id, func(t *tx, p *Poll) error {
		if upd.changesBallot() && p.Voters > 0 {
			return Errorf(ECONFLICT, "poll_error_has_votes", map[string]any{"ID": id, "Count": p.Voters},
				"poll %d has votes", id)
		}
		in, err := pollApplyUpdate(p, upd)
		if err != nil {
			return err
		}
		if pollDeadlineChanged(upd) {
			if err := pollCheckDeadline(in.ClosesAt, in.RemindBefore, d.Now().UTC()); err != nil {
				return err
			}
		}
		if err := pollCheckMeeting(t, in.MeetingID); err != nil {
			return err
		}
		if err := pollSave(t, id, in, upd, d.Now().UTC()); err != nil {
			return err
		}
		return t.auditWork(&AuditEntry{Action: AuditPollUpdate, Target: pollTarget(id)})
	})
}

// withOpenPoll runs fn on open poll id in one write transaction and
// returns the poll as fn left it, read in the same transaction. fn sees
// the poll before the change; an error from it rolls everything back.
// Callers that refuse a poll past its deadline check that in fn.
func (d *DB) withOpenPoll(ctx context.Context, id int64, fn func(t *tx, p *Poll) error) (*Poll, error) {
	var p *Poll
	err := d.write(ctx, func(t *tx) (err error) {
		if p, err = pollGet(t, id); err != nil {
			return err
		}
		if !p.Open() {
			return pollErrClosed(id)
		}
		if err := fn(t, p); err != nil {
			return err
		}
		p, err = pollGet(t, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

func pollDeadlineChanged(u PollUpdate) bool { return u.ClosesAt != nil || u.RemindBefore != nil }

// pollApplyUpdate merges upd into p's current values and validates the
// result as a whole, so that e.g. fewer options than MaxVotes is refused.
func pollApplyUpdate(p *Poll, upd PollUpdate) (PollInput, error) {
	in := PollInput{Question: p.Question, Language: p.Language, MaxVotes: p.MaxVotes, Anonymous: p.Anonymous,
		AllowMemberOptions: p.AllowMemberOptions, ClosesAt: p.ClosesAt, RemindBefore: p.RemindBefore,
		MeetingID: p.MeetingID, Creator: p.Creator, Channel: p.Channel}
	for _, o := range p.Options {
		in.Options = append(in.Options, o.Label)
	}
	pollSet(&in.Question, upd.Question)
	pollSet(&in.MaxVotes, upd.MaxVotes)
	pollSet(&in.Anonymous, upd.Anonymous)
	pollSet(&in.AllowMemberOptions, upd.AllowMemberOptions)
	pollSet(&in.ClosesAt, upd.ClosesAt)
	pollSet(&in.RemindBefore, upd.RemindBefore)
	pollSet(&in.MeetingID, upd.MeetingID)
	if upd.Options != nil {
		in.Options = upd.Options
	}
	if in.ClosesAt.IsZero() {
		in.RemindBefore = 0
	}
	return ValidatePoll(in)
}

func pollSet[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

func pollSave(t *tx, id int64, in PollInput, upd PollUpdate, now time.Time) error {
	_, err := t.exec(`UPDATE polls SET question = ?, max_votes = ?, anonymous = ?,
		allow_member_options = ?, closes_at = ?, remind_before = ?, meeting_id = ?, updated_at = ?,
		reminded_at = CASE WHEN ? THEN NULL ELSE reminded_at END WHERE id = ?`,
		in.Question, in.MaxVotes, in.Anonymous, in.AllowMemberOptions, formatTime(in.ClosesAt),
		int64(in.RemindBefore/time.Second), nullIfZero(in.MeetingID), formatTime(now),
		pollDeadlineChanged(upd), id)
	if err != nil || upd.Options == nil {
		return err
	}
	if _, err := t.exec("DELETE FROM poll_options WHERE poll_id = ?", id); err != nil {
		return err
	}
	return pollInsertOptions(t, id, in.Options)
}

// pollTarget is the audit target of poll id.
func pollTarget(id int64) string { return fmt.Sprintf("poll:%d", id) }

// DeletePoll removes the poll, its options, votes and message records;
// the audit log records it (AuditPollDelete, with how many had voted).
func (d *DB) DeletePoll(ctx context.Context, id int64) error {
	return d.write(ctx, func(t *tx) error {
		var voters int
		err := t.queryRow("SELECT voters FROM polls WHERE id = ?", id).Scan(&voters)
		if errors.Is(err, sql.ErrNoRows) {
			return pollErrNotFound(id)
		} else if err != nil {
			return err
		}
		if _, err := t.exec("DELETE FROM polls WHERE id = ?", id); err != nil {
			return err
		}
		return t.audit(&AuditEntry{Action: AuditPollDelete, Target: pollTarget(id),
			Detail: map[string]string{"voters": fmt.Sprint(voters)}})
	})
}

// AddPollOption adds a member's option to an open poll that allows it
// (memberID 0: the creator or a coordinator, allowed on any open poll).
func (d *DB) AddPollOption(ctx context.Context, pollID int64, label string, memberID int64) (*Poll, error) {
	return d.withOpenPoll(ctx, pollID, func(t *tx, p *Poll) error {
		if p.pastDeadline(d.Now()) {
			return pollErrClosed(pollID)
		}
		if err := pollCanAdd(p, memberID); err != nil {
			return err
		}
		labels := make([]string, 0, len(p.Options)+1)
		for _, o := range p.Options {
			labels = append(labels, o.Label)
		}
		labels, err := ValidatePollOptions(append(labels, label))
		if err != nil {
			return err
		}
		label = labels[len(labels)-1]
		_, err = t.exec(`INSERT INTO poll_options (poll_id, position, label, label_key, added_by)
			VALUES (?, ?, ?, ?, ?)`, pollID, len(p.Options)+1, label, PollFold(label), nullIfZero(memberID))
		if err != nil || memberID != 0 {
			return err // a member's own option is theirs, not a coordinator's action
		}
		return t.auditWork(&AuditEntry{Action: AuditPollOptionAdd, Target: pollTarget(pollID)})
	})
}

func pollCanAdd(p *Poll, memberID int64) error {
	switch {
	case !p.Open():
		return pollErrClosed(p.ID)
	case memberID != 0 && !p.AllowMemberOptions:
		return Errorf(EFORBIDDEN, "poll_error_options_closed", map[string]any{"ID": p.ID},
			"poll %d does not take members' options", p.ID)
	case len(p.Options) >= PollMaxOptions:
		return Errorf(EINVALID, "poll_error_option_count",
			map[string]any{"Min": PollMinOptions, "Max": PollMaxOptions, "Count": len(p.Options) + 1},
			"poll %d is full", p.ID)
	}
	return nil
}

func pollErrNotFound(id int64) *Error {
	return Errorf(ENOTFOUND, "poll_error_not_found", map[string]any{"ID": id}, "no poll %d", id)
}

func pollErrClosed(id int64) *Error {
	return Errorf(ECONFLICT, "poll_error_closed", map[string]any{"ID": id}, "poll %d is closed", id)
}
