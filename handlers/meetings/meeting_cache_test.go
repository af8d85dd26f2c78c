package meetings

import (
	"context"
	"strings"
	"testing"
	"time"

	"copbot/handlers"
	"copbot/handlers/handlerstest"
	"copbot/storage"
)

// The core caches the meetings list by meeting_version (handlers'
// replycache.go, migration 0041) until the first listed meeting ends.
// These tests check both ends of a cached list: a write to the meetings,
// from this process or another on the same file, and the time.

// mcAsk is Env.Ask without taking the user-text marks out (which copies
// the blocks), so that mcSame sees the cached reply's own blocks.
func mcAsk(s *handlers.Service, who storage.Identity, text string) handlers.Reply {
	return s.Handle(context.Background(), handlers.Request{Identity: who, Text: text, ChannelID: "C0COP"})
}

// mcSame reports whether b came from the cache that a filled.
func mcSame(a, b handlers.Reply) bool {
	return a.Key != "" && a.Key == b.Key && len(a.Blocks) > 0 && len(b.Blocks) > 0 && &a.Blocks[0] == &b.Blocks[0]
}

func TestMeetingsCachedUntilAMeetingIsWritten(t *testing.T) {
	e := newMtgEnv(t, nil)
	visitor := handlerstest.User("visitor")
	empty := mcAsk(e.s, visitor, "meetings")
	if again := mcAsk(e.s, visitor, "meetings"); !mcSame(empty, again) {
		t.Fatalf("meetings not reused (keys %q, %q)", empty.Key, again.Key)
	}
	if !strings.Contains(empty.Text, "No meeting is scheduled yet") {
		t.Errorf("empty list: %s", empty.Text)
	}

	// A write by this process.
	first := e.AddMeeting(mtgT0.Add(48 * time.Hour))
	r := mcAsk(e.s, visitor, "meetings")
	if r.Key == empty.Key || !strings.Contains(r.Text, "#1 ") {
		t.Fatalf("after a meeting was added, meetings is the cached list:\n%s", r.Text)
	}
	if again := mcAsk(e.s, visitor, "meetings"); !mcSame(r, again) {
		t.Errorf("the new list is not reused (keys %q, %q)", r.Key, again.Key)
	}

	// Writes by another process on the same file (the command line): this
	// process learns them from meeting_version.
	other := e.Second().Store()
	_, err := other.CreateMeeting(context.Background(), storage.MeetingInput{Title: "Spring meeting",
		StartsAt: mtgT0.Add(72 * time.Hour), Zone: "America/Toronto", Duration: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	r2 := mcAsk(e.s, visitor, "meetings")
	if r2.Key == r.Key || !strings.Contains(r2.Text, "Spring meeting") {
		t.Fatalf("after another process added a meeting, meetings is the cached list:\n%s", r2.Text)
	}
	if _, err := other.CancelMeeting(context.Background(), first.ID); err != nil {
		t.Fatal(err)
	}
	if r3 := mcAsk(e.s, visitor, "meetings"); r3.Key == r2.Key || strings.Contains(r3.Text, "#1 ") ||
		!strings.Contains(r3.Text, "#2 ") {
		t.Errorf("after another process cancelled #1, meetings still lists it:\n%s", r3.Text)
	}

	// Each language has its own list.
	en, fr := e.AskIn("v1", "en-CA", "meetings"), e.AskIn("v2", "fr-CA", "réunions")
	if en.Key == fr.Key || !strings.Contains(en.Text, "Upcoming meetings") || !strings.Contains(fr.Text, "Prochaines réunions") ||
		!strings.Contains(fr.Text, "Spring meeting") {
		t.Errorf("languages: %q (key %q) / %q (key %q)", en.Text, en.Key, fr.Text, fr.Key)
	}
}

func TestMeetingsCachedUntilTheFirstListedEnds(t *testing.T) {
	e := newMtgEnv(t, nil)
	visitor := handlerstest.User("visitor")
	soon := e.AddMeeting(mtgT0.Add(time.Hour)) // ends at T0+2h
	e.AddMeeting(mtgT0.Add(24 * time.Hour))
	version := func() int64 {
		v, err := e.db.MeetingVersion(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	v0 := version()

	e.clock.Set(mtgT0.Add(55 * time.Minute))
	before := mcAsk(e.s, visitor, "meetings")
	if !strings.Contains(before.Text, "#1 ") || !strings.Contains(before.Text, "#2 ") {
		t.Fatalf("list: %s", before.Text)
	}
	if want := soon.EndsAt(); !before.Until.Equal(want) {
		t.Errorf("Until %v, want the end of #1, %v", before.Until, want)
	}
	// Under way, #1 is still listed: the cached list stands (the cache
	// itself lives ten minutes).
	e.clock.Set(mtgT0.Add(62 * time.Minute))
	if during := mcAsk(e.s, visitor, "meetings"); !mcSame(before, during) {
		t.Errorf("the list was not reused while #1 is under way (keys %q, %q)", before.Key, during.Key)
	}
	// Once #1 has ended it leaves the list, though nothing was written.
	e.clock.Set(soon.EndsAt())
	after := mcAsk(e.s, visitor, "meetings")
	if strings.Contains(after.Text, "#1 ") || !strings.Contains(after.Text, "#2 ") {
		t.Errorf("after #1 ended, meetings lists:\n%s", after.Text)
	}
	if after.Key == before.Key {
		t.Errorf("the list after #1 ended has the key of the one before (%q): an adapter would reuse its rendering", after.Key)
	}
	if v := version(); v != v0 {
		t.Errorf("meeting_version moved from %d to %d with no write", v0, v)
	}
}
