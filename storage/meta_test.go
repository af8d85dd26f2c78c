package storage

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// TestInstallationID: a random id per database, made once and kept, that
// makes new meetings' iCalendar UIDs globally unique.
func TestInstallationID(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ids := map[string]bool{}
	for _, name := range []string{"a.db", "b.db"} {
		d, err := Open(ctx, filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		id, err := d.InstallationID(ctx)
		if err != nil || !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(id) {
			t.Fatalf("InstallationID = %q, %v; want 32 hex digits", id, err)
		}
		d.Close()
		d, err = Open(ctx, filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if again, _ := d.InstallationID(ctx); again != id {
			t.Errorf("InstallationID changed on reopening: %s, then %s", id, again)
		}
		backup := filepath.Join(dir, "copy-"+name)
		if err := d.Backup(ctx, backup); err != nil {
			t.Fatal(err)
		}
		b, err := OpenReadOnly(ctx, backup)
		if err != nil {
			t.Fatal(err)
		}
		if copied, _ := b.InstallationID(ctx); copied != id {
			t.Errorf("a backup's installation id %s, want %s", copied, id)
		}
		b.Close()
		d.Close()
		ids[id] = true
	}
	if len(ids) != 2 {
		t.Errorf("two databases share an installation id: %v", ids)
	}
}

// TestMeetingUIDs: a new meeting's UID holds its id and the installation
// id and never changes; meetings that existed before keep the UID
// calendars know them by ("meeting-<id>@copbot").
func TestMeetingUIDs(t *testing.T) {
	ctx := context.Background()
	d := openMigratedTo(t, filepath.Join(t.TempDir(), "old.db"), "0027")
	if _, err := d.db.Exec(fill0015); err != nil {
		t.Fatal(err)
	}
	if err := d.migrate(ctx, migrations()); err != nil {
		t.Fatal(err)
	}
	d.Now = NewTestClock(time.Date(2027, 1, 15, 12, 0, 0, 0, time.UTC)).Now
	old, err := d.MeetingByID(ctx, 3)
	if err != nil || old.UID != "meeting-3@copbot" {
		t.Errorf("existing meeting's UID %q, %v; want meeting-3@copbot", old.UID, err)
	}
	install, _ := d.InstallationID(ctx)
	m, err := d.CreateMeeting(ctx, MeetingInput{StartsAt: time.Date(2027, 4, 1, 17, 0, 0, 0, time.UTC), Zone: "UTC", Duration: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("meeting-%d.%s@copbot", m.ID, install)
	title := "Moved and renamed"
	later := m.StartsAt.Add(time.Hour)
	m, err = d.UpdateMeeting(ctx, m.ID, MeetingUpdate{Title: &title, StartsAt: &later})
	if err != nil || m.UID != want {
		t.Errorf("UID after an edit %q, %v; want %q", m.UID, err, want)
	}
	if got, _ := d.MeetingByID(ctx, m.ID); got.UID != want {
		t.Errorf("stored UID %q, want %q", got.UID, want)
	}
}
