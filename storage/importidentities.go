package storage

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Further identities in roster files. A member may hold several accounts
// on one platform (identities.go); a roster cell lists them all, the
// members column first. ExportRoster reads them with the members, and
// ImportOptions.Identities hands an import each row's further ones, which
// it adds in its transaction. An import only ever adds identities: one the
// file no longer lists stays with its member (ForgetMember removes them),
// so that a stale or partial file never makes a person a stranger in a
// workspace where they were told they are linked.

// ValidateIdentity checks one further identity of an import row without
// I/O, as ImportMembersWith will: a known platform, no workspace (a roster
// names none; the first request stamps it), a user id that is not blank,
// holds no control character and is at most 100 characters. The error is
// an *Error (EINVALID): error_identity_invalid {Value}, error_too_long
// {Field, Max} or error_text_* {Field, …}, Field being the platform's
// members column (slack_id, teams_id, console_id).
func ValidateIdentity(id Identity) error {
	if _, err := normalizeIdentity(id); err != nil {
		return err
	}
	return nil
}

// normalizeIdentity trims id's user id and validates it (ValidateIdentity).
func normalizeIdentity(id Identity) (Identity, *Error) {
	col, ok := platformColumn(id.Platform)
	if !ok || id.Workspace != "" {
		return id, invalidf("error_identity_invalid", map[string]any{"Value": id.String()}, "identity %q", id)
	}
	if err := checkText(col, id.ID, textLine); err != nil {
		return id, err
	}
	id.ID = strings.TrimSpace(id.ID)
	switch {
	case id.ID == "":
		return id, invalidf("error_identity_invalid", map[string]any{"Value": id.String()}, "identity %q is blank", id)
	case utf8.RuneCountInString(id.ID) > maxIDLen:
		return id, invalidf("error_too_long", map[string]any{"Field": col, "Max": maxIDLen},
			"%s is longer than %d characters", col, maxIDLen)
	}
	return id, nil
}

// normalizeFurther validates a row's further identities (in normalized).
// One on a platform where in has no id becomes in's id there; repeats and
// in's own ids are dropped.
func normalizeFurther(in MemberInput, more []Identity) (MemberInput, []Identity, error) {
	var out []Identity
	for _, id := range more {
		id, err := normalizeIdentity(id)
		if err != nil {
			return in, nil, err
		}
		i, _ := platformIndex(id.Platform)
		ids := inputIDs(in)
		switch {
		case ids[i] == "":
			ids[i] = id.ID
			in.SlackID, in.TeamsID, in.ConsoleID = ids[0], ids[1], ids[2]
		case ids[i] != id.ID && !slices.Contains(out, id):
			out = append(out, id)
		}
	}
	return in, out, nil
}

// importIdentities adds an import's further identities: checked row by
// row against the import's index, inserted once the new members are.
type importIdentities struct {
	idx     *memIndex
	pending []heldIdentity
}

type heldIdentity struct {
	id     Identity
	member int64
}

// add gives member r the identities in more it does not hold yet and
// reports how many. One held by another member is ECONFLICT
// error_import_identity_held {Identity, Value, Field, Name}: an import
// never moves an account from one person to another.
func (im *importIdentities) add(r *memberRow, more []Identity) (int, error) {
	n := 0
	for _, id := range more {
		i, _ := platformIndex(id.Platform)
		holder, _ := im.idx.byPlatform(i, id.ID)
		switch {
		case holder == nil:
			im.idx.more[i][id.ID] = r.ID
			im.pending = append(im.pending, heldIdentity{id, r.ID})
			n++
		case holder.ID != r.ID:
			return n, Errorf(ECONFLICT, "error_import_identity_held",
				map[string]any{"Identity": id.String(), "Value": id.ID, "Field": platformColumns[i].column, "Name": holder.Name},
				"%s belongs to member %d, not %d", id, holder.ID, r.ID)
		}
	}
	return n, nil
}

// identityInsertBatch identities go in one INSERT (4 parameters each).
const identityInsertBatch = 200

// insert writes the pending identities, with no workspace (the person's
// first request stamps it), after the members they belong to.
func (im *importIdentities) insert(t *tx, now any) error {
	for rest := im.pending; len(rest) > 0; {
		n := min(len(rest), identityInsertBatch)
		args := make([]any, 0, 4*n)
		for _, h := range rest[:n] {
			args = append(args, string(h.id.Platform), h.id.ID, h.member, now)
		}
		query := "INSERT INTO identities (platform, user_id, member_id, added_at) VALUES " +
			strings.Repeat("(?, ?, ?, ?), ", n-1) + "(?, ?, ?, ?)"
		if _, err := t.ExecContext(t.ctx, query, args...); err != nil {
			return fmt.Errorf("insert %d identities: %w", n, writeError(err))
		}
		rest = rest[n:]
	}
	return nil
}

// ExportRoster is FindMembers for a roster file, which hands personal data
// out of copbot: the members matching f and, by member id, each one's
// further identities (beside the members columns, by platform, then in the
// order they were added), read in one snapshot. The audit log
// records it (AuditMembersExport, with the filter and how many members
// went) and that record commits before anything is returned; if it cannot
// be written, nothing is returned.
func (d *DB) ExportRoster(ctx context.Context, f MemberFilter) ([]*Member, map[int64][]Identity, error) {
	where, args, err := memberWhere(f)
	if err != nil {
		return nil, nil, err
	}
	var ms []*Member
	more := map[int64][]Identity{}
	err = d.read(ctx, func(t *tx) (err error) {
		if ms, _, err = t.findMembers(where, args, f); err != nil {
			return err
		}
		return t.each(furtherIdentitiesSQL, func(rows *sql.Rows) error {
			var member int64
			var id Identity
			err := rows.Scan(&member, &id.Platform, &id.ID, &id.Workspace)
			more[member] = append(more[member], id)
			return err
		})
	})
	if err != nil {
		return nil, nil, err
	}
	if err := d.auditExport(ctx, f, len(ms)); err != nil {
		return nil, nil, err
	}
	return ms, more, nil
}

// furtherIdentitiesSQL lists every identity beside its member's members
// column, in memberIdentitiesSQL's order.
const furtherIdentitiesSQL = `SELECT i.member_id, i.platform, i.user_id, i.workspace FROM identities i JOIN members m ON m.id = i.member_id
WHERE i.user_id IS NOT CASE i.platform WHEN 'slack' THEN m.slack_id WHEN 'teams' THEN m.teams_id ELSE m.console_id END
ORDER BY i.member_id, i.platform, i.added_at, i.user_id`
