package meetings

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"copbot/handlers"
	"copbot/handlers/handlerstest"
	"copbot/storage"
)

// TestImportPastMeetings: a CSV of meetings that took place (French
// headers, semicolons, BOM) is stored as held, with no notice and no
// reminder, and a second import adds nothing; a file with a bad row is
// refused whole, every problem named by its line, in both languages.
func TestImportPastMeetings(t *testing.T) {
	clock, poster := handlerstest.NewClock(rcT0), &handlerstest.DMPoster{}
	var f *Feature
	e := handlerstest.New(t, handlerstest.Setup{Poster: poster, Clock: clock,
		Install: func(s *handlers.Service) { f = Install(s, Options{}) }})
	ctx := context.Background()
	good := "\uFEFFdate;heure;titre;thème;durée\n" +
		"2026-09-16;13:00;L’accessibilité dans les centres de contact;Accessibilité;90m\n" +
		"2026-06-17;13 h;Réunion de juin;;\n"
	rep, err := f.ImportPastMeetings(ctx, strings.NewReader(good))
	if err != nil || rep.Created != 2 || rep.Unchanged != 0 {
		t.Fatalf("import: %+v, %v", rep, err)
	}
	if got := rep.Text(f, "en"); !strings.Contains(got, "2 past meetings imported as held (0 were already there)") {
		t.Errorf("en report: %s", got)
	}
	if got := rep.Text(f, "fr"); !strings.Contains(got, "2 réunions passées importées comme tenues (0 s’y trouvait déjà)") {
		t.Errorf("fr report: %s", got)
	}
	ms, err := e.DB.FindMeetings(ctx, storage.MeetingFilter{})
	if err != nil || len(ms) != 2 {
		t.Fatalf("meetings %v, %v", ms, err)
	}
	sept := time.Date(2026, 9, 16, 17, 0, 0, 0, time.UTC) // 13:00 EDT
	for _, m := range ms {
		if rs, _ := e.DB.RemindersOf(ctx, m.ID); len(rs) != 0 {
			t.Errorf("meeting %d has %d reminders", m.ID, len(rs))
		}
		if m.Title == "L’accessibilité dans les centres de contact" && (!m.StartsAt.Equal(sept) || m.Duration != 90*time.Minute || m.Theme != "Accessibilité") {
			t.Errorf("stored %+v", m)
		}
	}
	if len(poster.Posts("meeting_notice")) != 0 {
		t.Errorf("an import posted notices")
	}
	// Notes can be taken at once.
	if r := e.Ask(handlerstest.Coordinator, "meeting notes 1 --point x"); !strings.Contains(r.Text, "record is saved") {
		t.Errorf("notes: %s", r.Text)
	}
	rep, err = f.ImportPastMeetings(ctx, strings.NewReader(good))
	if err != nil || rep.Created != 0 || rep.Unchanged != 2 {
		t.Fatalf("second import: %+v, %v", rep, err)
	}

	bad := "date,time,title\n2026-10-21,13:00,October\n2026-13-01,13:00,Bad month\n2027-01-20,13:00,Not yet\n2026-10-22,25:00,Bad hour\n"
	rep, err = f.ImportPastMeetings(ctx, strings.NewReader(bad))
	if !errors.Is(err, ErrPastImportRejected) {
		t.Fatalf("bad file: %+v, %v", rep, err)
	}
	en := rep.Text(f, "en")
	for _, w := range []string{"Nothing was imported", "Line 3: ", "Line 5: "} {
		if !strings.Contains(en, w) {
			t.Errorf("en problems lack %q:\n%s", w, en)
		}
	}
	if fr := rep.Text(f, "fr"); !strings.Contains(fr, "Rien n’a été importé") || !strings.Contains(fr, "Ligne 3") {
		t.Errorf("fr problems:\n%s", fr)
	}
	// The future row is caught by storage, once the others are right.
	rep, err = f.ImportPastMeetings(ctx, strings.NewReader("date,time,title\n2026-10-21,13:00,October\n2027-01-20,13:00,Not yet\n"))
	if !errors.Is(err, ErrPastImportRejected) || !strings.Contains(rep.Text(f, "en"), "Line 3: A meeting recorded with --held must have taken place") {
		t.Fatalf("future row: %s, %v", rep.Text(f, "en"), err)
	}
	if ms, _ := e.DB.FindMeetings(ctx, storage.MeetingFilter{}); len(ms) != 2 {
		t.Errorf("after refused files: %d meetings, want 2", len(ms))
	}
	rep, _ = f.ImportPastMeetings(ctx, strings.NewReader("name,when\nx,y\n"))
	if !strings.Contains(rep.Text(f, "en"), "The first row must name the columns: date, time and title") {
		t.Errorf("header: %s", rep.Text(f, "en"))
	}
}
