package storage

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"
)

// A database started from the image is the one the migrations make:
// same schema, same rows, except what renew makes its own (installation
// id, when migrations were applied, the open's health probe).
func TestFreshImageIsMigrated(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var cache imageCache
	open := func(name string) *DB {
		t.Helper()
		d, err := openCached(ctx, filepath.Join(dir, name), nil, &cache)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		return d
	}
	first, second := open("first.db"), open("second.db")
	if cache.image == nil || cache.migrated != 2 {
		t.Fatalf("after two new databases: image %d bytes, %d migrated; want an image of the second", len(cache.image), cache.migrated)
	}
	third := open("third.db")
	if cache.migrated != 2 {
		t.Fatalf("the third new database was migrated (%d), not started from the image", cache.migrated)
	}
	want := dumpDB(t, first)
	for _, d := range []*DB{second, third} {
		if got := dumpDB(t, d); !reflect.DeepEqual(got, want) {
			for i := range max(len(got), len(want)) {
				if i >= len(got) || i >= len(want) || got[i] != want[i] {
					t.Errorf("%s differs from a migrated database at line %d:\n got %q\nwant %q", d.path, i, at(got, i), at(want, i))
					break
				}
			}
		}
	}
	if got, want := third.Upgrade(), first.Upgrade(); !reflect.DeepEqual(got, want) || len(got.Applied) == 0 {
		t.Errorf("Upgrade() of the copy = %+v, want %+v as for any new database", got, want)
	}
	ids := map[string]bool{}
	for _, d := range []*DB{first, second, third} {
		var id, applied string
		if err := d.db.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'installation_id'").Scan(&id); err != nil {
			t.Fatal(err)
		}
		if len(id) != 32 || ids[id] {
			t.Errorf("%s: installation id %q, want 32 hex digits of its own", d.path, id)
		}
		ids[id] = true
		if err := d.db.QueryRowContext(ctx, "SELECT min(applied_at) FROM schema_migrations").Scan(&applied); err != nil {
			t.Fatal(err)
		}
		if _, err := time.Parse(time.RFC3339, applied); err != nil {
			t.Errorf("%s: applied_at %q: %v", d.path, applied, err)
		}
	}
	// The copy is a working database: a member joins it.
	if _, _, err := third.JoinMember(ctx, MemberInput{Name: "Ann Lee", Organization: "ServiceOntario",
		Order: OrderProvincial, Jurisdiction: "ON", SlackID: "U1"}); err != nil {
		t.Fatal(err)
	}
}

// A path that appears while the copy is being written is left as it is.
func TestFreshImageNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	cache := imageCache{image: []byte("not a database")}
	path := filepath.Join(dir, "taken.db")
	if err := os.WriteFile(path, []byte("someone else's"), 0o600); err != nil {
		t.Fatal(err)
	}
	if cache.place(path) {
		t.Fatal("place wrote over an existing file")
	}
	if got, err := os.ReadFile(path); err != nil || string(got) != "someone else's" {
		t.Fatalf("file now holds %q (%v)", got, err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) != 0 {
		t.Errorf("place left %v behind", left)
	}
}

func at(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "(nothing)"
}

// dumpDB lists the schema and every row, sorted, with the values that
// belong to one database alone masked.
func dumpDB(t *testing.T, d *DB) []string {
	t.Helper()
	ctx := context.Background()
	rows, err := d.db.QueryContext(ctx, "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master ORDER BY type, name")
	if err != nil {
		t.Fatal(err)
	}
	var out, tables []string
	for rows.Next() {
		var typ, name, tbl, sql string
		if err := rows.Scan(&typ, &name, &tbl, &sql); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s %s %s %s", typ, name, tbl, sql))
		if typ == "table" {
			tables = append(tables, name)
		}
	}
	rows.Close()
	masked := map[string]bool{"applied_at": true, "checked_at": true}
	for _, table := range tables {
		rows, err := d.db.QueryContext(ctx, fmt.Sprintf("SELECT * FROM %q", table))
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		var lines []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, c := range cols {
				if masked[c] || (table == "meta" && c == "value" && fmt.Sprint(vals[0]) == "installation_id") {
					vals[i] = "*"
				}
				if b, ok := vals[i].([]byte); ok {
					vals[i] = string(b)
				}
			}
			lines = append(lines, fmt.Sprintf("%s %v", table, vals))
		}
		rows.Close()
		slices.Sort(lines)
		out = append(out, lines...)
	}
	return out
}
