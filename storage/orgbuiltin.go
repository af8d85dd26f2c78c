package storage

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
)

// The Government of Canada's departments and agencies, built into the
// registry by migration 0033's step (organizations_registry).
//
//go:embed organizations.tsv
var builtinTSV string

// builtinOrg is one line of organizations.tsv.
type builtinOrg struct {
	name, nameFR, acronym, acronymFR, parent string
	aliases                                  []string
}

// builtinOrgs parses organizations.tsv.
func builtinOrgs() ([]builtinOrg, error) {
	var out []builtinOrg
	for i, line := range strings.Split(builtinTSV, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 6 || f[0] == "" {
			return nil, fmt.Errorf("organizations.tsv line %d: want 6 tab-separated fields and a name", i+1)
		}
		b := builtinOrg{name: f[0], nameFR: f[1], acronym: f[2], acronymFR: f[3], parent: f[4]}
		for _, a := range strings.Split(f[5], ";") {
			if a = strings.TrimSpace(a); a != "" {
				b.aliases = append(b.aliases, a)
			}
		}
		out = append(out, b)
	}
	return out, nil
}

// spellings are every spelling of b.
func (b builtinOrg) spellings() []string {
	return append([]string{b.name, b.nameFR, b.acronym, b.acronymFR}, b.aliases...)
}

// afterSteps are the Go steps migrations name (see migrate.go).
var afterSteps = map[string]func(*tx) error{"organizations_registry": (*tx).seedOrganizations}

// seedOrganizations turns the typed organizations of an older database
// into entries and adds the built-in list. Every existing spelling names
// its row; each built-in entry takes over the federal rows that one of its
// spellings names (the first is kept, with its id, and the others are
// merged into it, members and history included), or is added; then
// parents are set. It runs inside the migration's transaction, on the
// transaction itself (the statement cache prepares on other connections,
// which do not see the new schema yet), and adds the entries nobody typed
// yet (all of them, on a new database) in two statements: every test
// opens a new database.
func (t *tx) seedOrganizations() error {
	list, err := builtinOrgs()
	if err != nil {
		return err
	}
	if _, err := t.ExecContext(t.ctx, `INSERT INTO organization_names (key, name, kind, organization_id, ord, jurisdiction)
		SELECT name_key, name, 'name', id, ord, jurisdiction FROM organizations WHERE name_key <> ''`); err != nil {
		return err
	}
	typed, err := t.federalSpellings()
	if err != nil {
		return err
	}
	ids := map[string]int64{} // built-in entries by English acronym or name
	var fresh []builtinOrg
	for _, b := range list {
		var found []int64
		for _, sp := range b.spellings() {
			if id, ok := typed[foldKey(sp)]; ok && !slices.Contains(found, id) {
				found = append(found, id)
			}
		}
		if len(found) == 0 {
			fresh = append(fresh, b)
			continue
		}
		id, err := t.adoptBuiltin(b, found)
		if err != nil {
			return fmt.Errorf("%s: %w", b.name, err)
		}
		for k, v := range typed { // its rows are built in now: no other entry takes them
			if slices.Contains(found, v) {
				delete(typed, k)
			}
		}
		ids[b.name], ids[b.acronym] = id, id
	}
	if err := t.insertBuiltins(fresh, ids); err != nil {
		return err
	}
	for _, b := range list {
		if b.parent == "" {
			continue
		}
		parent, ok := ids[b.parent]
		if !ok {
			return fmt.Errorf("%s: unknown parent %q", b.name, b.parent)
		}
		if _, err := t.ExecContext(t.ctx, "UPDATE organizations SET parent_id = ? WHERE id = ?", parent, ids[b.name]); err != nil {
			return err
		}
	}
	return nil
}

// federalSpellings maps the folded spellings of the existing federal rows
// to their ids.
func (t *tx) federalSpellings() (map[string]int64, error) {
	rows, err := t.QueryContext(t.ctx, `SELECT key, organization_id FROM organization_names
		WHERE ord = 'federal' AND jurisdiction = ?`, FederalCode)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var k string
		var id int64
		if err := rows.Scan(&k, &id); err != nil {
			return nil, err
		}
		out[k] = id
	}
	return out, rows.Err()
}

// adoptBuiltin makes the first of the rows found built-in entry b and
// merges the others into it.
func (t *tx) adoptBuiltin(b builtinOrg, found []int64) (int64, error) {
	o := &Organization{ID: slices.Min(found), Name: b.name, NameFR: b.nameFR, Acronym: b.acronym, AcronymFR: b.acronymFR,
		Order: OrderFederal, Jurisdiction: FederalCode}
	for _, id := range found {
		if id == o.ID {
			continue
		}
		from, err := t.orgByID(id)
		if err != nil {
			return 0, err
		}
		if _, err := t.mergeOrg(from, o); err != nil {
			return 0, err
		}
	}
	if _, err := t.ExecContext(t.ctx, "UPDATE organizations SET status = 'confirmed', builtin = 1 WHERE id = ?", o.ID); err != nil {
		return 0, err
	}
	if err := t.setOrgNames(o); err != nil {
		return 0, err
	}
	for _, a := range b.aliases {
		if _, err := t.addOrgName(o, a, "alias"); err != nil {
			return 0, err
		}
	}
	return o.ID, nil
}

// insertBuiltins adds the entries of list, with ids after every id ever
// used, and their spellings (names first, then acronyms, then aliases:
// the first spelling of a key wins), recording their ids in ids.
func (t *tx) insertBuiltins(list []builtinOrg, ids map[string]int64) error {
	if len(list) == 0 {
		return nil
	}
	var last int64
	if err := t.QueryRowContext(t.ctx, `SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'organizations'), 0),
		coalesce((SELECT max(id) FROM organizations), 0))`).Scan(&last); err != nil {
		return err
	}
	var orgs, names []string
	var orgArgs, nameArgs []any
	type spelling struct {
		id         int64
		name, kind string
	}
	var byKind [3][]spelling
	for i, b := range list {
		id := last + int64(i) + 1
		ids[b.name] = id
		if b.acronym != "" {
			ids[b.acronym] = id
		}
		orgs = append(orgs, "(?, ?, ?, ?, ?, ?, 'federal', ?, 'confirmed', 1)")
		orgArgs = append(orgArgs, id, b.name, foldKey(b.name), b.nameFR, b.acronym, b.acronymFR, FederalCode)
		byKind[0] = append(byKind[0], spelling{id, b.name, "name"}, spelling{id, b.nameFR, "name"})
		byKind[1] = append(byKind[1], spelling{id, b.acronym, "acronym"}, spelling{id, b.acronymFR, "acronym"})
		for _, a := range b.aliases {
			byKind[2] = append(byKind[2], spelling{id, a, "alias"})
		}
	}
	for _, group := range byKind {
		for _, sp := range group {
			if k := foldKey(sp.name); k != "" {
				names = append(names, "(?, ?, ?, ?, 'federal', ?)")
				nameArgs = append(nameArgs, k, sp.name, sp.kind, sp.id, FederalCode)
			}
		}
	}
	if _, err := t.ExecContext(t.ctx, `INSERT INTO organizations (id, name, name_key, name_fr, acronym_en, acronym_fr, ord,
		jurisdiction, status, builtin) VALUES `+strings.Join(orgs, ", "), orgArgs...); err != nil {
		return err
	}
	_, err := t.ExecContext(t.ctx, `INSERT OR IGNORE INTO organization_names (key, name, kind, organization_id, ord, jurisdiction)
		VALUES `+strings.Join(names, ", "), nameArgs...)
	return err
}
