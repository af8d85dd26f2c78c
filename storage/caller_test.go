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

// TestCallerCacheFollowsWritesFromAnyProcess: a cached caller lookup is
// never stale, whether the change is made through this DB or through
// another handle on the same file (a console, an import).
func TestCallerCacheFollowsWritesFromAnyProcess(t *testing.T) {
	ctx := context.Background()
	d, _ := openMemberDB(t)
	other, err := Open(ctx, d.path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	marie := mustJoin(t, d, marieInput()) // Slack U1
	u1 := Identity{Platform: PlatformSlack, ID: "U1"}
	lookup := func() Caller {
		t.Helper()
		c, err := d.CallerByIdentity(ctx, u1)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	lookup() // cached now
	steps := []struct {
		name  string
		write func() error
		check func(c Caller) bool
	}{
		{"language changed elsewhere", func() error {
			lang := "fr"
			_, err := other.UpdateMember(ctx, marie.ID, MemberUpdate{Language: &lang})
			return err
		}, func(c Caller) bool { return c.Member != nil && c.Member.Language == "fr" }},
		{"made coordinator elsewhere", func() error { return other.AddCoordinator(ctx, u1, u1) },
			func(c Caller) bool { return c.Coordinator }},
		{"coordinator removed elsewhere", func() error { return other.RemoveCoordinator(ctx, u1) },
			func(c Caller) bool { return !c.Coordinator }},
		{"left elsewhere", func() error { return other.LeaveMember(ctx, marie.ID) },
			func(c Caller) bool { return c.Member == nil && c.Former != nil }},
	}
	for _, st := range steps {
		if err := st.write(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if c := lookup(); !st.check(c) {
			t.Errorf("%s: lookup says %+v", st.name, c)
		}
	}
	c := lookup()
	c.Former.Name = "changed by a caller"
	if lookup().Former.Name == "changed by a caller" {
		t.Error("a caller's change reached the cache")
	}
}
