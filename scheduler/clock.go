package scheduler

import "time"

// Clock is where the scheduler reads the time and sets its timers. In
// production it is RealTime(time.Now); tests inject a clock they move by
// hand (see scheduler/clocktest), so that timing is tested without sleeps.
type Clock interface {
	Now() time.Time
	// AfterFunc arranges for f to be called once d has passed on this
	// clock, and returns a function that cancels the call. stop reports
	// whether it cancelled f before f was called. f runs in its own
	// goroutine or, for a clock a test moves, in the goroutine that moves
	// it; either way f must not block.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

// RealTime is a Clock whose timers run on the machine's clock and whose
// readings come from now (time.Now if nil). now may be offset from the
// machine's clock (a shifted clock in a test, or a process that starts
// "later"): a wait until a time read on now is measured on now, so it lasts
// as long as the machine's clock takes to cover the same distance.
func RealTime(now func() time.Time) Clock {
	if now == nil {
		now = time.Now
	}
	return realTime{now: now}
}

type realTime struct{ now func() time.Time }

func (r realTime) Now() time.Time { return r.now() }

func (realTime) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}
