package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// memberSelect reads a member with its organization's name; scanMember
// reads its columns in this order.
const memberSelect = `SELECT m.id, m.name, m.email, o.name, m.ord, m.jurisdiction, m.title, m.language,
	m.slack_id, m.teams_id, m.console_id, m.joined_at, m.left_at, m.updated_at, m.organization_id, m.name_key, m.plain
FROM members m JOIN organizations o ON o.id = m.organization_id`

// platformColumns maps each platform to its member column, in the order of
// memberRow.ids.
var platformColumns = [...]struct {
	platform Platform
	column   string
}{{PlatformSlack, "slack_id"}, {PlatformTeams, "teams_id"}, {PlatformConsole, "console_id"}}

// platformColumn returns the members column holding ids of platform p.
func platformColumn(p Platform) (string, bool) {
	i, ok := platformIndex(p)
	return platformColumns[i].column, ok
}

// memberRow is a member as stored, with its organization id.
type memberRow struct {
	Member
	orgID   int64
	nameKey string // foldKey(Name)
}

// ids returns the platform ids in platformColumns order.
func (r *memberRow) ids() [3]string { return [3]string{r.SlackID, r.TeamsID, r.ConsoleID} }

type memberScanner interface{ Scan(dest ...any) error }

func scanMember(s memberScanner) (*memberRow, error) {
	var r memberRow
	var email, slack, teams, console, joined, left, updated sql.NullString
	err := s.Scan(&r.ID, &r.Name, &email, &r.Organization, &r.Order, &r.Jurisdiction, &r.Title, &r.Language,
		&slack, &teams, &console, &joined, &left, &updated, &r.orgID, &r.nameKey, &r.Plain)
	if err != nil {
		return nil, err
	}
	r.Email, r.SlackID, r.TeamsID, r.ConsoleID = email.String, slack.String, teams.String, console.String
	if r.JoinedAt, err = parseTime(joined); err != nil {
		return nil, err
	}
	if r.LeftAt, err = parseTime(left); err != nil {
		return nil, err
	}
	r.UpdatedAt, err = parseTime(updated)
	return &r, err
}

