package scheduler

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeSource lists jobs a test controls; a job leaves it when marked done.
type fakeSource struct {
	mu   sync.Mutex
	jobs map[string]Job
	err  error
}

func newFakeSource(jobs ...Job) *fakeSource {
	f := &fakeSource{jobs: map[string]Job{}}
	for _, j := range jobs {
		f.jobs[j.Key] = j
	}
	return f
}

func (f *fakeSource) Pending(context.Context) ([]Job, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	var out []Job
	for _, j := range f.jobs {
		out = append(out, j)
	}
	return out, nil
}

func (f *fakeSource) set(j Job) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.jobs[j.Key] = j
}

func (f *fakeSource) remove(key string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.jobs, key)
}

func (f *fakeSource) fail(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err = err
}

// waitFor polls cond until it holds or a few seconds passed.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func startFast(t *testing.T, now func() time.Time, sources ...Source) *Scheduler {
	t.Helper()
	s := New(now, nil, sources...)
	s.minBackoff, s.maxBackoff = 5*time.Millisecond, 40*time.Millisecond
	s.Start(context.Background())
	t.Cleanup(s.Stop)
	return s
}

func TestOneShotFiresOnce(t *testing.T) {
	at := time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC)
	o := &oneShot{at: at}
	if got := o.Next(at.Add(-time.Hour)); !got.Equal(at) {
		t.Errorf("first Next = %s, want %s", got, at)
	}
	for i := 0; i < 3; i++ {
		if got := o.Next(at.Add(time.Duration(i) * time.Hour)); !got.IsZero() {
			t.Errorf("Next after firing = %s, want zero", got)
		}
	}
}

func TestBackoff(t *testing.T) {
	s := New(time.Now, nil)
	tests := []struct {
		attempt int
		want    time.Duration
	}{
		{0, time.Second}, {1, 2 * time.Second}, {2, 4 * time.Second}, {5, 32 * time.Second},
		{6, time.Minute}, {7, time.Minute}, {60, time.Minute},
	}
	for _, tt := range tests {
		if got := s.backoff(tt.attempt); got != tt.want {
			t.Errorf("backoff(%d) = %s, want %s", tt.attempt, got, tt.want)
		}
	}
}

// The end-to-end test of the real cron at second scale: a job due in the
// past runs at once, a job due in a second runs then (never before), a job
// due in an hour does not run, and a job added later is found by Reload.
// The clock is fake (2027) but runs at real speed.
func TestSchedulerRunsJobsWhenDue(t *testing.T) {
	origin, realStart := time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC), time.Now()
	now := func() time.Time { return origin.Add(time.Since(realStart)) }
	var mu sync.Mutex
	ran := map[string]time.Time{}
	src := newFakeSource()
	job := func(key string, due time.Time) Job {
		return Job{Key: key, Due: due, Run: func(context.Context) error {
			mu.Lock()
			defer mu.Unlock()
			if _, twice := ran[key]; twice {
				t.Errorf("%s ran twice", key)
			}
			ran[key] = now()
			src.remove(key)
			return nil
		}}
	}
	src.set(job("overdue", origin.Add(-time.Hour)))
	src.set(job("soon", origin.Add(time.Second)))
	src.set(job("later", origin.Add(time.Hour)))
	s := startFast(t, now, src)
	ranAt := func(key string) (time.Time, bool) {
		mu.Lock()
		defer mu.Unlock()
		at, ok := ran[key]
		return at, ok
	}
	// Order of events, not real-clock bounds: the overdue job runs before
	// the one due at +1s, which never runs early. The only bound is a
	// generous hang guard.
	waitFor(t, "overdue job", func() bool { _, ok := ranAt("overdue"); return ok })
	waitFor(t, "job due in 1s", func() bool { _, ok := ranAt("soon"); return ok })
	overdue, _ := ranAt("overdue")
	soon, _ := ranAt("soon")
	if !overdue.Before(soon) {
		t.Errorf("overdue job ran at +%s, after the job due at +1s (+%s)", overdue.Sub(origin), soon.Sub(origin))
	}
	if soon.Before(origin.Add(time.Second)) {
		t.Errorf("job due at +1s ran early, at +%s", soon.Sub(origin))
	}
	if soon.After(origin.Add(10 * time.Second)) {
		t.Errorf("job due at +1s ran only at +%s", soon.Sub(origin))
	}
	added := now().Add(500 * time.Millisecond)
	src.set(job("added", added))
	s.Reload()
	waitFor(t, "job added after start", func() bool { _, ok := ranAt("added"); return ok })
	if at, _ := ranAt("added"); at.Before(added) {
		t.Errorf("added job ran %s before its due time", added.Sub(at))
	}
	if _, ok := ranAt("later"); ok {
		t.Error("job due in an hour ran")
	}
}

func TestSchedulerRetriesUntilSuccess(t *testing.T) {
	var calls atomic.Int32
	src := newFakeSource()
	src.set(Job{Key: "flaky", Due: time.Now(), Run: func(context.Context) error {
		switch calls.Add(1) {
		case 1:
			return errors.New("platform down")
		case 2:
			panic("bug in job")
		}
		src.remove("flaky")
		return nil
	}})
	startFast(t, time.Now, src)
	waitFor(t, "third attempt", func() bool { return calls.Load() >= 3 })
	time.Sleep(150 * time.Millisecond) // several backoff periods: nothing more may run
	if got := calls.Load(); got != 3 {
		t.Errorf("Run called %d times, want 3 (fail, panic, success)", got)
	}
}

