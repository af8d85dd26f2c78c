package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Criticality ranks a challenge in the report's table.
type Criticality string

// Criticalities, lowest first.
const (
	CriticalityLow    Criticality = "low"
	CriticalityMedium Criticality = "medium"
	CriticalityHigh   Criticality = "high"
)

// Valid reports whether c is one of the three criticalities.
func (c Criticality) Valid() bool {
	return c == CriticalityLow || c == CriticalityMedium || c == CriticalityHigh
}

// ChallengeKind tells a challenge a coordinator wrote from the one copbot
// keeps itself.
type ChallengeKind string

// Challenge kinds.
const (
	ChallengeManual   ChallengeKind = "manual"
	ChallengeCoverage ChallengeKind = "coverage" // provinces and territories without a representative
)

// MaxChallengeText bounds each text of a challenge.
const MaxChallengeText = 1000

// Challenge is one row of the report's problems and challenges table. For
// the coverage challenge, Problem, Incidence and ActionPlan may be empty,
// meaning the translated defaults, and Jurisdictions lists the codes
// without a representative.
type Challenge struct {
	ID            int64
	Kind          ChallengeKind
	Problem       string
	Jurisdictions []string
	Criticality   Criticality
	Incidence     string
	ActionPlan    string
	Open          bool
	OpenedAt      time.Time
	ClosedAt      time.Time
	UpdatedAt     time.Time
}

// ChallengeInput creates a challenge; ChallengeUpdate changes the non-nil
// fields of one.
type ChallengeInput struct {
	Problem     string
	Criticality Criticality
	Incidence   string
	ActionPlan  string
}

// ChallengeUpdate: nil fields are kept.
type ChallengeUpdate struct {
	Problem     *string
	Criticality *Criticality
	Incidence   *string
	ActionPlan  *string
}

const challengeColumns = `id, kind, problem, jurisdictions, criticality, incidence, action_plan, status, opened_at, closed_at, updated_at`

