package storage

import (
	"context"
	"database/sql"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMigrationsRecordedOnce(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "copbot.db")
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil || len(names) == 0 {
		t.Fatalf("embedded migrations: %v, %v", names, err)
	}
	for i := range 2 {
		d, err := Open(ctx, path)
		if err != nil {
			t.Fatalf("open #%d: %v", i+1, err)
		}
		if got := countRows(t, d, "SELECT count(*) FROM schema_migrations"); got != len(names) {
			t.Errorf("open #%d: %d migrations recorded, want %d", i+1, got, len(names))
		}
		if got := countRows(t, d, "SELECT count(*) FROM schema_migrations WHERE name = '0001_init.sql'"); got != 1 {
			t.Errorf("open #%d: 0001_init.sql recorded %d times", i+1, got)
		}
		if i == 0 {
			mustJoin(t, d, marieInput())
		}
		if got := countRows(t, d, "SELECT count(*) FROM members"); got != 1 {
			t.Errorf("open #%d: %d members, want 1", i+1, got)
		}
		d.Close()
	}
}

func TestBackup(t *testing.T) {
	d, _ := openMemberDB(t)
	ctx := context.Background()
	mustJoin(t, d, marieInput())
	mustJoin(t, d, MemberInput{Name: "Jean Roy", Organization: "Service Canada", Order: OrderFederal, TeamsID: "T1"})
	gone := mustJoin(t, d, MemberInput{Name: "Ex", Organization: "City of Halifax", Order: OrderMunicipal, Jurisdiction: "NS"})
	if err := d.LeaveMember(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	if err := d.AddCoordinator(ctx, Identity{Platform: PlatformSlack, ID: "U1"}, Identity{}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "backup.db")
	if err := d.Backup(ctx, path); err != nil {
		t.Fatal(err)
	}
	if err := d.Backup(ctx, path); err == nil {
		t.Error("Backup over an existing file succeeded")
	}
	b, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if want, got := snapshot(t, d), snapshot(t, b); !sameSnapshot(want, got) || len(got) != 3 {
		t.Errorf("backup holds %d members, want the same %d", len(got), len(want))
	}
	if ok, err := b.IsCoordinator(ctx, Identity{Platform: PlatformSlack, ID: "U1"}); !ok || err != nil {
		t.Errorf("backup lost the coordinator: %v, %v", ok, err)
	}
	ws, _ := d.Stats(ctx)
	bs, _ := b.Stats(ctx)
	if ws.People != bs.People || ws.People != 2 {
		t.Errorf("backup Stats.People = %d, live %d, want 2", bs.People, ws.People)
	}
}

// TestQueryPlans pins the indexes the performance targets rely on.
func TestQueryPlans(t *testing.T) {
	d, _ := openMemberDB(t)
	yt := "YT"
	where, args, err := memberWhere(MemberFilter{Jurisdiction: &yt})
	if err != nil {
		t.Fatal(err)
	}
	countQ, countArgs, ok := activeCountQuery(MemberFilter{Jurisdiction: &yt})
	if !ok {
		t.Fatal("the directory filter is not counted from organizations")
	}
	tests := []struct {
		query string
		args  []any
		want  string
	}{
		{memberSelect + where + " ORDER BY m.ord_rank, m.name_key, m.id LIMIT 50", args, "INDEX members_directory"},
		{countQ, countArgs, "COVERING INDEX organizations_active"},
		{"SELECT count(*) FROM members m" + where, args, "COVERING INDEX members_directory"},
		{`SELECT ord, jurisdiction, count(*), sum(active_members) FROM organizations
			WHERE active_members > 0 GROUP BY ord, jurisdiction`, nil, "COVERING INDEX organizations_active"},
	}
	for _, tt := range tests {
		rows, err := d.db.Query("EXPLAIN QUERY PLAN "+tt.query, tt.args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		joined := strings.Join(plan, "; ")
		if !strings.Contains(joined, tt.want) || strings.Contains(joined, "TEMP B-TREE") {
			t.Errorf("plan of %.60q… = %s; want %s and no temporary sort", tt.query, joined, tt.want)
		}
	}
}

func TestOpenPathWithURICharacters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "odd?name#100%.db")
	d, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, _, err := d.JoinMember(context.Background(), MemberInput{Name: "Ada", Organization: "ServiceOntario",
		Order: OrderProvincial, Jurisdiction: "ON", ConsoleID: "ada"}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database not at the path given: %v", err)
	}
}

// TestPageCacheIsSmallButForImports: every connection keeps a page cache
// of pageCacheKiB (it was 32 MiB each, up to seven connections), an
// import has bigPageCacheKiB for its transaction, and its connection goes
// back to the pool with the small one.
func TestPageCacheIsSmallButForImports(t *testing.T) {
	ctx := context.Background()
	d, _ := openMemberDB(t)
	cacheSize := func(q interface {
		QueryRowContext(context.Context, string, ...any) *sql.Row
	}) int {
		t.Helper()
		var n int
		if err := q.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	err := d.write(ctx, func(tx *tx) error {
		if got := cacheSize(tx.Tx); got != -pageCacheKiB {
			t.Errorf("a connection's cache_size is %d, want %d", got, -pageCacheKiB)
		}
		restore, err := tx.roomy()
		if err != nil {
			return err
		}
		if got := cacheSize(tx.Tx); got != -bigPageCacheKiB {
			t.Errorf("in a roomy transaction cache_size is %d, want %d", got, -bigPageCacheKiB)
		}
		restore()
		if got := cacheSize(tx.Tx); got != -pageCacheKiB {
			t.Errorf("after restore cache_size is %d, want %d", got, -pageCacheKiB)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.ImportMembers(ctx, benchRoster(50)); err != nil {
		t.Fatal(err)
	}
	// Every connection of the pool, the import's among them, held at once.
	open := d.db.Stats().OpenConnections
	for range open {
		c, err := d.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if got := cacheSize(c); got != -pageCacheKiB {
			t.Errorf("after an import a connection's cache_size is %d, want %d", got, -pageCacheKiB)
		}
	}
}
