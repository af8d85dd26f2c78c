package storage

import (
	"database/sql"
	"errors"
	"strings"
	"time"
)

// memberSelect reads a member with its organization's name; scanMember
// reads its columns in this order.
const memberSelect = `SELECT m.id, m.name, m.email, o.name, o.name_fr, m.ord, m.jurisdiction, m.title, m.language,
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
	err := s.Scan(&r.ID, &r.Name, &email, &r.Organization, &r.OrganizationFR, &r.Order, &r.Jurisdiction, &r.Title, &r.Language,
		&slack, &teams, &console, &joined, &left, &updated, &r.orgID, &r.nameKey, &r.Plain)
	if err != nil {
		return nil, err
	}
	r.Email, r.SlackID, r.TeamsID, r.ConsoleID = email.String, slack.String, teams.String, console.String
	r.OrganizationID = r.orgID
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

// outcome is what writing one member input did.
type outcome int

const (
	outcomeUnchanged outcome = iota
	outcomeCreated
	outcomeUpdated
)

type orgKey struct {
	nameKey      string
	ord          Order
	jurisdiction string
}

// memberTx writes members inside one write transaction.
type memberTx struct {
	t   *tx
	idx memberIndex
	// Organizations seen in this transaction, by folded key and by the
	// spelling used, which spares folding names seen before.
	orgs, orgsExact map[orgKey]orgRef
	// cands caches the spellings suggestions compare with, by place
	// (orgresolve.go); newOrgs takes every unknown name as a new entry.
	cands   map[[2]string][]orgCandidate
	newOrgs bool
	batch   *insertBatch // imports only
	now     time.Time
	// ownOnly keys inputs that carry a platform id by that id alone (joins
	// from chat); see resolveOwn.
	ownOnly bool
	// newLang is the language of a new member whose input has none ("" is
	// "en"); an existing member keeps theirs.
	newLang string
	// Imports only. claimed maps each member an earlier row wrote to that
	// row; reserved maps each member that some row of the import names by
	// email or platform id to that row's ids. See claim and byNameOrg.
	claimed  map[int64]rowClaim
	reserved map[int64][3]string
	row      int // the row being written
}

func newMemberTx(t *tx, idx memberIndex) *memberTx {
	return &memberTx{t: t, idx: idx, orgs: map[orgKey]orgRef{}, orgsExact: map[orgKey]orgRef{}, now: t.d.now()}
}

// upsert applies JoinMember's rules to in, which must be normalized.
func (w *memberTx) upsert(in MemberInput) (*memberRow, outcome, error) {
	org, err := w.org(in)
	if err != nil {
		return nil, 0, err
	}
	in.Order, in.Jurisdiction = org.ord, org.jurisdiction // the entry's place: "ESDC" is federal
	nameKey := foldKey(in.Name)
	if in, err = w.firstIDs(in); err != nil {
		return nil, 0, err
	}
	resolve := w.resolve
	if w.ownOnly && hasPlatformID(in) {
		resolve = w.resolveOwn
	}
	old, err := resolve(in, nameKey, org.id)
	if err != nil {
		return nil, 0, err
	}
	if old == nil {
		if in.Language == "" {
			in.Language = w.newLang
		}
		r, err := w.insert(rowFrom(&memberRow{}, in, nameKey, org))
		if err == nil {
			err = w.claim(r, in)
		}
		return r, outcomeCreated, err
	}
	if err := w.claim(old, in); err != nil {
		return nil, 0, err
	}
	r := rowFrom(old, keepStored(old, in), nameKey, org)
	r.LeftAt = time.Time{} // joining again reactivates
	return w.write(old, r)
}

// replace stores in (normalized) as the new state of old, as UpdateMember
// does: no reactivation, empty optional fields clear.
func (w *memberTx) replace(old *memberRow, in MemberInput) (*memberRow, error) {
	if in.Email != "" && in.Email != old.Email {
		other, err := w.idx.byEmail(in.Email)
		if err != nil {
			return nil, err
		}
		if other != nil && other.ID != old.ID {
			return nil, identityTaken("email %s belongs to member %d", in.Email, other.ID)
		}
	}
	org, err := w.org(in)
	if err != nil {
		return nil, err
	}
	in.Order, in.Jurisdiction = org.ord, org.jurisdiction
	r, _, err := w.write(old, rowFrom(old, in, foldKey(in.Name), org))
	return r, err
}

// keepStored fills in's empty optional fields from old: joining with fewer
// details never erases what is known.
func keepStored(old *memberRow, in MemberInput) MemberInput {
	keep := func(dst *string, stored string) {
		if *dst == "" {
			*dst = stored
		}
	}
	keep(&in.Email, old.Email)
	keep(&in.Title, old.Title)
	keep(&in.Language, old.Language)
	keep(&in.SlackID, old.SlackID)
	keep(&in.TeamsID, old.TeamsID)
	keep(&in.ConsoleID, old.ConsoleID)
	return in
}

// rowFrom is old with every field taken from in, nameKey (foldKey(in.Name))
// and org.
func rowFrom(old *memberRow, in MemberInput, nameKey string, org orgRef) *memberRow {
	r := &memberRow{orgID: org.id, nameKey: nameKey, Member: Member{
		ID: old.ID, Name: in.Name, Email: in.Email, Organization: org.name, OrganizationFR: org.nameFR,
		OrganizationID: org.id, Order: in.Order,
		Jurisdiction: in.Jurisdiction, Title: in.Title, Language: in.Language,
		SlackID: in.SlackID, TeamsID: in.TeamsID, ConsoleID: in.ConsoleID,
		JoinedAt: old.JoinedAt, LeftAt: old.LeftAt, UpdatedAt: old.UpdatedAt,
	}}
	if r.Language == "" {
		r.Language = "en"
	}
	return r
}

// sameStored reports whether a and b would store the same row, updated_at
// aside.
func sameStored(a, b *memberRow) bool {
	x, y := a.Member, b.Member
	if !x.JoinedAt.Equal(y.JoinedAt) || !x.LeftAt.Equal(y.LeftAt) {
		return false
	}
	x.JoinedAt, x.LeftAt, x.UpdatedAt = time.Time{}, time.Time{}, time.Time{}
	y.JoinedAt, y.LeftAt, y.UpdatedAt = time.Time{}, time.Time{}, time.Time{}
	return x == y && a.orgID == b.orgID && a.nameKey == b.nameKey
}

// memberInsert inserts rows of memberInsertRow; id NULL picks the next rowid.
const (
	memberInsert = `INSERT INTO members (id, name, name_key, email, organization_id, ord, jurisdiction, title,
	language, slack_id, teams_id, console_id, joined_at, left_at, updated_at) VALUES `
	memberInsertRow = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)"
)

// insertArgs appends the memberInsertRow arguments of r, with id, to args.
func insertArgs(args []any, r *memberRow, id any) []any {
	return append(args, id, r.Name, r.nameKey, nullIfEmpty(r.Email), r.orgID, r.Order, r.Jurisdiction, r.Title,
		r.Language, nullIfEmpty(r.SlackID), nullIfEmpty(r.TeamsID), nullIfEmpty(r.ConsoleID),
		formatTime(r.JoinedAt), formatTime(r.UpdatedAt))
}

// insert stores the new member r, at once or, in an import, batched.
func (w *memberTx) insert(r *memberRow) (*memberRow, error) {
	r.JoinedAt, r.UpdatedAt = w.now, w.now
	if w.batch != nil {
		return r, w.batch.add(w, r)
	}
	res, err := w.t.exec(memberInsert+memberInsertRow, insertArgs(nil, r, nil)...)
	if err != nil {
		return nil, writeError(err)
	}
	if r.ID, err = res.LastInsertId(); err != nil {
		return nil, err
	}
	w.idx.record(nil, r)
	return r, nil
}

const memberUpdate = `UPDATE members SET name = ?, name_key = ?, email = ?, organization_id = ?, ord = ?,
	jurisdiction = ?, title = ?, language = ?, slack_id = ?, teams_id = ?, console_id = ?, left_at = ?,
	updated_at = ?
