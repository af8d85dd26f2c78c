package storage

import (
	"context"
	"testing"
)

func TestCallerByIdentity(t *testing.T) {
	ctx := context.Background()
	d, _ := openMemberDB(t)
	marie := mustJoin(t, d, marieInput()) // Slack U1
	in := marieInput()
	in.Name, in.Email, in.SlackID = "Jean Roy", "jean@quebec.ca", "U2"
	jean := mustJoin(t, d, in)
	if err := d.LeaveMember(ctx, jean.ID); err != nil {
		t.Fatal(err)
	}
	slack := func(id string) Identity { return Identity{Platform: PlatformSlack, ID: id} }
	if err := d.AddCoordinator(ctx, slack("U3"), slack("U1")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name                   string
		id                     Identity
		wantMember, wantFormer int64
		wantCoordinator        bool
	}{
		{"active member", slack("U1"), marie.ID, 0, false},
		{"former member", slack("U2"), 0, jean.ID, false},
		{"coordinator, not a member", slack("U3"), 0, 0, true},
		{"stranger", slack("U9"), 0, 0, false},
		{"same id on another platform", Identity{Platform: PlatformTeams, ID: "U1"}, 0, 0, false},
		{"no id", Identity{Platform: PlatformSlack}, 0, 0, false},
	}
	for _, tt := range tests {
		c, err := d.CallerByIdentity(ctx, tt.id)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		var gotMember, gotFormer int64
		if c.Member != nil {
			gotMember = c.Member.ID
		}
		if c.Former != nil {
			gotFormer = c.Former.ID
		}
		if gotMember != tt.wantMember || gotFormer != tt.wantFormer || c.Coordinator != tt.wantCoordinator {
			t.Errorf("%s: member %d former %d coordinator %v, want %d %d %v", tt.name,
				gotMember, gotFormer, c.Coordinator, tt.wantMember, tt.wantFormer, tt.wantCoordinator)
		}
	}
}
