package storage

import (
	"context"
	"database/sql"
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

// Criticalities lists them in order.
var Criticalities = [...]Criticality{CriticalityLow, CriticalityMedium, CriticalityHigh}

// Valid reports whether c is one of Criticalities.
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
	now := d.now()
	c := &Challenge{Kind: ChallengeManual, Problem: strings.TrimSpace(in.Problem), Criticality: in.Criticality,
		Incidence: strings.TrimSpace(in.Incidence), ActionPlan: strings.TrimSpace(in.ActionPlan),
		Open: true, OpenedAt: now, UpdatedAt: now}
	if err := validateChallenge(c); err != nil {
		return nil, err
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if err := insertChallenge(ctx, tx, c); err != nil {
		return nil, err
	}
	return c, tx.Commit()
}

func insertChallenge(ctx context.Context, tx *sql.Tx, c *Challenge) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO challenges (kind, problem, jurisdictions, criticality, incidence,
		action_plan, status, opened_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?)`,
		string(c.Kind), c.Problem, strings.Join(c.Jurisdictions, ","), string(c.Criticality), c.Incidence,
		c.ActionPlan, formatTime(c.OpenedAt), formatTime(c.UpdatedAt))
	if err != nil {
		return err
	}
	c.ID, err = res.LastInsertId()
	return err
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
	return d.changeChallenge(ctx, id, func(c *Challenge) error {
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
	return d.changeChallenge(ctx, id, func(c *Challenge) error {
		c.Open, c.ClosedAt = false, c.UpdatedAt
		return nil
	})
}

func (d *DB) changeChallenge(ctx context.Context, id int64, change func(c *Challenge) error) (*Challenge, error) {
	now := d.now()
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	cs, err := queryChallenges(ctx, tx, "id = ?", id)
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, Errorf(ENOTFOUND, "challenge_error_not_found", map[string]any{"ID": id}, "challenge %d not found", id)
	}
	c := cs[0]
	if !c.Open {
		return nil, Errorf(ECONFLICT, "challenge_error_closed", map[string]any{"ID": id}, "challenge %d is closed", id)
	}
	c.UpdatedAt = now
	if err := change(c); err != nil {
		return nil, err
	}
	if err := saveChallenge(ctx, tx, c); err != nil {
		return nil, err
	}
	return c, tx.Commit()
}

func saveChallenge(ctx context.Context, tx *sql.Tx, c *Challenge) error {
	status := "open"
	if !c.Open {
		status = "closed"
	}
	_, err := tx.ExecContext(ctx, `UPDATE challenges SET problem = ?, jurisdictions = ?, criticality = ?, incidence = ?,
		action_plan = ?, status = ?, closed_at = ?, updated_at = ? WHERE id = ?`,
		c.Problem, strings.Join(c.Jurisdictions, ","), string(c.Criticality), c.Incidence, c.ActionPlan,
		status, formatTime(c.ClosedAt), formatTime(c.UpdatedAt), c.ID)
	return err
}

// Challenges lists the challenges open at some time in [from, to]: opened
// by to and not closed before from. Zero times do not bound. Order: open
// first, then by criticality (high first) and id.
func (d *DB) Challenges(ctx context.Context, from, to time.Time) ([]*Challenge, error) {
	tx, err := d.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	where, args := "1 = 1", []any{}
	if !to.IsZero() {
		where, args = where+" AND opened_at <= ?", append(args, formatTime(to))
	}
	if !from.IsZero() {
		where, args = where+" AND (closed_at IS NULL OR closed_at >= ?)", append(args, formatTime(from))
	}
	return queryChallenges(ctx, tx, where, args...)
}

func queryChallenges(ctx context.Context, tx *sql.Tx, where string, args ...any) ([]*Challenge, error) {
	rows, err := tx.QueryContext(ctx, "SELECT "+challengeColumns+" FROM challenges WHERE "+where+
		` ORDER BY status = 'closed', CASE criticality WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Challenge
	for rows.Next() {
		c, err := scanChallenge(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
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
// or nil when none is open.
func (d *DB) SyncCoverageChallenge(ctx context.Context) (*Challenge, error) {
	cov, err := d.Coverage(ctx)
	if err != nil {
		return nil, err
	}
	var codes []string
	for _, j := range cov.Uncovered {
		codes = append(codes, j.Code)
	}
	now := d.now()
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	cs, err := queryChallenges(ctx, tx, "kind = 'coverage' AND status = 'open'")
	if err != nil {
		return nil, err
	}
	c, err := syncCoverage(ctx, tx, cs, codes, now)
	if err != nil {
		return nil, err
	}
	return c, tx.Commit()
}

func syncCoverage(ctx context.Context, tx *sql.Tx, open []*Challenge, codes []string, now time.Time) (*Challenge, error) {
	switch {
	case len(open) == 0 && len(codes) == 0:
		return nil, nil
	case len(open) == 0:
		c := &Challenge{Kind: ChallengeCoverage, Jurisdictions: codes, Criticality: CriticalityHigh,
			Open: true, OpenedAt: now, UpdatedAt: now}
		return c, insertChallenge(ctx, tx, c)
	}
	c := open[0]
	if len(codes) == 0 {
		c.Open, c.ClosedAt, c.UpdatedAt = false, now, now
		return nil, saveChallenge(ctx, tx, c)
	}
	if strings.Join(c.Jurisdictions, ",") == strings.Join(codes, ",") {
		return c, nil
	}
	c.Jurisdictions, c.UpdatedAt = codes, now
	return c, saveChallenge(ctx, tx, c)
}
