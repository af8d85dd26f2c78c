// Package scheduler runs timed jobs exactly when they are due: meeting
// reminders, poll closings. It imports nothing of copbot's: the jobs come
// from Sources (handlers), which record in the database that a job is done,
// so a restart never runs a finished job again.
package scheduler

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
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

// Scheduler runs the jobs of its Sources at their due time. Each job gets a
// one-shot cron entry that fires at its exact instant (cron's timer, not
// minute polling); Sources are re-read at Start, on Reload and every minute
// as a safety net, so a job added or moved by another path is still found.
//
// Guarantees: a job already due runs at once; one job (by Key) never runs
// concurrently with itself; a failing Run is retried with exponential backoff
// (1 s doubling to 1 min) for as long as its Source still lists it; a job
// whose Run returned nil while the clock said it was not due yet, and which
// its Source still lists, runs again at its due time. Exactly
// once is the job's business: Run records that it is done, and the Scheduler
// only promises not to call it twice at the same time.
type Scheduler struct {
	now     func() time.Time
	log     *slog.Logger
	sources []Source
	cron    *cron.Cron

	minBackoff, maxBackoff time.Duration
	reload                 chan struct{} // capacity 1: coalesces Reload calls

	mu      sync.Mutex
	ctx     context.Context
	cancel  context.CancelFunc
	jobs    map[string]*entry
	running map[string]bool
	again   map[string]time.Time // fired (for this due time) while running: run again when it ends
	wg      sync.WaitGroup
}

// entry is a job known to the scheduler with its cron entry.
type entry struct {
	job    Job
	source int // index in sources
	id     cron.EntryID
	// spent is set when Run returned nil for this due time: the one-shot
	// has fired and stays parked unless put re-arms it.
	spent bool
}

// New builds a Scheduler. now is the clock against which Due is compared
// (time.Now in production); the wait until a job is due is measured on it, so
// a test clock that runs at real speed from a fake origin works.
func New(now func() time.Time, log *slog.Logger, sources ...Source) *Scheduler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Scheduler{
		now:        now,
		log:        log,
		sources:    sources,
		cron:       cron.New(cron.WithSeconds(), cron.WithLocation(time.UTC), cron.WithLogger(cronLogger{log})),
		minBackoff: time.Second,
		maxBackoff: time.Minute,
		reload:     make(chan struct{}, 1),
		jobs:       map[string]*entry{},
		running:    map[string]bool{},
		again:      map[string]time.Time{},
	}
}

// Start reads the Sources and schedules their jobs, in the background. It
// returns at once; ctx bounds the scheduler's life (Stop ends it too).
func (s *Scheduler) Start(ctx context.Context) {
	s.mu.Lock()
	if s.ctx != nil {
		s.mu.Unlock()
		return
	}
	s.ctx, s.cancel = context.WithCancel(ctx)
	s.mu.Unlock()
	s.cron.Start()
	if _, err := s.cron.AddFunc("@every 1m", s.Reload); err != nil {
		s.log.Error("scheduler: periodic rescan", "err", err)
	}
	s.wg.Add(1)
	go s.loop()
	s.Reload()
}

// Reload asks for the Sources to be re-read. It never blocks; calls made
// while a re-read is pending are coalesced into it.
func (s *Scheduler) Reload() {
	select {
	case s.reload <- struct{}{}:
	default:
	}
}

// Stop stops scheduling and waits for running jobs to return. Their context
// is cancelled, which also ends any wait between retries.
func (s *Scheduler) Stop() {
	s.mu.Lock()
	cancel := s.cancel
	if cancel != nil {
		// Under mu, so that end() never starts a goroutine after Wait began.
		cancel()
	}
	s.mu.Unlock()
	if cancel == nil {
		return
	}
	<-s.cron.Stop().Done()
	s.wg.Wait()
}

func (s *Scheduler) loop() {
	defer s.wg.Done()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-s.reload:
			s.scan(s.ctx)
		}
	}
}

