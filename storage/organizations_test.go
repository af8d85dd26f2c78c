package storage

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// federalInput is a federal member typing org.
func federalInput(n int, org string) MemberInput {
	return MemberInput{Name: fmt.Sprintf("Person %d", n), Organization: org, Order: OrderFederal,
		Jurisdiction: FederalCode, ConsoleID: fmt.Sprintf("c%d", n)}
}

// TestOrgSpellingsCountOnce is issue 17's finding: four spellings of ESDC
// (Service Canada being part of it) were four departments.
func TestOrgSpellingsCountOnce(t *testing.T) {
	ctx := context.Background()
	d, _ := openMemberDB(t)
	spellings := []string{"Service Canada", "EDSC", "ESDC", "Employment and Social Development Canada",
		"EMPLOI ET DEVELOPPEMENT SOCIAL CANADA", "emploi et  développement social canada"}
	for i, s := range spellings {
		mustJoin(t, d, federalInput(i, s))
	}
	st, err := d.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Organizations[OrderFederal]; got != 1 || st.People != len(spellings) {
		t.Errorf("Stats: %d federal departments, %d people; want 1 and %d", got, st.People, len(spellings))
	}
	events, err := d.MembershipHistory(ctx, d.now().Add(1))
	if err != nil {
		t.Fatal(err)
	}
	if got := StatsFromHistory(events).Organizations[OrderFederal]; got != 1 {
		t.Errorf("StatsFromHistory: %d federal departments, want 1", got)
	}
	ms, _, err := d.FindMembers(ctx, MemberFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		want := "Employment and Social Development Canada"
		if m.Name == "Person 0" {
			want = "Service Canada"
		}
		if m.Organization != want || m.OrganizationIn("fr") == m.Organization && want != "Service Canada" {
			t.Errorf("%s: organization %q / %q, want %q and its French name", m.Name, m.Organization, m.OrganizationIn("fr"), want)
		}
	}
}

// TestOrgFederalWhereverTyped: a federal entry's spelling makes the member
// federal, whatever order they gave.
func TestOrgFederalWhereverTyped(t *testing.T) {
	d, _ := openMemberDB(t)
	m := mustJoin(t, d, MemberInput{Name: "Lee", Organization: "ARC", Order: OrderProvincial, Jurisdiction: "ON", ConsoleID: "c1"})
	if m.Order != OrderFederal || m.Jurisdiction != FederalCode || m.Organization != "Canada Revenue Agency" {
		t.Errorf("got %s %s %q, want federal CA Canada Revenue Agency", m.Order, m.Jurisdiction, m.Organization)
	}
}

// TestOrgPendingFederalStaysInItsPlace: a name someone typed as federal
// (a pending entry) does not make a provincial member of the same name
// federal: each gets an entry in their own place, whoever came first, so
// that a roster export (federal members first) imports into an empty
// database as it was. Confirmed federal entries still do (above).
func TestOrgPendingFederalStaysInItsPlace(t *testing.T) {
	ctx := context.Background()
	for _, federalFirst := range []bool{true, false} {
		d, _ := openMemberDB(t)
		rows := []MemberInput{
			{Name: "Fed", Organization: "Health Services", Order: OrderFederal, Jurisdiction: "CA", Email: "f@x.ca"},
			{Name: "Prov", Organization: "health services", Order: OrderProvincial, Jurisdiction: "ON", Email: "p@x.ca"},
		}
		if !federalFirst {
			rows[0], rows[1] = rows[1], rows[0]
		}
		if _, err := d.ImportMembers(ctx, rows); err != nil {
			t.Fatal(err)
		}
		ms, _, err := d.FindMembers(ctx, MemberFilter{})
		if err != nil || len(ms) != 2 {
			t.Fatalf("members %v %v", ms, err)
		}
		for _, m := range ms {
			want := map[string]Order{"Fed": OrderFederal, "Prov": OrderProvincial}[m.Name]
			if m.Order != want || (want == OrderProvincial) != (m.Jurisdiction == "ON") {
				t.Errorf("federal first %v: %s is %s %s, want %s", federalFirst, m.Name, m.Order, m.Jurisdiction, want)
			}
		}
		if ms[0].OrganizationID == ms[1].OrganizationID {
			t.Errorf("federal first %v: both members in entry %d", federalFirst, ms[0].OrganizationID)
		}
	}
}

