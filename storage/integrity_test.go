package storage

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/synctest"

	"copbot/storage/storagetest"
)

// damagedPollDB makes a database with members and a poll, damages the
// members' name index (closed, as a failing disk would) and opens it
// again: it opens, and reads that do not use the index still answer.
func damagedPollDB(t *testing.T) (d *DB, members []int64, poll *Poll) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "copbot.db")
	d, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	members = pollMembers(t, d, 3)
	poll = pollCreate(t, d, nil)
	d.Close()
	storagetest.DamagePage(t, path, "members_name_org")
	if d, err = Open(ctx, path); err != nil {
		t.Fatalf("Open: %v (an index page is damaged; the file still opens)", err)
	}
	t.Cleanup(func() { d.Close() })
	d.Now = NewTestClock(pollT0).Now
	return d, members, poll
}

// TestDamagedDatabaseRefusesWritesAfterBackgroundCheck is issue 20's
// start-up: the integrity check runs after "ready". Once it has found the
// damage, reads answer, every write (a vote through the group-commit
// writer too) fails before it begins with EUNAVAILABLE db_error_damaged,
// nothing is stored, and Health stays red.
func TestDamagedDatabaseRefusesWritesAfterBackgroundCheck(t *testing.T) {
	ctx := context.Background()
	d, members, poll := damagedPollDB(t)
	d.CheckInBackground(ctx)
	if _, err := d.Stats(ctx); err != nil {
		t.Fatalf("Stats while the check runs = %v: reads must not wait", err)
	}
	<-d.integrity.done
	if in := d.Integrity(); !in.Started || in.Running || !errors.Is(in.Err, ErrUnhealthy) {
		t.Fatalf("Integrity = %+v, want a finished check that failed", in)
	}
	if _, err := d.Stats(ctx); err != nil {
		t.Errorf("Stats after the failed check = %v: reads still answer", err)
	}
	if _, err := d.PollByID(ctx, poll.ID); err != nil {
		t.Errorf("PollByID after the failed check = %v", err)
	}
	writes := map[string]func() error{
		"vote": func() error { _, err := d.Vote(ctx, poll.ID, members[0], poll.Options[0].ID); return err },
		"join": func() error { _, _, err := d.JoinMember(ctx, marieInput()); return err },
		"poll": func() error {
			_, err := d.CreatePoll(ctx, PollInput{Question: "Another?", Options: []string{"Yes", "No"},
				Creator: Identity{Platform: PlatformSlack, ID: "UCOORD"}, Channel: "C1"})
			return err
		},
	}
	for name, write := range writes {
		err := write()
		var e *Error
		if !errors.As(err, &e) || e.Code != EUNAVAILABLE || e.Key != "db_error_damaged" || e.Args["Path"] != d.path {
			t.Errorf("%s = %v, want EUNAVAILABLE db_error_damaged naming the file", name, err)
		} else if !strings.Contains(e.Message, "quick_check") {
			t.Errorf("%s: message %q does not say what the check found", name, e.Message)
		}
	}
	for q, want := range map[string]int{"SELECT count(*) FROM votes": 0, "SELECT count(*) FROM polls": 1,
		"SELECT count(*) FROM members NOT INDEXED": 3} {
		if n := countRows(t, d, q); n != want {
			t.Errorf("%s = %d after refused writes, want %d", q, n, want)
		}
	}
	if err := d.Health(ctx); !errors.Is(err, ErrUnhealthy) || !strings.Contains(err.Error(), "quick_check") {
		t.Errorf("Health = %v, want the start-up check's failure", err)
	}
}

// TestWritesWaitForTheBackgroundCheck: a write sent while the check runs
// begins only after it passed (the bubble's clock shows it waited), and
// Health answers at once meanwhile, without a probe that would wait too.
func TestWritesWaitForTheBackgroundCheck(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		d, err := Open(ctx, filepath.Join(t.TempDir(), "copbot.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		// The check as CheckInBackground starts it, held until released.
		g := d.integrity
		g.started.Store(true)
		if err := d.Health(ctx); err != nil {
			t.Errorf("Health while the check runs = %v, want nil at once", err)
		}
		joined := make(chan error, 1)
		go func() { _, _, err := d.JoinMember(ctx, marieInput()); joined <- err }()
		synctest.Wait()
		select {
		case err := <-joined:
			t.Fatalf("the write ended (%v) before the check had a verdict", err)
		default:
		}
		if n := countRows(t, d, "SELECT count(*) FROM members"); n != 0 {
			t.Fatalf("%d members written before the check passed", n)
		}
		close(g.done) // passed
		if err := <-joined; err != nil {
			t.Fatalf("JoinMember after the check passed = %v", err)
		}
		if n := countRows(t, d, "SELECT count(*) FROM members"); n != 1 {
			t.Errorf("%d members, want 1", n)
		}
	})
}

// TestBackgroundCheckPassesOnASoundFile: the real check, on a sound file,
// lets writes through.
func TestBackgroundCheckPassesOnASoundFile(t *testing.T) {
	ctx := context.Background()
	d, _ := openMemberDB(t)
	d.CheckInBackground(ctx)
	mustJoin(t, d, marieInput())
	if in := d.Integrity(); !in.Started || in.Running || in.Err != nil {
		t.Errorf("Integrity after a write = %+v, want passed", in)
	}
	if err := d.Health(ctx); err != nil {
		t.Errorf("Health = %v", err)
	}
}

// TestBackgroundCheckOutlivesItsContext: a server that stops right after
// it started (its context ended) still gets a real verdict, so the writes
// it finishes are not refused as if the file were damaged; Close, on the
// other hand, ends the check and waits for it.
func TestBackgroundCheckOutlivesItsContext(t *testing.T) {
	d, _ := openMemberDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	d.CheckInBackground(ctx)
	if err := d.WaitIntegrity(context.Background()); err != nil {
		t.Fatalf("verdict after the context ended = %v, want the file's (sound)", err)
	}
	mustJoin(t, d, marieInput())
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestCloseEndsTheBackgroundCheck: Close returns with a running check
// ended, and a write that was waiting for it is told nothing was saved
// (EBUSY), not that the file is damaged.
func TestCloseEndsTheBackgroundCheck(t *testing.T) {
	d, _ := openMemberDB(t)
	g := d.integrity
	// The check as CheckInBackground starts it, running until stopped.
	var once sync.Once
	ended := false
	g.stop = func() {
		once.Do(func() {
			ended = true
			g.cause, g.err = context.Canceled, errClosedUnchecked
			close(g.done)
		})
	}
	g.started.Store(true)
	d.CheckInBackground(context.Background()) // a second start does nothing
	if in := d.Integrity(); !in.Running {
		t.Fatalf("Integrity = %+v, want running", in)
	}
	d.Close()
	if !ended {
		t.Fatal("Close did not end the check")
	}
	var e *Error
	if err := g.wait(context.Background(), nil); !errors.As(err, &e) || e.Code != EBUSY {
		t.Errorf("a write after Close ended the check gets %v, want EBUSY", err)
	}
}
