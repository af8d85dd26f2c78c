package storage

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"
)

// LinkResult says what LinkMember did.
type LinkResult int

const (
	LinkUnchanged LinkResult = iota // the member held the identity already
	LinkFirst                       // their first identity on that platform
	LinkAdded                       // one more beside those they hold there
)

// LinkMember attaches the platform identity id to the member with that id
// (active or not), for a coordinator: this is how a person whose roster row
// has no platform id yet claims it, since a join from chat never takes over
// an existing row (see JoinMember), and how a person with an account in a
// partner's workspace or tenant gets it recognized as theirs too. A
// member's first identity on a platform becomes their members column (the
// one exports write and direct messages reach); further ones are added
// beside it (identities.go). id's workspace is usually unknown (""), and
// stamped by the person's first request. The audit log records the link
// (AuditMemberLink).
// Linking an id the member already holds changes nothing. Errors: EINVALID
// error_identity_invalid {Value} for an unknown platform or an empty or
// over-long id; ENOTFOUND; ECONFLICT error_link_taken {Identity, Name, ID}
// when another member holds the identity (nothing changes).
func (d *DB) LinkMember(ctx context.Context, memberID int64, id Identity) (m *Member, res LinkResult, err error) {
	id.ID = strings.TrimSpace(id.ID)
	i, ok := platformIndex(id.Platform)
	if !ok || id.ID == "" || utf8.RuneCountInString(id.ID) > maxIDLen || id.Platform == PlatformConsole && id.Workspace != "" {
		return nil, 0, invalidf("error_identity_invalid", map[string]any{"Value": id.String()}, "identity %q", id)
	}
	var stored *memberRow
	err = d.write(ctx, func(t *tx) error {
		w := newMemberTx(t, &sqlIndex{t})
		old, err := w.idx.byID(memberID)
		if err == nil && old == nil {
			err = ErrNotFound
		}
		if err == nil {
			err = w.checkLinkable(old, id)
		}
		if err != nil {
			return err
		}
		stored = old
		switch held, err := t.holdsIdentity(memberID, id); {
		case err != nil:
			return err
		case held:
			return nil
		case old.ids()[i] == "":
			res = LinkFirst
			r := *old
			r.setID(i, id.ID)
			if stored, _, err = w.write(old, &r); err != nil {
				return err
			}
		default:
			res = LinkAdded
			if _, err := t.exec("INSERT INTO identities (platform, user_id, member_id, added_at) VALUES (?, ?, ?, ?)",
				string(id.Platform), id.ID, memberID, formatTime(w.now)); err != nil {
				return writeError(err)
			}
		}
		if err := t.stamp(id); err != nil {
			return err
		}
		return t.audit(&AuditEntry{Action: AuditMemberLink, Target: memberTarget(memberID), MemberID: memberID,
			Detail: map[string]string{"platform": string(id.Platform), "added": fmt.Sprint(res == LinkAdded)}})
	})
	if err != nil {
		return nil, 0, err
	}
	return &stored.Member, res, nil
}

// checkLinkable refuses to link an identity another member holds.
func (w *memberTx) checkLinkable(m *memberRow, id Identity) error {
	holder, err := w.t.queryHolder(Identity{Platform: id.Platform, ID: id.ID})
	if err != nil || holder == nil || holder.ID == m.ID {
		return err
	}
	return Errorf(ECONFLICT, "error_link_taken",
		map[string]any{"Identity": id.String(), "Name": holder.Name, "ID": holder.ID},
		"%s belongs to member %d", id, holder.ID)
}

// platformIndex is p's index in platformColumns.
func platformIndex(p Platform) (int, bool) {
	for i, pc := range platformColumns {
		if pc.platform == p {
			return i, true
		}
	}
	return 0, false
}

// setID sets the member's id on platformColumns[i].
func (r *memberRow) setID(i int, id string) {
	switch platformColumns[i].platform {
	case PlatformSlack:
		r.SlackID = id
	case PlatformTeams:
		r.TeamsID = id
	case PlatformConsole:
		r.ConsoleID = id
	}
}
