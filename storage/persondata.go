package storage

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"time"
)

// PersonData is everything copbot holds about one person ("/cop my data"),
// for the edge to render. Ballots of anonymous polls say only that the
// person voted: nothing links them to their choices.
type PersonData struct {
	Member      *Member    // their member row, active or former; nil if none
	Identities  []Identity // the platform identities held for them
	Coordinator []CoordinatorRole
	Ballots     []PersonBallot // every poll they voted in
	Votes       []PersonVote   // their choices, in polls that are not anonymous
	Options     []PersonOption // options they added to polls
	RSVPs       []PersonRSVP
	Meetings    []PersonMeeting // meetings they added
	Polls       []PersonPoll    // polls they created
	Invitations []*Invitation   // outreach invitations their joining accepted
	History     []MembershipEvent
	// Email is their own choice about email (Set false: the default), its
	// unsubscribe secret left out.
	Email EmailPref
	Audit []*AuditEntry // entries about them or by them, newest first
}

// CoordinatorRole is a coordinator role given at run time (those of the
// config are not stored).
type CoordinatorRole struct {
	Identity Identity
	AddedBy  string // identity of who gave it, "" if unknown
	AddedAt  time.Time
}

// PersonBallot says that the person voted in a poll, and how many choices
// they used.
type PersonBallot struct {
	PollID    int64
	Question  string
	Anonymous bool
	Choices   int
	VotedAt   time.Time // zero for anonymous polls, which keep no time
}

// PersonVote is one choice in a poll that is not anonymous.
type PersonVote struct {
	PollID   int64
	Question string
	Option   string
	VotedAt  time.Time
}

// PersonOption is an option the person added to a poll.
type PersonOption struct {
	PollID int64
	Label  string
}

// PersonRSVP is the person's answer to a meeting.
type PersonRSVP struct {
	MeetingID int64
	Title     string
	StartsAt  time.Time
	Answer    RSVPAnswer
	UpdatedAt time.Time
}

// PersonMeeting is a meeting the person added.
type PersonMeeting struct {
	ID        int64
	Title     string
	StartsAt  time.Time
	CreatedAt time.Time
}

// PersonPoll is a poll the person created.
type PersonPoll struct {
	ID        int64
	Question  string
	CreatedAt time.Time
}

// PersonData gathers, in one snapshot, everything held about the person
// with identity id: their member row (active or former) and everything
// linked to it or to any of its identities; for an identity no member
// holds, what is linked to that identity. When a coordinator asks for
// someone else's data, the audit log records it (AuditPersonData) before
// the data is returned. An identity of an unknown platform or without id
// is EINVALID error_identity_invalid.
func (d *DB) PersonData(ctx context.Context, id Identity) (*PersonData, error) {
	if err := checkIdentity(id); err != nil {
		return nil, err
	}
	var out PersonData
	err := d.read(ctx, func(t *tx) error {
		r, err := t.queryHolder(Identity{Platform: id.Platform, ID: id.ID})
		if err != nil {
			return err
		}
		p := person{ids: []Identity{id}}
		if r != nil {
			if p, err = t.personOf(r); err != nil {
				return err
			}
			out.Member = &r.Member
		}
		out.Identities = p.ids
		return t.personData(p, &out)
	})
	if err != nil {
		return nil, err
	}
	if a, ok := ActorFrom(ctx); ok && a.Coordinator && !a.Identity.Same(id) {
		e := AuditEntry{Action: AuditPersonData, Target: id.String()}
		if out.Member != nil {
			e.Target, e.MemberID = memberTarget(out.Member.ID), out.Member.ID
		}
		if _, err := d.RecordAudit(ctx, e); err != nil {
			return nil, err
		}
	}
	return &out, nil
}

// personData reads what is linked to p into out.
func (t *tx) personData(p person, out *PersonData) error {
	if id := p.memberID; id != 0 {
		if err := t.personMemberData(id, out); err != nil {
			return err
		}
	}
	for _, id := range p.ids {
		if err := t.personIdentityData(id, out); err != nil {
			return err
		}
	}
	return nil
}

