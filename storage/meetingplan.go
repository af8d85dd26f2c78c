package storage

import (
	"context"
	"time"
)

// Each meeting once: a meeting is a copy of another when both are
// scheduled, start at the same instant and have the same title once case,
// accents and spaces are folded away (foldKey). The check runs inside the
// write transaction that would add the copy, which the write gate and
// SQLite's write lock serialize across goroutines and processes: of two
// coordinators sending the same "meeting add" at once, exactly one adds it.

// checkUnique refuses m when another scheduled meeting is its copy.
func (t *tx) checkUnique(m *Meeting) error {
	same, err := t.findMeetings(MeetingFilter{From: m.StartsAt, Before: m.StartsAt.Add(time.Second), Status: MeetingScheduled})
	if err != nil {
		return err
	}
	key := foldKey(m.Title)
	for _, o := range same {
		if o.ID != m.ID && foldKey(o.Title) == key {
			return errMeetingDuplicate(o)
		}
	}
	return nil
}

// errMeetingDuplicate is ECONFLICT meeting_error_duplicate {ID, StartsAt,
// By, ByName, AddedAt}: the meeting already there, when it starts, who
// added it (identity "platform:id", and name, "" if unknown) and when.
func errMeetingDuplicate(o *Meeting) error {
	by := o.CreatedByName
	if by == "" {
		by = o.CreatedBy
	}
	return Errorf(ECONFLICT, "meeting_error_duplicate", map[string]any{"ID": o.ID, "StartsAt": o.StartsAt,
		"By": o.CreatedBy, "ByName": o.CreatedByName, "AddedAt": o.CreatedAt},
		"meeting %d at %s was already added by %q at %s", o.ID, o.StartsAt.Format(time.RFC3339), by,
		o.CreatedAt.Format(time.RFC3339))
}

// MeetingPlan asks for one meeting of a plan ("meeting plan 2028"): Meeting
// is added unless a scheduled meeting already starts in [From, Before),
// typically its month.
type MeetingPlan struct {
	Meeting      MeetingInput
	From, Before time.Time
}

// PlannedMeeting is what PlanMeetings did for one MeetingPlan: Meeting is
// the meeting it added or, when Existing, the first one already scheduled
// in the period.
type PlannedMeeting struct {
	Meeting  *Meeting
	Existing bool
}

// PlanMeetings adds, in one write transaction, the meeting of each plan
// whose period has no scheduled meeting yet, and answers one
// PlannedMeeting per plan, in order. The periods are read in the same
// transaction, so the same plan sent twice at once adds each meeting once.
// Inputs are checked as CreateMeetings checks them, before anything is
// read: a refusal is the first refused input's *Error with Args "Index",
// and nothing is written.
func (d *DB) PlanMeetings(ctx context.Context, plans []MeetingPlan) ([]PlannedMeeting, error) {
	now := d.now()
	out := make([]PlannedMeeting, len(plans))
	for i, p := range plans {
		m, err := newMeeting(p.Meeting, now)
		if err != nil {
			return nil, withArg(err, "Index", i)
		}
		out[i].Meeting = m
	}
	actor, _ := ActorFrom(ctx)
	err := d.write(ctx, func(t *tx) error {
		for i, p := range plans {
			there, err := t.findMeetings(MeetingFilter{From: p.From, Before: p.Before, Status: MeetingScheduled, Limit: 1})
			if err != nil {
				return err
			}
			if len(there) > 0 {
				out[i] = PlannedMeeting{Meeting: there[0], Existing: true}
				continue
			}
			if err := t.addMeeting(out[i].Meeting, p.Meeting, actor, now); err != nil {
				return withArg(err, "Index", i)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
