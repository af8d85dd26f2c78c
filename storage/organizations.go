package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The organizations registry. An entry is what stats, coverage and the
// report count: every spelling people type (names and acronyms in both
// languages, aliases) resolves to it (orgresolve.go), a child counts as
// its parent, and coordinators confirm, merge, alias and rename entries.
// Every write here checks what it relies on inside its own transaction and
// is audited there.

// OrgStatus says whether a coordinator (or the built-in list) vouches for
// an entry.
type OrgStatus string

// Entry statuses.
const (
	OrgConfirmed OrgStatus = "confirmed"
	OrgPending   OrgStatus = "pending" // met in a join or an import, not confirmed yet
)

// Organization is one entry of the registry.
type Organization struct {
	ID           int64
	Name         string // English official name, or the spelling first met
	NameFR       string // "" if unknown
	Acronym      string // English, "" if none
	AcronymFR    string
	Aliases      []string // other spellings that name it, sorted
	Order        Order
	Jurisdiction string
	ParentID     int64 // 0: none. A child counts as its parent.
	Status       OrgStatus
	Builtin      bool // from the Government of Canada's list
	// ActiveMembers counts its own active members, not its children's.
	ActiveMembers int
}

// NameIn is the entry's name in lang ("en" or "fr"), the other language's
// when it has none in lang.
func (o *Organization) NameIn(lang string) string {
	if lang == "fr" && o.NameFR != "" {
		return o.NameFR
	}
	return o.Name
}

// AcronymIn is the entry's acronym in lang, the other language's when it
// has none in lang, or "".
func (o *Organization) AcronymIn(lang string) string {
	if lang == "fr" && o.AcronymFR != "" || o.Acronym == "" {
		return o.AcronymFR
	}
	return o.Acronym
}

// Label is the name in lang followed by its acronym in brackets:
// "Employment and Social Development Canada (ESDC)".
func (o *Organization) Label(lang string) string {
	name, acr := o.NameIn(lang), o.AcronymIn(lang)
	if acr == "" || foldKey(acr) == foldKey(name) {
		return name
	}
	return name + " (" + acr + ")"
}

// OrgNames changes the non-nil names of an entry (RenameOrganization). An
// empty NameFR or acronym clears it; Name cannot be empty.
type OrgNames struct {
	Name, NameFR, Acronym, AcronymFR *string
}

// Audited registry actions.
const (
	AuditOrgConfirm AuditAction = "organization.confirm" // ConfirmOrganization
	AuditOrgMerge   AuditAction = "organization.merge"   // MergeOrganization
	AuditOrgAlias   AuditAction = "organization.alias"   // AddOrganizationAlias
	AuditOrgRename  AuditAction = "organization.rename"  // RenameOrganization
	AuditOrgParent  AuditAction = "organization.parent"  // SetOrganizationParent
)

const orgColumns = `id, name, name_fr, acronym_en, acronym_fr, ord, jurisdiction, coalesce(parent_id, 0),
	status, builtin, active_members`

func scanOrg(s memberScanner) (*Organization, error) {
	var o Organization
	err := s.Scan(&o.ID, &o.Name, &o.NameFR, &o.Acronym, &o.AcronymFR, &o.Order, &o.Jurisdiction, &o.ParentID,
		&o.Status, &o.Builtin, &o.ActiveMembers)
	return &o, err
}

// Organizations lists every entry with its aliases: pending entries
// first, then in report order (federal, provincial, municipal), then by
// jurisdiction and name.
func (d *DB) Organizations(ctx context.Context) ([]*Organization, error) {
	var out []*Organization
	err := d.read(ctx, func(t *tx) error {
		byID := map[int64]*Organization{}
		err := t.each(`SELECT `+orgColumns+` FROM organizations ORDER BY status = 'confirmed',
			CASE ord WHEN 'federal' THEN 0 WHEN 'provincial' THEN 1 ELSE 2 END, jurisdiction, name_key, id`,
			func(rows *sql.Rows) error {
				o, err := scanOrg(rows)
				out, byID[o.ID] = append(out, o), o
				return err
			})
		if err != nil {
			return err
		}
		return t.each(`SELECT organization_id, name FROM organization_names WHERE kind = 'alias' ORDER BY name`,
			func(rows *sql.Rows) error {
				var id int64
				var name string
				err := rows.Scan(&id, &name)
				if o := byID[id]; o != nil {
					o.Aliases = append(o.Aliases, name)
				}
				return err
			})
	})
	return out, err
}