func TestSchedulerStopsRetryingWhenJobLeavesPending(t *testing.T) {
	var calls atomic.Int32
	src := newFakeSource()
	src.set(Job{Key: "doomed", Due: time.Now(), Run: func(context.Context) error {
		if calls.Add(1) == 2 {
			src.remove("doomed") // e.g. the meeting started and the reminder was skipped elsewhere
		}
		return errors.New("still failing")
	}})
	startFast(t, time.Now, src)
	waitFor(t, "second attempt", func() bool { return calls.Load() >= 2 })
	time.Sleep(200 * time.Millisecond)
	if got := calls.Load(); got > 3 {
		t.Errorf("Run called %d times after the job left Pending, want it to stop", got)
	}
}

// A job that keeps being moved while it runs is never run twice at once,
// and its latest version still runs.
func TestSchedulerNeverRunsAJobConcurrently(t *testing.T) {
	var active, maxActive, calls atomic.Int32
	src := newFakeSource()
	var job func(due time.Time) Job
	job = func(due time.Time) Job {
		return Job{Key: "busy", Due: due, Run: func(context.Context) error {
			n := active.Add(1)
			defer active.Add(-1)
			for {
				m := maxActive.Load()
				if n <= m || maxActive.CompareAndSwap(m, n) {
					break
				}
			}
			time.Sleep(20 * time.Millisecond)
			if calls.Add(1) >= 5 {
				src.remove("busy")
			}
			return nil
		}}
	}
	src.set(job(time.Now()))
	s := startFast(t, time.Now, src)
	for i := 0; i < 40; i++ {
		src.set(job(time.Now())) // a new due time each round: a new cron entry
		s.Reload()
		time.Sleep(5 * time.Millisecond)
	}
	waitFor(t, "five runs", func() bool { return calls.Load() >= 5 })
	if got := maxActive.Load(); got != 1 {
		t.Errorf("job ran %d times concurrently, want 1", got)
	}
}

func TestSchedulerKeepsJobsOfAFailingSource(t *testing.T) {
	var ran atomic.Bool
	src := newFakeSource()
	src.set(Job{Key: "k", Due: time.Now().Add(300 * time.Millisecond), Run: func(context.Context) error {
		ran.Store(true)
		return nil
	}})
	s := startFast(t, time.Now, src)
	waitFor(t, "job scheduled", func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.jobs["k"] != nil
	})
	src.fail(errors.New("database is locked"))
	s.Reload()
	waitFor(t, "job of the failing source", ran.Load)
}

func TestStopWaitsForRunningJobs(t *testing.T) {
	started := make(chan struct{})
	var finished atomic.Bool
	src := newFakeSource(Job{Key: "slow", Due: time.Now(), Run: func(ctx context.Context) error {
		close(started)
		<-ctx.Done()
		time.Sleep(20 * time.Millisecond)
		finished.Store(true)
		return ctx.Err()
	}})
	s := New(time.Now, nil, src)
	s.Start(context.Background())
	<-started
	s.Stop()
	if !finished.Load() {
		t.Error("Stop returned before the running job")
	}
	s.Stop() // a second Stop is harmless
}

// A Source that keeps listing a job after it succeeded (against the
// contract) does not get it run in a loop; moving it runs it again.
func TestSchedulerDoesNotLoopOnAFinishedJobStillListed(t *testing.T) {
	var calls atomic.Int32
	src := newFakeSource()
	run := func(context.Context) error { calls.Add(1); return nil }
	src.set(Job{Key: "sticky", Due: time.Now(), Run: run})
	s := startFast(t, time.Now, src)
	waitFor(t, "first run", func() bool { return calls.Load() == 1 })
	for i := 0; i < 20; i++ {
		s.Reload()
		time.Sleep(5 * time.Millisecond)
	}
	if got := calls.Load(); got != 1 {
		t.Errorf("finished job still listed ran %d times, want 1", got)
	}
	src.set(Job{Key: "sticky", Due: time.Now().Add(50 * time.Millisecond), Run: run})
	s.Reload()
	waitFor(t, "run after the move", func() bool { return calls.Load() == 2 })
}

// lagClock is a clock a test sets by hand.
type lagClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *lagClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *lagClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// cron's timer runs on the real clock; when ours lags behind it, a job
// fires while its Run, reading our clock, sees it is not due yet: Run
// returns nil having done nothing and the Source still lists it with a due
// time ahead. The spent entry must be re-armed, not left parked.
func TestSchedulerRearmsAJobThatRanBeforeItsTime(t *testing.T) {
	t0 := time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC)
	clock := &lagClock{t: t0}
	due := t0.Add(100 * time.Millisecond)
	var calls atomic.Int32
	src := newFakeSource()
	src.set(Job{Key: "early", Due: due, Run: func(context.Context) error {
		if calls.Add(1) == 1 {
			clock.Set(t0.Add(50 * time.Millisecond)) // still before due: nothing to do yet
			return nil
		}
		src.remove("early")
		return nil
	}})
	startFast(t, clock.Now, src)
	waitFor(t, "the run after re-arming", func() bool { return calls.Load() >= 2 })
	time.Sleep(150 * time.Millisecond)
	if got := calls.Load(); got != 2 {
		t.Errorf("Run called %d times, want 2 (early, then due)", got)
	}
}
