package privacy

import (
	"context"
	"errors"
	"sync"
	"time"

	"copbot/scheduler"
)

// The daily retention job, at dailyHour in the community's time zone, and
// once soon after start-up (a bot restarted every night must not skip
// it): former members who left more than the retention period ago are
// erased (storage.PurgeFormerMembers, audited there), delivery-ledger
// rows no attempt has touched for deliveryRetention are pruned, and so
// are the expired records of handled requests. Every step is idempotent,
// so the job needs no record of its runs: if it fails it is retried with
// the scheduler's backoff, and a run at start-up repeats nothing.

// dailyHour is when the job runs, community time: a quiet hour.
const dailyHour = 3

// deliveryRetention is how long a delivery-ledger row is kept after its
// last attempt: far beyond the longest pause between two attempts of one
// job (minutes), and long enough for "meeting status" to explain a
// quarter's reminders.
const deliveryRetention = 90 * 24 * time.Hour

// daily plans the retention job: next is when it runs next (zero: at once).
type daily struct {
	s    *Feature
	mu   sync.Mutex
	next time.Time
}

// pending lists the one retention job.
func (d *daily) pending(context.Context) ([]scheduler.Job, error) {
	d.mu.Lock()
	due := d.next
	d.mu.Unlock()
	if due.IsZero() {
		due = d.s.now()
	}
	return []scheduler.Job{{Key: "privacy-retention:" + due.UTC().Format(time.RFC3339), Due: due, Run: d.run}}, nil
}

// run does the day's retention, then plans the next run.
func (d *daily) run(ctx context.Context) error {
	if err := d.s.Retain(ctx); err != nil {
		return err
	}
	next := nextDaily(d.s.now(), d.s.opts.Location)
	d.mu.Lock()
	d.next = next
	d.mu.Unlock()
	d.s.svc.Replan()
	return nil
}

// nextDaily is the first dailyHour:00 in loc after now.
func nextDaily(now time.Time, loc *time.Location) time.Time {
	l := now.In(loc)
	t := time.Date(l.Year(), l.Month(), l.Day(), dailyHour, 0, 0, 0, loc)
	if !t.After(now) {
		t = time.Date(l.Year(), l.Month(), l.Day()+1, dailyHour, 0, 0, 0, loc)
	}
	return t
}

// Retain applies the retention rules once, as of now: erases former
// members who left more than the retention period ago, and prunes the
// delivery ledger and the record of handled requests. A step that fails
// does not stop the others; the errors are returned together.
func (s *Feature) Retain(ctx context.Context) error {
	now := s.now()
	var errs []error
	purged, err := s.store.PurgeFormerMembers(ctx, now.AddDate(0, -s.retention, 0))
	if err != nil {
		errs = append(errs, err)
	}
	deliveries, err := s.store.PruneDeliveries(ctx, now.Add(-deliveryRetention))
	if err != nil {
		errs = append(errs, err)
	}
	requests, err := s.store.PruneRequests(ctx)
	if err != nil {
		errs = append(errs, err)
	}
	s.log.Info("retention", "former_members_erased", purged, "retention_months", s.retention,
		"deliveries_pruned", deliveries, "requests_pruned", requests)
	return errors.Join(errs...)
}