// FindOrganization finds the entry text names: "#12" or "12" by id, else
// any of its spellings (case, accents and spaces folded), whatever its
// order and jurisdiction. ENOTFOUND org_error_unknown {Text} if none;
// EINVALID org_error_ambiguous {Text, Count} when the spelling names
// entries in several places (then the id tells them apart).
func (d *DB) FindOrganization(ctx context.Context, text string) (*Organization, error) {
	var o *Organization
	err := d.read(ctx, func(t *tx) (err error) {
		o, err = t.findOrg(text)
		return err
	})
	return o, err
}

func (t *tx) findOrg(text string) (*Organization, error) {
	text = squeeze(text)
	if id, err := strconv.ParseInt(strings.TrimPrefix(text, "#"), 10, 64); err == nil {
		o, err := t.orgByID(id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, Errorf(ENOTFOUND, "org_error_unknown", map[string]any{"Text": text}, "no organization %d", id)
		}
		return o, err
	}
	var ids []int64
	err := t.each(`SELECT DISTINCT organization_id FROM organization_names WHERE key = ? ORDER BY organization_id`,
		func(rows *sql.Rows) error {
			var id int64
			err := rows.Scan(&id)
			ids = append(ids, id)
			return err
		}, foldKey(text))
	switch {
	case err != nil:
		return nil, err
	case len(ids) == 0:
		return nil, Errorf(ENOTFOUND, "org_error_unknown", map[string]any{"Text": text}, "no organization %q", text)
	case len(ids) > 1:
		return nil, Errorf(EINVALID, "org_error_ambiguous", map[string]any{"Text": text, "Count": len(ids)},
			"%d organizations are called %q", len(ids), text)
	}
	return t.orgByID(ids[0])
}

// orgByID reads one entry with its aliases; sql.ErrNoRows if none.
func (t *tx) orgByID(id int64) (*Organization, error) {
	o, err := scanOrg(t.QueryRowContext(t.ctx, "SELECT "+orgColumns+" FROM organizations WHERE id = ?", id))
	if err != nil {
		return nil, err
	}
	rows, err := t.QueryContext(t.ctx, `SELECT name FROM organization_names WHERE organization_id = ? AND kind = 'alias'
		ORDER BY name`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		o.Aliases = append(o.Aliases, name)
	}
	return o, rows.Err()
}

// orgForWrite reads entry id in a write, or ENOTFOUND org_error_unknown.
func (t *tx) orgForWrite(id int64) (*Organization, error) {
	o, err := t.orgByID(id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, Errorf(ENOTFOUND, "org_error_unknown", map[string]any{"Text": "#" + strconv.FormatInt(id, 10)},
			"no organization %d", id)
	}
	return o, err
}

func orgTarget(id int64) string { return "organization:" + strconv.FormatInt(id, 10) }

// ConfirmOrganization confirms a pending entry. changed is false (and
// nothing is written or audited) when it was confirmed already.
func (d *DB) ConfirmOrganization(ctx context.Context, id int64) (o *Organization, changed bool, err error) {
	err = d.write(ctx, func(t *tx) error {
		if o, err = t.orgForWrite(id); err != nil || o.Status == OrgConfirmed {
			return err
		}
		if _, err := t.ExecContext(t.ctx, "UPDATE organizations SET status = 'confirmed' WHERE id = ?", id); err != nil {
			return err
		}
		o.Status, changed = OrgConfirmed, true
		return t.audit(&AuditEntry{Action: AuditOrgConfirm, Target: orgTarget(id), Detail: map[string]string{"name": o.Name}})
	})
	return o, changed, err
}

