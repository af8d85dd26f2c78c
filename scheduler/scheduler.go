// Package scheduler runs timed jobs exactly when they are due: meeting
// reminders, poll closings. It imports nothing of copbot's: the jobs come
// from Sources (handlers), which record in the database that a job is done,
// so a restart never runs a finished job again.
package scheduler

import (
	"context"
	"time"
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
