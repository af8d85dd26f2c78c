package directory

import (
	"errors"
	"slices"
	"strings"
	"unicode"

	"copbot/storage"
)

// A member may hold several accounts on one platform (storage's
// identities, which `coordinators link` adds). A roster's slack_id and
// teams_id cells list them all, separated by spaces (the export) or by ";"
// or "," (typed), the members column first: the account direct messages
// reach. An import gives each member the accounts its row lists that they
// do not hold yet, and removes none: a stale or partial file must not make
// a person told "linked" a stranger again (`forget me` erases accounts).
// An account another member holds, or one listed on two rows, is refused.

// rosterPlatforms are the roster's account columns and their platforms,
// in export order.
var rosterPlatforms = [...]struct {
	col      string
	platform storage.Platform
}{{"slack_id", storage.PlatformSlack}, {"teams_id", storage.PlatformTeams}}

// rosterRow is a data row as read: its member and the further accounts
// its slack_id and teams_id cells list after the first one of each.
type rosterRow struct {
	in   storage.MemberInput
	more []storage.Identity
}

func (r rosterRow) same(o rosterRow) bool { return r.in == o.in && slices.Equal(r.more, o.more) }

// splitIDs splits an account cell at white space, ";" and ",", which no
// Slack or Teams user id holds, dropping repeats.
func splitIDs(cell string) []string {
	var out []string
	for _, id := range strings.FieldsFunc(cell, func(r rune) bool { return unicode.IsSpace(r) || r == ';' || r == ',' }) {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// accounts reads rec's account cells into in (each cell's first id) and
// returns the further ones.
func (im *rosterImport) accounts(rec []string, in *storage.MemberInput) []storage.Identity {
	var more []storage.Identity
	for _, c := range rosterPlatforms {
		ids := splitIDs(im.cell(rec, c.col))
		if len(ids) == 0 {
			continue
		}
		if c.platform == storage.PlatformSlack {
			in.SlackID = ids[0]
		} else {
			in.TeamsID = ids[0]
		}
		for _, id := range ids[1:] {
			more = append(more, storage.Identity{Platform: c.platform, ID: id})
		}
	}
	return more
}

// checkAccounts reports the first problem of each further account of the
// row at line (too long, control characters).
func (im *rosterImport) checkAccounts(line int, more []storage.Identity) {
	for _, id := range more {
		var e *storage.Error
		if err := storage.ValidateIdentity(id); errors.As(err, &e) {
			im.problemAt(line, columnOf(e), e.Key, e.Args)
		}
	}
}

// accountCell is the export's cell for a member's accounts on platform p:
// first (the members column) first, then the others in more, one space
// between them.
func accountCell(first string, more []storage.Identity, p storage.Platform) string {
	ids := []string{first}
	if first == "" {
		ids = nil
	}
	for _, id := range more {
		if id.Platform == p {
			ids = append(ids, id.ID)
		}
	}
	return strings.Join(ids, " ")
}

// furtherKeys are the person keys of a row's further accounts: two rows
// listing one account are one person, or one of them is mistyped.
func furtherKeys(more []storage.Identity) []personKey {
	var keys []personKey
	for _, id := range more {
		for _, c := range rosterPlatforms {
			if c.platform == id.Platform {
				keys = append(keys, personKey{c.col, id.ID})
			}
		}
	}
	return keys
}