func (t *tx) personMemberData(id int64, out *PersonData) error {
	steps := []func() error{
		func() error {
			return t.each(`SELECT p.id, p.question, p.anonymous, v.choices, v.voted_at FROM poll_voters v
				JOIN polls p ON p.id = v.poll_id WHERE v.member_id = ? ORDER BY p.id`, func(rows *sql.Rows) error {
				var b PersonBallot
				var at sql.NullString
				if err := rows.Scan(&b.PollID, &b.Question, &b.Anonymous, &b.Choices, &at); err != nil {
					return err
				}
				out.Ballots = append(out.Ballots, b)
				return parseTimes(parsed{&out.Ballots[len(out.Ballots)-1].VotedAt, at})
			}, id)
		},
		func() error {
			return t.each(`SELECT p.id, p.question, o.label, v.voted_at FROM votes v JOIN polls p ON p.id = v.poll_id
				JOIN poll_options o ON o.id = v.option_id WHERE v.member_id = ? ORDER BY p.id, o.position`, func(rows *sql.Rows) error {
				var v PersonVote
				var at sql.NullString
				if err := rows.Scan(&v.PollID, &v.Question, &v.Option, &at); err != nil {
					return err
				}
				out.Votes = append(out.Votes, v)
				return parseTimes(parsed{&out.Votes[len(out.Votes)-1].VotedAt, at})
			}, id)
		},
		func() error {
			return t.each("SELECT poll_id, label FROM poll_options WHERE added_by = ? ORDER BY poll_id, position",
				func(rows *sql.Rows) error {
					var o PersonOption
					err := rows.Scan(&o.PollID, &o.Label)
					out.Options = append(out.Options, o)
					return err
				}, id)
		},
		func() error {
			return t.each(`SELECT m.id, m.title, m.starts_at, r.answer, r.updated_at FROM rsvps r
				JOIN meetings m ON m.id = r.meeting_id WHERE r.member_id = ? ORDER BY m.starts_at, m.id`, func(rows *sql.Rows) error {
				var v PersonRSVP
				var start, updated sql.NullString
				if err := rows.Scan(&v.MeetingID, &v.Title, &start, &v.Answer, &updated); err != nil {
					return err
				}
				out.RSVPs = append(out.RSVPs, v)
				last := &out.RSVPs[len(out.RSVPs)-1]
				return parseTimes(parsed{&last.StartsAt, start}, parsed{&last.UpdatedAt, updated})
			}, id)
		},
		func() (err error) {
			out.Invitations, err = t.queryInvitations("member_id = ?", id)
			return err
		},
		func() error {
			return t.each(`SELECT member_id, kind, at, organization_id, ord, jurisdiction FROM membership_events
				WHERE member_id = ? ORDER BY at, id`, func(rows *sql.Rows) error {
				e, err := scanEvent(rows, false)
				out.History = append(out.History, e)
				return err
			}, id)
		},
		func() error { return t.personAudit("member_id = ?", id, out) },
		func() error {
			p, err := t.emailPref(id)
			if err == sql.ErrNoRows {
				return nil
			}
			p.Token = ""
			out.Email = p
			return err
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

func (t *tx) personIdentityData(id Identity, out *PersonData) error {
	s := id.String()
	err := t.each("SELECT added_by, added_at FROM coordinators WHERE platform = ? AND id = ?", func(rows *sql.Rows) error {
		c := CoordinatorRole{Identity: id}
		var at sql.NullString
		if err := rows.Scan(&c.AddedBy, &at); err != nil {
			return err
		}
		var err error
		c.AddedAt, err = parseTime(at)
		out.Coordinator = append(out.Coordinator, c)
		return err
	}, id.Platform, id.ID)
	if err != nil {
		return err
	}
	err = t.each("SELECT id, title, starts_at, created_at FROM meetings WHERE created_by = ? ORDER BY id", func(rows *sql.Rows) error {
		var m PersonMeeting
		var start, created sql.NullString
		if err := rows.Scan(&m.ID, &m.Title, &start, &created); err != nil {
			return err
		}
		err := parseTimes(parsed{&m.StartsAt, start}, parsed{&m.CreatedAt, created})
		out.Meetings = append(out.Meetings, m)
		return err
	}, s)
	if err != nil {
		return err
	}
	err = t.each("SELECT id, question, created_at FROM polls WHERE creator_platform = ? AND creator_id = ? ORDER BY id",
		func(rows *sql.Rows) error {
			var p PersonPoll
			var created sql.NullString
			if err := rows.Scan(&p.ID, &p.Question, &created); err != nil {
				return err
			}
			var err error
			p.CreatedAt, err = parseTime(created)
			out.Polls = append(out.Polls, p)
			return err
		}, id.Platform, id.ID)
	if err != nil {
		return err
	}
	if err := t.personAudit("actor = ?", s, out); err != nil {
		return err
	}
	return t.personAudit("target = ?", s, out)
}

// personAudit adds the audit entries matching where (one parameter) that
// out does not hold yet, keeping newest first.
func (t *tx) personAudit(where string, arg any, out *PersonData) error {
	seen := map[int64]bool{}
	for _, e := range out.Audit {
		seen[e.ID] = true
	}
	err := t.each(`SELECT id, at, actor, actor_name, coordinator, action, target, coalesce(member_id, 0), detail
		FROM audit WHERE `+where+" ORDER BY id DESC", func(rows *sql.Rows) error {
		e, err := scanAudit(rows)
		if err == nil && !seen[e.ID] {
			out.Audit = append(out.Audit, e)
		}
		return err
	}, arg)
	slices.SortFunc(out.Audit, func(a, b *AuditEntry) int { return cmp.Compare(b.ID, a.ID) })
	return err
}