// scan re-reads every Source and brings the cron entries in line. A Source
// that fails keeps its jobs as they were.
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
			s.cron.Remove(e.id)
			delete(s.jobs, key)
		}
	}
	for _, f := range found {
		s.put(f)
	}
}

// put adds or updates one job; s.mu is held. A job listed again with the
// same due time keeps its entry, except a spent one whose due time is still
// ahead on our clock: its Run returned nil before the job was due (cron's
// timer and our clock disagree, or the job checks its own deadline), so it
// is re-armed rather than left parked for ever. A spent job listed with a
// due time already past stays parked, so that a Source that keeps listing a
// finished job does not get it run in a loop.
func (s *Scheduler) put(f entry) {
	if e, ok := s.jobs[f.job.Key]; ok {
		if e.job.Due.Equal(f.job.Due) && !(e.spent && f.job.Due.After(s.now())) {
			e.job.Run, e.source = f.job.Run, f.source
			return
		}
		s.cron.Remove(e.id)
	}
	e := &entry{job: f.job, source: f.source}
	key, due := f.job.Key, f.job.Due
	// cron's timer runs on the real clock; the wait is measured on ours.
	at := time.Now().Add(due.Sub(s.now()))
	e.id = s.cron.Schedule(&oneShot{at: at}, cron.FuncJob(func() { s.fire(key, due) }))
	s.jobs[key] = e
}

// fire runs the job under key, whose entry for due fired, until it
// succeeds, leaves the Sources or the scheduler stops, retrying with
// backoff.
func (s *Scheduler) fire(key string, due time.Time) {
	if !s.begin(key, due) {
		return
	}
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

// begin marks key running, or notes that it fired again while running.
func (s *Scheduler) begin(key string, due time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running[key] {
		s.again[key] = due
		return false
	}
	s.running[key] = true
	return true
}

// end clears the running mark and, if the job fired meanwhile (it was moved
// while being retried), runs it once more.
func (s *Scheduler) end(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.running, key)
	if due, ok := s.again[key]; ok {
		delete(s.again, key)
		if s.ctx.Err() == nil {
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				s.fire(key, due)
			}()
		}
	}
}

// current returns the latest version of the job whose entry fired for due,
// if it is still listed. One moved to a later time that has not come is
// left to its own cron entry. (The fired entry itself is not compared with
// the clock: cron may wake a hair before a test clock says due.)
func (s *Scheduler) current(key string, due time.Time) (Job, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.jobs[key]
	if !ok || s.ctx.Err() != nil || (e.job.Due.After(due) && e.job.Due.After(s.now())) {
		return Job{}, false
	}
	return e.job, true
}

// done follows a successful run of the job due at due with a re-scan,
// which drops the job once its Source no longer lists it. Until then its
// entry stays, parked (a one-shot fires once) and marked spent: see put for
// when a spent entry is re-armed.
func (s *Scheduler) done(key string, due time.Time) {
	s.mu.Lock()
	if e, ok := s.jobs[key]; ok && e.job.Due.Equal(due) {
		e.spent = true
	}
	s.mu.Unlock()
	s.log.Debug("scheduler: job done", "job", key)
	s.Reload()
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

// sleep waits d, or less if the scheduler stops; it reports whether to go on.
func (s *Scheduler) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-s.ctx.Done():
		return false
	}
}

// oneShot is a cron.Schedule that fires once, at a given instant, then
// never again. cron asks Next when the entry is added (at gives the timer)
// and after each run (the zero time parks the entry until it is removed).
type oneShot struct {
	at    time.Time
	fired atomic.Bool
}

// Next implements cron.Schedule.
func (o *oneShot) Next(time.Time) time.Time {
	if o.fired.Swap(true) {
		return time.Time{}
	}
	return o.at
}

// cronLogger sends cron's own chatter to slog at debug level.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }

func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "err", err)...)
}
