package storage

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
)

// openDirDB opens a database holding three Ontario members (one from a
// roster, without platform ids) and one from Yukon, and a second handle on
// the same file, as a console would open it.
func openDirDB(t *testing.T) (d, other *DB, ids map[string]int64) {
	t.Helper()
	d, _ = openMemberDB(t)
	ctx := context.Background()
	ids = map[string]int64{}
	for _, in := range []MemberInput{marieInput(),
		{Name: "Bob Lee", Organization: "ServiceOntario", Order: OrderProvincial, Jurisdiction: "ON", SlackID: "U2"},
		{Name: "Ann Roy", Organization: "Yukon Health", Order: OrderProvincial, Jurisdiction: "YT", SlackID: "U3"},
	} {
		ids[in.Name] = mustJoin(t, d, in).ID
	}
	if _, err := d.ImportMembers(ctx, []MemberInput{rosterJane()}); err != nil {
		t.Fatal(err)
	}
	ids["Jane Doe"] = mustFindMembers(t, d, MemberFilter{Email: dcPtr("jane@ontario.ca")})[0].ID
	other, err := Open(ctx, filepath.Join(filepath.Dir(d.path), "copbot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	return d, other, ids
}

func dcPtr[T any](v T) *T { return &v }

func mustFindMembers(t *testing.T, d *DB, f MemberFilter) []*Member {
	t.Helper()
	ms, _, err := d.FindMembers(context.Background(), f)
	if err != nil {
		t.Fatalf("FindMembers(%+v): %v", f, err)
	}
	return ms
}

// dirView is a FindMembers answer, for comparisons.
type dirView struct {
	Members []Member
	Total   int
}

func findPage(t *testing.T, d *DB, f MemberFilter) dirView {
	t.Helper()
	ms, total, err := d.FindMembers(context.Background(), f)
	if err != nil {
		t.Fatalf("FindMembers(%+v): %v", f, err)
	}
	p := dirView{Total: total}
	for _, m := range ms {
		p.Members = append(p.Members, *m)
	}
	return p
}

// uncachedPage reads f through a fresh handle, whose cache is empty.
func uncachedPage(t *testing.T, d *DB, f MemberFilter) dirView {
	t.Helper()
	fresh, err := Open(context.Background(), d.path)
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	return findPage(t, fresh, f)
}

func ontarioPage() MemberFilter {
	return MemberFilter{Jurisdiction: dcPtr(" on "), Limit: 2, Offset: 1}
}

func TestDirCacheHit(t *testing.T) {
	filters := []MemberFilter{
		ontarioPage(),
		{Jurisdiction: dcPtr("ON"), Limit: 50},
		{Order: dcPtr(OrderProvincial)},
		{Jurisdiction: dcPtr("YT"), Order: dcPtr(OrderProvincial), Limit: 1},
		{},
	}
	d, _, _ := openDirDB(t)
	for _, f := range filters {
		first := findPage(t, d, f)
		if n := len(d.dir.pages); n == 0 {
			t.Fatalf("%+v: nothing cached", f)
		}
		if got := findPage(t, d, f); !reflect.DeepEqual(got, first) {
			t.Errorf("%+v: cached %+v, want %+v", f, got, first)
		}
		if want := uncachedPage(t, d, f); !reflect.DeepEqual(first, want) {
			t.Errorf("%+v: %+v, want %+v", f, first, want)
		}
	}
	if got, want := len(d.dir.pages), len(filters); got != want {
		t.Errorf("%d pages cached, want %d", got, want)
	}
}

// TestDirCacheNotForLookups: lookups by id, identity or email, and lists
// including former members, are always read from the database.
func TestDirCacheNotForLookups(t *testing.T) {
	d, _, ids := openDirDB(t)
	for _, f := range []MemberFilter{
		{ID: dcPtr(ids["Bob Lee"])},
		{Identity: &Identity{Platform: PlatformSlack, ID: "U2"}},
		{Email: dcPtr("marie@ontario.ca")},
		{IncludeLeft: true, Jurisdiction: dcPtr("ON")},
	} {
		findPage(t, d, f)
		if n := len(d.dir.pages); n != 0 {
			t.Errorf("%+v: %d pages cached, want 0", f, n)
		}
	}
}

// TestDirCacheInvalidation: after any write, by this handle or another one
// on the same file, the directory shows it.
func TestDirCacheInvalidation(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name  string
		write func(t *testing.T, d, other *DB, ids map[string]int64) error
	}{
		{"join", func(t *testing.T, d, _ *DB, _ map[string]int64) error {
			_, _, err := d.JoinMember(ctx, MemberInput{Name: "Aaron Abe", Organization: "ServiceOntario",
				Order: OrderProvincial, Jurisdiction: "ON", SlackID: "U9"})
			return err
		}},
		{"update", func(t *testing.T, d, _ *DB, ids map[string]int64) error {
			_, err := d.UpdateMember(ctx, ids["Jane Doe"], MemberUpdate{Title: dcPtr("Chief")})
			return err
		}},
		{"leave", func(t *testing.T, d, _ *DB, ids map[string]int64) error {
			return d.LeaveMember(ctx, ids["Jane Doe"])
		}},
		{"import", func(t *testing.T, d, _ *DB, _ map[string]int64) error {
			_, err := d.ImportMembers(ctx, []MemberInput{{Name: "Abel Zed", Organization: "ServiceOntario",
				Order: OrderProvincial, Jurisdiction: "ON"}})
			return err
		}},
		{"link", func(t *testing.T, d, _ *DB, ids map[string]int64) error {
			_, _, err := d.LinkMember(ctx, ids["Jane Doe"], Identity{Platform: PlatformSlack, ID: "U7"})
			return err
		}},
		{"update by another handle", func(t *testing.T, _, other *DB, ids map[string]int64) error {
			_, err := other.UpdateMember(ctx, ids["Jane Doe"], MemberUpdate{Name: dcPtr("Janet Doe")})
			return err
		}},
		{"join by another handle", func(t *testing.T, _, other *DB, _ map[string]int64) error {
			_, _, err := other.JoinMember(ctx, MemberInput{Name: "Aaron Abe", Organization: "Ontario Health",
				Order: OrderProvincial, Jurisdiction: "ON", SlackID: "U9"})
			return err
		}},
		{"organization renamed by SQL", func(t *testing.T, _, other *DB, _ map[string]int64) error {
			_, err := other.db.ExecContext(ctx, "UPDATE organizations SET name = 'Service Ontario' WHERE name = 'ServiceOntario'")
			return err
		}},
		{"member deleted by SQL", func(t *testing.T, _, other *DB, ids map[string]int64) error {
			_, err := other.db.ExecContext(ctx, "DELETE FROM members WHERE id = ?", ids["Jane Doe"])
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, other, ids := openDirDB(t)
			f := MemberFilter{Jurisdiction: dcPtr("ON"), Limit: 50}
			before := findPage(t, d, f)
			findPage(t, d, f) // served from the cache
			if err := tt.write(t, d, other, ids); err != nil {
				t.Fatalf("write: %v", err)
			}
			got, want := findPage(t, d, f), uncachedPage(t, d, f)
			if reflect.DeepEqual(want, before) {
				t.Fatalf("the write did not change the page %+v", before)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("after the write: %+v, want %+v", got, want)
			}
		})
	}
}

// TestDirCacheCopies: callers may change what FindMembers returns without
// changing what it returns next.
func TestDirCacheCopies(t *testing.T) {
	d, _, _ := openDirDB(t)
	f := ontarioPage()
	want := findPage(t, d, f)
	for range 2 { // the page stored on a miss, then the one returned on a hit
		ms := mustFindMembers(t, d, f)
		ms[0].Name = "Mallory"
		ms[0] = &Member{Name: "Eve"}
		if got := findPage(t, d, f); !reflect.DeepEqual(got, want) {
			t.Fatalf("after changing a result: %+v, want %+v", got, want)
		}
	}
}

// TestDirCacheBounded: the cache never holds more than dirCacheSize pages.
func TestDirCacheBounded(t *testing.T) {
	d, _, _ := openDirDB(t)
	for offset := range dirCacheSize + 10 {
		findPage(t, d, MemberFilter{Order: dcPtr(OrderProvincial), Limit: 1, Offset: offset})
		if n := len(d.dir.pages); n > dirCacheSize {
			t.Fatalf("%d pages cached, want at most %d", n, dirCacheSize)
		}
	}
}
