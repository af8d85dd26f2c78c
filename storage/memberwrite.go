package storage

import (
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"
)

// outcome is what writing one member input did.
type outcome int

const (
	outcomeUnchanged outcome = iota
	outcomeCreated
	outcomeUpdated
)

// memberIndex finds members by the keys JoinMember uses. sqlIndex asks the
// database row by row; memIndex (import.go) answers from a snapshot an
// import loads once, so the same rules serve one join and 100,000 rows.
type memberIndex interface {
	byID(id int64) (*memberRow, error)
	// byPlatform finds the member whose id on platformColumns[i] is id.
	byPlatform(i int, id string) (*memberRow, error)
	byEmail(email string) (*memberRow, error)
	byNameOrg(nameKey string, orgID int64) ([]*memberRow, error)
	// record tells the index that old (nil when created) is now stored as r.
	record(old, r *memberRow)
}

type orgKey struct {
	nameKey      string
	ord          Order
	jurisdiction string
}

type orgRef struct {
	id   int64
	name string
}

// memberTx writes members inside one write transaction.
type memberTx struct {
	t   *tx
	idx memberIndex
	// Organizations seen in this transaction, by folded key and by the
	// spelling used, which spares folding names seen before.
	orgs, orgsExact map[orgKey]orgRef
	batch           *insertBatch // imports only
	now             time.Time
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

// rowClaim is a row of an import that wrote a member: its index and ids.
type rowClaim struct {
	row  int
	keys [3]string
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
	nameKey := foldKey(in.Name)
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

// claim records, in an import, that the current row writes member r. Two
// rows that name one member by different ids or emails are refused with
// ECONFLICT error_import_same_member {OtherRow}: applying both would make
// the import undo itself each time it runs.
func (w *memberTx) claim(r *memberRow, in MemberInput) error {
	if w.claimed == nil {
		return nil
	}
	keys := rowKeys(in)
	if c, ok := w.claimed[r.ID]; ok && c.keys != keys {
		return Errorf(ECONFLICT, "error_import_same_member", map[string]any{"OtherRow": c.row},
			"rows %d and %d both designate member %d", c.row, w.row, r.ID)
	}
	w.claimed[r.ID] = rowClaim{row: w.row, keys: keys}
	return nil
}

// reserve records, before an import writes anything, the members its rows
// name by email or platform id, so that no other row takes them by name.
func (w *memberTx) reserve(rows []MemberInput) error {
	w.claimed, w.reserved = map[int64]rowClaim{}, map[int64][3]string{}
	for _, in := range rows {
		m, err := w.byPlatforms(in)
		if err != nil {
			continue // resolve reports it on its row
		}
		if m == nil && in.Email != "" {
			if m, err = w.idx.byEmail(in.Email); err != nil {
				return err
			}
		}
		if m == nil {
			continue
		}
		if _, taken := w.reserved[m.ID]; !taken {
			w.reserved[m.ID] = rowKeys(in)
		}
	}
	return nil
}

// takenByOther reports whether, in an import, a row with other ids than
// keys wrote member id or names it by email or platform id: id is then
// that row's person, not a namesake for this row.
func (w *memberTx) takenByOther(id int64, keys [3]string) bool {
	if c, ok := w.claimed[id]; ok && c.keys != keys {
		return true
	}
	k, ok := w.reserved[id]
	return ok && k != keys
}

// rowKeys are the identities a row names itself by, as the export writes
// them.
func rowKeys(in MemberInput) [3]string { return [3]string{in.Email, in.SlackID, in.TeamsID} }

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
	r, _, err := w.write(old, rowFrom(old, in, foldKey(in.Name), org))
	return r, err
}

// resolve finds the member in designates, or nil: by platform id, else by
// email, else by name and organization.
func (w *memberTx) resolve(in MemberInput, nameKey string, orgID int64) (*memberRow, error) {
	m, err := w.byPlatforms(in)
	if err != nil {
		return nil, err
	}
	if in.Email != "" {
		byEmail, err := w.idx.byEmail(in.Email)
		switch {
		case err != nil:
			return nil, err
		case byEmail != nil && m != nil && byEmail.ID != m.ID:
			return nil, identityTaken("email %s belongs to member %d, not %d", in.Email, byEmail.ID, m.ID)
		case byEmail != nil:
			m = byEmail
		}
	}
	if m != nil {
		if clashes(m, in) {
			return nil, identityTaken("member %d has other platform ids", m.ID)
		}
		return m, nil
	}
	return w.byNameOrg(in, nameKey, orgID)
}

// resolveOwn finds the member a join from chat designates: only the one
// holding in's platform ids, or nil for a newcomer. Matching a chat join by
// email or by name would let anyone take over a roster row (and read its
// email) by typing its details, so a newcomer whose email, or name and
// organization, is another member's is refused with ECONFLICT
// error_claim_existing: a coordinator links their account instead
// (LinkMember).
func (w *memberTx) resolveOwn(in MemberInput, nameKey string, orgID int64) (*memberRow, error) {
	m, err := w.byPlatforms(in)
	switch {
	case err != nil:
		return nil, err
	case m == nil:
		return nil, w.checkUnclaimed(in, nameKey, orgID)
	case clashes(m, in):
		return nil, identityTaken("member %d has other platform ids", m.ID)
	}
	if in.Email != "" {
		other, err := w.idx.byEmail(in.Email)
		if err != nil {
			return nil, err
		}
		if other != nil && other.ID != m.ID {
			return nil, identityTaken("email %s belongs to member %d, not %d", in.Email, other.ID, m.ID)
		}
	}
	return m, nil
}

// checkUnclaimed refuses a newcomer from chat whose email, or name and
// organization, already designate a member.
func (w *memberTx) checkUnclaimed(in MemberInput, nameKey string, orgID int64) error {
	if in.Email != "" {
		switch other, err := w.idx.byEmail(in.Email); {
		case err != nil:
			return err
		case other != nil:
			return claimExisting(in, "email", other.ID)
		}
	}
	switch cands, err := w.idx.byNameOrg(nameKey, orgID); {
	case err != nil:
		return err
	case len(cands) > 0:
		return claimExisting(in, "name", cands[0].ID)
	}
	return nil
}

// claimExisting is the refusal of checkUnclaimed. Args name the joiner (not
// the member found, whose details stay private) and field says what
// matched, "email" or "name".
func claimExisting(in MemberInput, field string, other int64) error {
	return Errorf(ECONFLICT, "error_claim_existing",
		map[string]any{"Name": in.Name, "Field": field, "Identity": inputIdentity(in).String()},
		"%s of %s is member %d's", field, inputIdentity(in), other)
}

// inputIdentity is the first platform identity in carries.
func inputIdentity(in MemberInput) Identity {
	for i, id := range inputIDs(in) {
		if id != "" {
			return Identity{Platform: platformColumns[i].platform, ID: id}
		}
	}
	return Identity{}
}

func hasPlatformID(in MemberInput) bool { return !inputIdentity(in).IsZero() }

func (w *memberTx) byPlatforms(in MemberInput) (*memberRow, error) {
	var m *memberRow
	for i, id := range inputIDs(in) {
		if id == "" {
			continue
		}
		r, err := w.idx.byPlatform(i, id)
		switch {
		case err != nil:
			return nil, err
		case r != nil && m != nil && r.ID != m.ID:
			return nil, identityTaken("platform ids belong to members %d and %d", m.ID, r.ID)
		case r != nil:
			m = r
		}
	}
	return m, nil
}

// byNameOrg finds the namesake in the organization that in designates, or
// nil for a new member. A namesake with another platform id or another
// email is another person and never matches, and so, in an import, is a
// member that a row with other ids wrote or names (takenByOther). Of the
// others, one whose email, Slack and Teams ids are all as empty as in's is
// preferred (that is how the export writes a member who has none), then an
// active one; two or more equally good candidates are refused with EINVALID
// error_namesake_ambiguous {Name, Organization}, since guessing would
// overwrite another person's details.
func (w *memberTx) byNameOrg(in MemberInput, nameKey string, orgID int64) (*memberRow, error) {
	cands, err := w.idx.byNameOrg(nameKey, orgID)
	if err != nil {
		return nil, err
	}
	var fits, bare []*memberRow
	for _, c := range cands {
		if clashes(c, in) || (in.Email != "" && c.Email != "") || w.takenByOther(c.ID, rowKeys(in)) {
			continue
		}
		fits = append(fits, c)
		if exportBare(c.Member) && exportBare(Member{Email: in.Email, SlackID: in.SlackID, TeamsID: in.TeamsID}) {
			bare = append(bare, c)
		}
	}
	if len(bare) > 0 {
		fits = bare
	}
	if active := slices.DeleteFunc(slices.Clone(fits), func(c *memberRow) bool { return !c.LeftAt.IsZero() }); len(active) > 0 {
		fits = active
	}
	switch len(fits) {
	case 0:
		return nil, nil
	case 1:
		return fits[0], nil
	}
	return nil, Errorf(EINVALID, "error_namesake_ambiguous",
		map[string]any{"Name": in.Name, "Organization": in.Organization},
		"%d members are called %s at %s", len(fits), in.Name, in.Organization)
}

// exportBare reports whether m has none of the identities a roster export
// writes: email, Slack id, Teams id.
func exportBare(m Member) bool { return m.Email == "" && m.SlackID == "" && m.TeamsID == "" }

func inputIDs(in MemberInput) [3]string { return [3]string{in.SlackID, in.TeamsID, in.ConsoleID} }

// clashes reports whether m has, on some platform, an id other than in's.
func clashes(m *memberRow, in MemberInput) bool {
	mine := m.ids()
	for i, id := range inputIDs(in) {
		if id != "" && mine[i] != "" && id != mine[i] {
			return true
		}
	}
	return false
}

func identityTaken(format string, a ...any) *Error {
	return Errorf(ECONFLICT, "error_identity_taken", nil, format, a...)
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
		ID: old.ID, Name: in.Name, Email: in.Email, Organization: org.name, Order: in.Order,
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

// org returns the organization in names, creating it if needed.
func (w *memberTx) org(in MemberInput) (orgRef, error) {
	exact := orgKey{in.Organization, in.Order, in.Jurisdiction}
	if o, ok := w.orgsExact[exact]; ok {
		return o, nil
	}
	k := orgKey{foldKey(in.Organization), in.Order, in.Jurisdiction}
	if o, ok := w.orgs[k]; ok {
		w.orgsExact[exact] = o
		return o, nil
	}
	o := orgRef{name: in.Organization}
	err := w.t.queryRow("SELECT id, name FROM organizations WHERE name_key = ? AND ord = ? AND jurisdiction = ?",
		k.nameKey, k.ord, k.jurisdiction).Scan(&o.id, &o.name)
	if errors.Is(err, sql.ErrNoRows) {
		o.id, err = w.insertOrg(k, in.Organization)
	}
	if err != nil {
		return o, fmt.Errorf("organization %q: %w", in.Organization, err)
	}
	w.orgs[k], w.orgsExact[exact] = o, o
	return o, nil
}

func (w *memberTx) insertOrg(k orgKey, name string) (int64, error) {
	res, err := w.t.exec("INSERT INTO organizations (name, name_key, ord, jurisdiction) VALUES (?, ?, ?, ?)",
		name, k.nameKey, k.ord, k.jurisdiction)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
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

// sqlIndex is the memberIndex of a live transaction.
type sqlIndex struct{ t *tx }

func (x *sqlIndex) byID(id int64) (*memberRow, error) {
	return x.t.queryMember(memberSelect+" WHERE m.id = ?", id)
}

func (x *sqlIndex) byPlatform(i int, id string) (*memberRow, error) {
	return x.t.queryMember(memberSelect+" WHERE m."+platformColumns[i].column+" = ?", id)
}

func (x *sqlIndex) byEmail(email string) (*memberRow, error) {
	return x.t.queryMember(memberSelect+" WHERE m.email = ?", email)
}

func (x *sqlIndex) byNameOrg(nameKey string, orgID int64) ([]*memberRow, error) {
	var out []*memberRow
	err := x.t.each(memberSelect+" WHERE m.name_key = ? AND m.organization_id = ? ORDER BY m.id", func(rows *sql.Rows) error {
		r, err := scanMember(rows)
		out = append(out, r)
		return err
	}, nameKey, orgID)
	return out, err
}

func (x *sqlIndex) record(old, r *memberRow) {}
