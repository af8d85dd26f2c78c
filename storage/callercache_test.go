package storage

import (
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestPackCallerKeepsEveryField fills every field of a Member through
// reflection, so that a field added to Member and not to packCaller
// fails here, and checks each kind of answer survives the cache whole.
func TestPackCallerKeepsEveryField(t *testing.T) {
	m := &Member{}
	v := reflect.ValueOf(m).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		switch f.Kind() {
		case reflect.String:
			f.SetString(fmt.Sprintf("field %d ", i) + strings.Repeat("é", i*20)) // lengths past one varint byte
		case reflect.Int64:
			f.SetInt(int64(i+1) << 40)
		case reflect.Bool:
			f.SetBool(true)
		case reflect.Struct:
			f.Set(reflect.ValueOf(time.Date(2020+i, 3, 4, 5, 6, 7, 0, time.UTC)))
		default:
			t.Fatalf("Member.%s is a %s: teach this test and packCaller about it", v.Type().Field(i).Name, f.Kind())
		}
	}
	left := *m
	left.LeftAt, left.Plain = time.Time{}, false
	for _, c := range []Caller{
		{Member: m},
		{Member: m, Coordinator: true},
		{Former: &left},
		{Former: &left, Coordinator: true},
		{Coordinator: true},
		{},
	} {
		got := unpackCaller(packCaller(c))
		if !reflect.DeepEqual(got, c) {
			t.Errorf("packed and unpacked:\n got %+v\nwant %+v", got, c)
		}
	}
}

// TestCallerCacheAnswersAreCopies: what a caller does to its answer does
// not reach the cache, nor another caller's answer.
func TestCallerCacheAnswersAreCopies(t *testing.T) {
	var c callerCache
	now := time.Date(2027, 2, 1, 12, 0, 0, 0, time.UTC)
	id := Identity{Platform: PlatformSlack, ID: "U1"}
	c.put(7, id, Caller{Member: &Member{ID: 1, Name: "Marie"}, Version: 7}, now)
	a, at, ok := c.get(id, now)
	if !ok || at != 7 || a.Member == nil || a.Member.Name != "Marie" || a.Version != 7 {
		t.Fatalf("get: %+v %v", a, ok)
	}
	a.Member.Name = "changed"
	if b, _, _ := c.get(id, now); b.Member.Name != "Marie" {
		t.Errorf("a caller's change reached the cache: %q", b.Member.Name)
	}
	c.put(8, Identity{Platform: PlatformSlack, ID: "U2"}, Caller{Version: 8}, now)
	if _, _, ok := c.get(id, now); ok {
		t.Error("an answer read at version 7 was kept once one read at version 8 came")
	}
}

// TestCallerCacheBounded: a full cache starts afresh, so a flood of
// distinct people holds at most callerCacheSize answers; what is cached
// after that is still right.
func TestCallerCacheBounded(t *testing.T) {
	var c callerCache
	now := time.Date(2027, 2, 1, 12, 0, 0, 0, time.UTC)
	id := func(i int) Identity { return Identity{Platform: PlatformSlack, ID: fmt.Sprint("U", i)} }
	for i := range callerCacheSize + 10 {
		c.put(1, id(i), Caller{Member: &Member{ID: int64(i + 1)}, Version: 1}, now)
		if n := len(c.m); n > callerCacheSize {
			t.Fatalf("%d answers cached, bound %d", n, callerCacheSize)
		}
	}
	if n := len(c.m); n != 10 {
		t.Errorf("%d answers after starting afresh, want 10", n)
	}
	last := callerCacheSize + 9
	if got, _, ok := c.get(id(last), now); !ok || got.Member == nil || got.Member.ID != int64(last+1) {
		t.Errorf("newest answer: %+v %v", got, ok)
	}
	if _, _, ok := c.get(id(0), now); ok {
		t.Error("an answer from before the cache started afresh is still there")
	}
}

// BenchmarkCallerCacheMemory reports the heap that 10,000 cached callers
// hold, per caller ("B/caller"): members as a lookup reads them, each
// string its own allocation.
func BenchmarkCallerCacheMemory(b *testing.B) {
	const callers = 10000
	now := time.Date(2027, 2, 1, 12, 0, 0, 0, time.UTC)
	rows := benchRoster(callers)
	var per float64
	for b.Loop() {
		before := heapAlloc()
		var c callerCache
		for i, in := range rows {
			m := &Member{ID: int64(i + 1), OrganizationID: int64(i%130 + 1), Order: in.Order, Plain: i%7 == 0,
				JoinedAt: now, UpdatedAt: now}
			for dst, src := range map[*string]string{&m.Name: in.Name, &m.Email: in.Email, &m.Organization: in.Organization,
				&m.Jurisdiction: in.Jurisdiction, &m.Title: in.Title, &m.Language: in.Language, &m.SlackID: in.SlackID} {
				*dst = strings.Clone(src)
			}
			id := Identity{Platform: PlatformSlack, ID: fmt.Sprintf("U%08d", i)}
			c.put(1, id, Caller{Member: m, Version: 1}, now)
		}
		per = float64(heapAlloc()-before) / callers
		runtime.KeepAlive(&c)
	}
	b.ReportMetric(per, "B/caller")
}

// BenchmarkCallerCacheGet is one cached lookup's share of the cache.
func BenchmarkCallerCacheGet(b *testing.B) {
	now := time.Date(2027, 2, 1, 12, 0, 0, 0, time.UTC)
	var c callerCache
	ids := make([]Identity, 1000)
	for i, in := range benchRoster(len(ids)) {
		ids[i] = Identity{Platform: PlatformSlack, ID: fmt.Sprintf("U%08d", i)}
		c.put(1, ids[i], Caller{Member: &Member{ID: int64(i + 1), Name: in.Name, Email: in.Email,
			Organization: in.Organization, Order: in.Order, Jurisdiction: in.Jurisdiction, Title: in.Title,
			Language: in.Language, SlackID: in.SlackID, JoinedAt: now, UpdatedAt: now}, Version: 1}, now)
	}
	i := 0
	for b.Loop() {
		if _, _, ok := c.get(ids[i%len(ids)], now); !ok {
			b.Fatal("miss")
		}
		i++
	}
}

// heapAlloc is the live heap after a collection.
func heapAlloc() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}
