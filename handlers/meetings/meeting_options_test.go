package meetings

import (
	"context"
	"strings"
	"testing"
	"time"

	"copbot/storage"
)

func TestValidateMeetingOptions(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*Options)
		want []string // fragments the error must hold; none means valid
	}{
		{"defaults", func(*Options) {}, nil},
		{"all unset", func(o *Options) { *o = Options{} }, nil},
		{"no reminders", func(o *Options) { o.Reminders = []time.Duration{} }, nil},
		{"French rule", func(o *Options) { o.Rule = "dernier vendredi 9h30" }, nil},
		{"limits", func(o *Options) {
			o.Duration, o.Reminders = storage.MaxMeetingLength, []time.Duration{storage.MinReminderAhead, storage.MaxReminderAhead}
		}, nil},
		{"bad rule", func(o *Options) { o.Rule = "every wednesday" }, []string{`meetings.rule: "every wednesday"`}},
		{"bad month", func(o *Options) { o.Months = []time.Month{13} }, []string{"meetings.months: 13"}},
		{"duration in seconds", func(o *Options) { o.Duration = 90 * time.Second }, []string{"meetings.duration: 1m30s"}},
		{"duration too long", func(o *Options) { o.Duration = 25 * time.Hour }, []string{"meetings.duration: 25h0m0s"}},
		{"negative duration", func(o *Options) { o.Duration = -time.Hour }, []string{"meetings.duration: -1h0m0s"}},
		{"fractional offset", func(o *Options) { o.Reminders = []time.Duration{1500 * time.Millisecond} },
			[]string{"meetings.reminders: 1.5s"}},
		{"zero offset", func(o *Options) { o.Reminders = []time.Duration{time.Hour, 0} }, []string{"meetings.reminders: 0s"}},
		{"offset over 90 days", func(o *Options) { o.Reminders = []time.Duration{91 * 24 * time.Hour} },
			[]string{"meetings.reminders: 2184h0m0s"}},
		{"every problem reported", func(o *Options) {
			o.Rule, o.Duration, o.Reminders = "x", time.Second, []time.Duration{-time.Minute}
		}, []string{"meetings.rule", "meetings.duration", "meetings.reminders"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := DefaultOptions()
			tt.mod(&o)
			err := ValidateOptions(o)
			if len(tt.want) == 0 {
				if err != nil {
					t.Errorf("got %v, want valid", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("got valid, want an error with %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// The meeting settings the app gives are used as given; only unset ones
// take the defaults. An explicitly empty reminder list means none.
func TestMeetingOptionsAppliedToNewMeetings(t *testing.T) {
	tests := []struct {
		name         string
		opts         Options
		wantLength   time.Duration
		wantOffsets  []time.Duration
		wantReminder string
	}{
		{"unset", Options{}, 90 * time.Minute, DefaultOptions().Reminders, "Reminders will be posted 14 days, 1 day and 1 hour before"},
		{"given", Options{Duration: 45 * time.Minute, Reminders: []time.Duration{2 * time.Hour}}, 45 * time.Minute,
			[]time.Duration{2 * time.Hour}, "Reminders will be posted 2 hours before"},
		{"reminders = []", Options{Reminders: []time.Duration{}}, 90 * time.Minute, nil,
			"No reminder is planned: none are configured"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newMtgEnv(t, func(o *envOptions) { o.Meetings = tt.opts })
			r := e.ask("coord", "en", "meeting add 2027-03-17 13:00 Quarterly")
			if r.Kind != "meeting" {
				t.Fatalf("add: %s", mtgKey(r))
			}
			mtgHas(t, r, tt.wantReminder)
			m := e.meetings()[0]
			rs, err := e.db.RemindersOf(context.Background(), m.ID)
			if err != nil {
				t.Fatal(err)
			}
			var got []time.Duration
			for _, r := range rs {
				got = append(got, r.Offset)
			}
			if m.Duration != tt.wantLength || !mtgSameOffsets(got, tt.wantOffsets) {
				t.Errorf("meeting of %s with reminders %v; want %s with %v", m.Duration, got, tt.wantLength, tt.wantOffsets)
			}
		})
	}
}

// With reminders = [], a restart drops the reminders planned under the
// previous setting instead of posting them.
func TestEmptyRemindersConfigDropsPlannedOnes(t *testing.T) {
	e := newMtgEnv(t, nil)
	e.addMeeting(mtgT0.Add(30*24*time.Hour), 336*time.Hour, 24*time.Hour, time.Hour)
	e.opts.Meetings.Reminders = []time.Duration{}
	e.restart()
	jobs, err := pendingJobs(context.Background(), e.s)
	if err != nil {
		t.Fatal(err)
	}
	pending, _ := e.db.PendingReminders(context.Background())
	if len(jobs) != 0 || len(pending) != 0 {
		t.Errorf("%d jobs, %d pending reminders after reminders = []; want none", len(jobs), len(pending))
	}
	r := e.ask("coord", "fr", "réunion statut 1")
	mtgHas(t, r, "Aucun rappel n’est prévu\u00a0: aucun n’est configuré")
}

func mtgSameOffsets(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