// MergeOrganization merges entry from into entry into: from's members
// (their membership history included, so past periods count one entry),
// spellings (as aliases of into) and children move to into, and from's
// row is deleted; its id is never given again. Refused, changing nothing:
// merging an entry into itself or into its own child (EINVALID
// org_error_merge_self), and merging away a built-in entry (EINVALID
// org_error_merge_builtin). It returns into as it is after and how many
// members moved.
func (d *DB) MergeOrganization(ctx context.Context, from, into int64) (*Organization, int, error) {
	var out *Organization
	var moved int
	err := d.write(ctx, func(t *tx) error {
		f, err := t.orgForWrite(from)
		if err != nil {
			return err
		}
		i, err := t.orgForWrite(into)
		if err != nil {
			return err
		}
		args := map[string]any{"From": f.Name, "Into": i.Name}
		switch {
		case f.ID == i.ID || i.ParentID == f.ID:
			return Errorf(EINVALID, "org_error_merge_self", args, "cannot merge %d into %d", from, into)
		case f.Builtin:
			return Errorf(EINVALID, "org_error_merge_builtin", args, "%d is built in", from)
		}
		if moved, err = t.mergeOrg(f, i); err != nil {
			return err
		}
		if out, err = t.orgByID(into); err != nil {
			return err
		}
		return t.audit(&AuditEntry{Action: AuditOrgMerge, Target: orgTarget(into), Detail: map[string]string{
			"from": strconv.FormatInt(from, 10), "from_name": f.Name, "into_name": i.Name, "members": strconv.Itoa(moved)}})
	})
	return out, moved, err
}

