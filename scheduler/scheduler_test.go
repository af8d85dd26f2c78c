package scheduler

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"copbot/scheduler/clocktest"
)

// The tests run in synctest bubbles, on a clock they move by hand:
// synctest.Wait returns once every goroutine of the scheduler is blocked,
// so "nothing more happens" is checked without waiting real time.

var t0 = time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC)

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

// start runs a scheduler on clock until the test ends.
func start(t *testing.T, clock Clock, sources ...Source) *Scheduler {
	t.Helper()
	s := NewWithClock(clock, nil, sources...)
	s.Start(context.Background())
	t.Cleanup(s.Stop)
	return s
}

// advance moves the clock and waits until the scheduler has done all the
// move made due.
func advance(c *clocktest.Clock, d time.Duration) {
	c.Advance(d)
	synctest.Wait()
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

// runLog records when each job ran, on the test clock.
type runLog struct {
	t     *testing.T
	clock Clock
	src   *fakeSource
	mu    sync.Mutex
	ran   map[string]time.Time
}

// job is a job that records its run and leaves its source, as a real job
// records that it is done.
func (l *runLog) job(key string, due time.Time) Job {
	return Job{Key: key, Due: due, Run: func(context.Context) error {
		l.mu.Lock()
		defer l.mu.Unlock()
		if _, twice := l.ran[key]; twice {
			l.t.Errorf("%s ran twice", key)
		}
		l.ran[key] = l.clock.Now()
		l.src.remove(key)
		return nil
	}}
}

func (l *runLog) at(key string) (time.Time, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	at, ok := l.ran[key]
	return at, ok
}

// A job due in the past runs at once, a job due in a second runs then and
// never before, a job due in an hour waits for the hour, and a job added
// later is found by Reload.
func TestSchedulerRunsJobsWhenDue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clock := clocktest.New(t0)
		src := newFakeSource()
		l := &runLog{t: t, clock: clock, src: src, ran: map[string]time.Time{}}
		src.set(l.job("overdue", t0.Add(-time.Hour)))
		src.set(l.job("soon", t0.Add(time.Second)))
		src.set(l.job("later", t0.Add(time.Hour)))
		s := start(t, clock, src)
		synctest.Wait()
		if at, ok := l.at("overdue"); !ok || !at.Equal(t0) {
			t.Errorf("overdue job ran at %v (%v), want at once", at, ok)
		}
		advance(clock, time.Second-time.Millisecond)
		if _, ok := l.at("soon"); ok {
			t.Fatal("job due at +1s ran a millisecond early")
		}
		advance(clock, time.Millisecond)
		if at, ok := l.at("soon"); !ok || !at.Equal(t0.Add(time.Second)) {
			t.Errorf("job due at +1s ran at %v (%v)", at.Sub(t0), ok)
		}
		added := clock.Now().Add(500 * time.Millisecond)
		src.set(l.job("added", added))
		s.Reload()
		advance(clock, 499*time.Millisecond)
		if _, ok := l.at("added"); ok {
			t.Fatal("job added after start ran early")
		}
		advance(clock, time.Millisecond)
		if at, ok := l.at("added"); !ok || !at.Equal(added) {
			t.Errorf("job added after start ran at %v (%v), want %v", at, ok, added)
		}
		if _, ok := l.at("later"); ok {
			t.Error("job due in an hour ran")
		}
		clock.Set(t0.Add(time.Hour))
		synctest.Wait()
		if at, ok := l.at("later"); !ok || !at.Equal(t0.Add(time.Hour)) {
			t.Errorf("job due in an hour ran at %v (%v)", at.Sub(t0), ok)
		}
	})
}

// A failing and then panicking job is retried after 1 s and then 2 s, and
// never again once it succeeded.
func TestSchedulerRetriesUntilSuccess(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clock := clocktest.New(t0)
		var calls atomic.Int32
		src := newFakeSource()
		src.set(Job{Key: "flaky", Due: t0, Run: func(context.Context) error {
			switch calls.Add(1) {
			case 1:
				return errors.New("platform down")
			case 2:
				panic("bug in job")
			}
			src.remove("flaky")
			return nil
		}})
		start(t, clock, src)
		steps := []struct {
			advance time.Duration
			want    int32
		}{{0, 1}, {time.Second - time.Millisecond, 1}, {time.Millisecond, 2}, {2*time.Second - time.Millisecond, 2},
			{time.Millisecond, 3}, {time.Hour, 3}}
		for i, st := range steps {
			advance(clock, st.advance)
			if got := calls.Load(); got != st.want {
				t.Fatalf("step %d (+%s): Run called %d times, want %d (fail, panic, success)", i, st.advance, got, st.want)
			}
		}
	})
}

