package storage

import (
	"database/sql"
	"errors"
	"fmt"
	"slices"
)

// Resolution: what a person types as their organization becomes an entry
// of the registry, inside the write that saves the member (so the entry
// found is the one the member is stored with, whoever writes meanwhile).
//
//  1. A spelling of an entry of the member's order and jurisdiction (name,
//     acronym or alias, either language; case, accents and spaces folded).
//  2. Else a spelling of a confirmed federal entry (built in, or confirmed
//     by a coordinator): "ESDC" is federal wherever it is typed, and the
//     member is then federal. A pending entry is only a name as someone
//     typed it, so it counts in its own place alone: a provincial member
//     of "Health Services" is not made federal because someone else
//     named a federal "Health Services" first, which would also make the
//     result depend on who came first (a roster export, which lists
//     federal members first, imported into an empty database).
//  3. Else, unless the input says the name is new (MemberInput.
//     NewOrganization), a close spelling of such a confirmed entry refuses the
//     write with EINVALID org_suggest {Typed, Name (English), ID,
//     Suggestion (the *Organization, to name it in any language)}: the
//     person confirms the suggestion (by typing it) or keeps their own.
//  4. Else a new PENDING entry under the name as typed, which a
//     coordinator confirms or merges; the member joins meanwhile.

// OrgSuggestion returns the entry err suggests (see org_suggest), if it
// is such an error.
func OrgSuggestion(err error) (*Organization, bool) {
	var e *Error
	if !errors.As(err, &e) || e.Key != "org_suggest" {
		return nil, false
	}
	o, ok := e.Args["Suggestion"].(*Organization)
	return o, ok
}

// orgRef is the entry a member is stored with.
type orgRef struct {
	id           int64
	name, nameFR string
	ord          Order
	jurisdiction string
}

// orgByKey finds the entry a folded spelling names in one place;
// confirmedOnly skips pending entries.
func (t *tx) orgByKey(k orgKey, confirmedOnly bool) (orgRef, bool, error) {
	var o orgRef
	err := t.queryRow(`SELECT o.id, o.name, o.name_fr, o.ord, o.jurisdiction FROM organization_names n
		JOIN organizations o ON o.id = n.organization_id WHERE n.key = ? AND n.ord = ? AND n.jurisdiction = ?
		AND (NOT ? OR o.status = 'confirmed')`,
		k.nameKey, k.ord, k.jurisdiction, confirmedOnly).Scan(&o.id, &o.name, &o.nameFR, &o.ord, &o.jurisdiction)
	if errors.Is(err, sql.ErrNoRows) {
		return o, false, nil
	}
	return o, err == nil, err
}

// org returns the entry in's organization resolves to (see above),
// creating a pending one if needed.
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
	o, found, err := w.t.orgByKey(k, false)
	if err == nil && !found && k.ord != OrderFederal {
		o, found, err = w.t.orgByKey(orgKey{k.nameKey, OrderFederal, FederalCode}, true)
	}
	if err == nil && !found && !in.NewOrganization && !w.newOrgs {
		err = w.suggest(in, k)
	}
	if err == nil && !found {
		o = orgRef{name: in.Organization, ord: in.Order, jurisdiction: in.Jurisdiction}
		o.id, err = w.insertOrg(k, in.Organization)
	}
	if err != nil {
		return o, fmt.Errorf("organization %q: %w", in.Organization, err)
	}
	w.orgs[k], w.orgsExact[exact] = o, o
	return o, nil
}

