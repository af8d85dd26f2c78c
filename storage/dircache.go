package storage

import (
	"context"
	"strings"
	"sync"
)

// dirCacheSize bounds the directory cache: pages of a few dozen
// jurisdiction and order filters fit many times over.
const dirCacheSize = 256

// dirKey is a directory filter, normalized as memberWhere reads it, at one
// directory_version.
type dirKey struct {
	version       int64
	jurisdiction  string
	hasJur        bool
	order         Order
	hasOrder      bool
	limit, offset int
}

// dirPage is a cached FindMembers answer.
type dirPage struct {
	members []*Member
	total   int
}

// dirCache keeps directory pages (FindMembers for active members by
// jurisdiction and/or order) read at the newest directory_version seen.
// Its zero value is ready. A page is valid exactly while directory_version
// has the value it was read at: every write to members or organizations,
// from any process, bumps it (migration 0006), and readers compare it in
// the same transaction as they would read the page.
type dirCache struct {
	mu      sync.Mutex
	version int64
	pages   map[dirKey]dirPage
}

// directoryKey returns the cache key of f, version left for the caller to
// set; ok is false for filters the cache does not hold (by id, identity or
// email, or including members who left). f.Order must be valid.
func directoryKey(f MemberFilter) (k dirKey, ok bool) {
	if f.IncludeLeft || f.ID != nil || f.Identity != nil || f.Email != nil {
		return dirKey{}, false
	}
	k = dirKey{limit: max(f.Limit, 0), offset: max(f.Offset, 0)}
	if f.Jurisdiction != nil {
		k.jurisdiction, k.hasJur = strings.ToUpper(strings.TrimSpace(*f.Jurisdiction)), true
	}
	if f.Order != nil {
		k.order, k.hasOrder = *f.Order, true
	}
	return k, true
}

// get returns a copy of the page cached under k.
func (c *dirCache) get(k dirKey) ([]*Member, int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if k.version != c.version {
		return nil, 0, false
	}
	p, ok := c.pages[k]
	if !ok {
		return nil, 0, false
	}
	return copyMembers(p.members), p.total, true
}

// put caches a copy of a page read at k.version. A page older than the
// cache's version is dropped; a newer one starts the cache afresh.
func (c *dirCache) put(k dirKey, members []*Member, total int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case k.version < c.version:
		return
	case k.version > c.version || c.pages == nil || len(c.pages) >= dirCacheSize:
		c.version, c.pages = k.version, make(map[dirKey]dirPage)
	}
	c.pages[k] = dirPage{members: copyMembers(members), total: total}
}

// copyMembers copies the slice and every member, so that neither the cache
// nor its callers see the other's changes. Member holds only values.
func copyMembers(ms []*Member) []*Member {
	if ms == nil {
		return nil
	}
	out := make([]*Member, len(ms))
	for i, m := range ms {
		c := *m
		out[i] = &c
	}
	return out
}

const directoryVersionSQL = "SELECT v FROM directory_version WHERE id = 1"

// directoryVersion reads directory_version in tx.
func (t *tx) directoryVersion() (int64, error) {
	var v int64
	err := t.queryRow(directoryVersionSQL).Scan(&v)
	return v, err
}

// DirectoryVersion returns directory_version, which every write to members,
// organizations and coordinators bumps, from any process: an answer drawn
// from them only (a directory page, a caller, a rendered reply) and read
// at one version is still true while the version stands. It is one
// statement, with no transaction around it.
func (d *DB) DirectoryVersion(ctx context.Context) (int64, error) {
	return d.version(ctx, directoryVersionSQL)
}

// MeetingVersion returns meeting_version, which every write to meetings
// bumps, from any process (migration 0041): an answer drawn from the
// meetings only and read at one version is true while the version stands,
// up to the time it depends on (a meeting that ends drops off a list).
// It is one statement, with no transaction around it.
func (d *DB) MeetingVersion(ctx context.Context) (int64, error) {
	return d.version(ctx, "SELECT v FROM meeting_version WHERE id = 1")
}

// version reads a one-row version counter with the prepared query q.
func (d *DB) version(ctx context.Context, q string) (int64, error) {
	ctx, err := quiet(ctx)
	if err != nil {
		return 0, err
	}
	st, err := d.prepared(ctx, q)
	if err != nil {
		return 0, err
	}
	var v int64
	err = st.QueryRowContext(ctx).Scan(&v)
	return v, err
}
