package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// MemberByIdentity returns the ACTIVE member holding that identity (any of
// theirs; see identities.go for the workspace), or ErrNotFound (also for an
// unknown platform).
func (d *DB) MemberByIdentity(ctx context.Context, id Identity) (*Member, error) {
	if _, ok := platformIndex(id.Platform); !ok || id.ID == "" {
		return nil, ErrNotFound
	}
	var r *memberRow
	err := d.read(ctx, func(t *tx) (err error) {
		r, err = t.queryHolder(id)
		if r != nil && !r.Active() {
			r = nil
		}
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
// by its platform ids: the member holding them (as any of their identities)
// is updated (and reactivated), else a new member is created. in.Workspace
// is stamped on the identity when it had none; a user id stored with
// another workspace is someone else's: ECONFLICT error_identity_taken. A newcomer whose email, or name and
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
	joining := inputIdentity(in)
	joining.Workspace = in.Workspace
	err = d.write(ctx, func(t *tx) (err error) {
		if err := t.workspaceClash(joining); err != nil {
			return err
		}
		w := newMemberTx(t, &sqlIndex{t})
		w.ownOnly = true
		if r, oc, err = w.upsert(in); err != nil {
			return err
		}
		return t.stamp(joining)
	})
	if err != nil {
		return nil, false, err
	}
	return &r.Member, oc == outcomeCreated, nil
}

// UpdateMember changes the non-nil fields of upd on the member with that id
// (active or not) and returns the result. The whole member is validated as
// ValidateMember does; an empty Email or Title clears it and an empty
// Language means "en". Nothing is written when nothing changes. A
// coordinator's change to someone else's profile is audited
// (AuditMemberUpdate, with the fields given).
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
		if r, err = w.replace(old, in); err != nil {
			return err
		}
		return t.auditForOther(AuditMemberUpdate, r, map[string]string{"fields": strings.Join(upd.fields(), ",")})
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

// fields names the fields u sets, as MemberInput's form ids.
func (u MemberUpdate) fields() []string {
	var out []string
	for _, f := range []struct {
		name string
		set  bool
	}{{"name", u.Name != nil}, {"email", u.Email != nil}, {"organization", u.Organization != nil},
		{"order", u.Order != nil}, {"jurisdiction", u.Jurisdiction != nil}, {"title", u.Title != nil},
		{"language", u.Language != nil}} {
		if f.set {
			out = append(out, f.name)
		}
	}
	return out
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
	in.NewOrganization = u.NewOrganization
	return in
}

// LeaveMember records that the member left. The row is kept for reports, as
// are its platform ids and email, so that joining again reactivates it.
// Leaving twice keeps the first date. ErrNotFound if no such member. A
// coordinator removing someone else is audited (AuditMemberLeave).
func (d *DB) LeaveMember(ctx context.Context, id int64) error {
	now := formatTime(d.now())
	return d.write(ctx, func(t *tx) error {
		r, err := t.queryMember(memberSelect+" WHERE m.id = ?", id)
		switch {
		case err != nil:
			return err
		case r == nil:
			return ErrNotFound
		case !r.Active():
			return nil // left before: the first date stays
		}
		if _, err := t.exec("UPDATE members SET left_at = ?, updated_at = ? WHERE id = ?", now, now, id); err != nil {
			return err
		}
		return t.auditForOther(AuditMemberLeave, r, nil)
	})
}

// auditExport records that n members matching f left copbot in an export.
func (d *DB) auditExport(ctx context.Context, f MemberFilter, n int) error {
	detail := map[string]string{"members": fmt.Sprint(n), "include_left": fmt.Sprint(f.IncludeLeft)}
	if f.Jurisdiction != nil {
		detail["jurisdiction"] = *f.Jurisdiction
	}
	if f.Order != nil {
		detail["order"] = string(*f.Order)
	}
	_, err := d.RecordAudit(ctx, AuditEntry{Action: AuditMembersExport, Detail: detail})
	return err
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
		cond, a := holderWhere(*f.Identity) // an unknown platform matches nobody
		conds, args = append(conds, cond), append(args, a...)
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

// SetMemberPlain records whether member id wants plain replies. It changes
// nothing else (not UpdatedAt: it is a display preference, not profile
// data) and returns ErrNotFound for an unknown member.
func (d *DB) SetMemberPlain(ctx context.Context, id int64, plain bool) (*Member, error) {
	var m *Member
	err := d.write(ctx, func(t *tx) error {
		if _, err := t.exec("UPDATE members SET plain = ? WHERE id = ?", plain, id); err != nil {
			return err
		}
		var err error
		m, err = memberOrNotFound(t.queryMember(memberSelect+" WHERE m.id = ?", id))
		return err
	})
	return m, err
}

// Member is a person in the Community. A member who left keeps their row
// (LeftAt set) so that reports over past periods stay true.
type Member struct {
	ID           int64
	Name         string
	Email        string // optional, stored lower-cased
	Organization string // department, ministry or municipality: its entry's (English) name
	// OrganizationFR is the entry's French name, "" if it has none
	// (OrganizationIn picks).
	OrganizationFR string
	OrganizationID int64 // the registry entry
	Order          Order
	Jurisdiction   string // code from Jurisdictions: "CA" for federal, "ON", "YT", …
	Title          string // title or role, optional
	Language       string // "en" or "fr"
	SlackID        string
	TeamsID        string
	ConsoleID      string
	JoinedAt       time.Time
	LeftAt         time.Time // zero while active
	UpdatedAt      time.Time
	// Plain: the member asked for plain, screen-reader-friendly replies
	// (SetMemberPlain); kept across leaving and joining again.
	Plain bool
}

// OrganizationIn is the member's organization named in lang ("en",
// "fr").
func (m *Member) OrganizationIn(lang string) string {
	if lang == "fr" && m.OrganizationFR != "" {
		return m.OrganizationFR
	}
	return m.Organization
}

// Active reports whether the member has not left.
func (m *Member) Active() bool { return m.LeftAt.IsZero() }

// MemberInput is what joining or importing supplies. Identity, when set, is
// the platform identity of the person joining; rows imported from a roster
// carry their ids in SlackID/TeamsID instead.
type MemberInput struct {
	Name         string
	Email        string
	Organization string
	Order        Order
	Jurisdiction string
	Title        string
	Language     string
	SlackID      string
	TeamsID      string
	ConsoleID    string
	// Workspace is the workspace (Slack team, Teams tenant) of the platform
	// id a join from chat carries; "" when not known (imports).
	Workspace string
	// NewOrganization: Organization is a new name as typed, even when it
	// is close to an entry's (no org_suggest); see orgresolve.go.
	NewOrganization bool
}

// MemberUpdate changes the fields that are non-nil.
type MemberUpdate struct {
	Name         *string
	Email        *string
	Organization *string
	Order        *Order
	Jurisdiction *string
	Title        *string
	Language     *string
	// NewOrganization: see MemberInput.
	NewOrganization bool
}

// MemberFilter selects members. Zero fields do not filter. By default only
// active members are returned; IncludeLeft returns those who left as well.
type MemberFilter struct {
	ID           *int64
	Identity     *Identity
	Email        *string
	Jurisdiction *string
	Order        *Order
	IncludeLeft  bool
	Offset       int
	Limit        int // 0 means no limit
}