// insertOrg adds a pending entry named as typed.
func (w *memberTx) insertOrg(k orgKey, name string) (int64, error) {
	res, err := w.t.exec("INSERT INTO organizations (name, name_key, ord, jurisdiction, status) VALUES (?, ?, ?, ?, 'pending')",
		name, k.nameKey, k.ord, k.jurisdiction)
	if err != nil {
		return 0, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	_, err = w.t.exec(`INSERT INTO organization_names (key, name, kind, organization_id, ord, jurisdiction)
		VALUES (?, ?, 'name', ?, ?, ?)`, k.nameKey, name, id, k.ord, k.jurisdiction)
	return id, err
}

// orgCandidate is one spelling a suggestion may come from.
type orgCandidate struct {
	key string
	id  int64
}

// suggest returns org_suggest when a spelling of an entry of k's place, or
// of a federal one, is close to k's, nil otherwise.
func (w *memberTx) suggest(in MemberInput, k orgKey) error {
	best, bestScore := int64(0), -1
	for _, place := range [][2]string{{string(k.ord), k.jurisdiction}, {string(OrderFederal), FederalCode}} {
		cands, err := w.candidates(place)
		if err != nil {
			return err
		}
		for _, c := range cands {
			if score, ok := closeKeys(k.nameKey, c.key); ok && (bestScore < 0 || score < bestScore) {
				best, bestScore = c.id, score
			}
		}
	}
	if bestScore < 0 {
		return nil
	}
	o, err := w.t.orgByID(best)
	if err != nil {
		return err
	}
	return Errorf(EINVALID, "org_suggest", map[string]any{"Typed": in.Organization, "Name": o.Label("en"),
		"ID": o.ID, "Suggestion": o}, "%q is close to %s", in.Organization, o)
}

// candidates reads (once per transaction) the spellings of one place's
// confirmed entries (the built-in list's, and those coordinators
// confirmed): pending ones are names as people typed them, and numbered
// or similar names met in one import ("Region 1", "Region 2") are
// different organizations, not misspellings of one another.
func (w *memberTx) candidates(place [2]string) ([]orgCandidate, error) {
	if c, ok := w.cands[place]; ok {
		return c, nil
	}
	var out []orgCandidate
	err := w.t.each(`SELECT n.key, n.organization_id FROM organization_names n JOIN organizations o ON o.id = n.organization_id
		WHERE n.ord = ? AND n.jurisdiction = ? AND o.status = 'confirmed' ORDER BY n.organization_id, n.key`, func(rows *sql.Rows) error {
		var c orgCandidate
		err := rows.Scan(&c.key, &c.id)
		out = append(out, c)
		return err
	}, place[0], place[1])
	if err != nil {
		return nil, err
	}
	if w.cands == nil {
		w.cands = map[[2]string][]orgCandidate{}
	}
	w.cands[place] = out
	return out, nil
}

// closeKeys reports whether the folded spellings a (typed) and b (an
// entry's) are close enough to suggest b, and how far apart they are
// (lower is closer). Acronyms (5 letters or fewer) are close only as the
// same letters in another order ("EDCS"); longer spellings when one
// begins the other and is 10 letters or more ("Emploi et Développement
// social" for "… Canada"), or within one edit per six letters (a typo,
// a missing word "and").
func closeKeys(a, b string) (int, bool) {
	if a == b {
		return 0, true
	}
	ra, rb := []rune(a), []rune(b)
	short, long := min(len(ra), len(rb)), max(len(ra), len(rb))
	switch {
	case short < 3:
		return 0, false
	case short <= 5:
		return 1, len(ra) == len(rb) && sameLetters(ra, rb)
	case short >= 10 && (hasRunePrefix(ra, rb) || hasRunePrefix(rb, ra)):
		return long - short, true
	}
	limit := long / 6
	if long-short > limit {
		return 0, false
	}
	d := osaDistance(ra, rb)
	return d, d <= limit
}

func sameLetters(a, b []rune) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

func hasRunePrefix(s, prefix []rune) bool {
	return len(prefix) <= len(s) && slices.Equal(s[:len(prefix)], prefix)
}

// EditDistance is the one edit distance of copbot (organizations here;
// command names, places and time zones through handlers.EditDistance): the
// optimal-string-alignment distance over runes: insertions, deletions,
// substitutions and swaps of two neighbours each cost 1.
func EditDistance(a, b string) int { return osaDistance([]rune(a), []rune(b)) }

func osaDistance(x, y []rune) int {
	prev2 := make([]int, len(y)+1)
	prev := make([]int, len(y)+1)
	cur := make([]int, len(y)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(x); i++ {
		cur[0] = i
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(y)]
}
