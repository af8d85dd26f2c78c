package storage

import "context"

// Caller is what a request needs to know about the person asking.
type Caller struct {
	Member      *Member // active member with the identity, or nil
	Former      *Member // the member who held it and left, when Member is nil
	Coordinator bool    // made a coordinator at run time (config ones aside)
}

// CallerByIdentity looks up the person behind id in one read transaction:
// every request starts with it, so it is one snapshot and two indexed
// queries rather than three transactions.
func (d *DB) CallerByIdentity(ctx context.Context, id Identity) (Caller, error) {
	var c Caller
	col, ok := platformColumn(id.Platform)
	if !ok || id.ID == "" {
		return c, nil
	}
	tx, err := d.beginRead(ctx)
	if err != nil {
		return c, err
	}
	defer tx.Rollback()
	// An id belongs to at most one row (a partial unique index), active or not.
	r, err := d.queryMember(ctx, tx, memberSelect+" WHERE m."+col+" = ?", id.ID)
	if err != nil {
		return c, err
	}
	if r != nil && r.Active() {
		c.Member = &r.Member
	} else if r != nil {
		c.Former = &r.Member
	}
	st, err := d.stmt(ctx, tx, "SELECT EXISTS (SELECT 1 FROM coordinators WHERE platform = ? AND id = ?)")
	if err != nil {
		return c, err
	}
	err = st.QueryRowContext(ctx, id.Platform, id.ID).Scan(&c.Coordinator)
	return c, err
}