WHERE id = ?`

// write stores r over old unless they are the same.
func (w *memberTx) write(old, r *memberRow) (*memberRow, outcome, error) {
	if sameStored(old, r) {
		return old, outcomeUnchanged, nil
	}
	if w.batch != nil { // the row may still be in the batch
		if err := w.batch.flush(w); err != nil {
			return nil, 0, err
		}
	}
	r.UpdatedAt = w.now
	_, err := w.t.exec(memberUpdate, r.Name, r.nameKey, nullIfEmpty(r.Email), r.orgID, r.Order, r.Jurisdiction,
		r.Title, r.Language, nullIfEmpty(r.SlackID), nullIfEmpty(r.TeamsID), nullIfEmpty(r.ConsoleID),
		formatTime(r.LeftAt), formatTime(r.UpdatedAt), r.ID)
	if err != nil {
		return nil, 0, writeError(err)
	}
	w.idx.record(old, r)
	return r, outcomeUpdated, nil
}

// nullIfEmpty stores the empty string as NULL, so that the partial UNIQUE
// indexes ignore unset ids and emails.
func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// writeError turns a UNIQUE violation (which resolve should have prevented)
// into the user-facing conflict.
func writeError(err error) error {
	if sqliteCode(err) == sqliteConstraintUnique {
		return identityTaken("%v", err)
	}
	return err
}

// memberName returns the name of the member (active or not) holding the
// identity "platform:id", or "" when nobody does.
func (t *tx) memberName(identity string) (string, error) {
	platform, id, ok := strings.Cut(identity, ":")
	if _, known := platformIndex(Platform(platform)); !ok || !known || id == "" {
		return "", nil
	}
	r, err := t.queryHolder(Identity{Platform: Platform(platform), ID: id})
	if err != nil || r == nil {
		return "", err
	}
	return r.Name, nil
}

// nullIfZero stores an absent id (0) as NULL.
func nullIfZero(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