// TestOrgSuggestion: a close spelling saves nothing and suggests the
// entry; saying the name is new creates a pending entry.
func TestOrgSuggestion(t *testing.T) {
	ctx := context.Background()
	d, _ := openMemberDB(t)
	before := countRows(t, d, "SELECT count(*) FROM organizations")
	for _, typed := range []string{"Employment and Social Developement Canada", "Emploi et Développement social",
		"Employment Social Development Canada", "EDCS"} {
		_, _, err := d.JoinMember(ctx, federalInput(1, typed))
		o, ok := OrgSuggestion(err)
		if !ok || o.Acronym != "ESDC" {
			t.Errorf("%q: error %v, want a suggestion of ESDC", typed, err)
			continue
		}
		var e *Error
		if !errors.As(err, &e) || e.Args["Name"] != "Employment and Social Development Canada (ESDC)" ||
			o.Label("fr") != "Emploi et Développement social Canada (EDSC)" {
			t.Errorf("%q: args %v", typed, e.Args)
		}
	}
	if n := countRows(t, d, "SELECT count(*) FROM members"); n != 0 {
		t.Errorf("%d members saved after suggestions, want 0", n)
	}
	if n := countRows(t, d, "SELECT count(*) FROM organizations"); n != before {
		t.Errorf("%d organizations after suggestions, want %d", n, before)
	}
	in := federalInput(1, "Emploi et Développement social")
	in.NewOrganization = true
	m := mustJoin(t, d, in)
	orgs, err := d.Organizations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if orgs[0].ID != m.OrganizationID || orgs[0].Status != OrgPending || orgs[0].ActiveMembers != 1 {
		t.Errorf("first entry %+v, want the new pending one with 1 member", orgs[0])
	}
	// Typed again, the pending entry's own spelling resolves to it.
	m2 := mustJoin(t, d, federalInput(2, "emploi et developpement social"))
	if m2.OrganizationID != m.OrganizationID {
		t.Errorf("second join went to entry %d, want %d", m2.OrganizationID, m.OrganizationID)
	}
	// Unrelated names are no suggestion: a new municipality is pending.
	w := mustJoin(t, d, MemberInput{Name: "Ana", Organization: "City of Whitehorse", Order: OrderMunicipal, Jurisdiction: "YT", ConsoleID: "c3"})
	o, err := d.FindOrganization(ctx, "city of whitehorse")
	if err != nil || o.ID != w.OrganizationID || o.Status != OrgPending {
		t.Errorf("FindOrganization = %+v, %v; want pending entry %d", o, err, w.OrganizationID)
	}
	// A pending entry suggests nothing (numbered or similar names met
	// together are different organizations); once confirmed, it does.
	yt := MemberInput{Name: "Bo", Organization: "City of Whitehorse 311", Order: OrderMunicipal, Jurisdiction: "YT", ConsoleID: "c4"}
	if _, _, err := d.JoinMember(ctx, yt); err != nil {
		t.Errorf("close to a pending entry: %v, want a new entry", err)
	}
	if _, _, err := d.ConfirmOrganization(ctx, w.OrganizationID); err != nil {
		t.Fatal(err)
	}
	yt.Organization, yt.ConsoleID = "City of Whitehorse Y", "c5"
	if _, _, err := d.JoinMember(ctx, yt); err == nil {
		t.Error("close to a confirmed entry: saved, want a suggestion")
	} else if o, ok := OrgSuggestion(err); !ok || o.ID != w.OrganizationID {
		t.Errorf("close to a confirmed entry: %v, want a suggestion of %d", err, w.OrganizationID)
	}
}

