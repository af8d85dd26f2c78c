package once

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"copbot/storage"
)

// testClock is a clock the test moves by hand.
type testClock struct{ unixNano atomic.Int64 }

func newClock() *testClock {
	c := &testClock{}
	c.unixNano.Store(time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC).UnixNano())
	return c
}

func (c *testClock) Now() time.Time      { return time.Unix(0, c.unixNano.Load()).UTC() }
func (c *testClock) Add(d time.Duration) { c.unixNano.Add(int64(d)) }

// countingStore counts pruning passes over a real database.
type countingStore struct {
	*storage.DB
	prunes atomic.Int64
}

func (s *countingStore) PruneRequests(ctx context.Context) (int64, error) {
	s.prunes.Add(1)
	return s.DB.PruneRequests(ctx)
}

func openDB(t *testing.T, path string, clk *testClock) *countingStore {
	t.Helper()
	db, err := storage.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.Now = clk.Now
	return &countingStore{DB: db}
}

func newGuard(t *testing.T, path string, clk *testClock) (*Guard, *countingStore) {
	db := openDB(t, path, clk)
	g := New(db, clk.Now, nil)
	t.Cleanup(g.Close)
	return g, db
}

func begin(t *testing.T, g *Guard, exp time.Time, keys ...string) (*Delivery, Status) {
	t.Helper()
	d, st, err := g.Begin(context.Background(), exp, keys...)
	if err != nil {
		t.Fatal(err)
	}
	return d, st
}

func TestOnceAcrossRestart(t *testing.T) {
	clk := newClock()
	path := filepath.Join(t.TempDir(), "copbot.db")
	g, _ := newGuard(t, path, clk)
	exp := clk.Now().Add(time.Hour)
	d, st := begin(t, g, exp, "sig:1", "event:1")
	if st != First {
		t.Fatalf("status %v, want First", st)
	}
	copyOf, st := begin(t, g, exp, "event:1")
	if st != InFlight || copyOf.Matched() != "event:1" {
		t.Fatalf("copy in flight: status %v matched %q", st, copyOf.Matched())
	}
	g.Finish(context.Background(), d, "answer")
	<-copyOf.Done()
	if copyOf.Result() != "answer" {
		t.Errorf("copy sees %v, want the first's answer", copyOf.Result())
	}
	if _, st := begin(t, g, exp, "sig:2", "event:1"); st != Handled {
		t.Errorf("after the answer: status %v, want Handled", st)
	}
	if g.InFlight() != 0 {
		t.Errorf("%d keys still in flight", g.InFlight())
	}

	// A new process on the same database.
	g2, _ := newGuard(t, path, clk)
	d, st = begin(t, g2, exp, "sig:1", "event:1")
	if st != Handled || d.Matched() != "sig:1" {
		t.Errorf("after a restart: status %v matched %q, want Handled by sig:1", st, d.Matched())
	}
	select {
	case <-d.Done():
	default:
		t.Error("a handled delivery's Done is open")
	}
	clk.Add(time.Hour)
	if _, st := begin(t, g2, exp.Add(time.Hour), "sig:1"); st != First {
		t.Errorf("after expiry: status %v, want First", st)
	}
}

// TestWorkRecordsTheDelivery: a write under the delivery's context
// records it, so a crash right after the commit (before Finish) still
// leaves the request handled.
func TestWorkRecordsTheDelivery(t *testing.T) {
	clk := newClock()
	path := filepath.Join(t.TempDir(), "copbot.db")
	g, db := newGuard(t, path, clk)
	d, _ := begin(t, g, clk.Now().Add(time.Hour), "envelope:1")
	if _, _, err := db.JoinMember(d.Context(context.Background()), storage.MemberInput{Name: "Sam Lee",
		Organization: "City of Whitehorse", Order: storage.OrderMunicipal, Jurisdiction: "YT"}); err != nil {
		t.Fatal(err)
	}
	// No Finish: the process died.
	g2, _ := newGuard(t, path, clk)
	if _, st := begin(t, g2, clk.Now().Add(time.Hour), "envelope:1"); st != Handled {
		t.Errorf("status %v, want Handled: the work committed", st)
	}
}