// AddChallenge stores a new open challenge written by a coordinator.
func (d *DB) AddChallenge(ctx context.Context, in ChallengeInput) (*Challenge, error) {
	if err := checkChallengeText(in.Problem, in.Incidence, in.ActionPlan); err != nil {
		return nil, err
	}
	now := d.now()
	c := &Challenge{Kind: ChallengeManual, Problem: strings.TrimSpace(in.Problem), Criticality: in.Criticality,
		Incidence: strings.TrimSpace(in.Incidence), ActionPlan: strings.TrimSpace(in.ActionPlan),
		Open: true, OpenedAt: now, UpdatedAt: now}
	if err := validateChallenge(c); err != nil {
		return nil, err
	}
	err := d.write(ctx, func(t *tx) error {
		if err := t.insertChallenge(c); err != nil {
			return err
		}
		return t.auditWork(&AuditEntry{Action: AuditChallengeAdd, Target: challengeTarget(c.ID)})
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

func (t *tx) insertChallenge(c *Challenge) error {
	res, err := t.exec(`INSERT INTO challenges (kind, problem, jurisdictions, criticality, incidence,
		action_plan, status, opened_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?)`,
		string(c.Kind), c.Problem, strings.Join(c.Jurisdictions, ","), string(c.Criticality), c.Incidence,
		c.ActionPlan, formatTime(c.OpenedAt), formatTime(c.UpdatedAt))
	if err != nil {
		return err
	}
	c.ID, err = res.LastInsertId()
	return err
}

// checkChallengeText runs checkText over a challenge's texts, which may
// span lines.
func checkChallengeText(problem, incidence, plan string) error {
	if err := checkFields(textField{"problem", problem, textBreaks}, textField{"incidence", incidence, textBreaks},
		textField{"action_plan", plan, textBreaks}); err != nil {
		return err
	}
	return nil
}

func validateChallenge(c *Challenge) error {
	if c.Kind == ChallengeManual && c.Problem == "" {
		return Errorf(EINVALID, "challenge_error_problem", nil, "no problem")
	}
	if !c.Criticality.Valid() {
		return Errorf(EINVALID, "challenge_error_criticality", map[string]any{"Value": string(c.Criticality)},
			"bad criticality %q", c.Criticality)
	}
	for _, s := range []string{c.Problem, c.Incidence, c.ActionPlan} {
		if utf8.RuneCountInString(s) > MaxChallengeText {
			return Errorf(EINVALID, "challenge_error_too_long", map[string]any{"Max": MaxChallengeText}, "text too long")
		}
	}
	return nil
}

// UpdateChallenge edits an open challenge.
func (d *DB) UpdateChallenge(ctx context.Context, id int64, u ChallengeUpdate) (*Challenge, error) {
	if err := checkChallengeText(deref(u.Problem), deref(u.Incidence), deref(u.ActionPlan)); err != nil {
		return nil, err
	}
	return d.changeChallenge(ctx, id, AuditChallengeUpdate, func(c *Challenge) error {
		for _, p := range []struct{ dst, src *string }{{&c.Problem, u.Problem}, {&c.Incidence, u.Incidence},
			{&c.ActionPlan, u.ActionPlan}} {
			if p.src != nil {
				*p.dst = strings.TrimSpace(*p.src)
			}
		}
		if u.Criticality != nil {
			c.Criticality = *u.Criticality
		}
		return validateChallenge(c)
	})
}

// CloseChallenge closes an open challenge.
func (d *DB) CloseChallenge(ctx context.Context, id int64) (*Challenge, error) {
	return d.changeChallenge(ctx, id, AuditChallengeClose, func(c *Challenge) error {
		c.Open, c.ClosedAt = false, c.UpdatedAt
		return nil
	})
}

// changeChallenge runs change on open challenge id and saves it, in one
// write transaction with its audit entry (action).
func (d *DB) changeChallenge(ctx context.Context, id int64, action AuditAction, change func(c *Challenge) error) (*Challenge, error) {
	now := d.now()
	var c *Challenge
	err := d.write(ctx, func(t *tx) error {
		cs, err := t.queryChallenges("id = ?", id)
		switch {
		case err != nil:
			return err
		case len(cs) == 0:
			return Errorf(ENOTFOUND, "challenge_error_not_found", map[string]any{"ID": id}, "challenge %d not found", id)
		case !cs[0].Open:
			return Errorf(ECONFLICT, "challenge_error_closed", map[string]any{"ID": id}, "challenge %d is closed", id)
		}
		c = cs[0]
		c.UpdatedAt = now
		if err := change(c); err != nil {
			return err
		}
		if err := t.saveChallenge(c); err != nil {
			return err
		}
		return t.auditWork(&AuditEntry{Action: action, Target: challengeTarget(id)})
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// challengeTarget is the audit target of challenge id.
func challengeTarget(id int64) string { return fmt.Sprintf("challenge:%d", id) }

func (t *tx) saveChallenge(c *Challenge) error {
	status := "open"
	if !c.Open {
		status = "closed"
	}
	_, err := t.exec(`UPDATE challenges SET problem = ?, jurisdictions = ?, criticality = ?, incidence = ?,
		action_plan = ?, status = ?, closed_at = ?, updated_at = ? WHERE id = ?`,
		c.Problem, strings.Join(c.Jurisdictions, ","), string(c.Criticality), c.Incidence, c.ActionPlan,
		status, formatTime(c.ClosedAt), formatTime(c.UpdatedAt), c.ID)
	return err
}

// Challenges lists the challenges open at some time in [from, to]: opened
// by to and not closed before from. Zero times do not bound. Order: open
// first, then by criticality (high first) and id.
func (d *DB) Challenges(ctx context.Context, from, to time.Time) ([]*Challenge, error) {
	where, args := "1 = 1", []any{}
	if !to.IsZero() {
		where, args = where+" AND opened_at <= ?", append(args, formatTime(to))
	}
	if !from.IsZero() {
		where, args = where+" AND (closed_at IS NULL OR closed_at >= ?)", append(args, formatTime(from))
	}
	var out []*Challenge
	err := d.read(ctx, func(t *tx) (err error) {
		out, err = t.queryChallenges(where, args...)
		return err
	})
	return out, err
}

// queryChallenges selects challenges; where is one of a few constant
// clauses.
func (t *tx) queryChallenges(where string, args ...any) ([]*Challenge, error) {
	var out []*Challenge
	err := t.each("SELECT "+challengeColumns+" FROM challenges WHERE "+where+
		` ORDER BY status = 'closed', CASE criticality WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, id`,
		func(rows *sql.Rows) error {
			c, err := scanChallenge(rows)
			out = append(out, c)
			return err
		}, args...)
	return out, err
}

func scanChallenge(rows *sql.Rows) (*Challenge, error) {
	var c Challenge
	var juris, status string
	var opened, closed, updated sql.NullString
	if err := rows.Scan(&c.ID, &c.Kind, &c.Problem, &juris, &c.Criticality, &c.Incidence, &c.ActionPlan,
		&status, &opened, &closed, &updated); err != nil {
		return nil, err
	}
	if juris != "" {
		c.Jurisdictions = strings.Split(juris, ",")
	}
	c.Open = status == "open"
	return &c, parseTimes(parsed{&c.OpenedAt, opened}, parsed{&c.ClosedAt, closed}, parsed{&c.UpdatedAt, updated})
}

// SyncCoverageChallenge keeps the coverage challenge true to the current
// coverage: opened (criticality high) when some province or territory has
// no active member, its list updated as members join and leave, closed when
// every one has a representative. It returns the open coverage challenge,
// or nil when none is open. Coverage is read in the same transaction as
// the challenge is written, so two concurrent calls cannot write answers
// from different moments.
func (d *DB) SyncCoverageChallenge(ctx context.Context) (*Challenge, error) {
	now := d.now()
	var c *Challenge
	err := d.write(ctx, func(t *tx) error {
		cov, err := t.coverage()
		if err != nil {
			return err
		}
		var codes []string
		for _, j := range cov.Uncovered {
			codes = append(codes, j.Code)
		}
		open, err := t.queryChallenges("kind = 'coverage' AND status = 'open'")
		if err != nil {
			return err
		}
		c, err = t.syncCoverage(open, codes, now)
		return err
	})
	return c, err
}

func (t *tx) syncCoverage(open []*Challenge, codes []string, now time.Time) (*Challenge, error) {
	switch {
	case len(open) == 0 && len(codes) == 0:
		return nil, nil
	case len(open) == 0:
		c := &Challenge{Kind: ChallengeCoverage, Jurisdictions: codes, Criticality: CriticalityHigh,
			Open: true, OpenedAt: now, UpdatedAt: now}
		return c, t.insertChallenge(c)
	}
	c := open[0]
	if len(codes) == 0 {
		c.Open, c.ClosedAt, c.UpdatedAt = false, now, now
		return nil, t.saveChallenge(c)
	}
	if strings.Join(c.Jurisdictions, ",") == strings.Join(codes, ",") {
		return c, nil
	}
	c.Jurisdictions, c.UpdatedAt = codes, now
	return c, t.saveChallenge(c)
}
