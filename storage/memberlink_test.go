package storage

import (
	"context"
	"errors"
	"slices"
	"testing"
)

// rosterJane is a member imported from a roster: no platform id yet.
func rosterJane() MemberInput {
	return MemberInput{Name: "Jane Doe", Email: "jane@ontario.ca", Organization: "ServiceOntario",
		Order: OrderProvincial, Jurisdiction: "ON", Title: "Director"}
}

// TestChatJoinCannotClaimRosterRow is the account-takeover regression: a
// join from chat naming a roster member's email, or name and organization,
// is refused with error_claim_existing and changes nothing.
func TestChatJoinCannotClaimRosterRow(t *testing.T) {
	tests := []struct {
		name      string
		in        MemberInput
		wantField string
	}{
		{"someone else's email", MemberInput{Name: "Mallory", Email: "JANE@ontario.ca", Organization: "Evil Corp",
			Order: OrderMunicipal, Jurisdiction: "BC", SlackID: "UMAL"}, "email"},
		{"same name and organization", MemberInput{Name: "JANE doe", Organization: "serviceontario",
			Order: OrderProvincial, Jurisdiction: "ON", TeamsID: "TMAL"}, "name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, _ := openMemberDB(t)
			ctx := context.Background()
			if _, err := d.ImportMembers(ctx, []MemberInput{rosterJane()}); err != nil {
				t.Fatal(err)
			}
			before := snapshot(t, d)
			_, _, err := d.JoinMember(ctx, tt.in)
			var e *Error
			if !errors.As(err, &e) || e.Code != ECONFLICT || e.Key != "error_claim_existing" {
				t.Fatalf("JoinMember = %v, want ECONFLICT error_claim_existing", err)
			}
			want := map[string]any{"Name": tt.in.Name, "Field": tt.wantField, "Identity": inputIdentity(tt.in).String()}
			for k, v := range want {
				if e.Args[k] != v {
					t.Errorf("Args[%s] = %v, want %v", k, e.Args[k], v)
				}
			}
			if after := snapshot(t, d); !sameSnapshot(before, after) {
				t.Errorf("refused join changed members:\n got %+v\nwant %+v", after, before)
			}
		})
	}
}

