package handlers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"testing"
	"time"

	"copbot/storage"
)

// TestLimiter walks one person's allowance (3 at once, then one every 10
// s) on an injected clock; another person is never affected.
func TestLimiter(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	l := newLimiter(RateLimit{Burst: 3, Every: 10 * time.Second})
	ann := storage.Identity{Platform: storage.PlatformSlack, ID: "UANN"}
	bob := storage.Identity{Platform: storage.PlatformTeams, ID: "29:bob"}
	steps := []struct {
		advance  time.Duration
		who      storage.Identity
		wantOK   bool
		wantWait time.Duration
	}{
		{0, ann, true, 0},
		{0, ann, true, 0},
		{0, ann, true, 0},
		{0, ann, false, 10 * time.Second},
		{0, bob, true, 0}, // Bob has his own allowance
		{4 * time.Second, ann, false, 6 * time.Second},
		{6 * time.Second, ann, true, 0}, // one came back
		{0, ann, false, 10 * time.Second},
		{time.Hour, ann, true, 0}, // full again: 3 at once
		{0, ann, true, 0},
		{0, ann, true, 0},
		{0, ann, false, 10 * time.Second},
	}
	for i, st := range steps {
		now = now.Add(st.advance)
		wait, ok := l.take(st.who, now)
		if ok != st.wantOK || wait != st.wantWait {
			t.Errorf("step %d (%s): ok %v wait %v, want %v %v", i, st.who.ID, ok, wait, st.wantOK, st.wantWait)
		}
	}
}

// TestLimiterTellsIdentitiesApart: the limiter keeps a hash of the whole
// identity, so the same user id on another platform or from another
// workspace (a Slack Connect partner) has an allowance of its own.
func TestLimiterTellsIdentitiesApart(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	l := newLimiter(RateLimit{Burst: 1, Every: time.Minute})
	ids := []storage.Identity{
		{Platform: storage.PlatformSlack, ID: "U1"},
		{Platform: storage.PlatformSlack, ID: "U1", Workspace: "T1"},
		{Platform: storage.PlatformSlack, ID: "U1", Workspace: "T2"},
		{Platform: storage.PlatformTeams, ID: "U1"},
		{Platform: storage.PlatformSlack, ID: "U2"},
	}
	for _, id := range ids {
		if _, ok := l.take(id, now); !ok {
			t.Errorf("%+v refused its first request", id)
		}
	}
	for _, id := range ids {
		if wait, ok := l.take(id, now); ok || wait != time.Minute {
			t.Errorf("%+v: second request ok %v wait %v, want refused for 1m0s", id, ok, wait)
		}
	}
	if n := len(l.full); n != len(ids) {
		t.Errorf("%d people remembered, want %d", n, len(ids))
	}
}

// TestLimiterBounded checks that idle people are forgotten, so memory
// follows the people active in the last Burst×Every.
func TestLimiterBounded(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	l := newLimiter(RateLimit{Burst: 2, Every: time.Second})
	for i := range limiterSweepAt {
		l.take(storage.Identity{Platform: storage.PlatformSlack, ID: fmt.Sprint("U", i)}, now)
	}
	now = now.Add(time.Minute)
	l.take(storage.Identity{Platform: storage.PlatformSlack, ID: "ULAST"}, now)
	if n := len(l.full); n != 1 {
		t.Errorf("%d people remembered after all went idle, want 1", n)
	}
}

// TestLimiterForgetsIdlePeopleInTime is issue 16's memory after a flood:
// people were forgotten only once more than limiterSweepAt were
// remembered, so a flood of fewer stayed for ever. Now they go once idle,
// at the first request after Burst×Every, and the map they filled with
// them; no one active is forgotten.
func TestLimiterForgetsIdlePeopleInTime(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	l := newLimiter(RateLimit{Burst: 2, Every: time.Second})
	slack := func(id string) storage.Identity { return storage.Identity{Platform: storage.PlatformSlack, ID: id} }
	for i := range 500 {
		l.take(slack(fmt.Sprint("U", i)), now)
	}
	busy := now.Add(1500 * time.Millisecond) // UBUSY spends its allowance
	l.take(slack("UBUSY"), busy)
	l.take(slack("UBUSY"), busy)
	if n := len(l.full); n != 501 {
		t.Fatalf("%d people remembered within Burst×Every, want 501", n)
	}
	now = now.Add(2 * time.Second) // Burst×Every after the flood
	l.take(slack("ULATE"), now)
	if n := len(l.full); n != 2 {
		t.Errorf("%d people remembered once the flood is idle, want 2 (UBUSY, ULATE)", n)
	}
	if _, ok := l.take(slack("UBUSY"), now); ok {
		t.Error("UBUSY's spent allowance was forgotten by the sweep")
	}
}

