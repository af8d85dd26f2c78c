package storage

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// twoProcesses opens the same database file twice, as two copbot processes
// (or a console beside the service) would, with one clock.
func twoProcesses(t *testing.T) (a, b *DB) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "copbot.db")
	clock := NewTestClock(time.Date(2027, 1, 15, 12, 0, 0, 0, time.UTC))
	for _, d := range []**DB{&a, &b} {
		var err error
		if *d, err = Open(context.Background(), path); err != nil {
			t.Fatal(err)
		}
		(*d).Now = clock.Now
		t.Cleanup(func() { (*d).Close() })
	}
	return a, b
}

var (
	marieActor = Actor{Identity: Identity{Platform: PlatformSlack, ID: "U1"}, Name: "Marie Tremblay", Coordinator: true}
	jeanActor  = Actor{Identity: Identity{Platform: PlatformTeams, ID: "T2"}, Name: "Jean Roy", Coordinator: true}
)

// both runs f twice at once, once per handle and actor, and returns their
// errors in that order.
func both(a, b *DB, f func(ctx context.Context, d *DB) error) [2]error {
	var errs [2]error
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, d := range []*DB{a, b} {
		ctx := WithActor(context.Background(), []Actor{marieActor, jeanActor}[i])
		wg.Go(func() {
			<-start
			errs[i] = f(ctx, d)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// TestMeetingAddRace is finding 4 of issue 16: two coordinators sending the
// same "meeting add" at the same instant made two meetings in 6 of 20
// pairs. Each pair now makes one, and the other coordinator learns who
// added it.
func TestMeetingAddRace(t *testing.T) {
	a, b := twoProcesses(t)
	for pair := range 20 {
		in := MeetingInput{Title: fmt.Sprintf("Pair %d", pair), StartsAt: time.Date(2027, 3, 1+pair, 17, 0, 0, 0, time.UTC),
			Zone: "America/Toronto", Duration: time.Hour, Reminders: []time.Duration{24 * time.Hour}}
		made := make([]*Meeting, 2)
		errs := both(a, b, func(ctx context.Context, d *DB) error {
			m, err := d.CreateMeeting(ctx, in)
			if err == nil {
				made[map[*DB]int{a: 0, b: 1}[d]] = m
			}
			return err
		})
		winner, loser := 0, 1
		if errs[0] != nil {
			winner, loser = 1, 0
		}
		var e *Error
		if errs[winner] != nil || !errors.As(errs[loser], &e) || e.Key != "meeting_error_duplicate" {
			t.Fatalf("pair %d: errors %v, want one success and one meeting_error_duplicate", pair, errs)
		}
		w, by := made[winner], []Actor{marieActor, jeanActor}[winner]
		if e.Args["ID"] != w.ID || e.Args["ByName"] != by.Name || e.Args["By"] != by.Identity.String() ||
			!e.Args["AddedAt"].(time.Time).Equal(w.CreatedAt) {
			t.Errorf("pair %d: refusal args %v, want meeting %d added by %s (%s) at %s", pair, e.Args, w.ID, by.Name,
				by.Identity, w.CreatedAt)
		}
		if n := countRows(t, a, "SELECT count(*) FROM meetings WHERE starts_at = ?", formatTime(in.StartsAt)); n != 1 {
			t.Errorf("pair %d: %d meetings, want 1", pair, n)
		}
		if n := countRows(t, a, "SELECT count(*) FROM reminders WHERE starts_at = ?", formatTime(in.StartsAt)); n != 1 {
			t.Errorf("pair %d: %d reminders, want 1", pair, n)
		}
	}
}

// TestMeetingPlanRace: "meeting plan YEAR" sent twice at once made 8
// meetings for 4 quarters. Each year now gets its 4, each added once.
func TestMeetingPlanRace(t *testing.T) {
	a, b := twoProcesses(t)
	for year := 2027; year <= 2031; year++ {
		var plans []MeetingPlan
		for _, month := range []time.Month{time.March, time.June, time.September, time.December} {
			from := time.Date(year, month, 1, 0, 0, 0, 0, time.UTC)
			plans = append(plans, MeetingPlan{From: from, Before: from.AddDate(0, 1, 0), Meeting: MeetingInput{
				StartsAt: from.AddDate(0, 0, 9).Add(17 * time.Hour), Zone: "America/Toronto", Duration: time.Hour}})
		}
		results := make([][]PlannedMeeting, 2)
		errs := both(a, b, func(ctx context.Context, d *DB) error {
			res, err := d.PlanMeetings(ctx, plans)
			results[map[*DB]int{a: 0, b: 1}[d]] = res
			return err
		})
		if errs[0] != nil || errs[1] != nil {
			t.Fatalf("%d: PlanMeetings = %v", year, errs)
		}
		added := 0
		for i := range plans {
			if results[0][i].Existing == results[1][i].Existing || results[0][i].Meeting.ID != results[1][i].Meeting.ID {
				t.Errorf("%d plan %d: results %+v and %+v, want one added and the same one found", year, i,
					*results[0][i].Meeting, *results[1][i].Meeting)
			}
			for _, r := range results {
				if !r[i].Existing {
					added++
				}
			}
		}
		n := countRows(t, a, "SELECT count(*) FROM meetings WHERE starts_at LIKE ?", fmt.Sprintf("%d-%%", year))
		if n != 4 || added != 4 {
			t.Errorf("%d: %d meetings, %d reported added, want 4 and 4", year, n, added)
		}
	}
}

// TestMeetingDuplicateRules: folding, cancelled meetings, --force, and
// edits that would make a copy.
func TestMeetingDuplicateRules(t *testing.T) {
	d, _ := openMemberDB(t)
	ctx := WithActor(context.Background(), marieActor)
	start := time.Date(2027, 4, 1, 17, 0, 0, 0, time.UTC)
	in := MeetingInput{Title: "Réunion  trimestrielle", StartsAt: start, Zone: "America/Toronto", Duration: time.Hour}
	first, err := d.CreateMeeting(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if first.CreatedBy != "slack:U1" || first.CreatedByName != "Marie Tremblay" {
		t.Errorf("creator %q %q, want the actor's", first.CreatedBy, first.CreatedByName)
	}
	copyIn := in
	copyIn.Title = "reunion trimestrielle"
	if _, err := d.CreateMeeting(ctx, copyIn); ErrorCode(err) != ECONFLICT {
		t.Errorf("copy with another case and accents: %v, want a conflict", err)
	}
	other := in
	other.Title = "Another meeting"
	second, err := d.CreateMeeting(ctx, other)
	if err != nil {
		t.Fatalf("another title at the same time: %v", err)
	}
	title := "REUNION trimestrielle"
	if _, err := d.UpdateMeeting(ctx, second.ID, MeetingUpdate{Title: &title}); ErrorCode(err) != ECONFLICT {
		t.Errorf("renaming into a copy: %v, want a conflict", err)
	}
	if _, err := d.UpdateMeeting(ctx, second.ID, MeetingUpdate{Title: &title, Force: true}); err != nil {
		t.Errorf("renaming into a copy with Force: %v", err)
	}
	copyIn.Force = true
	if _, err := d.CreateMeeting(ctx, copyIn); err != nil {
		t.Errorf("copy with Force: %v", err)
	}
	later := start.Add(24 * time.Hour)
	moved := MeetingInput{Title: in.Title, StartsAt: later, Zone: in.Zone, Duration: time.Hour}
	m, err := d.CreateMeeting(ctx, moved)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.UpdateMeeting(ctx, m.ID, MeetingUpdate{StartsAt: &start}); ErrorCode(err) != ECONFLICT {
		t.Errorf("moving onto a copy: %v, want a conflict", err)
	}
	if _, err := d.CancelMeeting(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := d.CreateMeeting(ctx, moved); err != nil {
		t.Errorf("the same as a cancelled meeting: %v, want it added", err)
	}
	// Without an actor the name comes from the creator's member row.
	mustJoin(t, d, marieInput()) // slack U1
	anon := MeetingInput{StartsAt: later.Add(time.Hour), Zone: in.Zone, Duration: time.Hour, CreatedBy: "slack:U1"}
	if m, err := d.CreateMeeting(context.Background(), anon); err != nil || m.CreatedByName != "Marie Tremblay" {
		t.Errorf("creator name without an actor: %v, %v", m, err)
	}
}

// TestMeetingCreatorBackfill: 0028 names the creators of existing meetings
// from the members table.
func TestMeetingCreatorBackfill(t *testing.T) {
	d := openMigratedTo(t, filepath.Join(t.TempDir(), "old.db"), "0027")
	if _, err := d.db.Exec(fill0015); err != nil {
		t.Fatal(err)
	}
	if err := d.migrate(context.Background(), migrations()); err != nil {
		t.Fatal(err)
	}
	m, err := d.MeetingByID(context.Background(), 3)
	if err != nil || m.CreatedByName != "Marie Tremblay" {
		t.Errorf("meeting 3 after 0028: %+v, %v; want created by Marie Tremblay", m, err)
	}
}
