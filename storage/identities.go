package storage

import (
	"context"
	"database/sql"
	"errors"
)

// Identities (migration 0037). A member holds one or more identities,
// several on one platform too; the members columns slack_id, teams_id and
// console_id are each member's first identity on a platform, and the
// identities table holds them all (triggers keep it so).
//
// A user id names one person on its platform (the table's key), and the
// workspace says where that identity lives. A stored identity matches a
// request for its platform and user id when:
//   - its workspace is the request's, or
//   - its workspace is not known yet ("": identities from before 0037, a
//     roster import or a coordinator's link), or
//   - the request names no workspace (config's "slack:U…", the console).
//
// The first request from a known workspace stamps it on an identity that
// had none; from then on a request for that user id from another workspace
// is someone else's (a stranger, whose join is refused as
// error_identity_taken), never this member's.

// holderSQL selects the member holding an identity when it matches (see
// above); holderArgs are its arguments. Plain "?" parameters, so that it
// goes inside queries with others.
const holderSQL = `SELECT member_id FROM identities WHERE platform = ? AND user_id = ?
	AND (? = '' OR workspace = '' OR workspace = ?)`

func holderArgs(id Identity) []any {
	return []any{string(id.Platform), id.ID, id.Workspace, id.Workspace}
}

// holderWhere is the condition "m holds id" for a memberSelect query, with
// its arguments.
func holderWhere(id Identity) (string, []any) {
	return "m.id = (" + holderSQL + ")", holderArgs(id)
}

// workspaceMatches reports whether a stored identity's workspace answers
// a request from workspace ws.
func workspaceMatches(stored, ws string) bool { return stored == "" || ws == "" || stored == ws }

// queryHolder returns the member (active or not) holding id, or nil. An
// identity claimed for another workspace than id's (stamper.go) is not
// id's, as it will not be once the claim is written.
func (t *tx) queryHolder(id Identity) (*memberRow, error) {
	if t.d.stamps.conflicts(id) {
		return nil, nil
	}
	where, args := holderWhere(id)
	return t.queryMember(memberSelect+" WHERE "+where, args...)
}

// stampSQL records an identity's workspace the first time it is known.
const stampSQL = "UPDATE identities SET workspace = ?3 WHERE platform = ?1 AND user_id = ?2 AND workspace = ''"

// stamp records id's workspace on the stored identity that has none yet;
// it changes nothing for the console, a workspace already known or an id
// without one.
func (t *tx) stamp(id Identity) error {
	_, err := t.stampCount(id)
	return err
}

// stampCount is stamp, returning the identities it changed (0 or 1).
func (t *tx) stampCount(id Identity) (int64, error) {
	if id.Workspace == "" || id.Platform == PlatformConsole {
		return 0, nil
	}
	r, err := t.exec(stampSQL, string(id.Platform), id.ID, id.Workspace)
	if err != nil {
		return 0, err
	}
	return r.RowsAffected()
}

// MemberIdentities returns every identity of member memberID (active or
// former), the first one on each platform (the members column) first,
// then by when they were added. None for an unknown member.
func (d *DB) MemberIdentities(ctx context.Context, memberID int64) ([]Identity, error) {
	var out []Identity
	err := d.read(ctx, func(t *tx) (err error) {
		out, err = t.memberIdentities(memberID)
		return err
	})
	return out, err
}

// memberIdentitiesSQL lists a member's identities, each platform's first
// one (the members column) first.
const memberIdentitiesSQL = `SELECT i.platform, i.user_id, i.workspace FROM identities i JOIN members m ON m.id = i.member_id
WHERE i.member_id = ?
ORDER BY i.platform, i.user_id IS NOT CASE i.platform WHEN 'slack' THEN m.slack_id WHEN 'teams' THEN m.teams_id ELSE m.console_id END,
	i.added_at, i.user_id`

func (t *tx) memberIdentities(memberID int64) ([]Identity, error) {
	var out []Identity
	err := t.each(memberIdentitiesSQL, func(rows *sql.Rows) error {
		var id Identity
		err := rows.Scan(&id.Platform, &id.ID, &id.Workspace)
		out = append(out, id)
		return err
	}, memberID)
	return out, err
}

// IdentityWorkspace returns the workspace stored with the identity whose
// platform and user id are id's ("" when not known yet), or claimed for
// it and about to be stored (stamper.go), and whether anyone holds it:
// where a direct message to that person goes.
func (d *DB) IdentityWorkspace(ctx context.Context, id Identity) (ws string, ok bool, err error) {
	// The claim first: one gone by the time the identity is read was
	// written before.
	claimed, _ := d.stamps.pending(id)
	err = d.read(ctx, func(t *tx) error {
		err := t.queryRow("SELECT workspace FROM identities WHERE platform = ? AND user_id = ?", string(id.Platform), id.ID).Scan(&ws)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		ok = err == nil
		return err
	})
	if ok && ws == "" {
		ws = claimed
	}
	return ws, ok, err
}

// holdsIdentity reports whether member memberID holds id (any workspace).
func (t *tx) holdsIdentity(memberID int64, id Identity) (bool, error) {
	var n int
	err := t.queryRow("SELECT count(*) FROM identities WHERE platform = ? AND user_id = ? AND member_id = ?",
		string(id.Platform), id.ID, memberID).Scan(&n)
	return n > 0, err
}

// workspaceClash refuses a join from id when its user id is stored with
// another workspace: that request is not from the member holding it.
func (t *tx) workspaceClash(id Identity) error {
	if id.Workspace == "" {
		return nil
	}
	var stored string
	err := t.queryRow("SELECT workspace FROM identities WHERE platform = ? AND user_id = ?", string(id.Platform), id.ID).Scan(&stored)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return err
	case !workspaceMatches(stored, id.Workspace):
		return identityTaken("%s is held in workspace %s, not %s", id, stored, id.Workspace)
	}
	return nil
}
