// Package scheduler runs timed jobs exactly when they are due: meeting
// reminders, poll closings. It imports nothing of copbot's: the jobs come
// from Sources (handlers), which record in the database that a job is done,
// so a restart never runs a finished job again. Time comes from an injected
// Clock, so tests move it by hand instead of sleeping.
package scheduler

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// Job is one timed action.
type Job struct {
	// Key identifies the job across reloads ("reminder:42:24h",
	// "poll-close:7"); two jobs with the same key are the same job.
	Key string
	// Due is when the job should run. A job already due runs at once.
	Due time.Time
	// Run does the work and records, atomically with its effect where it
	// can, that the job is done, so that Pending no longer lists it. A
	// non-nil error is retried with backoff until Run succeeds or the
	// job disappears from Pending.
	Run func(ctx context.Context) error
}

// Source lists the jobs that are not done yet. The scheduler asks at start,
// whenever Reload is called, and periodically as a safety net.
type Source interface {
	Pending(ctx context.Context) ([]Job, error)
}

// SourceFunc adapts a function to Source.
type SourceFunc func(ctx context.Context) ([]Job, error)

// Pending calls f.
func (f SourceFunc) Pending(ctx context.Context) ([]Job, error) { return f(ctx) }

// rescanEvery is how often the Sources are re-read as a safety net, on top
// of Start, Reload and the re-read after each run.
var rescanEvery = cron.Every(time.Minute)

// Scheduler runs the jobs of its Sources at their due time. Each job gets
// one timer on the Clock that fires at its exact instant; Sources are
// re-read at Start, on Reload and every minute as a safety net (a cron
// schedule stepped on the same Clock), so a job added or moved by another
// path is still found.
//
// Guarantees: a job already due runs at once; one job (by Key) never runs
// concurrently with itself; a failing Run is retried with exponential backoff
// (1 s doubling to 1 min) for as long as its Source still lists it; a job
// whose Run returned nil while the clock said it was not due yet, and which
// its Source still lists, runs again at its due time. Exactly
// once is the job's business: Run records that it is done, and the Scheduler
// only promises not to call it twice at the same time.
type Scheduler struct {
	clock   Clock
	log     *slog.Logger
	sources []Source

	minBackoff, maxBackoff time.Duration
	reload                 chan struct{} // capacity 1: coalesces Reload calls
	started                chan struct{} // closed by Start

	mu         sync.Mutex
	ctx        context.Context
	cancel     context.CancelFunc
	jobs       map[string]*entry
	running    map[string]bool
	again      map[string]time.Time // fired (for this due time) while running: run again when it ends
	stopRescan func() bool
	// busy counts the work under way that no clock has to wait for: a
	// pending or running re-read, and each running job that is not waiting
	// for its retry time. idle is closed whenever busy is zero.
	busy int
	idle chan struct{}
	wg   sync.WaitGroup
}

// entry is a job known to the scheduler with its timer.
type entry struct {
	job    Job
	source int         // index in sources
	stop   func() bool // cancels the timer; nil when the job was due at once
	// spent is set when Run returned nil for this due time: the timer has
	// fired and nothing re-arms it unless put does.
	spent bool
}

// New is NewWithClock with the machine's timers and the readings of now
// (time.Now in production): a wait until a job is due is measured on now,
// so a clock shifted from the machine's works.
func New(now func() time.Time, log *slog.Logger, sources ...Source) *Scheduler {
	return NewWithClock(RealTime(now), log, sources...)
}

// NewWithClock builds a Scheduler whose due times are compared with clock
// and whose waits run on clock's timers.
func NewWithClock(clock Clock, log *slog.Logger, sources ...Source) *Scheduler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	idle := make(chan struct{})
	close(idle)
	return &Scheduler{
		clock:      clock,
		log:        log,
		sources:    sources,
		minBackoff: time.Second,
		maxBackoff: time.Minute,
		reload:     make(chan struct{}, 1),
		started:    make(chan struct{}),
		jobs:       map[string]*entry{},
		running:    map[string]bool{},
		again:      map[string]time.Time{},
		idle:       idle,
	}
}

// Start reads the Sources and schedules their jobs, in the background. It
// returns at once; ctx bounds the scheduler's life (Stop ends it too).
func (s *Scheduler) Start(ctx context.Context) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx != nil {
		return
	}
	s.ctx, s.cancel = context.WithCancel(ctx)
	s.wg.Add(1)
	go s.loop()
	s.armRescan()
	s.reloadLocked()
	close(s.started)
}

