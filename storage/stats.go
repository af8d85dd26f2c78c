package storage

import (
	"context"
	"database/sql"
	"fmt"
)

// activeGroup counts, for one order and jurisdiction, the registry entries
// with an active member (a child, such as Service Canada, counting as its
// parent, once) and their active members.
type activeGroup struct {
	order        Order
	jurisdiction string
	orgs, people int
}

// activeGroups reads the per-organization counters the members triggers
// keep, grouped by order and jurisdiction, from one covering index: the
// cost grows with the number of organizations, not of members. A child
// entry (Service Canada, part of ESDC) counts as its parent, once: the few
// active children are read apart and taken off their group, and their
// parent added when it has no active member of its own. Parents share
// their children's order and jurisdiction (organizations.tsv).
func (t *tx) activeGroups() ([]activeGroup, error) {
	var out []activeGroup
	idx := map[[2]string]int{}
	err := t.each(`SELECT ord, jurisdiction, count(*), sum(active_members) FROM organizations
		WHERE active_members > 0 GROUP BY ord, jurisdiction`, func(rows *sql.Rows) error {
		var g activeGroup
		if err := rows.Scan(&g.order, &g.jurisdiction, &g.orgs, &g.people); err != nil {
			return err
		}
		idx[[2]string{string(g.order), g.jurisdiction}] = len(out)
		out = append(out, g)
		return nil
	})
	if err == nil {
		parents := map[int64]bool{}
		err = t.each(`SELECT c.ord, c.jurisdiction, c.parent_id, p.active_members > 0 FROM organizations c
			JOIN organizations p ON p.id = c.parent_id WHERE c.active_members > 0 AND c.parent_id IS NOT NULL`,
			func(rows *sql.Rows) error {
				var ord, place string
				var parent int64
				var parentActive bool
				if err := rows.Scan(&ord, &place, &parent, &parentActive); err != nil {
					return err
				}
				g := &out[idx[[2]string{ord, place}]]
				g.orgs--
				if !parentActive && !parents[parent] {
					parents[parent] = true
					g.orgs++
				}
				return nil
			})
	}
	if err != nil {
		return nil, fmt.Errorf("active members by organization: %w", err)
	}
	return out, nil
}

// Stats returns the Community's composition among active members. Every
// order is present in the maps, with 0 when nobody is active there.
func (d *DB) Stats(ctx context.Context) (Stats, error) {
	s := Stats{Organizations: map[Order]int{}, PeopleByOrder: map[Order]int{}, PeopleByJurisdiction: map[string]int{}}
	for _, o := range Orders {
		s.Organizations[o], s.PeopleByOrder[o] = 0, 0
	}
	for _, j := range jurisdictions {
		s.PeopleByJurisdiction[j.Code] = 0
	}
	var groups []activeGroup
	err := d.read(ctx, func(t *tx) (err error) {
		groups, err = t.activeGroups()
		return err
	})
	if err != nil {
		return s, err
	}
	places := map[string]bool{}
	for _, g := range groups {
		s.Organizations[g.order] += g.orgs
		s.PeopleByOrder[g.order] += g.people
		s.People += g.people
		s.PeopleByJurisdiction[g.jurisdiction] += g.people
		places[g.jurisdiction] = true
	}
	s.Jurisdictions = len(places)
	return s, nil
}

// Coverage returns which provinces and territories have no active member,
// which covered ones miss the provincial or municipal order, and whether the
// federal order is covered.
func (d *DB) Coverage(ctx context.Context) (Coverage, error) {
	var c Coverage
	err := d.read(ctx, func(t *tx) (err error) {
		c, err = t.coverage()
		return err
	})
	return c, err
}

func (t *tx) coverage() (Coverage, error) {
	groups, err := t.activeGroups()
	if err != nil {
		return Coverage{}, err
	}
	covered := map[string]map[Order]bool{}
	for _, g := range groups {
		if covered[g.jurisdiction] == nil {
			covered[g.jurisdiction] = map[Order]bool{}
		}
		covered[g.jurisdiction][g.order] = true
	}
	return coverageOf(covered), nil
}

// coverageOf turns the (jurisdiction, order) pairs that have an active
// member into the report, in reference order.
func coverageOf(covered map[string]map[Order]bool) Coverage {
	c := Coverage{FederalCovered: covered[FederalCode][OrderFederal]}
	for _, j := range Jurisdictions() {
		if j.Federal() {
			continue
		}
		have, ok := covered[j.Code]
		if !ok {
			c.Uncovered = append(c.Uncovered, j)
			continue
		}
		var missing []Order
		for _, o := range []Order{OrderProvincial, OrderMunicipal} {
			if !have[o] {
				missing = append(missing, o)
			}
		}
		if len(missing) > 0 {
			c.MissingOrders = append(c.MissingOrders, JurisdictionGap{Jurisdiction: j, Missing: missing})
		}
	}
	return c
}

// Stats is the Community's composition, as the report phrases it.
type Stats struct {
	People        int           // active members
	Organizations map[Order]int // distinct registry entries with an active member, per order (a child as its parent)
	PeopleByOrder map[Order]int
	// PeopleByJurisdiction counts active members per jurisdiction code;
	// every code of Jurisdictions() is present, with 0 where nobody is.
	PeopleByJurisdiction map[string]int
	Jurisdictions        int // jurisdictions (incl. federal) with at least one active member
}

// Coverage tells which jurisdictions have nobody, and which miss an order.
type Coverage struct {
	// Uncovered lists provinces and territories with no active member, in
	// Jurisdictions order.
	Uncovered []Jurisdiction
	// MissingOrders lists, for covered provinces and territories, the orders
	// (provincial, municipal) with no active member there.
	MissingOrders []JurisdictionGap
	// FederalCovered reports whether any federal member is active.
	FederalCovered bool
}

// JurisdictionGap is a covered jurisdiction that misses some orders.
type JurisdictionGap struct {
	Jurisdiction Jurisdiction
	Missing      []Order
}
