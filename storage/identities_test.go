package storage

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
)

func slackID(ws, id string) Identity { return Identity{Platform: PlatformSlack, ID: id, Workspace: ws} }
func teamsID(ws, id string) Identity { return Identity{Platform: PlatformTeams, ID: id, Workspace: ws} }

// callerID is the member a request from id is answered as (0: a stranger).
func callerID(t *testing.T, d *DB, id Identity) int64 {
	t.Helper()
	c, err := d.CallerByIdentity(context.Background(), id)
	if err != nil {
		t.Fatalf("CallerByIdentity(%+v): %v", id, err)
	}
	switch {
	case c.Member != nil:
		return c.Member.ID
	case c.Former != nil:
		return c.Former.ID
	}
	return 0
}

// TestIdentitiesUpgradeFrom0036: a database of copbot before identities
// keeps every member's ids, with no workspace; an old identity answers
// the person's first request from any workspace and is stamped with it,
// after which the same user id from another workspace is a stranger.
func TestIdentitiesUpgradeFrom0036(t *testing.T) {
	ctx := context.Background()
	d := openMigratedTo(t, filepath.Join(t.TempDir(), "old.db"), "0037")
	_, err := d.db.Exec(`
INSERT INTO organizations (id, name, name_key, ord, jurisdiction) VALUES (9011, 'Old Town Services', 'oldtownservices', 'municipal', 'ON');
INSERT INTO members (id, name, name_key, organization_id, ord, jurisdiction, slack_id, teams_id, console_id, joined_at, left_at, updated_at) VALUES
	(1, 'A', 'a', 9011, 'municipal', 'ON', 'U1', '29:a', NULL, '2026-01-01T00:00:00Z', NULL, '2026-01-01T00:00:00Z'),
	(2, 'B', 'b', 9011, 'municipal', 'ON', NULL, NULL, 'b', '2026-01-02T00:00:00Z', NULL, '2026-01-02T00:00:00Z'),
	(5, 'C', 'c', 9011, 'municipal', 'ON', 'U5', NULL, NULL, '2026-01-03T00:00:00Z', '2026-02-01T00:00:00Z', '2026-02-01T00:00:00Z');`)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.migrate(ctx, migrations()); err != nil {
		t.Fatal(err)
	}
	for member, want := range map[int64][]Identity{
		1: {slackID("", "U1"), teamsID("", "29:a")},
		2: {{Platform: PlatformConsole, ID: "b"}},
		5: {slackID("", "U5")},
	} {
		if got, err := d.MemberIdentities(ctx, member); err != nil || !slices.Equal(got, want) {
			t.Errorf("member %d: identities %v, %v; want %v", member, got, err, want)
		}
	}
	if got := callerID(t, d, Identity{Platform: PlatformConsole, ID: "b"}); got != 2 {
		t.Errorf("console b is member %d, want 2", got)
	}
	// A cached answer for U1 without a workspace (config's form) must
	// stay right across the stamp.
	if got := callerID(t, d, slackID("", "U1")); got != 1 {
		t.Fatalf("slack:U1 (no workspace): member %d, want 1", got)
	}
	before, _ := d.DirectoryVersion(ctx)
	if got := callerID(t, d, slackID("TPARTNER", "U1")); got != 1 {
		t.Fatalf("first request of U1 (from TPARTNER): member %d, want 1", got)
	}
	if ws, ok, err := d.IdentityWorkspace(ctx, slackID("", "U1")); err != nil || !ok || ws != "TPARTNER" {
		t.Errorf("U1's workspace after its first request: %q %v %v, want TPARTNER", ws, ok, err)
	}
	// The stamp changes no directory answer: it must not empty every
	// cache keyed by directory_version (migration 0042).
	if after, _ := d.DirectoryVersion(ctx); after != before {
		t.Errorf("stamping a workspace moved directory_version %d → %d: every cached reply dropped", before, after)
	}
	if got := callerID(t, d, slackID("TPARTNER", "U1")); got != 1 {
		t.Errorf("U1 from its workspace: member %d, want 1", got)
	}
	if got := callerID(t, d, slackID("TOTHER", "U1")); got != 0 {
		t.Errorf("U1 from another workspace: member %d, want a stranger", got)
	}
	if got := callerID(t, d, slackID("", "U1")); got != 1 {
		t.Errorf("slack:U1 as config names it (no workspace): member %d, want 1", got)
	}
	if got := callerID(t, d, slackID("T9", "U5")); got != 5 {
		t.Errorf("former member U5: %d, want 5 (as Former)", got)
	}
	if m, err := d.MemberByIdentity(ctx, slackID("TOTHER", "U1")); err == nil {
		t.Errorf("MemberByIdentity from another workspace = %+v, want not found", m)
	}
}