func TestSchedulerStopsRetryingWhenJobLeavesPending(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clock := clocktest.New(t0)
		var calls atomic.Int32
		src := newFakeSource()
		src.set(Job{Key: "doomed", Due: t0, Run: func(context.Context) error {
			if calls.Add(1) == 2 {
				src.remove("doomed") // e.g. the meeting started and the reminder was skipped elsewhere
			}
			return errors.New("still failing")
		}})
		start(t, clock, src)
		synctest.Wait()
		advance(clock, time.Second)
		if got := calls.Load(); got != 2 {
			t.Fatalf("Run called %d times after the first retry, want 2", got)
		}
		advance(clock, time.Hour)
		if got := calls.Load(); got != 2 {
			t.Errorf("Run called %d times after the job left Pending, want it to stop at 2", got)
		}
	})
}

// A job that keeps being moved while it runs is never run twice at once:
// the moves made during one run make one more run, of the latest version.
func TestSchedulerNeverRunsAJobConcurrently(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clock := clocktest.New(t0)
		var active, maxActive, calls atomic.Int32
		release := make(chan struct{})
		var lastDue atomic.Value
		src := newFakeSource()
		job := func(due time.Time) Job {
			return Job{Key: "busy", Due: due, Run: func(ctx context.Context) error {
				n := active.Add(1)
				defer active.Add(-1)
				if n > maxActive.Load() {
					maxActive.Store(n)
				}
				lastDue.Store(due)
				select {
				case <-release:
				case <-ctx.Done():
					return ctx.Err()
				}
				if calls.Add(1) >= 5 {
					src.remove("busy")
				}
				return nil
			}}
		}
		src.set(job(t0))
		s := start(t, clock, src)
		for round := int32(1); round <= 5; round++ {
			synctest.Wait()                       // the job runs, held
			for i := 0; i < 3 && round < 5; i++ { // three moves while it runs: a new due time each, a new timer
				clock.Advance(time.Second)
				src.set(job(clock.Now()))
				s.Reload()
				synctest.Wait()
			}
			release <- struct{}{}
			synctest.Wait()
			if got := calls.Load(); got != round {
				t.Fatalf("round %d: %d runs", round, got)
			}
			if round < 5 && !lastDue.Load().(time.Time).Equal(clock.Now()) {
				t.Errorf("round %d: the run after the moves ran version %s, want the latest %s", round,
					lastDue.Load().(time.Time).Sub(t0), clock.Now().Sub(t0))
			}
		}
		advance(clock, time.Hour)
		if got := calls.Load(); got != 5 {
			t.Errorf("%d runs, want 5", got)
		}
		if got := maxActive.Load(); got != 1 {
			t.Errorf("job ran %d times concurrently, want 1", got)
		}
	})
}

func TestSchedulerKeepsJobsOfAFailingSource(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clock := clocktest.New(t0)
		var ran atomic.Bool
		src := newFakeSource()
		src.set(Job{Key: "k", Due: t0.Add(300 * time.Millisecond), Run: func(context.Context) error {
			ran.Store(true)
			return nil
		}})
		s := start(t, clock, src)
		synctest.Wait()
		src.fail(errors.New("database is locked"))
		s.Reload()
		advance(clock, 300*time.Millisecond)
		if !ran.Load() {
			t.Error("the job of a source that failed to list was dropped")
		}
	})
}

func TestStopWaitsForRunningJobs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		started := make(chan struct{})
		var finished atomic.Bool
		src := newFakeSource(Job{Key: "slow", Due: t0, Run: func(ctx context.Context) error {
			close(started)
			<-ctx.Done()
			<-time.After(20 * time.Millisecond) // the bubble's time: winding down takes a while
			finished.Store(true)
			return ctx.Err()
		}})
		s := NewWithClock(clocktest.New(t0), nil, src)
		s.Start(context.Background())
		<-started
		s.Stop()
		if !finished.Load() {
			t.Error("Stop returned before the running job")
		}
		s.Stop() // a second Stop is harmless
	})
}

