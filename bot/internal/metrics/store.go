package metrics

import (
	"context"
	"time"
)

// storeFamilies reads the database at a scrape: counts only, bounded by a
// deadline. A part that cannot be read is left out and
// copbot_database_scrape_errors is 1.
func storeFamilies(ctx context.Context, store Store, now func() time.Time) []family {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	var fs []family
	failed := 0.0
	if s, err := store.OpsStats(ctx); err == nil {
		deliveries := family{name: "copbot_deliveries", typ: "gauge",
			help: "Posts in the delivery ledger by status: attempting (pending), uncertain (an answer was lost; retried or left to a coordinator), failed, sent."}
		for _, st := range []string{"attempting", "uncertain", "failed", "sent"} {
			deliveries.samples = append(deliveries.samples, sample{labels: []label{{"status", st}}, value: float64(s.Deliveries[st])})
		}
		reminders := family{name: "copbot_reminders", typ: "gauge",
			help: "Meeting reminders by status: pending, sent, skipped, failed."}
		for _, st := range []string{"pending", "sent", "skipped", "failed"} {
			reminders.samples = append(reminders.samples, sample{labels: []label{{"status", st}}, value: float64(s.Reminders[st])})
		}
		fs = append(fs, deliveries, reminders,
			family{name: "copbot_reminders_sent_total", typ: "counter", help: "Meeting reminders sent (kept with their meeting).",
				samples: []sample{{value: float64(s.Reminders["sent"])}}},
			family{name: "copbot_reminders_sent_late_total", typ: "counter",
				help:    "Meeting reminders that went out after their time (after a restart or an outage).",
				samples: []sample{{value: float64(s.SentLate)}}},
			gauge("copbot_reminders_overdue",
				"Pending reminders more than 5 minutes past their time: the scheduler is not delivering.", float64(s.Overdue)))
	} else {
		failed = 1
	}
	if db, wal, err := store.FileSizes(); err == nil {
		fs = append(fs, gauge("copbot_database_size_bytes", "Size of the SQLite database file.", float64(db)),
			gauge("copbot_database_wal_size_bytes",
				"Size of the SQLite write-ahead log (grows until a checkpoint; Litestream checkpoints it).", float64(wal)))
	} else {
		failed = 1
	}
	const backupTime = "copbot_backup_last_verified_timestamp_seconds"
	const backupTimeHelp = "Unix time of the last verified backup; 0 if there was none."
	if at, err := store.LastBackup(ctx); err != nil {
		failed = 1
	} else if at.IsZero() {
		fs = append(fs, gauge(backupTime, backupTimeHelp, 0))
	} else {
		fs = append(fs, gauge(backupTime, backupTimeHelp, float64(at.Unix())),
			gauge("copbot_backup_age_seconds",
				"Seconds since the last verified backup (copbot backup, or the copy before an upgrade); absent if there was none.",
				now().Sub(at).Seconds()))
	}
	return append(fs, gauge("copbot_database_scrape_errors",
		"1 when the database could not be read for this scrape (its families are then missing).", failed))
}
