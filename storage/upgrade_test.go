package storage

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// An older copbot made the database; the newer one copies it, verified,
// beside itself before migrating, and says where.
func TestUpgradeBacksUpFirst(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "copbot.db")
	known := Migrations()
	newest := known[len(known)-1]
	old := openMigratedTo(t, path, newest)
	if u := old.Upgrade(); u.Backup != "" || len(u.Applied) != len(known)-1 {
		t.Errorf("a new database: upgrade %+v, want no backup and %d migrations", u, len(known)-1)
	}
	// Written as the older copbot wrote it: today's JoinMember may need
	// what the newest migration adds.
	if _, err := old.db.Exec(`INSERT INTO organizations (name, name_key, ord, jurisdiction) VALUES ('ServiceOntario', 'serviceontario', 'provincial', 'ON');
		INSERT INTO members (name, name_key, organization_id, ord, jurisdiction, slack_id, joined_at, updated_at)
		VALUES ('Marie Tremblay', 'marietremblay', last_insert_rowid(), 'provincial', 'ON', 'U1', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`); err != nil {
		t.Fatal(err)
	}
	old.Close()

	plan, err := CheckMigrations(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if !plan.Exists || !slices.Equal(plan.Pending, []string{newest}) || len(plan.Future) > 0 || plan.Latest() != known[len(known)-2] {
		t.Errorf("CheckMigrations = %+v, want %s pending after %s", plan, newest, known[len(known)-2])
	}
	before := time.Now().UTC().Truncate(time.Second)
	d, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	u := d.Upgrade()
	if !slices.Equal(u.Applied, []string{newest}) {
		t.Errorf("applied %v, want [%s]", u.Applied, newest)
	}
	num, _, _ := strings.Cut(newest, "_")
	if filepath.Dir(u.Backup) != dir || !strings.HasPrefix(filepath.Base(u.Backup), "copbot.db.before-"+num+"-") {
		t.Fatalf("backup at %q, want copbot.db.before-%s-… next to the database", u.Backup, num)
	}
	if u.Backup < BackupName(path, newest, before) || u.Backup > BackupName(path, newest, time.Now()) {
		t.Errorf("backup %q not stamped with the time of the upgrade", u.Backup)
	}
	// The copy is the database as the older copbot left it: its member,
	// not the new migration, and sound.
	b, err := CheckMigrations(ctx, u.Backup)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(b.Pending, []string{newest}) {
		t.Errorf("the backup has %v pending, want the database from before the upgrade", b.Pending)
	}
	if err := d.verifyCopy(ctx, u.Backup); err != nil {
		t.Errorf("backup: %v", err)
	}
	if got := countRows(t, d, "SELECT count(*) FROM members"); got != 1 {
		t.Errorf("%d members after the upgrade, want 1", got)
	}
	d.Close()
	again, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if u := again.Upgrade(); u.Backup != "" || len(u.Applied) != 0 {
		t.Errorf("an up-to-date database was upgraded again: %+v", u)
	}
}

// A database migrated by a newer copbot is refused before anything is
// written, and CheckMigrations says so.
func TestFutureDatabaseRefused(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "copbot.db")
	d, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	mustJoin(t, d, marieInput())
	if _, err := d.db.ExecContext(ctx, "INSERT INTO schema_migrations (name, applied_at) VALUES ('9001_from_the_future.sql', '2030-01-01T00:00:00Z')"); err != nil {
		t.Fatal(err)
	}
	d.Close()
	files := func() []string {
		es, _ := os.ReadDir(dir)
		var names []string
		for _, e := range es {
			names = append(names, e.Name())
		}
		return names
	}
	was := files()
	_, err = Open(ctx, path)
	var fe *FutureSchemaError
	if !errors.As(err, &fe) || !slices.Equal(fe.Future, []string{"9001_from_the_future.sql"}) || fe.Path != path {
		t.Fatalf("Open = %v, want a FutureSchemaError naming 9001_from_the_future.sql", err)
	}
	if !strings.Contains(err.Error(), "newer copbot") {
		t.Errorf("message %q does not say a newer copbot upgraded it", err)
	}
	if now := files(); !slices.Equal(now, was) {
		t.Errorf("files %v after the refusal, were %v", now, was)
	}
	plan, err := CheckMigrations(ctx, path)
	if err != nil || !slices.Equal(plan.Future, []string{"9001_from_the_future.sql"}) {
		t.Errorf("CheckMigrations = %+v, %v", plan, err)
	}
	// An unknown name older than the newest known is not the future (a
	// migration renumbered during development): it is left alone.
	if p := planFrom([]string{"0001_init.sql", "0002_gone.sql"}, []string{"0001_init.sql", "0003_new.sql"}); len(p.Future) > 0 || !slices.Equal(p.Pending, []string{"0003_new.sql"}) {
		t.Errorf("planFrom = %+v", p)
	}
}

// CheckMigrations never creates the database it is asked about.
func TestCheckMigrationsMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "none.db")
	plan, err := CheckMigrations(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Exists || !slices.Equal(plan.Pending, Migrations()) {
		t.Errorf("plan = %+v, want every migration pending", plan)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("CheckMigrations created %s (%v)", path, err)
	}
}

// The time of the last verified backup is kept in the database, so that
// the serving process can report its age whoever made it.
func TestLastBackupRecorded(t *testing.T) {
	d, _ := openMemberDB(t)
	ctx := context.Background()
	if at, err := d.LastBackup(ctx); err != nil || !at.IsZero() {
		t.Fatalf("LastBackup before any = %v, %v", at, err)
	}
	d.Now = func() time.Time { return time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC) }
	if err := d.Backup(ctx, filepath.Join(t.TempDir(), "b.db")); err != nil {
		t.Fatal(err)
	}
	if at, err := d.LastBackup(ctx); err != nil || !at.Equal(time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("LastBackup = %v, %v", at, err)
	}
	// A failed backup (the name is taken) leaves it as it was.
	d.Now = func() time.Time { return time.Date(2027, 3, 2, 9, 0, 0, 0, time.UTC) }
	taken := filepath.Join(t.TempDir(), "taken.db")
	os.WriteFile(taken, nil, 0o600)
	if err := d.Backup(ctx, taken); err == nil {
		t.Fatal("backup over an existing file succeeded")
	}
	if at, _ := d.LastBackup(ctx); !at.Equal(time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("a failed backup moved LastBackup to %v", at)
	}
	// A backup of a database opened read-only is made, without a record.
	d.Close()
	if err := BackupFile(ctx, d.path, filepath.Join(t.TempDir(), "ro.db")); err != nil {
		t.Errorf("BackupFile: %v", err)
	}
}

func TestOpsStatsAndFileSizes(t *testing.T) {
	d, _ := openMemberDB(t)
	mustJoin(t, d, marieInput())
	s, err := d.OpsStats(context.Background())
	if err != nil || s.Overdue != 0 || s.SentLate != 0 || len(s.Deliveries) != 0 || len(s.Reminders) != 0 {
		t.Errorf("OpsStats of a database without meetings = %+v, %v", s, err)
	}
	db, wal, err := d.FileSizes()
	if err != nil || db <= 0 || wal <= 0 {
		t.Errorf("FileSizes = %d, %d, %v; want both > 0 with the WAL open", db, wal, err)
	}
}