// A Source that keeps listing a job after it succeeded (against the
// contract) does not get it run in a loop, not even by the periodic
// re-reads of an hour; moving it runs it again.
func TestSchedulerDoesNotLoopOnAFinishedJobStillListed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clock := clocktest.New(t0)
		var calls atomic.Int32
		src := newFakeSource()
		run := func(context.Context) error { calls.Add(1); return nil }
		src.set(Job{Key: "sticky", Due: t0, Run: run})
		s := start(t, clock, src)
		for range 20 {
			s.Reload()
			synctest.Wait()
		}
		advance(clock, time.Hour)
		if got := calls.Load(); got != 1 {
			t.Errorf("finished job still listed ran %d times, want 1", got)
		}
		src.set(Job{Key: "sticky", Due: clock.Now().Add(50 * time.Millisecond), Run: run})
		s.Reload()
		advance(clock, 50*time.Millisecond)
		if got := calls.Load(); got != 2 {
			t.Errorf("moved job ran %d times in all, want 2", got)
		}
	})
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

// With RealTime, timers run on the machine's clock (here the bubble's);
// when the clock read lags behind it, a job fires while its Run, reading
// that clock, sees it is not due yet: Run returns nil having done nothing
// and the Source still lists it with a due time ahead. The spent entry
// must be re-armed, not left parked, and run once more only.
func TestSchedulerRearmsAJobThatRanBeforeItsTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clock := &lagClock{t: t0}
		due := t0.Add(100 * time.Millisecond)
		var calls atomic.Int32
		second, third := make(chan struct{}), make(chan struct{})
		src := newFakeSource()
		src.set(Job{Key: "early", Due: due, Run: func(context.Context) error {
			switch calls.Add(1) {
			case 1:
				clock.Set(t0.Add(50 * time.Millisecond)) // still before due: nothing to do yet
				return nil
			case 2:
				src.remove("early")
				close(second)
			default:
				close(third)
			}
			return nil
		}})
		start(t, RealTime(clock.Now), src)
		select {
		case <-second: // the bubble's clock moves on by itself until the re-armed timer fires
		case <-time.After(time.Hour):
			t.Fatal("the job that ran before its time never ran again")
		}
		select {
		case <-third:
			t.Error("the job ran a third time")
		case <-time.After(time.Hour): // an hour of the bubble's time, with its periodic re-reads
		}
	})
}

// Settled waits for the start, for a due job and for the re-read it asks
// for, but not for a job waiting for its retry time; after Stop it
// returns at once.
func TestSettled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clock := clocktest.New(t0)
		release := make(chan struct{})
		var calls atomic.Int32
		src := newFakeSource(Job{Key: "j", Due: t0, Run: func(context.Context) error {
			if calls.Add(1) == 1 {
				<-release
			}
			return errors.New("down")
		}})
		s := NewWithClock(clock, nil, src)
		settled := make(chan error, 1)
		settle := func() {
			go func() { settled <- s.Settled(context.Background()) }()
			synctest.Wait()
		}
		settle()
		select {
		case <-settled:
			t.Fatal("Settled returned before Start")
		default:
		}
		s.Start(context.Background())
		synctest.Wait() // the job runs, held
		select {
		case <-settled:
			t.Fatal("Settled returned while a job ran")
		default:
		}
		close(release)
		synctest.Wait()
		if err := <-settled; err != nil {
			t.Fatal(err)
		}
		settle() // the job waits 1 s for its retry: nothing is under way
		select {
		case err := <-settled:
			if err != nil {
				t.Fatal(err)
			}
		default:
			t.Fatal("Settled waited for a job waiting for its retry time")
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := NewWithClock(clock, nil).Settled(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("Settled on a scheduler never started, ctx cancelled: %v", err)
		}
		s.Stop()
		if err := s.Settled(context.Background()); err != nil {
			t.Errorf("Settled after Stop: %v", err)
		}
		if n := clock.Pending(); n != 0 {
			t.Errorf("%d timers left set after Stop, want 0", n)
		}
	})
}

// In production the scheduler runs on RealTime(time.Now): the machine's
// timers (in a bubble, the bubble's clock). A job runs exactly at its due
// time, and its retry exactly one backoff later.
func TestRealTimeRunsJobsWhenDue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		due := time.Now().Add(time.Hour)
		var runs []time.Time
		done := make(chan struct{})
		src := newFakeSource()
		src.set(Job{Key: "k", Due: due, Run: func(context.Context) error {
			runs = append(runs, time.Now())
			if len(runs) == 1 {
				return errors.New("down")
			}
			src.remove("k")
			close(done)
			return nil
		}})
		s := New(time.Now, nil, src)
		s.Start(context.Background())
		defer s.Stop()
		<-done
		if len(runs) != 2 || !runs[0].Equal(due) || !runs[1].Equal(due.Add(time.Second)) {
			t.Errorf("runs at %v, want at the due time %v and one second later", runs, due)
		}
	})
}