// Reload asks for the Sources to be re-read. It never blocks; calls made
// while a re-read is pending are coalesced into it.
func (s *Scheduler) Reload() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reloadLocked()
}

func (s *Scheduler) reloadLocked() {
	select {
	case s.reload <- struct{}{}:
		s.addBusy(1)
	default:
	}
}

// Stop stops scheduling and waits for running jobs to return. Their context
// is cancelled, which also ends any wait between retries.
func (s *Scheduler) Stop() {
	s.mu.Lock()
	cancel := s.cancel
	if cancel != nil {
		// Under mu, so that no job is dispatched after Wait began.
		cancel()
		for _, e := range s.jobs {
			e.disarm()
		}
		if s.stopRescan != nil {
			s.stopRescan()
		}
	}
	s.mu.Unlock()
	if cancel == nil {
		return
	}
	s.wg.Wait()
}

// Settled waits until the scheduler has started and has nothing under
// way: no re-read pending or running, and no job running except those
// waiting for their retry time. With a clock a test moves, Settled after a
// move returns once everything that move made due has run (and what those
// runs asked for, such as a re-read, is done). It returns at once when the
// scheduler has stopped, and ctx's error if ctx ends first.
func (s *Scheduler) Settled(ctx context.Context) error {
	select {
	case <-s.started:
	case <-ctx.Done():
		return ctx.Err()
	}
	s.mu.Lock()
	idle, stopped := s.idle, s.ctx.Done()
	s.mu.Unlock()
	select {
	case <-idle:
	case <-stopped:
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// addBusy moves the busy count by n; s.mu is held.
func (s *Scheduler) addBusy(n int) {
	if s.busy == 0 && n > 0 {
		s.idle = make(chan struct{})
	}
	s.busy += n
	if s.busy == 0 {
		close(s.idle)
	}
}

// armRescan sets the timer of the next safety-net re-read; s.mu is held.
func (s *Scheduler) armRescan() {
	if s.ctx.Err() != nil {
		return
	}
	now := s.clock.Now()
	s.stopRescan = s.clock.AfterFunc(rescanEvery.Next(now).Sub(now), func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.ctx.Err() == nil {
			s.reloadLocked()
			s.armRescan()
		}
	})
}

func (s *Scheduler) loop() {
	defer s.wg.Done()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-s.reload:
			s.scan(s.ctx)
			s.mu.Lock()
			s.addBusy(-1)
			s.mu.Unlock()
		}
	}
}

// scan re-reads every Source and brings the timers in line. A Source that
// fails keeps its jobs as they were.
func (s *Scheduler) scan(ctx context.Context) {
	seen := map[string]bool{}
	failed := map[int]bool{}
	var found []entry
	for i, src := range s.sources {
		jobs, err := src.Pending(ctx)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Error("scheduler: reading jobs", "source", i, "err", err)
			}
			failed[i] = true
			continue
		}
		for _, j := range jobs {
			if !seen[j.Key] {
				seen[j.Key] = true
				found = append(found, entry{job: j, source: i})
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if ctx.Err() != nil {
		return
	}
	for key, e := range s.jobs {
		if !seen[key] && !failed[e.source] {
			e.disarm()
			delete(s.jobs, key)
		}
	}
	for _, f := range found {
		s.put(f)
	}
}

// put adds or updates one job; s.mu is held. A job listed again with the
// same due time keeps its entry, except a spent one whose due time is still
// ahead on our clock: its Run returned nil before the job was due (the
// machine's timer and a shifted clock disagree, or the job checks its own
// deadline), so it is re-armed rather than left parked for ever. A spent
// job listed with a due time already past stays parked, so that a Source
// that keeps listing a finished job does not get it run in a loop.
func (s *Scheduler) put(f entry) {
	now := s.clock.Now()
	if e, ok := s.jobs[f.job.Key]; ok {
		if e.job.Due.Equal(f.job.Due) && !(e.spent && f.job.Due.After(now)) {
			e.job.Run, e.source = f.job.Run, f.source
			return
		}
		e.disarm()
	}
	e := &entry{job: f.job, source: f.source}
	s.jobs[f.job.Key] = e
	key, due := f.job.Key, f.job.Due
	if wait := due.Sub(now); wait > 0 {
		e.stop = s.clock.AfterFunc(wait, func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.dispatch(key, due)
		})
		return
	}
	s.dispatch(key, due)
}