// TestIdentitiesAcrossWorkspaces: a member with accounts in two Slack
// workspaces and two Teams tenants is one person, whichever they use; a
// join from one of them updates that member and keeps which account comes
// first; the same user id from a third workspace is refused.
func TestIdentitiesAcrossWorkspaces(t *testing.T) {
	ctx := context.Background()
	d, _ := openMemberDB(t)
	in := marieInput()
	in.Workspace = "THOME"
	marie := mustJoin(t, d, in) // slack U1 in THOME
	if ws, _, _ := d.IdentityWorkspace(ctx, slackID("", "U1")); ws != "THOME" {
		t.Errorf("a join from chat stored workspace %q, want THOME", ws)
	}
	for _, id := range []Identity{slackID("", "UGUEST"), teamsID("tenant-a", "29:ma"), teamsID("", "29:mb")} {
		if _, _, err := d.LinkMember(ctx, marie.ID, id); err != nil {
			t.Fatalf("link %v: %v", id, err)
		}
	}
	for _, id := range []Identity{slackID("THOME", "U1"), slackID("TPARTNER", "UGUEST"), teamsID("tenant-a", "29:ma"), teamsID("tenant-b", "29:mb")} {
		if got := callerID(t, d, id); got != marie.ID {
			t.Errorf("%+v is member %d, want Marie %d", id, got, marie.ID)
		}
	}
	if got := callerID(t, d, teamsID("tenant-c", "29:mb")); got != 0 {
		t.Errorf("29:mb from tenant-c after its first request from tenant-b: member %d, want a stranger", got)
	}

	// Marie joins again as the partner's guest: her row, her first account kept.
	again := marieInput()
	again.SlackID, again.Workspace, again.Title = "UGUEST", "TPARTNER", "Manager"
	m, created, err := d.JoinMember(ctx, again)
	if err != nil || created || m.ID != marie.ID || m.SlackID != "U1" || m.Title != "Manager" {
		t.Errorf("join from the second account: %+v created %v, %v; want Marie's row, slack U1 kept, title Manager", m, created, err)
	}
	// Someone with the guest's user id in a third workspace is not Marie.
	other := MemberInput{Name: "Other", Organization: "ServiceOntario", Order: OrderProvincial, Jurisdiction: "ON",
		SlackID: "UGUEST", Workspace: "TTHIRD"}
	before := snapshot(t, d)
	if _, _, err := d.JoinMember(ctx, other); ErrorCode(err) != ECONFLICT {
		t.Errorf("join of UGUEST from TTHIRD: %v, want ECONFLICT", err)
	}
	if !sameSnapshot(before, snapshot(t, d)) {
		t.Error("a refused join changed members")
	}
	// A roster row naming the guest account is Marie too.
	row := marieInput()
	row.SlackID, row.Title = "UGUEST", "Chief"
	if res, err := d.ImportMembers(ctx, []MemberInput{row}); err != nil || res.Updated != 1 || res.Created != 0 {
		t.Errorf("import of a row naming Marie's second account: %+v, %v; want 1 updated", res, err)
	}

	// Forgetting Marie takes every identity; the ids are free again.
	if err := d.ForgetMember(ctx, marie.ID); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, d, "SELECT count(*) FROM identities"); n != 0 {
		t.Errorf("%d identities left after forgetting the only member", n)
	}
	newcomer := MemberInput{Name: "New", Organization: "ServiceOntario", Order: OrderProvincial, Jurisdiction: "ON",
		TeamsID: "29:mb", Workspace: "tenant-c"}
	if m := mustJoin(t, d, newcomer); callerID(t, d, teamsID("tenant-c", "29:mb")) != m.ID {
		t.Error("a forgotten member's identity still answers")
	}
}

// TestForgetIdentityBySecondAccount: asking to be forgotten from a second
// account forgets the member, first account included.
func TestForgetIdentityBySecondAccount(t *testing.T) {
	ctx := context.Background()
	d, _ := openMemberDB(t)
	marie := mustJoin(t, d, marieInput())
	if _, _, err := d.LinkMember(ctx, marie.ID, slackID("", "UGUEST")); err != nil {
		t.Fatal(err)
	}
	if err := d.ForgetIdentity(ctx, slackID("TPARTNER", "UGUEST")); err != nil {
		t.Fatal(err)
	}
	if _, err := d.MemberByID(ctx, marie.ID); err == nil {
		t.Error("member still there after ForgetIdentity of her second account")
	}
	if n := countRows(t, d, "SELECT count(*) FROM identities"); n != 0 {
		t.Errorf("%d identities left", n)
	}
}