// TestErrorLogsOmitCommandText is issue 9, finding 7: error logs held the
// whole command text, emails included. They now name the command and the
// text's length only.
func TestErrorLogsOmitCommandText(t *testing.T) {
	const email = "ann.lee@example.gc.ca"
	tests := []struct {
		name, text, wantMsg, wantCmd string
	}{
		{"panic", "boom Ann Lee " + email, "handler panic", "command=boom"},
		{"storage failure", "fail " + email, "request failed", "command=fail"},
		{"question", "where is " + email + " from", "request failed", "command=(question)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			s, _ := mtService(t, nil)
			s.log = slog.New(slog.NewTextHandler(&logs, nil))
			s.Install(Parts{Commands: []*Command{
				{Names: []string{"boom"}, Run: func(context.Context, *Call) Reply { panic("bug") }},
				{Names: []string{"fail"}, Run: func(_ context.Context, c *Call) Reply {
					return c.Fail(errors.New("disk I/O error"))
				}}}})
			if tt.wantCmd == "command=(question)" {
				// A failure while answering a question: call fail directly.
				c := s.NewCall(context.Background(), Request{Identity: mtUser("ann"), Text: tt.text})
				c.Fail(errors.New("disk I/O error"))
			} else if r := mtAsk(s, "ann", "", tt.text); r.Kind != "error" {
				t.Fatalf("reply %s %q, want the internal error", r.Kind, r.Text)
			}
			got := logs.String()
			if !strings.Contains(got, tt.wantMsg) || !strings.Contains(got, tt.wantCmd) ||
				!strings.Contains(got, fmt.Sprintf("text_len=%d", len(tt.text))) {
				t.Errorf("log lacks %q / %q:\n%s", tt.wantMsg, tt.wantCmd, got)
			}
			if strings.Contains(got, email) || strings.Contains(got, "Ann Lee") {
				t.Errorf("log holds the command text:\n%s", got)
			}
		})
	}
}

// BenchmarkLimiterMemory reports the heap a storm of 10,000 distinct
// people leaves in the limiter, per person ("B/person").
func BenchmarkLimiterMemory(b *testing.B) {
	const people = 10000
	ids := make([]storage.Identity, people)
	for i := range ids {
		ids[i] = storage.Identity{Platform: storage.PlatformSlack, Workspace: "T0123456789", ID: fmt.Sprintf("U%010d", i)}
	}
	now := time.Unix(1_800_000_000, 0)
	var per float64
	for b.Loop() {
		before := heapInUse()
		l := newLimiter(DefaultRateLimit())
		for _, id := range ids {
			id.ID = strings.Clone(id.ID) // as each request's own
			l.take(id, now)
		}
		per = float64(heapInUse()-before) / people
		runtime.KeepAlive(l)
	}
	b.ReportMetric(per, "B/person")
}

// heapInUse is the live heap after a collection.
func heapInUse() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// BenchmarkLimiterTake is one request's check, among 10,000 people.
func BenchmarkLimiterTake(b *testing.B) {
	ids := make([]storage.Identity, 10000)
	for i := range ids {
		ids[i] = storage.Identity{Platform: storage.PlatformSlack, Workspace: "T0123456789", ID: fmt.Sprintf("U%010d", i)}
	}
	l := newLimiter(DefaultRateLimit())
	now := time.Unix(1_800_000_000, 0)
	i := 0
	for b.Loop() {
		l.take(ids[i%len(ids)], now)
		i++
	}
}