func TestCloseKeys(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"edcs", "edsc", true},
		{"cra", "cba", false},
		{"employmentsocialdevelopmentcanada", "employmentandsocialdevelopmentcanada", true},
		{"healthcanada", "transportcanada", false},
		{"cityofregina", "cityofottawa", false},
		{"servicecanadaontarioregion", "servicecanada", true},
		{"canada", "healthcanada", false},
	}
	for _, tt := range tests {
		if _, got := closeKeys(tt.a, tt.b); got != tt.want {
			t.Errorf("closeKeys(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestOrgMerge: members, history and spellings move; the merged id is
// never given again; the action is audited; bad merges change nothing.
func TestOrgMerge(t *testing.T) {
	ctx := WithActor(context.Background(), Actor{Identity: Identity{Platform: PlatformSlack, ID: "UC"}, Name: "Coord", Coordinator: true})
	d, _ := openMemberDB(t)
	yt := func(n int, org string) MemberInput {
		return MemberInput{Name: fmt.Sprintf("P%d", n), Organization: org, Order: OrderMunicipal, Jurisdiction: "YT",
			ConsoleID: fmt.Sprintf("c%d", n), NewOrganization: true}
	}
	a := mustJoin(t, d, yt(1, "City of Whitehorse"))
	b := mustJoin(t, d, yt(2, "Whitehorse (City)"))
	mustJoin(t, d, yt(3, "Whitehorse (City)"))
	if st, _ := d.Stats(ctx); st.Organizations[OrderMunicipal] != 2 {
		t.Fatalf("before: %d municipalities, want 2", st.Organizations[OrderMunicipal])
	}
	esdc, err := d.FindOrganization(ctx, "ESDC")
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct {
		from, into int64
		key        string
	}{{a.OrganizationID, a.OrganizationID, "org_error_merge_self"}, {esdc.ID, a.OrganizationID, "org_error_merge_builtin"},
		{999999, a.OrganizationID, "org_error_unknown"}} {
		_, _, err := d.MergeOrganization(ctx, bad.from, bad.into)
		var e *Error
		if !errors.As(err, &e) || e.Key != bad.key {
			t.Errorf("merge %d into %d: %v, want %s", bad.from, bad.into, err, bad.key)
		}
	}
	eventsBefore := countRows(t, d, "SELECT count(*) FROM membership_events")
	into, moved, err := d.MergeOrganization(ctx, b.OrganizationID, a.OrganizationID)
	if err != nil {
		t.Fatal(err)
	}
	if moved != 2 || into.ActiveMembers != 3 || len(into.Aliases) != 1 || into.Aliases[0] != "Whitehorse (City)" {
		t.Errorf("merge: moved %d, entry %+v; want 2 moved, 3 members, alias Whitehorse (City)", moved, into)
	}
	if st, _ := d.Stats(ctx); st.Organizations[OrderMunicipal] != 1 {
		t.Errorf("after: %d municipalities, want 1", st.Organizations[OrderMunicipal])
	}
	if n := countRows(t, d, "SELECT count(*) FROM membership_events"); n != eventsBefore {
		t.Errorf("%d membership events after the merge, want %d (a merge is no departure)", n, eventsBefore)
	}
	events, _ := d.MembershipHistory(ctx, d.now().Add(1))
	if got := StatsFromHistory(events).Organizations[OrderMunicipal]; got != 1 {
		t.Errorf("history after merge: %d municipalities, want 1", got)
	}
	m := mustJoin(t, d, yt(4, "whitehorse (city)"))
	if m.OrganizationID != a.OrganizationID {
		t.Errorf("the merged spelling resolves to %d, want %d", m.OrganizationID, a.OrganizationID)
	}
	c := mustJoin(t, d, yt(5, "Dawson City"))
	if c.OrganizationID <= b.OrganizationID {
		t.Errorf("new entry got id %d, not above the merged %d", c.OrganizationID, b.OrganizationID)
	}
	audit, err := d.FindAudit(ctx, AuditFilter{Action: AuditOrgMerge})
	if err != nil || len(audit) != 1 || audit[0].Detail["from_name"] != "Whitehorse (City)" || audit[0].Actor.ID != "UC" {
		t.Errorf("audit = %+v, %v", audit, err)
	}
}

// TestOrgAliasRenameConfirm: the other coordinator actions, audited, and
// their refusals, which change nothing.
func TestOrgAliasRenameConfirm(t *testing.T) {
	ctx := context.Background()
	d, _ := openMemberDB(t)
	m := mustJoin(t, d, MemberInput{Name: "Ana", Organization: "Min. of Health", Order: OrderProvincial, Jurisdiction: "ON", ConsoleID: "c1"})
	id := m.OrganizationID
	o, changed, err := d.ConfirmOrganization(ctx, id)
	if err != nil || !changed || o.Status != OrgConfirmed {
		t.Fatalf("confirm: %+v %v %v", o, changed, err)
	}
	if _, changed, _ := d.ConfirmOrganization(ctx, id); changed {
		t.Error("confirming twice changed something")
	}
	if _, _, err := d.AddOrganizationAlias(ctx, id, "MOH"); err != nil {
		t.Fatal(err)
	}
	name, fr := "Ministry of Health", "Ministère de la Santé"
	o, err = d.RenameOrganization(ctx, id, OrgNames{Name: &name, NameFR: &fr})
	if err != nil || o.Label("fr") != fr || o.Name != name {
		t.Fatalf("rename: %+v, %v", o, err)
	}
	for _, typed := range []string{"Min. of Health", "moh", "ministere de la sante"} {
		got := mustJoin(t, d, MemberInput{Name: "Ana", Organization: typed, Order: OrderProvincial, Jurisdiction: "ON", ConsoleID: "c1"})
		if got.OrganizationID != id || got.OrganizationIn("fr") != fr {
			t.Errorf("%q resolves to %d %q, want %d", typed, got.OrganizationID, got.OrganizationIn("fr"), id)
		}
	}
	// Alberta's ministry is another entry: the same spelling elsewhere.
	ab := mustJoin(t, d, MemberInput{Name: "Bo", Organization: "Ministry of Health", Order: OrderProvincial, Jurisdiction: "AB", ConsoleID: "c2"})
	if ab.OrganizationID == id {
		t.Error("Alberta's Ministry of Health is Ontario's")
	}
	if _, err := d.FindOrganization(ctx, "Ministry of Health"); err == nil {
		t.Error("an ambiguous spelling found one entry")
	}
	mustJoin(t, d, MemberInput{Name: "Cy", Organization: "ServiceOntario", Order: OrderProvincial, Jurisdiction: "ON", ConsoleID: "c3", NewOrganization: true})
	empty := ""
	for _, bad := range []func() error{
		func() error { _, _, err := d.AddOrganizationAlias(ctx, id, "Service Ontario"); return err },
		func() error { _, err := d.RenameOrganization(ctx, id, OrgNames{Name: &empty}); return err },
		func() error { _, _, err := d.AddOrganizationAlias(ctx, id, "bad\u202ename"); return err },
	} {
		if err := bad(); err == nil {
			t.Error("a bad alias or rename was accepted")
		}
	}
	n, err := d.FindAudit(ctx, AuditFilter{})
	if err != nil || len(n) != 3 {
		t.Errorf("audit entries %d (%v), want confirm, alias, rename", len(n), err)
	}
}

// TestOrgMigrationFrom0032: a database of copbot before the registry,
// with four spellings of ESDC, upgrades to one entry (members and history
// merged), keeps other rows as pending entries, and changes no invitation.
func TestOrgMigrationFrom0032(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	d := openMigratedTo(t, path, "0033")
	_, err := d.db.Exec(`
INSERT INTO organizations (id, name, name_key, ord, jurisdiction) VALUES
	(3, 'Service Canada', 'servicecanada', 'federal', 'CA'), (5, 'EDSC', 'edsc', 'federal', 'CA'),
	(8, 'ESDC', 'esdc', 'federal', 'CA'), (9, 'Employment and Social Development Canada', 'employmentandsocialdevelopmentcanada', 'federal', 'CA'),
	(11, 'ServiceOntario', 'serviceontario', 'provincial', 'ON');
INSERT INTO members (id, name, name_key, organization_id, ord, jurisdiction, console_id, joined_at, updated_at) VALUES
	(1, 'A', 'a', 3, 'federal', 'CA', 'c1', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
	(2, 'B', 'b', 5, 'federal', 'CA', 'c2', '2026-01-02T00:00:00Z', '2026-01-02T00:00:00Z'),
	(3, 'C', 'c', 8, 'federal', 'CA', 'c3', '2026-01-03T00:00:00Z', '2026-01-03T00:00:00Z'),
	(4, 'D', 'd', 9, 'federal', 'CA', 'c4', '2026-01-04T00:00:00Z', '2026-01-04T00:00:00Z'),
	(5, 'E', 'e', 11, 'provincial', 'ON', 'c5', '2026-01-05T00:00:00Z', '2026-01-05T00:00:00Z');
INSERT INTO invitations (id, target_kind, target, contact, sent_on, created_at, updated_at) VALUES
	(1, 'order', 'federal', 'Someone', '2026-01-10', '2026-01-10T00:00:00Z', '2026-01-10T00:00:00Z');`)
	if err != nil {
		t.Fatal(err)
	}
	oldEvents := countRows(t, d, "SELECT count(*) FROM membership_events")
	if got := countRows(t, d, "SELECT count(DISTINCT organization_id) FROM membership_events WHERE ord = 'federal'"); got != 4 {
		t.Fatalf("before the upgrade: %d federal departments, want the old count 4", got)
	}
	if err := d.migrate(ctx, migrations()); err != nil {
		t.Fatal(err)
	}
	st, err := d.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	events, err := d.MembershipHistory(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	hist := StatsFromHistory(events)
	if st.Organizations[OrderFederal] != 1 || hist.Organizations[OrderFederal] != 1 || st.People != 5 || hist.People != 5 {
		t.Errorf("after: Stats %v people %d, history %v people %d; want 1 federal department and 5 people",
			st.Organizations, st.People, hist.Organizations, hist.People)
	}
	if len(events) != oldEvents {
		t.Errorf("%d membership events after the upgrade, want %d", len(events), oldEvents)
	}
	esdc, err := d.FindOrganization(ctx, "Emploi et Développement social Canada")
	if err != nil || esdc.ID != 5 || !esdc.Builtin || esdc.Status != OrgConfirmed || esdc.ActiveMembers != 3 {
		t.Errorf("ESDC = %+v, %v; want entry 5 (the first row it recognized), built in, confirmed, 3 members", esdc, err)
	}
	sc, err := d.FindOrganization(ctx, "service canada")
	if err != nil || sc.ID != 3 || sc.ParentID != esdc.ID {
		t.Errorf("Service Canada = %+v, %v; want entry 3, child of %d", sc, err, esdc.ID)
	}
	so, err := d.FindOrganization(ctx, "ServiceOntario")
	if err != nil || so.ID != 11 || so.Status != OrgPending {
		t.Errorf("ServiceOntario = %+v, %v; want pending entry 11", so, err)
	}
	var status string
	if err := d.db.QueryRow("SELECT status FROM invitations WHERE id = 1").Scan(&status); err != nil || status != "pending" {
		t.Errorf("invitation: %q, %v; want still pending", status, err)
	}
	m, err := d.MemberByID(ctx, 3)
	if err != nil || m.Organization != "Employment and Social Development Canada" || m.OrganizationFR != "Emploi et Développement social Canada" {
		t.Errorf("member 3 = %+v, %v", m, err)
	}
	// The merged ids are never given again.
	n := mustJoin(t, d, MemberInput{Name: "F", Organization: "Nowhere Agency", Order: OrderProvincial, Jurisdiction: "NU", ConsoleID: "c6"})
	if n.OrganizationID == 8 || n.OrganizationID == 9 {
		t.Errorf("a new entry got the merged id %d", n.OrganizationID)
	}
}

// TestBuiltinList: every line parses, spellings do not collide, parents
// exist (the migration would fail otherwise), on a new database.
func TestBuiltinList(t *testing.T) {
	d, _ := openMemberDB(t)
	list, err := builtinOrgs()
	if err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, d, "SELECT count(*) FROM organizations WHERE builtin = 1 AND status = 'confirmed'"); n != len(list) || n < 50 {
		t.Errorf("%d built-in entries, want the %d lines (at least 50)", n, len(list))
	}
	for _, b := range list {
		for _, s := range b.spellings() {
			if s == "" {
				continue
			}
			var name string
			if err := d.db.QueryRow(`SELECT o.name FROM organization_names n JOIN organizations o ON o.id = n.organization_id
				WHERE n.key = ? AND n.ord = 'federal'`, foldKey(s)).Scan(&name); err != nil || name != b.name {
				t.Errorf("%q names %q (%v), want %q", s, name, err, b.name)
			}
		}
	}
}

// TestOrgParent: a child counts as its parent, once, now and in history;
// parents stay in one place and one level deep; every change is audited.
func TestOrgParent(t *testing.T) {
	ctx := context.Background()
	d, _ := openMemberDB(t)
	on := func(n int, org string) *Member {
		return mustJoin(t, d, MemberInput{Name: fmt.Sprintf("P%d", n), Organization: org, Order: OrderProvincial,
			Jurisdiction: "ON", ConsoleID: fmt.Sprintf("c%d", n)})
	}
	ministry, so, other := on(1, "Ministry of Public and Business Service Delivery"), on(2, "ServiceOntario"), on(3, "Ontario 211")
	bc := mustJoin(t, d, MemberInput{Name: "P4", Organization: "Service BC", Order: OrderProvincial, Jurisdiction: "BC", ConsoleID: "c4"})
	provincial := func() (now, history int) {
		st, err := d.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		events, err := d.MembershipHistory(ctx, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		return st.Organizations[OrderProvincial], StatsFromHistory(events).Organizations[OrderProvincial]
	}
	if n, h := provincial(); n != 4 || h != 4 {
		t.Fatalf("before: %d and %d ministries, want 4", n, h)
	}
	o, err := d.SetOrganizationParent(ctx, so.OrganizationID, ministry.OrganizationID)
	if err != nil || o.ParentID != ministry.OrganizationID {
		t.Fatalf("parent: %+v, %v", o, err)
	}
	if n, h := provincial(); n != 3 || h != 3 {
		t.Errorf("with a parent: %d and %d ministries, want 3", n, h)
	}
	// Only the child has members: it still counts once, as its parent.
	if err := d.LeaveMember(ctx, ministry.ID); err != nil {
		t.Fatal(err)
	}
	if n, _ := provincial(); n != 3 {
		t.Errorf("child alone: %d ministries, want 3", n)
	}
	for _, bad := range []struct {
		child, parent int64
		key           string
	}{{so.OrganizationID, so.OrganizationID, "org_error_merge_self"}, {other.OrganizationID, bc.OrganizationID, "org_error_parent_place"},
		{other.OrganizationID, so.OrganizationID, "org_error_parent_depth"}, {ministry.OrganizationID, other.OrganizationID, "org_error_parent_depth"}} {
		_, err := d.SetOrganizationParent(ctx, bad.child, bad.parent)
		var e *Error
		if !errors.As(err, &e) || e.Key != bad.key {
			t.Errorf("parent %d of %d: %v, want %s", bad.parent, bad.child, err, bad.key)
		}
	}
	if _, err := d.SetOrganizationParent(ctx, so.OrganizationID, 0); err != nil {
		t.Fatal(err)
	}
	if n, _ := provincial(); n != 3 { // the ministry has no active member now
		t.Errorf("cleared: %d ministries, want 3", n)
	}
	if a, err := d.FindAudit(ctx, AuditFilter{Action: AuditOrgParent}); err != nil || len(a) != 2 {
		t.Errorf("audit: %d entries (%v), want 2", len(a), err)
	}
}