// queryMember runs a memberSelect query expected to match at most one row;
// it returns nil, nil when nothing matches.
func (t *tx) queryMember(query string, args ...any) (*memberRow, error) {
	r, err := scanMember(t.queryRow(query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return r, err
}

// MemberByIdentity returns the ACTIVE member with that platform identity, or
// ErrNotFound (also for an unknown platform).
func (d *DB) MemberByIdentity(ctx context.Context, id Identity) (*Member, error) {
	col, ok := platformColumn(id.Platform)
	if !ok || id.ID == "" {
		return nil, ErrNotFound
	}
	var r *memberRow
	err := d.read(ctx, func(t *tx) (err error) {
		r, err = t.queryMember(memberSelect+" WHERE m."+col+" = ? AND m.left_at IS NULL", id.ID)
		return err
	})
	return memberOrNotFound(r, err)
}

// MemberByID returns the member with that id, active or not, or ErrNotFound.
func (d *DB) MemberByID(ctx context.Context, id int64) (*Member, error) {
	var r *memberRow
	err := d.read(ctx, func(t *tx) (err error) {
		r, err = t.queryMember(memberSelect+" WHERE m.id = ?", id)
		return err
	})
	return memberOrNotFound(r, err)
}

func memberOrNotFound(r *memberRow, err error) (*Member, error) {
	switch {
	case err != nil:
		return nil, err
	case r == nil:
		return nil, ErrNotFound
	}
	return &r.Member, nil
}

// JoinMember creates or updates (never duplicates) the member, for a person
// joining by themselves.
//
// A join from chat (in has a SlackID, TeamsID or ConsoleID) is keyed ONLY
// by its platform ids: the member holding them is updated (and reactivated),
// else a new member is created. A newcomer whose email, or name and
// organization, already belong to a member gets ECONFLICT
// error_claim_existing {Name, Field ("email" or "name"), Identity} and
// nothing changes: otherwise typing someone's roster details would take
// over their row. A coordinator attaches the account instead (LinkMember).
// An email of another member, platform ids of two members, or a member
// holding another id on one of in's platforms give ECONFLICT
// error_identity_taken.
//
// A join with no platform id (tools, tests) follows ImportMembers's rules:
// by email (case-insensitive), else by name and organization (folded:
// case, accents, spaces; the organization includes its order and
// jurisdiction), where a namesake with a different platform id or email is
// another person.
//
// Joining updates the required fields; empty optional fields (email, title,
// language, platform ids) keep their stored values; an empty language is "en"
// for a new member. A former member who joins again is reactivated: LeftAt
// cleared, JoinedAt kept. Member.Organization is spelled as the organization
// was first written ("ServiceOntario" stays so when someone types
// "serviceontario").
func (d *DB) JoinMember(ctx context.Context, in MemberInput) (m *Member, created bool, err error) {
	in, err = normalizeMember(in)
	if err != nil {
		return nil, false, err
	}
	var r *memberRow
	var oc outcome
	err = d.write(ctx, func(t *tx) (err error) {
		w := newMemberTx(t, &sqlIndex{t})
		w.ownOnly = true
		r, oc, err = w.upsert(in)
		return err
	})
	if err != nil {
		return nil, false, err
	}
	return &r.Member, oc == outcomeCreated, nil
}

// UpdateMember changes the non-nil fields of upd on the member with that id
// (active or not) and returns the result. The whole member is validated as
// ValidateMember does; an empty Email or Title clears it and an empty
// Language means "en". Nothing is written when nothing changes.
func (d *DB) UpdateMember(ctx context.Context, id int64, upd MemberUpdate) (*Member, error) {
	var r *memberRow
	err := d.write(ctx, func(t *tx) error {
		w := newMemberTx(t, &sqlIndex{t})
		old, err := w.idx.byID(id)
		if err != nil || old == nil {
			_, err = memberOrNotFound(old, err)
			return err
		}
		in, err := normalizeMember(applyUpdate(inputOf(old), upd))
		if err != nil {
			return err
		}
		r, err = w.replace(old, in)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &r.Member, nil
}

// inputOf returns the input that would store r as it is.
func inputOf(r *memberRow) MemberInput {
	return MemberInput{Name: r.Name, Email: r.Email, Organization: r.Organization, Order: r.Order,
		Jurisdiction: r.Jurisdiction, Title: r.Title, Language: r.Language,
		SlackID: r.SlackID, TeamsID: r.TeamsID, ConsoleID: r.ConsoleID}
}

func applyUpdate(in MemberInput, u MemberUpdate) MemberInput {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&in.Name, u.Name)
	set(&in.Email, u.Email)
	set(&in.Organization, u.Organization)
	set(&in.Jurisdiction, u.Jurisdiction)
	set(&in.Title, u.Title)
	set(&in.Language, u.Language)
	if u.Order != nil {
		in.Order = *u.Order
	}
	return in
}

// LeaveMember records that the member left. The row is kept for reports, as
// are its platform ids and email, so that joining again reactivates it.
// Leaving twice keeps the first date. ErrNotFound if no such member.
func (d *DB) LeaveMember(ctx context.Context, id int64) error {
	now := formatTime(d.now())
	return d.write(ctx, func(t *tx) error {
		left, err := t.exec1("UPDATE members SET left_at = ?, updated_at = ? WHERE id = ? AND left_at IS NULL", now, now, id)
		if err != nil || left {
			return err
		}
		n, err := t.count("SELECT count(*) FROM members WHERE id = ?", id)
		if err == nil && n == 0 {
			err = ErrNotFound
		}
		return err // nil: left before, which keeps the first date
	})
}

// FindMembers returns the page of members matching f and how many match in
// all. Order: federal, provincial, municipal, then name (case- and
// accent-insensitive), then id. Default: active members only. An invalid
// f.Order gives EINVALID error_order_invalid; an unknown identity platform
// matches nobody.
func (d *DB) FindMembers(ctx context.Context, f MemberFilter) ([]*Member, int, error) {
	where, args, err := memberWhere(f)
	if err != nil {
		return nil, 0, err
	}
	var members []*Member
	var total int
	err = d.read(ctx, func(t *tx) (err error) {
		key, cacheable := directoryKey(f)
		if cacheable {
			// The version is this snapshot's first read: the page and count
			// read after it are the ones it stands for.
			if key.version, err = t.directoryVersion(); err != nil {
				return err
			}
			var ok bool
			if members, total, ok = d.dir.get(key); ok {
				return nil
			}
		}
		members, total, err = t.findMembers(where, args, f)
		if err == nil && cacheable {
			d.dir.put(key, members, total)
		}
		return err
	})
	return members, total, err
}

// findMembers reads FindMembers's answer in tx.
func (t *tx) findMembers(where string, args []any, f MemberFilter) ([]*Member, int, error) {
	countQuery, countArgs := "SELECT count(*) FROM members m"+where, args
	if q, a, ok := activeCountQuery(f); ok {
		countQuery, countArgs = q, a
	}
	total, err := t.count(countQuery, countArgs...)
	if err != nil {
		return nil, 0, fmt.Errorf("count members: %w", err)
	}
	members, err := t.memberPage(where, args, f)
	return members, total, err
}

// activeCountQuery counts the directory's filters (active members, by
// jurisdiction and/or order) from the per-organization counters: a few
// dozen organizations instead of thousands of index entries. ok is false
// for other filters. f.Order must be valid.
func activeCountQuery(f MemberFilter) (query string, args []any, ok bool) {
	if f.IncludeLeft || f.ID != nil || f.Identity != nil || f.Email != nil {
		return "", nil, false
	}
	query = "SELECT coalesce(sum(active_members), 0) FROM organizations WHERE active_members > 0"
	if f.Order != nil {
		query += " AND ord = ?"
		args = append(args, string(*f.Order))
	}
	if f.Jurisdiction != nil {
		query += " AND jurisdiction = ?"
		args = append(args, strings.ToUpper(strings.TrimSpace(*f.Jurisdiction)))
	}
	return query, args, true
}

func (t *tx) memberPage(where string, args []any, f MemberFilter) ([]*Member, error) {
	limit, offset := f.Limit, max(f.Offset, 0)
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	const order = " ORDER BY m.ord_rank, m.name_key, m.id"
	query := memberSelect + where + order + " LIMIT ? OFFSET ?"
	if offset > 0 {
		// Skip through the ids alone (the directory's covering index)
		// rather than reading and joining every skipped row: a late page
		// of a large jurisdiction costs a few index pages, not thousands
		// of rows.
		query = memberSelect + " WHERE m.id IN (SELECT m.id FROM members m" + where + order + " LIMIT ? OFFSET ?)" + order
	}
	var out []*Member
	err := t.each(query, func(rows *sql.Rows) error {
		r, err := scanMember(rows)
		if err == nil {
			out = append(out, &r.Member)
		}
		return err
	}, append(args, limit, offset)...)
	if err != nil {
		return nil, fmt.Errorf("find members: %w", err)
	}
	return out, nil
}

// memberWhere builds the WHERE clause of f. Its text depends only on which
// fields are set, so the prepared statements stay few.
func memberWhere(f MemberFilter) (string, []any, error) {
	var conds []string
	var args []any
	add := func(cond string, arg any) {
		conds = append(conds, cond)
		args = append(args, arg)
	}
	if f.ID != nil {
		add("m.id = ?", *f.ID)
	}
	if f.Identity != nil {
		cond := "NULL = ?" // no such platform: nobody matches
		if col, ok := platformColumn(f.Identity.Platform); ok {
			cond = "m." + col + " = ?"
		}
		add(cond, f.Identity.ID)
	}
	if f.Email != nil {
		add("m.email = ?", strings.ToLower(strings.TrimSpace(*f.Email)))
	}
	if f.Jurisdiction != nil {
		add("m.jurisdiction = ?", strings.ToUpper(strings.TrimSpace(*f.Jurisdiction)))
	}
	if f.Order != nil {
		rank, ok := orderRank(*f.Order)
		if !ok {
			return "", nil, invalidf("error_order_invalid", map[string]any{"Value": string(*f.Order)}, "order %q", *f.Order)
		}
		add("m.ord_rank = ?", rank)
	}
	if !f.IncludeLeft {
		conds = append(conds, "m.left_at IS NULL")
	}
	if len(conds) == 0 {
		return "", nil, nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}

// orderRank is the members.ord_rank of o.
func orderRank(o Order) (int, bool) {
	for i, v := range Orders {
		if v == o {
			return i, true
		}
	}
	return 0, false
}
