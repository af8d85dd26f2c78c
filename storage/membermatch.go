package storage

import (
	"database/sql"
	"slices"
)

// memberIndex finds members by the keys JoinMember uses. sqlIndex asks the
// database row by row; memIndex (memberimport.go) answers from a snapshot an
// import loads once, so the same rules serve one join and 100,000 rows.
type memberIndex interface {
	byID(id int64) (*memberRow, error)
	// byPlatform finds the member holding id on platformColumns[i]'s
	// platform: as their first identity there (the column) or another.
	byPlatform(i int, id string) (*memberRow, error)
	byEmail(email string) (*memberRow, error)
	byNameOrg(nameKey string, orgID int64) ([]*memberRow, error)
	// record tells the index that old (nil when created) is now stored as r.
	record(old, r *memberRow)
}

// rowClaim is a row of an import that wrote a member: its index and ids.
type rowClaim struct {
	row  int
	keys [3]string
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

// firstIDs replaces each platform id of in that its holder has beside
// another one on that platform (identities.go) by that first one, the
// members column: a person joining from a partner's workspace, or a
// roster row naming that account, designates the member holding it
// without changing which of their accounts comes first.
func (w *memberTx) firstIDs(in MemberInput) (MemberInput, error) {
	ids := inputIDs(in)
	for i, id := range ids {
		if id == "" {
			continue
		}
		r, err := w.idx.byPlatform(i, id)
		if err != nil {
			return in, err
		}
		if r != nil && r.ids()[i] != "" {
			ids[i] = r.ids()[i]
		}
	}
	in.SlackID, in.TeamsID, in.ConsoleID = ids[0], ids[1], ids[2]
	return in, nil
}

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

// sqlIndex is the memberIndex of a live transaction.
type sqlIndex struct{ t *tx }

func (x *sqlIndex) byID(id int64) (*memberRow, error) {
	return x.t.queryMember(memberSelect+" WHERE m.id = ?", id)
}

func (x *sqlIndex) byPlatform(i int, id string) (*memberRow, error) {
	return x.t.queryHolder(Identity{Platform: platformColumns[i].platform, ID: id})
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
