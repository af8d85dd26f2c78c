package slackbot

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"copbot/storage"
)

// TestTTLCacheSweep: Sweep drops expired entries without any new Put, and
// rebuilds the map once it has shrunk, so memory follows the live entries.
func TestTTLCacheSweep(t *testing.T) {
	t.Parallel()
	now := time.Unix(1000, 0)
	c := newTTLCache[int](time.Hour, 10000, func() time.Time { return now })
	for i := range 1000 {
		c.Put(fmt.Sprint("old", i), i)
	}
	now = now.Add(30 * time.Minute)
	c.Put("recent", 1)
	c.Sweep()
	if c.Len() != 1001 || c.peak != 1001 {
		t.Fatalf("nothing expired yet: len %d, peak %d", c.Len(), c.peak)
	}
	now = now.Add(30 * time.Minute) // the first 1,000 expire
	c.Sweep()
	if c.Len() != 1 || len(c.items) != 1 || c.peak != 1 {
		t.Errorf("after the flood's TTL: len %d, map %d, peak %d; want the one live entry, in a new map", c.Len(), len(c.items), c.peak)
	}
	if v, ok := c.Get("recent"); !ok || v != 1 {
		t.Errorf("the live entry went: %v, %v", v, ok)
	}
}

// TestAdapterCachesEmptyWithoutTraffic is issue 16's "memory stays up
// after a flood": users.info answers were dropped only when a later one
// was stored, so after a flood they stayed however long no one wrote, and
// the pacer kept up to 1,024 channels for ever. The adapter's sweeper
// empties both on its own within their lifetime and a sweep, with no
// request at all, and stops when the adapter closes (synctest's clock).
func TestAdapterCachesEmptyWithoutTraffic(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db, err := storage.Open(context.Background(), filepath.Join(t.TempDir(), "copbot.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		cfg := Config{BotToken: "xoxb-test", SigningSecret: testSecret, Channel: "C0COMMUNITY", Command: "/cop", Requests: db}
		a, err := newAdapter(cfg, nil, nil, time.Now, defaultTuning())
		if err != nil {
			t.Fatal(err)
		}
		for i := range 1000 {
			a.users.Put(fmt.Sprint("U", i), userInfo{Locale: "fr-CA"})
			if err := a.pace.wait(context.Background(), fmt.Sprint("C", i)); err != nil {
				t.Fatal(err)
			}
		}
		channels := func() int {
			a.pace.mu.Lock()
			defer a.pace.mu.Unlock()
			return len(a.pace.next)
		}
		time.Sleep(time.Hour - time.Second) // synctest's clock: no real wait
		synctest.Wait()
		if a.users.Len() != 1000 {
			t.Fatalf("%d users.info answers within their hour, want 1000", a.users.Len())
		}
		time.Sleep(time.Second + sweepEvery)
		synctest.Wait()
		if n, c := a.users.Len(), channels(); n != 0 || c != 0 {
			t.Errorf("an hour and a sweep after the flood: %d users.info answers, %d channels kept; want none", n, c)
		}
		a.Close() // the sweeper ends: synctest fails on a goroutine left behind
	})
}
