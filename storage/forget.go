package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"
	"unicode/utf8"
)

// Forgetting a person (Privacy Act practice for a Protected A roster):
// their profile, identities, contacts and history go, while the figures
// others rely on stay true.
//
//   - Their ballots stay counted (the options' counters and polls.voters)
//     but no row links one to them: their poll_voters and votes rows go,
//     and polls.forgotten_voters keeps the turnout right (0030).
//   - Their joins and departures stay in membership_events, under a
//     pseudonym shared by their own events only (a negative number no
//     member has), so a report over a past period still counts them by
//     order, jurisdiction, organization and date.
//   - Their RSVPs, coordinator role and member row go; rows they are named
//     in as creator, adder, recorder or actor keep the row and lose the
//     name; invitations they accepted lose the link and the contact text.
//   - Finally every text column of every table but members and
//     organizations is scrubbed of their name, email and platform ids
//     (whole words, any case), since free text (a meeting title, an
//     invitation's contact, a platform's error message) may hold them.
//     Words shorter than three characters are left alone: erasing every
//     "Al" or console id "a" would destroy other people's text.

// erased replaces what forgetting takes out of a text.
const erased = "[erased]"

// person is whom forget erases.
type person struct {
	memberID int64 // 0: no member (a coordinator named by identity only)
	ids      []Identity
	name     string
	email    string
}

// personOf is member r with every identity they hold (identities.go).
func (t *tx) personOf(r *memberRow) (person, error) {
	ids, err := t.memberIdentities(r.ID)
	return person{memberID: r.ID, name: r.Name, email: r.Email, ids: ids}, err
}

// words are the texts that name p, for scrub.
func (p person) words() []string {
	out := []string{p.name, p.email}
	for _, id := range p.ids {
		out = append(out, id.ID)
	}
	return out
}

func (p person) holds(id Identity) bool {
	for _, mine := range p.ids {
		if mine.Same(id) {
			return true
		}
	}
	return false
}

// ForgetMember erases member id (active or former) as the comment at the
// top of forget.go says, in one write transaction, and records it in the
// audit log (AuditMemberForget, reason "request") without naming them;
// when they ask it themselves, the entry names no actor either. It cannot
// be undone: the caller asks the person to confirm first. ErrNotFound if
// there is no such member.
func (d *DB) ForgetMember(ctx context.Context, id int64) error {
	return d.write(ctx, func(t *tx) error {
		r, err := t.queryMember(memberSelect+" WHERE m.id = ?", id)
		if err != nil {
			return err
		}
		if r == nil {
			return ErrNotFound
		}
		p, err := t.personOf(r)
		if err != nil {
			return err
		}
		return t.forgetAll([]person{p}, &AuditEntry{Action: AuditMemberForget, Target: "member",
			Detail: map[string]string{"reason": "request"}}, p)
	})
}

// ForgetIdentity is ForgetMember for the member holding id, active or
// former; for an identity no member holds (a coordinator who never
// joined), it erases that identity's traces the same way. An identity of
// an unknown platform or without id is EINVALID error_identity_invalid.
func (d *DB) ForgetIdentity(ctx context.Context, id Identity) error {
	if err := checkIdentity(id); err != nil {
		return err
	}
	id.Workspace = "" // whoever holds the user id
	return d.write(ctx, func(t *tx) error {
		r, err := t.queryHolder(id)
		if err != nil {
			return err
		}
		p := person{ids: []Identity{id}}
		if r != nil {
			if p, err = t.personOf(r); err != nil {
				return err
			}
		}
		return t.forgetAll([]person{p}, &AuditEntry{Action: AuditMemberForget, Target: "member",
			Detail: map[string]string{"reason": "request"}}, p)
	})
}

// PurgeFormerMembers erases, as ForgetMember does, every member who left
// before leftBefore (the retention setting: former members' profiles are
// kept that long for the reports, then erased), in one write transaction
// with one audit entry (AuditMembersPurge, with the count and the
// cut-off). It returns how many were erased.
func (d *DB) PurgeFormerMembers(ctx context.Context, leftBefore time.Time) (int, error) {
	var n int
	err := d.write(ctx, func(t *tx) error {
		var rows []*memberRow
		err := t.each(memberSelect+" WHERE m.left_at IS NOT NULL AND m.left_at < ? ORDER BY m.id", func(rs *sql.Rows) error {
			r, err := scanMember(rs)
			rows = append(rows, r)
			return err
		}, formatTime(leftBefore))
		if err != nil || len(rows) == 0 {
			return err
		}
		people := make([]person, len(rows))
		for i, r := range rows {
			if people[i], err = t.personOf(r); err != nil {
				return err
			}
		}
		n = len(people)
		return t.forgetAll(people, &AuditEntry{Action: AuditMembersPurge,
			Detail: map[string]string{"members": fmt.Sprint(n), "left_before": formatTime(leftBefore).(string)}}, person{})
	})
	return n, err
}

