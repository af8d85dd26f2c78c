package storage

import (
	"encoding/binary"
	"strings"
	"sync"
	"time"
)

// callerCacheSize bounds the caller cache: a community's members many
// times over; when full it starts afresh. At about 300 bytes an answer
// (BenchmarkCallerCacheMemory), a full cache holds about 5 MB.
const callerCacheSize = 16384

// callerCacheTTL is how long the caller cache lives before it starts
// afresh: every identity that sent a request gets an entry, members or
// not, so without it a flood of strangers would stay in memory until the
// directory changes.
const callerCacheTTL = 10 * time.Minute

// callerCache keeps CallerByIdentity answers read at the newest
// directory_version seen, for at most callerCacheTTL. Its zero value is
// ready.
//
// Each answer is kept packed in one string (packCaller): a cached Member
// with its ten strings cost ten allocations and about 570 bytes, so the
// callers of a storm of 10,000 people held 5–6 MB of the heap after it
// (heap profile of copbot serve after the load tool's who run), doubled by
// the collector's headroom. An answer taken out is a new Member whose
// strings share the packed one: neither the cache nor its callers see the
// other's changes, as before.
type callerCache struct {
	mu      sync.Mutex
	version int64
	started time.Time // when m was made
	m       map[Identity]string
}

// get returns the answer cached for id and the version it was read at:
// the caller checks that it still is the directory's.
func (c *callerCache) get(id Identity, now time.Time) (Caller, int64, bool) {
	c.mu.Lock()
	p, ok := c.m[id]
	version := c.version
	ok = ok && !c.expired(now)
	c.mu.Unlock()
	if !ok {
		return Caller{}, 0, false
	}
	v := unpackCaller(p)
	v.Version = version
	return v, version, true
}

// put caches an answer read at version; an answer older than the cache's
// version is dropped, a newer one or an expired cache starts it afresh.
func (c *callerCache) put(version int64, id Identity, v Caller, now time.Time) {
	p := packCaller(v)
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case version < c.version:
		return
	case version > c.version || c.m == nil || len(c.m) >= callerCacheSize || c.expired(now):
		c.version, c.started, c.m = version, now, make(map[Identity]string)
	}
	c.m[id] = p
}

// expired reports whether the cache has lived callerCacheTTL; a clock set
// back also starts it afresh.
func (c *callerCache) expired(now time.Time) bool {
	age := now.Sub(c.started)
	return age >= callerCacheTTL || age < 0
}

// The first byte of a packed caller.
const (
	packedMember      = 1 << iota // a member follows, Caller.Member
	packedFormer                  // a member follows, Caller.Former
	packedCoordinator             // Caller.Coordinator
	packedPlain                   // the member's Plain
)

// packCaller encodes v but its Version in one string: a byte of flags,
// then, if it has a member, the member's integers (varints), strings
// (each after its length) and times (Time.AppendBinary, 15 or 16 bytes).
func packCaller(v Caller) string {
	m, flags := v.Member, byte(0)
	switch {
	case m != nil:
		flags = packedMember
	case v.Former != nil:
		m, flags = v.Former, packedFormer
	}
	if v.Coordinator {
		flags |= packedCoordinator
	}
	if m == nil {
		return string([]byte{flags})
	}
	if m.Plain {
		flags |= packedPlain
	}
	// Times first, to a buffer on the stack, so that the string is made
	// at its exact size (an estimate would round it up a size class).
	var tb [3 * 16]byte
	times := tb[:0]
	for _, t := range m.packedTimes() {
		var err error
		if times, err = t.AppendBinary(times); err != nil { // a zone offset past int16 minutes
			times, _ = t.UTC().AppendBinary(times)
		}
	}
	ints, strs := m.packedInts(), m.packedStrings()
	n := 1 + len(times)
	for _, i := range ints {
		n += varintLen(*i)
	}
	for _, s := range strs {
		n += uvarintLen(uint64(len(*s))) + len(*s)
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteByte(flags)
	var buf [binary.MaxVarintLen64]byte
	for _, i := range ints {
		b.Write(binary.AppendVarint(buf[:0], *i))
	}
	for _, s := range strs {
		b.Write(binary.AppendUvarint(buf[:0], uint64(len(*s))))
		b.WriteString(*s)
	}
	b.Write(times)
	return b.String()
}

// unpackCaller decodes what packCaller encoded; the member's strings are
// parts of p.
func unpackCaller(p string) Caller {
	flags := p[0]
	p = p[1:]
	c := Caller{Coordinator: flags&packedCoordinator != 0}
	if flags&(packedMember|packedFormer) == 0 {
		return c
	}
	m := &Member{Plain: flags&packedPlain != 0}
	for _, i := range m.packedInts() {
		v, n := varintString(p)
		*i, p = v, p[n:]
	}
	for _, s := range m.packedStrings() {
		l, n := uvarintString(p)
		*s, p = p[n:n+int(l)], p[n+int(l):]
	}
	for _, t := range m.packedTimes() {
		n := 15 // Time.AppendBinary's version 1; version 2 adds a byte of seconds
		if p[0] == 2 {
			n = 16
		}
		_ = t.UnmarshalBinary([]byte(p[:n]))
		p = p[n:]
	}
	if flags&packedMember != 0 {
		c.Member = m
	} else {
		c.Former = m
	}
	return c
}

// packedInts, packedStrings and packedTimes are the fields of m that
// packCaller keeps, with Plain in its flags: all of them
// (TestPackCallerKeepsEveryField).
func (m *Member) packedInts() [2]*int64 { return [...]*int64{&m.ID, &m.OrganizationID} }

func (m *Member) packedStrings() [11]*string {
	return [...]*string{&m.Name, &m.Email, &m.Organization, &m.OrganizationFR, (*string)(&m.Order),
		&m.Jurisdiction, &m.Title, &m.Language, &m.SlackID, &m.TeamsID, &m.ConsoleID}
}

func (m *Member) packedTimes() [3]*time.Time {
	return [...]*time.Time{&m.JoinedAt, &m.LeftAt, &m.UpdatedAt}
}

// uvarintLen is the length of v's uvarint.
func uvarintLen(v uint64) int {
	n := 1
	for ; v >= 0x80; v >>= 7 {
		n++
	}
	return n
}

// varintLen is the length of v's varint (zig-zag).
func varintLen(v int64) int { return uvarintLen(uint64(v<<1) ^ uint64(v>>63)) }

// uvarintString is binary.Uvarint reading a string, which p always holds
// whole (packCaller wrote it).
func uvarintString(p string) (uint64, int) {
	var v uint64
	for i := 0; ; i++ {
		b := p[i]
		v |= uint64(b&0x7f) << (7 * i)
		if b < 0x80 {
			return v, i + 1
		}
	}
}

// varintString is binary.Varint reading a string (zig-zag, as
// AppendVarint wrote it).
func varintString(p string) (int64, int) {
	u, n := uvarintString(p)
	v := int64(u >> 1)
	if u&1 != 0 {
		v = ^v
	}
	return v, n
}