// disarm cancels the entry's timer, if any.
func (e *entry) disarm() {
	if e.stop != nil {
		e.stop()
	}
}

// dispatch starts the job under key, whose timer for due fired, or notes
// that it fired again while running; s.mu is held.
func (s *Scheduler) dispatch(key string, due time.Time) {
	if s.ctx.Err() != nil {
		return
	}
	if s.running[key] {
		s.again[key] = due
		return
	}
	s.running[key] = true
	s.addBusy(1)
	s.wg.Add(1)
	go s.fire(key, due)
}

// fire runs the job under key until it succeeds, leaves the Sources or the
// scheduler stops, retrying with backoff.
func (s *Scheduler) fire(key string, due time.Time) {
	defer s.wg.Done()
	defer s.end(key)
	for attempt := 0; ; attempt++ {
		job, ok := s.current(key, due)
		if !ok {
			return
		}
		err := s.runOnce(job)
		if err == nil {
			s.done(key, job.Due)
			return
		}
		if s.ctx.Err() != nil {
			return
		}
		wait := s.backoff(attempt)
		s.log.Warn("scheduler: job failed, will retry", "job", key, "attempt", attempt+1, "retry_in", wait, "err", err)
		s.Reload() // learn whether it is still pending before the retry
		if !s.sleep(wait) {
			return
		}
	}
}

// end clears the running mark and, if the job fired meanwhile (it was moved
// while being retried), runs it once more.
func (s *Scheduler) end(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.running, key)
	if due, ok := s.again[key]; ok {
		delete(s.again, key)
		s.dispatch(key, due) // before addBusy(-1): never idle in between
	}
	s.addBusy(-1)
}

// current returns the latest version of the job whose timer fired for due,
// if it is still listed. One moved to a later time that has not come is
// left to its own timer. (The fired timer itself is not compared with the
// clock: the machine's timer may wake a hair before a shifted clock says
// due.)
func (s *Scheduler) current(key string, due time.Time) (Job, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.jobs[key]
	if !ok || s.ctx.Err() != nil || (e.job.Due.After(due) && e.job.Due.After(s.clock.Now())) {
		return Job{}, false
	}
	return e.job, true
}

// done follows a successful run of the job due at due with a re-scan,
// which drops the job once its Source no longer lists it. Until then its
// entry stays, its timer spent: see put for when a spent entry is re-armed.
func (s *Scheduler) done(key string, due time.Time) {
	s.mu.Lock()
	if e, ok := s.jobs[key]; ok && e.job.Due.Equal(due) {
		e.spent = true
	}
	s.reloadLocked()
	s.mu.Unlock()
	s.log.Debug("scheduler: job done", "job", key)
}

// runOnce calls Run, turning a panic into an error so that one bad job
// cannot take the process down.
func (s *Scheduler) runOnce(job Job) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("job %s panicked: %v", job.Key, v)
			s.log.Error("scheduler: job panic", "job", job.Key, "panic", v, "stack", string(debug.Stack()))
		}
	}()
	return job.Run(s.ctx)
}

func (s *Scheduler) backoff(attempt int) time.Duration {
	d := s.minBackoff
	for i := 0; i < attempt && d < s.maxBackoff; i++ {
		d *= 2
	}
	return min(d, s.maxBackoff)
}

// sleep waits d on the clock, or less if the scheduler stops; it reports
// whether to go on. While it waits, the job does not count as busy: only a
// move of the clock can wake it.
func (s *Scheduler) sleep(d time.Duration) bool {
	woke := make(chan struct{})
	s.mu.Lock()
	stop := s.clock.AfterFunc(d, func() {
		s.mu.Lock()
		s.addBusy(1)
		s.mu.Unlock()
		close(woke)
	})
	s.addBusy(-1)
	s.mu.Unlock()
	select {
	case <-woke:
		return true
	case <-s.ctx.Done():
		if stop() {
			s.mu.Lock()
			s.addBusy(1) // the count end takes back
			s.mu.Unlock()
		} else {
			<-woke
		}
		return false
	}
}
