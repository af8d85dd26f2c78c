package features

import (
	"context"
	"copbot/handlers/handlerstest"
	"copbot/storage"
	"strings"
	"testing"
	"time"
)

// One unreadable reminder row (a start in year 10000, stored before starts
// were capped) is skipped and logged: the other meetings' reminders and the
// polls' closings are still listed, each by its own source (reminders,
// meeting notices to retry, poll closings, poll cards to retry, outreach
// follow-ups, privacy retention).
func TestUnreadableReminderDoesNotStopJobs(t *testing.T) {
	e := newMtgEnv(t, func(o *Options) { o.Meetings.Reminders = []time.Duration{24 * time.Hour} })
	bad := e.AddMeeting(mtgT0.Add(30*24*time.Hour), 24*time.Hour)
	e.AddMeeting(mtgT0.Add(40*24*time.Hour), 24*time.Hour)
	if _, err := e.db.CreatePoll(context.Background(), storage.PollInput{Question: "Theme?", Options: []string{"A", "B"},
		Language: "en", ClosesAt: mtgT0.Add(48 * time.Hour), Creator: handlerstest.Coordinator}); err != nil {
		t.Fatal(err)
	}
	e.Exec("UPDATE reminders SET starts_at = '10000-01-01T04:59:00Z' WHERE meeting_id = ?", bad.ID)
	srcs := e.s.JobSources()
	if len(srcs) != 6 {
		t.Fatalf("%d sources, want reminders, notices, polls, poll cards, outreach follow-ups and privacy retention", len(srcs))
	}
	var got []string
	retention := 0
	for i, src := range srcs {
		jobs, err := src.Pending(context.Background())
		if err != nil {
			t.Fatalf("source %d: %v", i, err)
		}
		for _, j := range jobs {
			if strings.HasPrefix(j.Key, "privacy-retention:") {
				retention++
				continue
			}
			got = append(got, j.Key)
		}
	}
	if retention != 1 {
		t.Errorf("%d privacy retention jobs, want 1", retention)
	}
	if want := "reminder:2 poll-close:1"; strings.Join(got, " ") != want {
		t.Errorf("jobs %q, want %q", strings.Join(got, " "), want)
	}
	// A part that fails as a whole does not hide the others' jobs.
	e.Exec("UPDATE polls SET closes_at = 'not a time'")
	if _, err := srcs[2].Pending(context.Background()); err == nil {
		t.Error("the polls source read a poll whose deadline is not a time")
	}
	jobs, err := srcs[0].Pending(context.Background())
	if err != nil || len(jobs) != 1 || jobs[0].Key != "reminder:2" {
		t.Errorf("reminder jobs with the polls part failing: %+v, %v; want reminder:2 alone", jobs, err)
	}
}
