package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxActivityText bounds an activity's text and its remarks.
const MaxActivityText = 1000

// Activity is one entry of the planned activities register. DueOn is a
// calendar date (YYYY-MM-DD) or "".
type Activity struct {
	ID        int64
	Text      string
	Remarks   string
	DueOn     string
	Done      bool
	CreatedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
	DoneAt    time.Time
}

// ActivityUpdate changes the non-nil fields of an activity; "" clears
// Remarks and DueOn.
type ActivityUpdate struct {
	Text, Remarks, DueOn *string
}

const activityColumns = `id, text, remarks, due_on, status, created_by, created_at, updated_at, done_at`

// AddActivity stores a new planned activity.
func (d *DB) AddActivity(ctx context.Context, text, by string, u ActivityUpdate) (*Activity, error) {
	now := d.now()
	a := &Activity{Text: text, CreatedBy: by, CreatedAt: now, UpdatedAt: now}
	applyActivity(a, u)
	if err := validateActivity(a); err != nil {
		return nil, err
	}
	err := d.write(ctx, func(t *tx) error {
		res, err := t.exec(`INSERT INTO activities (text, remarks, due_on, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?)`, a.Text, a.Remarks, a.DueOn, a.CreatedBy, formatTime(now), formatTime(now))
		if err != nil {
			return err
		}
		if a.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		return t.auditWork(&AuditEntry{Action: AuditActivityAdd, Target: activityTarget(a.ID)})
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

func applyActivity(a *Activity, u ActivityUpdate) {
	for _, p := range []struct{ dst, src *string }{{&a.Text, u.Text}, {&a.Remarks, u.Remarks}, {&a.DueOn, u.DueOn}} {
		if p.src != nil {
			*p.dst = *p.src
		}
	}
	a.Text, a.Remarks, a.DueOn = cleanLine(a.Text), strings.TrimSpace(a.Remarks), strings.TrimSpace(a.DueOn)
}

func validateActivity(a *Activity) error {
	if a.Text == "" {
		return Errorf(EINVALID, "activity_error_text", nil, "no text")
	}
	if utf8.RuneCountInString(a.Text) > MaxActivityText || utf8.RuneCountInString(a.Remarks) > MaxActivityText {
		return Errorf(EINVALID, "activity_error_too_long", map[string]any{"Max": MaxActivityText}, "text too long")
	}
	if err := checkText("text", a.Text, textLine); err != nil {
		return err
	}
	if err := checkText("remarks", a.Remarks, textBreaks); err != nil {
		return err
	}
	if _, err := time.Parse(time.DateOnly, a.DueOn); a.DueOn != "" && err != nil {
		return Errorf(EINVALID, "activity_error_due", map[string]any{"Value": a.DueOn}, "bad due date %q", a.DueOn)
	}
	return nil
}

// UpdateActivity edits an activity, planned or done.
func (d *DB) UpdateActivity(ctx context.Context, id int64, u ActivityUpdate) (*Activity, error) {
	return d.changeActivity(ctx, id, AuditActivityUpdate, func(a *Activity) error {
		applyActivity(a, u)
		return validateActivity(a)
	})
}

// FinishActivity marks a planned activity done, now.
func (d *DB) FinishActivity(ctx context.Context, id int64) (*Activity, error) {
	return d.changeActivity(ctx, id, AuditActivityDone, func(a *Activity) error {
		if a.Done {
			return Errorf(ECONFLICT, "activity_error_done", map[string]any{"ID": id}, "activity %d is done", id)
		}
		a.Done, a.DoneAt = true, a.UpdatedAt
		return nil
	})
}

// activityTarget is the audit target of activity id.
func activityTarget(id int64) string { return fmt.Sprintf("activity:%d", id) }

// changeActivity runs change on activity id and saves it, in one write
// transaction with its audit entry (action).
func (d *DB) changeActivity(ctx context.Context, id int64, action AuditAction, change func(a *Activity) error) (*Activity, error) {
	now := d.now()
	var a *Activity
	err := d.write(ctx, func(t *tx) error {
		as, err := t.queryActivities("id = ?", id)
		if err != nil {
			return err
		}
		if len(as) == 0 {
			return Errorf(ENOTFOUND, "activity_error_not_found", map[string]any{"ID": id}, "activity %d not found", id)
		}
		a = as[0]
		a.UpdatedAt = now
		if err := change(a); err != nil {
			return err
		}
		status := "planned"
		if a.Done {
			status = "done"
		}
		_, err = t.exec(`UPDATE activities SET text = ?, remarks = ?, due_on = ?, status = ?, updated_at = ?, done_at = ?
			WHERE id = ?`, a.Text, a.Remarks, a.DueOn, status, formatTime(a.UpdatedAt), formatTime(a.DoneAt), a.ID)
		if err != nil {
			return err
		}
		return t.auditWork(&AuditEntry{Action: action, Target: activityTarget(a.ID)})
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// Activities lists the register: planned activities first (by target
// date, undated last, then id), then done ones, most recent first.
func (d *DB) Activities(ctx context.Context) ([]*Activity, error) {
	var out []*Activity
	err := d.read(ctx, func(t *tx) (err error) {
		out, err = t.queryActivities("1 = 1")
		return err
	})
	return out, err
}

// queryActivities selects activities; where is one of a few constant
// clauses.
func (t *tx) queryActivities(where string, args ...any) ([]*Activity, error) {
	var out []*Activity
	err := t.each("SELECT "+activityColumns+" FROM activities WHERE "+where+
		` ORDER BY status = 'done', CASE WHEN status = 'done' THEN '' WHEN due_on = '' THEN '9999' ELSE due_on END,
		done_at DESC, id`,
		func(rows *sql.Rows) error {
			var a Activity
			var status string
			var created, updated, done sql.NullString
			if err := rows.Scan(&a.ID, &a.Text, &a.Remarks, &a.DueOn, &status, &a.CreatedBy, &created, &updated, &done); err != nil {
				return err
			}
			a.Done = status == "done"
			out = append(out, &a)
			return parseTimes(parsed{&a.CreatedAt, created}, parsed{&a.UpdatedAt, updated}, parsed{&a.DoneAt, done})
		}, args...)
	return out, err
}
