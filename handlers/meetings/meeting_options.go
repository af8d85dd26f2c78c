package meetings

import (
	"errors"
	"fmt"
	"time"

	"copbot/storage"
)

// This file holds the meeting settings: their defaults, the startup check
// of what the config gave, and the accessors the commands read them with.

// Options configure quarterly meetings and their reminders. Unset
// fields take DefaultOptions; check them with ValidateOptions.
type Options struct {
	Rule     string        // e.g. "third wednesday 13:00"; "" for the default
	Months   []time.Month  // empty for March, June, September, December
	Duration time.Duration // length of a new meeting; 0 for the default (90 min)
	// Reminders are the offsets before the start. nil means the defaults;
	// an empty non-nil slice means no reminders (config `reminders = []`),
	// so the app must pass the list it parsed, even when empty.
	Reminders []time.Duration
}

// DefaultOptions are the settings used for whatever Options
// leaves unset: Rule "", Months empty, Duration 0 or Reminders nil (an
// empty non-nil Reminders means no reminders, see Options). The
// default length is 90 minutes, as in the shipped config; the app's config
// defaults should come from here so that each setting has one default.
func DefaultOptions() Options {
	return Options{
		Rule:      "third wednesday 13:00",
		Months:    []time.Month{time.March, time.June, time.September, time.December},
		Duration:  90 * time.Minute,
		Reminders: []time.Duration{336 * time.Hour, 24 * time.Hour, time.Hour},
	}
}

// ValidateOptions checks meeting settings without I/O, for the app
// to call at startup: the rule parses, the months are months, the duration
// and each reminder offset are within storage's limits. Unset settings
// (see DefaultOptions) are valid. Every problem is reported, each
// naming its config key (meetings.rule, meetings.months, meetings.duration,
// meetings.reminders); the text is for the operator's log, in English.
func ValidateOptions(o Options) error {
	var errs []error
	if o.Rule != "" {
		if _, err := parseMeetingRule(o.Rule); err != nil {
			errs = append(errs, fmt.Errorf("meetings.rule: %q is not understood: write it like \"third wednesday 13:00\" "+
				"(first, second, third, fourth or last; a weekday in English or French; a 24-hour time)", o.Rule))
		}
	}
	for _, m := range o.Months {
		if m < time.January || m > time.December {
			errs = append(errs, fmt.Errorf("meetings.months: %d is not a month (1 to 12)", int(m)))
		}
	}
	if o.Duration != 0 && storage.ValidateMeetingDuration(o.Duration) != nil {
		errs = append(errs, fmt.Errorf("meetings.duration: %s is not a meeting length: whole minutes from %s to %s",
			o.Duration, storage.MinMeetingLength, storage.MaxMeetingLength))
	}
	for _, r := range o.Reminders {
		if storage.ValidateReminderOffsets([]time.Duration{r}) != nil {
			errs = append(errs, fmt.Errorf("meetings.reminders: %s is not a reminder offset: whole seconds from %s to %s (90 days)",
				r, storage.MinReminderAhead, storage.MaxReminderAhead))
		}
	}
	return errors.Join(errs...)
}

// meetingOffsets are the configured reminder offsets: nil means the
// defaults, an empty list means none.
func (s *Feature) meetingOffsets() []time.Duration {
	if s.mopts.Reminders != nil {
		return s.mopts.Reminders
	}
	return DefaultOptions().Reminders
}

// meetingMonths are the months "meeting plan" fills.
func (s *Feature) meetingMonths() []time.Month {
	if len(s.mopts.Months) > 0 {
		return s.mopts.Months
	}
	return DefaultOptions().Months
}

// meetingLength is the duration of a new meeting unless one is given.
func (s *Feature) meetingLength() time.Duration {
	if s.mopts.Duration > 0 {
		return s.mopts.Duration
	}
	return DefaultOptions().Duration
}

// meetingRuleText is the rule "meeting plan" follows.
func (s *Feature) meetingRuleText() string {
	if s.mopts.Rule != "" {
		return s.mopts.Rule
	}
	return DefaultOptions().Rule
}
