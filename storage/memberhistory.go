package storage

import (
	"context"
	"database/sql"
	"time"
)

// MembershipEvent is one join or departure, with where the member was.
// Moving to another organization is a departure then a join. A forgotten
// member's events keep a negative MemberID shared by their events only.
type MembershipEvent struct {
	MemberID       int64
	Join           bool // false: a departure
	At             time.Time
	OrganizationID int64
	// Entry is the registry entry it counts as: its organization's parent
	// if it has one (Service Canada counts as ESDC), else OrganizationID.
	// 0 counts as OrganizationID.
	Entry        int64
	Order        Order
	Jurisdiction string
}

// MembershipHistory returns every join and departure up to before (zero:
// all), in time order. Triggers record them whoever changes members.
func (d *DB) MembershipHistory(ctx context.Context, before time.Time) ([]MembershipEvent, error) {
	q, args := `SELECT e.member_id, e.kind, e.at, e.organization_id, e.ord, e.jurisdiction,
		coalesce(o.parent_id, e.organization_id) FROM membership_events e LEFT JOIN organizations o ON o.id = e.organization_id`, []any{}
	if !before.IsZero() {
		q, args = q+" WHERE e.at < ?", append(args, formatTime(before))
	}
	var out []MembershipEvent
	err := d.read(ctx, func(t *tx) error {
		return t.each(q+" ORDER BY e.at, e.id", func(rows *sql.Rows) error {
			e, err := scanEvent(rows, true)
			out = append(out, e)
			return err
		}, args...)
	})
	return out, err
}

// scanEvent reads member_id, kind, at, organization_id, ord, jurisdiction
// and, with entry, the entry it counts as.
func scanEvent(rows *sql.Rows, entry bool) (MembershipEvent, error) {
	var e MembershipEvent
	var kind string
	var at sql.NullString
	dest := []any{&e.MemberID, &kind, &at, &e.OrganizationID, &e.Order, &e.Jurisdiction}
	if entry {
		dest = append(dest, &e.Entry)
	}
	if err := rows.Scan(dest...); err != nil {
		return e, err
	}
	e.Join = kind == "join"
	var err error
	e.At, err = parseTime(at)
	return e, err
}

// StatsFromHistory replays events (in time order) and returns the
// composition as of the instant after the last one: the same figures as
// DB.Stats gives for the present. It does no I/O.
func StatsFromHistory(events []MembershipEvent) Stats {
	active := map[int64]MembershipEvent{}
	for _, e := range events {
		if e.Join {
			active[e.MemberID] = e
		} else if cur, ok := active[e.MemberID]; ok && cur.OrganizationID == e.OrganizationID {
			delete(active, e.MemberID)
		}
	}
	s := Stats{Organizations: map[Order]int{}, PeopleByOrder: map[Order]int{}, PeopleByJurisdiction: map[string]int{}}
	for _, o := range Orders {
		s.Organizations[o], s.PeopleByOrder[o] = 0, 0
	}
	for _, j := range jurisdictions {
		s.PeopleByJurisdiction[j.Code] = 0
	}
	orgs, places := map[int64]bool{}, map[string]bool{}
	for _, e := range active {
		s.People++
		s.PeopleByOrder[e.Order]++
		s.PeopleByJurisdiction[e.Jurisdiction]++
		places[e.Jurisdiction] = true
		entry := e.Entry
		if entry == 0 {
			entry = e.OrganizationID
		}
		if !orgs[entry] {
			orgs[entry] = true
			s.Organizations[e.Order]++
		}
	}
	s.Jurisdictions = len(places)
	return s
}

// CoverageFromStats is the coverage those figures imply: provinces and
// territories with nobody, in reference order. MissingOrders is not
// computed (history keeps orders per member, which is enough, but the
// report needs only the uncovered list).
func CoverageFromStats(s Stats) Coverage {
	c := Coverage{FederalCovered: s.PeopleByOrder[OrderFederal] > 0}
	for _, j := range jurisdictions {
		if !j.Federal() && s.PeopleByJurisdiction[j.Code] == 0 {
			c.Uncovered = append(c.Uncovered, j)
		}
	}
	return c
}