// forgetAll erases people, scrubs the texts that name them, and records
// entry in the audit log; an actor who is self (the person forgotten) is
// not named in it.
func (t *tx) forgetAll(people []person, entry *AuditEntry, self person) error {
	var words []string
	for _, p := range people {
		if err := t.forget(p); err != nil {
			return err
		}
		words = append(words, p.words()...)
	}
	if err := t.scrub(words); err != nil {
		return err
	}
	if a, ok := ActorFrom(t.ctx); ok && self.holds(a.Identity) {
		entry.ActorName = "(the member, forgotten)"
	}
	return t.audit(entry)
}

// forget erases p's rows and the links to them (see the top of the file).
func (t *tx) forget(p person) error {
	now := formatTime(t.d.now())
	var stmts []struct {
		q    string
		args []any
	}
	add := func(q string, args ...any) {
		stmts = append(stmts, struct {
			q    string
			args []any
		}{q, args})
	}
	if id := p.memberID; id != 0 {
		var pseudonym int64
		if err := t.queryRow("SELECT coalesce(min(member_id), 0) - 1 FROM membership_events WHERE member_id < 0").
			Scan(&pseudonym); err != nil {
			return err
		}
		// Leaving first records, by trigger, until when they counted.
		add("UPDATE members SET left_at = ?, updated_at = ? WHERE id = ? AND left_at IS NULL", now, now, id)
		add("UPDATE membership_events SET member_id = ? WHERE member_id = ?", pseudonym, id)
		add(`UPDATE polls SET forgotten_voters = forgotten_voters + 1
			WHERE id IN (SELECT poll_id FROM poll_voters WHERE member_id = ?)`, id)
		add("DELETE FROM votes WHERE member_id = ?", id)
		add("DELETE FROM poll_voters WHERE member_id = ?", id)
		add("UPDATE poll_options SET added_by = NULL WHERE added_by = ?", id)
		add("DELETE FROM rsvps WHERE member_id = ?", id)
		add("UPDATE invitations SET member_id = NULL, contact = ? WHERE member_id = ?", erased, id)
		add("UPDATE audit SET member_id = NULL, target = 'member' WHERE member_id = ? OR target = ?", id, memberTarget(id))
		add("DELETE FROM identities WHERE member_id = ?", id)
		add("DELETE FROM members WHERE id = ?", id)
	}
	for _, id := range p.ids {
		s := id.String()
		add("DELETE FROM coordinators WHERE platform = ? AND id = ?", id.Platform, id.ID)
		add("UPDATE coordinators SET added_by = '' WHERE added_by = ?", s)
		add("UPDATE meetings SET created_by = '', created_by_name = '' WHERE created_by = ?", s)
		add("UPDATE polls SET creator_id = '' WHERE creator_platform = ? AND creator_id = ?", id.Platform, id.ID)
		add("UPDATE meeting_records SET updated_by = '' WHERE updated_by = ?", s)
		add("UPDATE invitations SET created_by = '' WHERE created_by = ?", s)
		add("UPDATE audit SET actor = '', actor_name = ? WHERE actor = ?", erased, s)
		add("UPDATE audit SET target = ? WHERE target = ?", erased, s)
	}
	for _, st := range stmts {
		if _, err := t.exec(st.q, st.args...); err != nil {
			return fmt.Errorf("forget: %.50s…: %w", st.q, err)
		}
	}
	return nil
}

// minScrubWord is the shortest word scrub erases, in characters.
const minScrubWord = 3

// scrub replaces, in every text column of every table but members,
// organizations and storage's own bookkeeping, each whole-word occurrence
// of words (any case) by erased. A row whose primary key would change (a
// WITHOUT ROWID table keyed by a text naming the person, such as a
// delivery key) is deleted instead: its key was about them.
func (t *tx) scrub(words []string) error {
	var keep []string
	for _, w := range words {
		if utf8.RuneCountInString(w) >= minScrubWord {
			keep = append(keep, w)
		}
	}
	if len(keep) == 0 {
		return nil
	}
	m := newWordEraser(keep)
	tables, err := t.textTables()
	if err != nil {
		return err
	}
	for _, tb := range tables {
		if err := t.scrubTable(tb, m); err != nil {
			return fmt.Errorf("scrub %s: %w", tb.name, err)
		}
	}
	return nil
}
