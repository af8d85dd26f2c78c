package storage

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// memberTestClock is a settable clock; every reading is one second after the last
// so that updated_at changes are visible.
type memberTestClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *memberTestClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

func openMemberDB(t testing.TB) (*DB, *memberTestClock) {
	t.Helper()
	d, err := Open(context.Background(), filepath.Join(t.TempDir(), "copbot.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	clock := &memberTestClock{t: time.Date(2027, 1, 15, 12, 0, 0, 0, time.UTC)}
	d.Now = clock.Now
	return d, clock
}

func mustJoin(t testing.TB, d *DB, in MemberInput) *Member {
	t.Helper()
	m, _, err := d.JoinMember(context.Background(), in)
	if err != nil {
		t.Fatalf("JoinMember(%+v): %v", in, err)
	}
	return m
}

// marieInput is a valid provincial member used as a base by tests.
func marieInput() MemberInput {
	return MemberInput{Name: "Marie Tremblay", Email: "marie@ontario.ca", Organization: "ServiceOntario",
		Order: OrderProvincial, Jurisdiction: "ON", Title: "Director", Language: "fr", SlackID: "U1"}
}

func countRows(t testing.TB, d *DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := d.db.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}