// mergeOrg moves everything of f to i and deletes f (see
// MergeOrganization; the built-in list's migration uses it too, so it
// runs its statements on the transaction itself, not through the
// statement cache). The members' move fires the membership triggers as a
// departure and a join, and could accept pending invitations; a merge is
// neither (the same people were there all along), so the events it adds
// are removed, history is rewritten to the entry, and invitations are put
// back as they were.
func (t *tx) mergeOrg(f, i *Organization) (int, error) {
	var lastEvent int64
	if err := t.QueryRowContext(t.ctx, "SELECT coalesce(max(id), 0) FROM membership_events").Scan(&lastEvent); err != nil {
		return 0, err
	}
	type invitation struct{ id, updated string }
	var pending []invitation
	rows, err := t.QueryContext(t.ctx, "SELECT id, updated_at FROM invitations WHERE status = 'pending'")
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var v invitation
		if err := rows.Scan(&v.id, &v.updated); err != nil {
			rows.Close()
			return 0, err
		}
		pending = append(pending, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	res, err := t.ExecContext(t.ctx, "UPDATE members SET organization_id = ?, ord = ?, jurisdiction = ? WHERE organization_id = ?",
		i.ID, i.Order, i.Jurisdiction, f.ID)
	if err != nil {
		return 0, err
	}
	moved, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	parent := i.ID
	if i.ParentID != 0 {
		parent = i.ParentID // parents stay one level deep
	}
	steps := []struct {
		q    string
		args []any
	}{
		{"DELETE FROM membership_events WHERE id > ?", []any{lastEvent}},
		{"UPDATE membership_events SET organization_id = ?, ord = ?, jurisdiction = ? WHERE organization_id = ?",
			[]any{i.ID, i.Order, i.Jurisdiction, f.ID}},
		{`DELETE FROM organization_names WHERE organization_id = ?1 AND key IN
			(SELECT key FROM organization_names WHERE ord = ?2 AND jurisdiction = ?3 AND organization_id <> ?1)`,
			[]any{f.ID, i.Order, i.Jurisdiction}},
		{`UPDATE organization_names SET organization_id = ?, ord = ?, jurisdiction = ?, kind = 'alias'
			WHERE organization_id = ?`, []any{i.ID, i.Order, i.Jurisdiction, f.ID}},
		{"UPDATE organizations SET parent_id = ? WHERE parent_id = ?", []any{parent, f.ID}},
		{"DELETE FROM organizations WHERE id = ?", []any{f.ID}},
	}
	for _, s := range steps {
		if _, err := t.ExecContext(t.ctx, s.q, s.args...); err != nil {
			return 0, err
		}
	}
	for _, v := range pending {
		if _, err := t.ExecContext(t.ctx, `UPDATE invitations SET status = 'pending', member_id = NULL, updated_at = ?
			WHERE id = ? AND status <> 'pending'`, v.updated, v.id); err != nil {
			return 0, err
		}
	}
	return int(moved), nil
}

// AddOrganizationAlias adds a spelling that names entry id from now on.
// ECONFLICT org_error_name_taken {Name, Other} if it names another entry
// of the same order and jurisdiction; changed is false when it names this
// one already. Bad text is EINVALID (see ValidateMember's text rules).
func (d *DB) AddOrganizationAlias(ctx context.Context, id int64, alias string) (o *Organization, changed bool, err error) {
	alias = squeeze(alias)
	if err := checkOrgName("alias", alias, true); err != nil {
		return nil, false, err
	}
	err = d.write(ctx, func(t *tx) error {
		if o, err = t.orgForWrite(id); err != nil {
			return err
		}
		if changed, err = t.addOrgName(o, alias, "alias"); err != nil || !changed {
			return err
		}
		o.Aliases = append(o.Aliases, alias)
		slices.Sort(o.Aliases)
		return t.audit(&AuditEntry{Action: AuditOrgAlias, Target: orgTarget(id), Detail: map[string]string{"alias": alias}})
	})
	return o, changed, err
}

// addOrgName records that name (of kind) names o. changed is false when
// it named o already (its kind is then updated); ECONFLICT
// org_error_name_taken when it names another entry in o's place.
func (t *tx) addOrgName(o *Organization, name, kind string) (changed bool, err error) {
	key := foldKey(name)
	if key == "" {
		return false, nil
	}
	var owner int64
	var oldKind string
	err = t.QueryRowContext(t.ctx, `SELECT organization_id, kind FROM organization_names WHERE key = ? AND ord = ? AND jurisdiction = ?`,
		key, o.Order, o.Jurisdiction).Scan(&owner, &oldKind)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_, err = t.ExecContext(t.ctx, `INSERT INTO organization_names (key, name, kind, organization_id, ord, jurisdiction)
			VALUES (?, ?, ?, ?, ?, ?)`, key, name, kind, o.ID, o.Order, o.Jurisdiction)
		return err == nil, err
	case err != nil:
		return false, err
	case owner != o.ID:
		other, err := t.orgByID(owner)
		if err != nil {
			return false, err
		}
		return false, Errorf(ECONFLICT, "org_error_name_taken", map[string]any{"Name": name, "Other": other.Name},
			"%q already names organization %d", name, owner)
	case oldKind != kind && kind != "alias": // a name or acronym stays one when given again as an alias
		_, err = t.ExecContext(t.ctx, `UPDATE organization_names SET kind = ?, name = ? WHERE key = ? AND ord = ? AND jurisdiction = ?`,
			kind, name, key, o.Order, o.Jurisdiction)
	}
	return false, err
}

// RenameOrganization changes entry id's names and acronyms (the non-nil
// fields of n). The spellings it had keep naming it, as aliases, so that
// what people typed before still resolves. ECONFLICT org_error_name_taken
// if a new spelling names another entry of its place; EINVALID
// org_error_name_required for an empty Name, or bad text; nothing changes
// then.
func (d *DB) RenameOrganization(ctx context.Context, id int64, n OrgNames) (*Organization, error) {
	var o *Organization
	err := d.write(ctx, func(t *tx) (err error) {
		if o, err = t.orgForWrite(id); err != nil {
			return err
		}
		before := *o
		for _, f := range []struct {
			dst   *string
			src   *string
			field string
		}{{&o.Name, n.Name, "name"}, {&o.NameFR, n.NameFR, "name_fr"}, {&o.Acronym, n.Acronym, "acronym"}, {&o.AcronymFR, n.AcronymFR, "acronym_fr"}} {
			if f.src == nil {
				continue
			}
			*f.dst = squeeze(*f.src)
			if err := checkOrgName(f.field, *f.dst, f.field == "name"); err != nil {
				return err
			}
		}
		if err := t.setOrgNames(o); err != nil {
			return err
		}
		if o, err = t.orgByID(id); err != nil {
			return err
		}
		return t.audit(&AuditEntry{Action: AuditOrgRename, Target: orgTarget(id), Detail: map[string]string{
			"from": before.Label("en"), "to": o.Label("en")}})
	})
	return o, err
}

