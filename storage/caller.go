package storage

import (
	"context"
	"sync"
	"time"
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

// CallerByIdentity looks up the person behind id. Every request starts
// with it, so the common case is one statement: directory_version, which
// every write to members, organizations and coordinators bumps (migrations
// 0006 and 0015), from any process, and an answer cached at that version.
// Otherwise one read transaction reads the version and the caller in one
// snapshot.
func (d *DB) CallerByIdentity(ctx context.Context, id Identity) (Caller, error) {
	var c Caller
	col, ok := platformColumn(id.Platform)
	if !ok || id.ID == "" {
		return c, nil
	}
	if version, err := d.DirectoryVersion(ctx); err == nil {
		if c, ok := d.callers.get(version, id, d.Now()); ok {
			return c, nil
		}
	}
	err := d.read(ctx, func(t *tx) error {
		version, err := t.directoryVersion()
		if err != nil {
			return err
		}
		var ok bool
		now := d.Now()
		if c, ok = d.callers.get(version, id, now); ok {
			return nil
		}
		if c, err = t.readCaller(col, id); err == nil {
			c.Version = version
			d.callers.put(version, id, c, now)
		}
		return err
	})
	return c, err
}

func (t *tx) readCaller(col string, id Identity) (Caller, error) {
	var c Caller
	// An id belongs to at most one row (a partial unique index), active or not.
	r, err := t.queryMember(memberSelect+" WHERE m."+col+" = ?", id.ID)
	if err != nil {
		return c, err
	}
	if r != nil && r.Active() {
		c.Member = &r.Member
	} else if r != nil {
		c.Former = &r.Member
	}
	c.Coordinator, err = t.isCoordinator(id)
	return c, err
}

// callerCacheSize bounds the caller cache: a community's members many
// times over; when full it starts afresh.
const callerCacheSize = 50000

// callerCacheTTL is how long the caller cache lives before it starts
// afresh: every identity that sent a request gets an entry, members or
// not, so without it a flood of strangers would stay in memory until the
// directory changes.
const callerCacheTTL = 10 * time.Minute

// callerCache keeps CallerByIdentity answers read at the newest
// directory_version seen, for at most callerCacheTTL. Its zero value is
// ready.
type callerCache struct {
	mu      sync.Mutex
	version int64
	started time.Time // when m was made
	m       map[Identity]Caller
}

// get returns a copy of the answer cached for id at version.
func (c *callerCache) get(version int64, id Identity, now time.Time) (Caller, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[id]
	if !ok || version != c.version || c.expired(now) {
		return Caller{}, false
	}
	return v.copy(), true
}

// put caches a copy of an answer read at version; an answer older than
// the cache's version is dropped, a newer one or an expired cache starts
// it afresh.
func (c *callerCache) put(version int64, id Identity, v Caller, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case version < c.version:
		return
	case version > c.version || c.m == nil || len(c.m) >= callerCacheSize || c.expired(now):
		c.version, c.started, c.m = version, now, make(map[Identity]Caller)
	}
	c.m[id] = v.copy()
}

// expired reports whether the cache has lived callerCacheTTL; a clock set
// back also starts it afresh.
func (c *callerCache) expired(now time.Time) bool {
	age := now.Sub(c.started)
	return age >= callerCacheTTL || age < 0
}

// copy copies the members, so that neither the cache nor its callers see
// the other's changes. Member holds only values.
func (c Caller) copy() Caller {
	for _, m := range []**Member{&c.Member, &c.Former} {
		if *m != nil {
			cp := **m
			*m = &cp
		}
	}
	return c
}