// TestMemoryHoldsOnlyDeliveriesInProgress: after a burst, nothing stays.
func TestMemoryHoldsOnlyDeliveriesInProgress(t *testing.T) {
	clk := newClock()
	g, _ := newGuard(t, filepath.Join(t.TempDir(), "copbot.db"), clk)
	var ds []*Delivery
	for i := range 200 {
		d, _ := begin(t, g, clk.Now().Add(time.Hour), fmt.Sprint("k", i))
		ds = append(ds, d)
	}
	if g.InFlight() != 200 {
		t.Fatalf("%d in flight, want 200", g.InFlight())
	}
	for _, d := range ds {
		g.Finish(context.Background(), d, nil)
	}
	if g.InFlight() != 0 {
		t.Errorf("%d keys in memory after the burst, want 0", g.InFlight())
	}
}

// TestPrunedOncePerPeriod: Finish prunes expired records at most once per
// PruneEvery, by the injected clock.
func TestPrunedOncePerPeriod(t *testing.T) {
	clk := newClock()
	g, db := newGuard(t, filepath.Join(t.TempDir(), "copbot.db"), clk)
	finish := func(key string) {
		d, st := begin(t, g, clk.Now().Add(time.Minute), key)
		if st != First {
			t.Fatalf("%s: status %v", key, st)
		}
		g.Finish(context.Background(), d, nil)
		g.Close() // wait for the pass it may have started
	}
	steps := []struct {
		advance time.Duration
		want    int64
	}{{0, 1}, {30 * time.Second, 1}, {29 * time.Second, 1}, {time.Second, 2}, {time.Minute, 3}}
	for i, s := range steps {
		clk.Add(s.advance)
		finish(fmt.Sprint("k", i))
		if got := db.prunes.Load(); got != s.want {
			t.Errorf("step %d: %d pruning passes, want %d", i, got, s.want)
		}
	}
	if _, ok, _ := db.RequestHandled(context.Background(), "k0"); ok {
		t.Error("k0 expired a while ago but still counts")
	}
}

// TestBeginUnrecordedNeitherReadsNorWrites: a read-only request is told
// from a copy in flight, but leaves nothing in the record, so the same
// keys begin again as a first delivery once it is finished, in this
// process or after a restart.
func TestBeginUnrecordedNeitherReadsNorWrites(t *testing.T) {
	clk := newClock()
	path := filepath.Join(t.TempDir(), "copbot.db")
	g, db := newGuard(t, path, clk)
	d, st := g.BeginUnrecorded("sig:read")
	if st != First || !d.Recorded() {
		t.Fatalf("status %v, recorded %v: want First, nothing to record", st, d.Recorded())
	}
	if ctx := d.Context(context.Background()); ctx != context.Background() {
		t.Error("an unrecorded delivery's context carries a claim: its writes would record it")
	}
	copyOf, st := g.BeginUnrecorded("sig:read")
	if st != InFlight || copyOf.Matched() != "sig:read" {
		t.Fatalf("copy in flight: status %v matched %q", st, copyOf.Matched())
	}
	g.Finish(context.Background(), d, "answer")
	<-copyOf.Done()
	if copyOf.Result() != "answer" || g.InFlight() != 0 {
		t.Errorf("copy sees %v, %d keys in flight; want the first's answer, none", copyOf.Result(), g.InFlight())
	}
	if _, ok, err := db.RequestHandled(context.Background(), "sig:read"); err != nil || ok {
		t.Errorf("recorded: %v, %v; want nothing written", ok, err)
	}
	if _, st := begin(t, g, clk.Now().Add(time.Hour), "sig:read"); st != First {
		t.Errorf("after it: status %v, want First (answered again)", st)
	}
}