// TestLinkMember covers the coordinator's way to attach an account to an
// existing row, after which the person's joins land on that row.
func TestLinkMember(t *testing.T) {
	d, _ := openMemberDB(t)
	ctx := context.Background()
	res, err := d.ImportMembers(ctx, []MemberInput{rosterJane()})
	if err != nil || res.Created != 1 {
		t.Fatal(res, err)
	}
	jane, _, _ := d.FindMembers(ctx, MemberFilter{Email: strp("jane@ontario.ca")})
	marie := mustJoin(t, d, marieInput()) // holds slack:U1
	janeID := jane[0].ID
	tests := []struct {
		name    string
		member  int64
		id      Identity
		wantKey string
		want    LinkResult
	}{
		{"unknown platform", janeID, Identity{Platform: "irc", ID: "x"}, "error_identity_invalid", 0},
		{"empty id", janeID, Identity{Platform: PlatformSlack, ID: "  "}, "error_identity_invalid", 0},
		{"no such member", 999, Identity{Platform: PlatformSlack, ID: "UJANE"}, "error_not_found", 0},
		{"id held by another member", janeID, Identity{Platform: PlatformSlack, ID: "U1"}, "error_link_taken", 0},
		{"link", janeID, Identity{Platform: PlatformSlack, ID: "UJANE"}, "", LinkFirst},
		{"link again", janeID, Identity{Platform: PlatformSlack, ID: "UJANE"}, "", LinkUnchanged},
		{"a second account on the platform is added", janeID, Identity{Platform: PlatformSlack, ID: "UJANE2"}, "", LinkAdded},
		{"the second again", janeID, Identity{Platform: PlatformSlack, ID: "UJANE2"}, "", LinkUnchanged},
		{"console ids have no workspace", janeID, Identity{Platform: PlatformConsole, ID: "jane", Workspace: "T1"}, "error_identity_invalid", 0},
		{"another platform", janeID, Identity{Platform: PlatformTeams, ID: "TJANE"}, "", LinkFirst},
		{"a second tenant", janeID, Identity{Platform: PlatformTeams, ID: "TJANE-B", Workspace: "tenant-b"}, "", LinkAdded},
		{"another member's second account", marie.ID, Identity{Platform: PlatformSlack, ID: "UJANE2"}, "error_link_taken", 0},
	}
	for _, tt := range tests {
		before := snapshot(t, d)
		m, res, err := d.LinkMember(ctx, tt.member, tt.id)
		if tt.wantKey != "" {
			var e *Error
			if !errors.As(err, &e) || e.Key != tt.wantKey {
				t.Errorf("%s: %v, want %s", tt.name, err, tt.wantKey)
			}
			if after := snapshot(t, d); !sameSnapshot(before, after) {
				t.Errorf("%s: refused link changed members", tt.name)
			}
			continue
		}
		if err != nil || m.ID != janeID || res != tt.want {
			t.Errorf("%s: %+v result %d, %v; want member %d, result %d", tt.name, m, res, err, janeID, tt.want)
			continue
		}
		if got, _ := d.MemberByIdentity(ctx, tt.id); got == nil || got.ID != janeID {
			t.Errorf("%s: %s finds %+v", tt.name, tt.id, got)
		}
	}
	if got, _ := d.MemberByID(ctx, marie.ID); got.SlackID != "U1" {
		t.Errorf("marie lost her Slack id: %+v", got)
	}
	if got, _ := d.MemberByID(ctx, janeID); got.SlackID != "UJANE" || got.TeamsID != "TJANE" {
		t.Errorf("jane's first accounts: %+v, want slack UJANE and teams TJANE", got)
	}
	ids, err := d.MemberIdentities(ctx, janeID)
	want := []Identity{{Platform: PlatformSlack, ID: "UJANE"}, {Platform: PlatformSlack, ID: "UJANE2"},
		{Platform: PlatformTeams, ID: "TJANE"}, {Platform: PlatformTeams, ID: "TJANE-B", Workspace: "tenant-b"}}
	if err != nil || !slices.Equal(ids, want) {
		t.Errorf("jane's identities %v, %v; want %v", ids, err, want)
	}
	// Once linked, Jane's own join updates her row, email included.
	in := rosterJane()
	in.SlackID, in.Title = "UJANE2", "Executive Director"
	m, created, err := d.JoinMember(ctx, in)
	if err != nil || created || m.ID != janeID || m.Title != "Executive Director" {
		t.Errorf("join after link: %+v created %v, %v", m, created, err)
	}
}

// TestImportKeepsSavedLanguage: a row without a language gives a new member
// the import's default and leaves an existing member's choice alone.
func TestImportKeepsSavedLanguage(t *testing.T) {
	d, _ := openMemberDB(t)
	ctx := context.Background()
	rows := []MemberInput{rosterJane()}
	opts := ImportOptions{Language: "fr"}
	if res, err := d.ImportMembersWith(ctx, rows, opts); err != nil || res.Created != 1 {
		t.Fatalf("first import: %+v, %v", res, err)
	}
	ms, _, _ := d.FindMembers(ctx, MemberFilter{})
	if ms[0].Language != "fr" {
		t.Fatalf("new member's language %q, want the default fr", ms[0].Language)
	}
	if _, err := d.UpdateMember(ctx, ms[0].ID, MemberUpdate{Language: strp("en")}); err != nil {
		t.Fatal(err)
	}
	res, err := d.ImportMembersWith(ctx, rows, opts)
	if err != nil || res != (ImportResult{Unchanged: 1}) {
		t.Errorf("re-import: %+v, %v; want 1 unchanged", res, err)
	}
	if got, _ := d.MemberByID(ctx, ms[0].ID); got.Language != "en" {
		t.Errorf("re-import reset the saved language to %q", got.Language)
	}
	if _, err := d.ImportMembersWith(ctx, rows, ImportOptions{Language: "es"}); ErrorCode(err) != EINVALID {
		t.Errorf("default language es: %v, want EINVALID", err)
	}
}
