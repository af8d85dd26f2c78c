package storage

import (
	"context"
	"fmt"
	"reflect"
	"testing"
)

func TestStats(t *testing.T) {
	d, _ := openMemberDB(t)
	ctx := context.Background()
	if s, err := d.Stats(ctx); err != nil || s.People != 0 || s.Organizations[OrderMunicipal] != 0 || len(s.Organizations) != 3 {
		t.Fatalf("empty Stats = %+v, %v", s, err)
	}
	members := []MemberInput{
		// Two people of one ministry, spelled differently: one organization.
		{Name: "A", Organization: "Ministère de la Santé", Order: OrderProvincial, Jurisdiction: "QC"},
		{Name: "B", Organization: "ministere de la  sante", Order: OrderProvincial, Jurisdiction: "QC"},
		// Same name in another province: another organization.
		{Name: "C", Organization: "Ministère de la Santé", Order: OrderProvincial, Jurisdiction: "NB"},
		{Name: "D", Organization: "Service Canada", Order: OrderFederal},
		{Name: "E", Organization: "Service Canada", Order: OrderFederal},
		{Name: "F", Organization: "Statistics Canada", Order: OrderFederal},
		{Name: "G", Organization: "City of Whitehorse", Order: OrderMunicipal, Jurisdiction: "YT"},
		// Gone: their municipality no longer counts.
		{Name: "H", Organization: "City of Iqaluit", Order: OrderMunicipal, Jurisdiction: "NU"},
	}
	var gone int64
	for _, in := range members {
		gone = mustJoin(t, d, in).ID
	}
	if err := d.LeaveMember(ctx, gone); err != nil {
		t.Fatal(err)
	}
	got, err := d.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := Stats{
		People:        7,
		Organizations: map[Order]int{OrderFederal: 2, OrderProvincial: 2, OrderMunicipal: 1},
		PeopleByOrder: map[Order]int{OrderFederal: 3, OrderProvincial: 3, OrderMunicipal: 1},
		PeopleByJurisdiction: map[string]int{"CA": 3, "QC": 2, "NB": 1, "YT": 1, // NU's member left
			"NL": 0, "PE": 0, "NS": 0, "ON": 0, "MB": 0, "SK": 0, "AB": 0, "BC": 0, "NT": 0, "NU": 0},
		Jurisdictions: 4, // CA, QC, NB, YT
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Stats =\n%+v, want\n%+v", got, want)
	}
}

func codes(js []Jurisdiction) []string {
	var out []string
	for _, j := range js {
		out = append(out, j.Code)
	}
	return out
}

func TestCoverage(t *testing.T) {
	d, _ := openMemberDB(t)
	ctx := context.Background()
	c, err := d.Coverage(ctx)
	if err != nil || len(c.Uncovered) != 13 || c.FederalCovered || len(c.MissingOrders) != 0 {
		t.Fatalf("empty Coverage = %+v, %v", c, err)
	}
	// Everyone but NL, PE, NU and YT (the report's gaps), in reverse
	// reference order to check the output is sorted.
	for _, code := range []string{"NT", "BC", "AB", "SK", "MB", "ON", "QC", "NB", "NS"} {
		mustJoin(t, d, MemberInput{Name: "P " + code, Organization: "Ministry " + code, Order: OrderProvincial, Jurisdiction: code})
		if code != "ON" && code != "NT" {
			mustJoin(t, d, MemberInput{Name: "M " + code, Organization: "City " + code, Order: OrderMunicipal, Jurisdiction: code})
		}
	}
	// NT: municipal only after the provincial member leaves; YT: a former
	// member only.
	nt, _, _ := d.FindMembers(ctx, MemberFilter{Jurisdiction: strp("NT")})
	mustJoin(t, d, MemberInput{Name: "M NT", Organization: "City of Yellowknife", Order: OrderMunicipal, Jurisdiction: "NT"})
	yt := mustJoin(t, d, MemberInput{Name: "Y", Organization: "Yukon", Order: OrderProvincial, Jurisdiction: "YT"})
	for _, id := range []int64{nt[0].ID, yt.ID} {
		if err := d.LeaveMember(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if c, err = d.Coverage(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := codes(c.Uncovered), []string{"NL", "PE", "YT", "NU"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Uncovered = %v, want %v", got, want)
	}
	var gaps []string
	for _, g := range c.MissingOrders {
		gaps = append(gaps, fmt.Sprintf("%s %v", g.Jurisdiction.Code, g.Missing))
	}
	if want := []string{"ON [municipal]", "NT [provincial]"}; !reflect.DeepEqual(gaps, want) {
		t.Errorf("MissingOrders = %v, want %v", gaps, want)
	}
	if c.FederalCovered {
		t.Error("FederalCovered with no federal member")
	}
	mustJoin(t, d, MemberInput{Name: "F", Organization: "CRA", Order: OrderFederal})
	if c, _ = d.Coverage(ctx); !c.FederalCovered {
		t.Error("FederalCovered false with a federal member")
	}
}

// TestActiveCounters checks the trigger-kept organizations.active_members
// against a direct count after joins, leaves, rejoins, moves and imports.
func TestActiveCounters(t *testing.T) {
	d, _ := openMemberDB(t)
	ctx := context.Background()
	check := func(step string) {
		t.Helper()
		bad := countRows(t, d, `SELECT count(*) FROM organizations o WHERE active_members !=
			(SELECT count(*) FROM members m WHERE m.organization_id = o.id AND m.left_at IS NULL)`)
		if bad != 0 {
			t.Fatalf("after %s: %d organizations with a wrong active count", step, bad)
		}
	}
	a := mustJoin(t, d, marieInput())
	b := mustJoin(t, d, MemberInput{Name: "B", Organization: "ServiceOntario", Order: OrderProvincial, Jurisdiction: "ON"})
	check("joins")
	if err := d.LeaveMember(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	check("leave")
	mustJoin(t, d, marieInput())
	check("rejoin")
	if _, err := d.UpdateMember(ctx, b.ID, MemberUpdate{Organization: strp("Ontario Health")}); err != nil {
		t.Fatal(err)
	}
	check("move")
	if err := d.LeaveMember(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := d.UpdateMember(ctx, b.ID, MemberUpdate{Organization: strp("ServiceOntario")}); err != nil {
		t.Fatal(err)
	}
	check("move of a former member")
	if _, err := d.ImportMembers(ctx, importRows(600)); err != nil {
		t.Fatal(err)
	}
	check("import")
	if s, _ := d.Stats(ctx); s.People != 601 {
		t.Errorf("Stats.People = %d, want 601", s.People)
	}
}
