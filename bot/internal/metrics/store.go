package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

var (
	descDeliveries = prometheus.NewDesc("copbot_deliveries",
		"Posts in the delivery ledger by status: attempting (pending), uncertain (an answer was lost; retried or left to a coordinator), failed, sent.",
		[]string{"status"}, nil)
	descReminders = prometheus.NewDesc("copbot_reminders",
		"Meeting reminders by status: pending, sent, skipped, failed.", []string{"status"}, nil)
	descRemindersSent = prometheus.NewDesc("copbot_reminders_sent_total",
		"Meeting reminders sent (kept with their meeting).", nil, nil)
	descSentLate = prometheus.NewDesc("copbot_reminders_sent_late_total",
		"Meeting reminders that went out after their time (after a restart or an outage).", nil, nil)
	descOverdue = prometheus.NewDesc("copbot_reminders_overdue",
		"Pending reminders more than 5 minutes past their time: the scheduler is not delivering.", nil, nil)
	descDBSize = prometheus.NewDesc("copbot_database_size_bytes",
		"Size of the SQLite database file.", nil, nil)
	descWALSize = prometheus.NewDesc("copbot_database_wal_size_bytes",
		"Size of the SQLite write-ahead log (grows until a checkpoint; Litestream checkpoints it).", nil, nil)
	descBackupAge = prometheus.NewDesc("copbot_backup_age_seconds",
		"Seconds since the last verified backup (copbot backup, or the copy before an upgrade); absent if there was none.", nil, nil)
	descBackupTime = prometheus.NewDesc("copbot_backup_last_verified_timestamp_seconds",
		"Unix time of the last verified backup; 0 if there was none.", nil, nil)
	descScrapeError = prometheus.NewDesc("copbot_database_scrape_errors",
		"1 when the database could not be read for this scrape (its families are then missing).", nil, nil)
)

// storeCollector reads the database at each scrape: counts only, in one
// read transaction, bounded by a deadline.
type storeCollector struct {
	store Store
	now   func() time.Time
}

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descDeliveries, descReminders, descRemindersSent, descSentLate,
		descOverdue, descDBSize, descWALSize, descBackupAge, descBackupTime, descScrapeError} {
		ch <- d
	}
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	failed := 0.0
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	if s, err := c.store.OpsStats(ctx); err == nil {
		for _, st := range []string{"attempting", "uncertain", "failed", "sent"} {
			gauge(descDeliveries, float64(s.Deliveries[st]), st)
		}
		for _, st := range []string{"pending", "sent", "skipped", "failed"} {
			gauge(descReminders, float64(s.Reminders[st]), st)
		}
		ch <- prometheus.MustNewConstMetric(descRemindersSent, prometheus.CounterValue, float64(s.Reminders["sent"]))
		ch <- prometheus.MustNewConstMetric(descSentLate, prometheus.CounterValue, float64(s.SentLate))
		gauge(descOverdue, float64(s.Overdue))
	} else {
		failed = 1
	}
	if db, wal, err := c.store.FileSizes(); err == nil {
		gauge(descDBSize, float64(db))
		gauge(descWALSize, float64(wal))
	} else {
		failed = 1
	}
	if at, err := c.store.LastBackup(ctx); err != nil {
		failed = 1
	} else if at.IsZero() {
		gauge(descBackupTime, 0)
	} else {
		gauge(descBackupTime, float64(at.Unix()))
		gauge(descBackupAge, c.now().Sub(at).Seconds())
	}
	gauge(descScrapeError, failed)
}
