package storage

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// identitiesOf is every identity of every member, by member id.
func identitiesOf(t *testing.T, d *DB) map[int64][]Identity {
	t.Helper()
	out := map[int64][]Identity{}
	for id := range snapshot(t, d) {
		ids, err := d.MemberIdentities(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		out[id] = ids
	}
	return out
}

func sameIdentities(a, b map[int64][]Identity) bool {
	if len(a) != len(b) {
		return false
	}
	for id, ids := range a {
		if !slices.Equal(ids, b[id]) {
			return false
		}
	}
	return true
}

// TestImportFurtherIdentities: a row's further identities are added to its
// member, new or existing, with no workspace, in the import's transaction;
// the first request from a workspace finds the member by any of them;
// re-importing changes nothing; one that the rows no longer list stays.
func TestImportFurtherIdentities(t *testing.T) {
	d, clock := openMemberDB(t)
	ctx := context.Background()
	rows := importRows(300) // Person 299 waits in the last insert batch
	rows[0].SlackID = "U0"
	if _, err := d.ImportMembers(ctx, rows[:1]); err != nil {
		t.Fatal(err)
	}
	clock.t = clock.t.Add(time.Hour)
	further := make([][]Identity, len(rows))
	further[0] = []Identity{slackID("", "W0b"), slackID("", "U0"), slackID("", " W0b ")}
	rows[299].TeamsID = "29:p299"
	further[299] = []Identity{teamsID("", "29:p299-b"), slackID("", "U299")} // the first Slack id
	opts := ImportOptions{Identities: further}
	res, err := d.ImportMembersWith(ctx, rows, opts)
	if err != nil || res != (ImportResult{Created: 299, Updated: 1, Identities: 2}) {
		t.Fatalf("import: %+v, %v", res, err)
	}
	p0, p299 := mustMember(t, d, slackID("", "U0")), mustMember(t, d, teamsID("", "29:p299"))
	if p0.UpdatedAt.After(clock.t.Add(-time.Hour)) || p0.SlackID != "U0" {
		t.Errorf("Person 0 = %+v: the first account changed, or the row was rewritten for an identity alone", p0)
	}
	for id, want := range map[int64][]Identity{
		p0.ID:   {slackID("", "U0"), slackID("", "W0b")},
		p299.ID: {slackID("", "U299"), teamsID("", "29:p299"), teamsID("", "29:p299-b")},
	} {
		if got, err := d.MemberIdentities(ctx, id); err != nil || !slices.Equal(got, want) {
			t.Errorf("member %d: %v %v, want %v", id, got, err, want)
		}
	}
	audit, err := d.FindAudit(ctx, AuditFilter{Action: AuditMembersImport, Limit: 1})
	if err != nil || len(audit) != 1 || audit[0].Detail["identities"] != "2" {
		t.Errorf("audit: %+v %v", audit, err)
	}

	before, beforeIDs := snapshot(t, d), identitiesOf(t, d)
	for _, o := range []ImportOptions{opts, {}} {
		res, err = d.ImportMembersWith(ctx, rows, o)
		if err != nil || res != (ImportResult{Unchanged: 300}) {
			t.Fatalf("re-import: %+v, %v", res, err)
		}
	}
	if !sameSnapshot(before, snapshot(t, d)) || !sameIdentities(beforeIDs, identitiesOf(t, d)) {
		t.Errorf("re-import changed members or identities")
	}
	// Last: the request stamps W0b's workspace, possibly in the background.
	if got := callerID(t, d, slackID("T0PARTNER", "W0b")); got != p0.ID {
		t.Errorf("a request from W0b is member %d, want %d", got, p0.ID)
	}
}

func mustMember(t *testing.T, d *DB, id Identity) *Member {
	t.Helper()
	m, err := d.MemberByIdentity(context.Background(), id)
	if err != nil {
		t.Fatalf("member %v: %v", id, err)
	}
	return m
}

// TestImportFurtherIdentityRefused: a further identity another member
// holds, or an invalid one, refuses the import naming the row, and nothing
// is written, earlier rows' identities included.
func TestImportFurtherIdentityRefused(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name      string
		row       int
		more      Identity
		code, key string
		field     string
	}{
		{"held by another member", 3, slackID("", "U1"), ECONFLICT, "error_import_identity_held", "slack_id"},
		{"held by a member created by an earlier row", 3, teamsID("", "29:new"), ECONFLICT, "error_import_identity_held", "teams_id"},
		{"too long", 2, teamsID("", strings.Repeat("x", 101)), EINVALID, "error_too_long", "teams_id"},
		{"control character", 2, slackID("", "U\u202e1"), EINVALID, "error_text_control", "slack_id"},
		{"with a workspace", 2, slackID("T1", "U9"), EINVALID, "error_identity_invalid", ""},
		{"blank", 2, slackID("", " "), EINVALID, "error_identity_invalid", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, _ := openMemberDB(t)
			rows := importRows(5)
			rows[1].SlackID = "U1"
			if _, err := d.ImportMembers(ctx, rows[:2]); err != nil {
				t.Fatal(err)
			}
			before, beforeIDs := snapshot(t, d)[1], identitiesOf(t, d)
			rows[0].Title = "Changed"
			rows[2].TeamsID = "29:new"
			rows[3].SlackID, rows[3].TeamsID = "U3", "29:p3" // so that tt.more is a further one
			further := make([][]Identity, len(rows))
			further[0] = []Identity{slackID("", "W0")}
			further[tt.row] = []Identity{tt.more}
			_, err := d.ImportMembersWith(ctx, rows, ImportOptions{Identities: further})
			var e *Error
			if !errors.As(err, &e) || e.Code != tt.code || e.Key != tt.key || e.Args["Row"] != tt.row {
				t.Fatalf("import: %v (%+v), want %s %s on row %d", err, e, tt.code, tt.key, tt.row)
			}
			if field, _ := e.Args["Field"].(string); field != tt.field {
				t.Errorf("Field %q, want %q", field, tt.field)
			}
			if tt.code == ECONFLICT && e.Args["Name"] == nil {
				t.Errorf("the refusal does not name the holder: %+v", e.Args)
			}
			if m := snapshot(t, d); len(m) != 2 || m[1] != before {
				t.Errorf("refused import wrote members: %+v", m)
			}
			if !sameIdentities(beforeIDs, identitiesOf(t, d)) {
				t.Errorf("refused import changed identities: %v", identitiesOf(t, d))
			}
		})
	}
}

