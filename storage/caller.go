package storage

import (
	"context"
	"database/sql"
	"errors"
	"strings"
)

// Caller is what a request needs to know about the person asking.
type Caller struct {
	Member      *Member // active member with the identity, or nil
	Former      *Member // the member who held it and left, when Member is nil
	Coordinator bool    // made a coordinator at run time (config ones aside)
	// Version is the directory_version this answer stands for (see
	// DirectoryVersion), so that a request can key what it caches by the
	// version its caller was read at without reading it again.
	Version int64
}

// CallerByIdentity looks up the person behind id (platform, workspace and
// user; see identities.go for when a stored identity matches). Every
// request starts with it, so it is one statement: for a caller with an
// answer cached, directory_version, which every write to members,
// identities, organizations and coordinators bumps (migrations 0006, 0015
// and 0037), from any process, and the answer if it was cached at that
// version; for one not seen before (a storm of first votes or questions),
// the version, the member and the coordinator flag together: a statement
// reads one snapshot, so they agree with no transaction around them. Only
// an answer cached at an older version costs both.
//
// An identity found with no workspace yet is stamped with id's (the
// person's first request from a known workspace): the request claims the
// stamp and the stamper writes it soon after, in a batch, off the request's
// path (stamper.go); from then on it answers only requests from there, and
// one from another workspace is a stranger's, claim written or not. The
// stamp leaves directory_version alone (migration 0042). The answer of a
// request that finds its identity unstamped is not cached then, so that no
// cached answer for this user id from another workspace outlives the stamp;
// once the stamper has written the claim, it caches the answer of the
// request that made it (it is what a request from there reads after).
func (d *DB) CallerByIdentity(ctx context.Context, id Identity) (Caller, error) {
	var c Caller
	if _, ok := platformIndex(id.Platform); !ok || id.ID == "" {
		return c, nil
	}
	if c, at, ok := d.callers.get(id, d.Now()); ok {
		d.ran(directoryVersionSQL)
		if version, err := d.DirectoryVersion(ctx); err == nil && version == at {
			return c, nil
		}
	}
	c, unstamped, err := d.readCaller(ctx, id)
	if err == nil && !(unstamped && id.Workspace != "") {
		d.callers.put(c.Version, id, c, d.Now())
	}
	return c, err
}

// callerSQL reads the member holding an identity (?1 platform, ?2 user id)
// with the directory version, the coordinator flag and the identity's
// workspace; strangerSQL reads the version and the flag alone, for an
// identity that no member holds.
var callerSQL = strings.Replace(memberSelect, "FROM members m",
	", ("+directoryVersionSQL+"), "+coordinatorSQL+", i.workspace\nFROM identities i JOIN members m ON m.id = i.member_id", 1) +
	" WHERE i.platform = ?1 AND i.user_id = ?2"

const (
	coordinatorSQL = "EXISTS (SELECT 1 FROM coordinators WHERE platform = ?1 AND id = ?2)"
	strangerSQL    = "SELECT (" + directoryVersionSQL + "), " + coordinatorSQL
)

// readCaller reads the caller behind id in one statement (two for an
// identity no member holds, held in another workspace than id's, or
// claimed for another); unstamped reports that the member's identity has
// no workspace on disk yet. Such an identity is claimed for id's workspace
// here (see CallerByIdentity).
func (d *DB) readCaller(ctx context.Context, id Identity) (c Caller, unstamped bool, err error) {
	if ctx, err = quiet(ctx); err != nil {
		return c, false, err
	}
	st, err := d.prepared(ctx, callerSQL)
	if err != nil {
		return c, false, err
	}
	// A claim pending before the read wins even if written (and gone) by
	// the time the read is done: one gone before it began is on disk.
	before, claimed := d.stamps.pending(id)
	var ws string
	d.ran(callerSQL)
	r, err := scanMember(withExtra{st.QueryRowContext(ctx, string(id.Platform), id.ID), []any{&c.Version, &c.Coordinator, &ws}})
	if err == nil {
		if r.Active() {
			c.Member = &r.Member
		} else { // a user id belongs to at most one member (identities' key), active or not
			c.Former = &r.Member
		}
	}
	if err == nil && ws == "" && id.Workspace != "" {
		unstamped = true
		if ws = before; !claimed {
			ws = d.claimStamp(id, c)
		}
	}
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !workspaceMatches(ws, id.Workspace)) {
		c = Caller{}
		if st, err = d.prepared(ctx, strangerSQL); err != nil {
			return c, false, err
		}
		d.ran(strangerSQL)
		err = st.QueryRowContext(ctx, string(id.Platform), id.ID).Scan(&c.Version, &c.Coordinator)
	}
	return c, unstamped, err
}

// ran tells the lookupRan hook (tests) about a statement about to run.
func (d *DB) ran(query string) {
	if d.lookupRan != nil {
		d.lookupRan(query)
	}
}

// claimStamp claims id's workspace for its unstamped identity, with the
// answer read for it, and returns the workspace that holds it now: id's,
// or one claimed before. The console's identities and a read-only
// database's are never stamped.
func (d *DB) claimStamp(id Identity, answer Caller) string {
	if id.Platform == PlatformConsole || d.readOnly {
		return ""
	}
	return d.stamps.claim(id, answer)
}

// withExtra scans a row into a scanner's destinations followed by extra
// ones, for a query that adds columns to memberSelect's.
type withExtra struct {
	row   *sql.Row
	extra []any
}

func (w withExtra) Scan(dest ...any) error { return w.row.Scan(append(dest, w.extra...)...) }
