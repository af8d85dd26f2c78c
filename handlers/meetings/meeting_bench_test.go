package meetings

import (
	"context"
	"io"
	"testing"
	"time"

	"copbot/storage"
)

// mtgBenchEnv holds n meetings a week apart, each with three reminders.
func mtgBenchEnv(b *testing.B, n int) *mtgEnv {
	b.Helper()
	offsets := []time.Duration{336 * time.Hour, 24 * time.Hour, time.Hour}
	e := newMtgEnvOffsets(b, offsets...)
	for i := 0; i < n; i++ {
		if _, err := e.db.CreateMeeting(context.Background(), storage.MeetingInput{Title: "Quarterly meeting",
			StartsAt: mtgT0.Add(time.Duration(i+3) * 7 * 24 * time.Hour), Zone: "America/Toronto", Duration: time.Hour,
			Theme: "Accessibility", Agenda: "Welcome; panel, questions", Link: "https://meet.example.ca/cop",
			Reminders: offsets}); err != nil {
			b.Fatal(err)
		}
	}
	return e
}

// BenchmarkCalendar renders the .ics feed of 200 meetings.
func BenchmarkCalendar(b *testing.B) {
	e := mtgBenchEnv(b, 200)
	b.ResetTimer()
	for b.Loop() {
		if err := e.f.Calendar(context.Background(), io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReminderJobs lists the pending reminders of 200 meetings (600
// jobs), what the scheduler does at start, on Reload and every minute.
func BenchmarkReminderJobs(b *testing.B) {
	e := mtgBenchEnv(b, 200)
	src := e.s.JobSources()[0] // the reminders
	if jobs, err := src.Pending(context.Background()); err != nil || len(jobs) != 600 {
		b.Fatalf("%d jobs, %v", len(jobs), err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := src.Pending(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMeetingsCommand answers "meetings" with 200 meetings stored.
func BenchmarkMeetingsCommand(b *testing.B) {
	e := mtgBenchEnv(b, 200)
	b.ResetTimer()
	for b.Loop() {
		if r := e.ask("ana", "fr", "réunions"); r.Kind != "meetings" {
			b.Fatal(r.Text)
		}
	}
}