// TestExportRosterFurtherIdentities: ExportRoster gives each member's
// identities beside the members columns, Slack then Teams, in the order
// they were added, and audits the export.
func TestExportRosterFurtherIdentities(t *testing.T) {
	d, clock := openMemberDB(t)
	ctx := context.Background()
	ann := mustJoin(t, d, MemberInput{Name: "Ann", Organization: "Org B", Order: OrderProvincial, Jurisdiction: "ON",
		SlackID: "U1", TeamsID: "29:a"})
	bob := mustJoin(t, d, MemberInput{Name: "Bob", Organization: "Org B", Order: OrderProvincial, Jurisdiction: "ON", SlackID: "U2"})
	for _, id := range []Identity{teamsID("", "29:c"), slackID("", "W9"), teamsID("", "29:b"), slackID("", "W3")} {
		clock.t = clock.t.Add(time.Minute)
		if _, _, err := d.LinkMember(ctx, ann.ID, id); err != nil {
			t.Fatal(err)
		}
	}
	ms, more, err := d.ExportRoster(ctx, MemberFilter{})
	if err != nil || len(ms) != 2 {
		t.Fatalf("export: %v %v", ms, err)
	}
	if want := []Identity{slackID("", "W9"), slackID("", "W3"), teamsID("", "29:c"), teamsID("", "29:b")}; !slices.Equal(more[ann.ID], want) {
		t.Errorf("Ann's further identities %v, want %v", more[ann.ID], want)
	}
	if len(more[bob.ID]) != 0 {
		t.Errorf("Bob's further identities %v, want none", more[bob.ID])
	}
	audit, err := d.FindAudit(ctx, AuditFilter{Action: AuditMembersExport})
	if err != nil || len(audit) != 1 || audit[0].Detail["members"] != "2" {
		t.Errorf("export audit: %+v %v", audit, err)
	}
}