// setOrgNames writes o's names and acronyms over its row, keeping the
// spellings it had as aliases.
func (t *tx) setOrgNames(o *Organization) error {
	if _, err := t.ExecContext(t.ctx, `UPDATE organization_names SET kind = 'alias'
		WHERE organization_id = ? AND kind <> 'alias'`, o.ID); err != nil {
		return err
	}
	for _, n := range []struct{ name, kind string }{{o.Name, "name"}, {o.NameFR, "name"}, {o.Acronym, "acronym"}, {o.AcronymFR, "acronym"}} {
		if _, err := t.addOrgName(o, n.name, n.kind); err != nil {
			return err
		}
	}
	_, err := t.ExecContext(t.ctx, `UPDATE organizations SET name = ?, name_key = ?, name_fr = ?, acronym_en = ?, acronym_fr = ?
		WHERE id = ?`, o.Name, foldKey(o.Name), o.NameFR, o.Acronym, o.AcronymFR, o.ID)
	return err
}

// SetOrganizationParent makes entry parent the parent of entry id, which
// then counts as it (parent 0: id counts on its own again). Refused,
// changing nothing: an entry as its own parent (EINVALID
// org_error_merge_self), a parent of another order or jurisdiction
// (EINVALID org_error_parent_place {Child, Parent}), and a second level
// (the parent has a parent, or id has children: EINVALID
// org_error_parent_depth {Child, Parent}).
func (d *DB) SetOrganizationParent(ctx context.Context, id, parent int64) (*Organization, error) {
	var o *Organization
	err := d.write(ctx, func(t *tx) (err error) {
		if o, err = t.orgForWrite(id); err != nil {
			return err
		}
		detail := map[string]string{"name": o.Name, "parent": ""}
		if parent != 0 {
			p, err := t.orgForWrite(parent)
			if err != nil {
				return err
			}
			var children int
			if err := t.QueryRowContext(t.ctx, "SELECT count(*) FROM organizations WHERE parent_id = ?", id).Scan(&children); err != nil {
				return err
			}
			args := map[string]any{"Child": o.Name, "Parent": p.Name, "From": o.Name, "Into": p.Name}
			switch {
			case p.ID == o.ID:
				return Errorf(EINVALID, "org_error_merge_self", args, "%d under itself", id)
			case p.Order != o.Order || p.Jurisdiction != o.Jurisdiction:
				return Errorf(EINVALID, "org_error_parent_place", args, "%d and %d are not in one place", id, parent)
			case p.ParentID != 0 || children > 0:
				return Errorf(EINVALID, "org_error_parent_depth", args, "parents are one level deep")
			}
			detail["parent"] = p.Name
		}
		if _, err := t.ExecContext(t.ctx, "UPDATE organizations SET parent_id = ? WHERE id = ?", nullIfZero(parent), id); err != nil {
			return err
		}
		if o, err = t.orgByID(id); err != nil {
			return err
		}
		return t.audit(&AuditEntry{Action: AuditOrgParent, Target: orgTarget(id), Detail: detail})
	})
	return o, err
}

// checkOrgName applies the member name's rules to an entry's name,
// acronym or alias.
func checkOrgName(field, s string, required bool) error {
	switch {
	case s == "" && required:
		return Errorf(EINVALID, "org_error_name_required", nil, "%s is empty", field)
	case utf8.RuneCountInString(s) > maxNameLen:
		return Errorf(EINVALID, "error_too_long", map[string]any{"Field": field, "Max": maxNameLen}, "%s too long", field)
	}
	if err := checkText(field, s, textBreaks); err != nil {
		return err
	}
	return nil
}

// orgLabel is a human-readable entry for logs.
func (o *Organization) String() string { return fmt.Sprintf("#%d %s", o.ID, o.Label("en")) }
