package storage

import (
	"context"
	"fmt"
	"testing"
	"time"
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
	in.Name, in.Email, in.SlackID = "Ana Roy", "ana@quebec.ca", "U4"
	ana := mustJoin(t, d, in)
	if err := d.AddCoordinator(ctx, slack("U4"), slack("U3")); err != nil {
		t.Fatal(err)
	}
	version, err := d.DirectoryVersion(ctx)
	if err != nil {
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
		{"member and coordinator", slack("U4"), ana.ID, 0, true},
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
		if !tt.id.IsZero() && c.Version != version {
			t.Errorf("%s: read at version %d, want %d", tt.name, c.Version, version)
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

// TestCallerCacheForgetsAFloodInTime is issue 16's memory after a flood:
// every identity that sent a request got a cached answer, members or not,
// kept until the directory changed. The cache now starts afresh once it
// has lived callerCacheTTL, and answers stay right across the restart.
func TestCallerCacheForgetsAFloodInTime(t *testing.T) {
	ctx := context.Background()
	d, _ := openMemberDB(t)
	marie := mustJoin(t, d, marieInput()) // Slack U1
	now := time.Date(2027, 2, 1, 12, 0, 0, 0, time.UTC)
	d.Now = func() time.Time { return now }
	for i := range 1000 {
		if _, err := d.CallerByIdentity(ctx, Identity{Platform: PlatformSlack, ID: fmt.Sprint("UFLOOD", i)}); err != nil {
			t.Fatal(err)
		}
	}
	size := func() int {
		d.callers.mu.Lock()
		defer d.callers.mu.Unlock()
		return len(d.callers.m)
	}
	now = now.Add(callerCacheTTL - time.Second)
	if _, err := d.CallerByIdentity(ctx, Identity{Platform: PlatformSlack, ID: "U1"}); err != nil {
		t.Fatal(err)
	}
	if n := size(); n != 1001 {
		t.Fatalf("%d answers cached within the TTL, want 1001", n)
	}
	now = now.Add(time.Second)
	c, err := d.CallerByIdentity(ctx, Identity{Platform: PlatformSlack, ID: "U1"})
	if err != nil {
		t.Fatal(err)
	}
	if n := size(); n != 1 {
		t.Errorf("%d answers cached once the TTL passed, want 1", n)
	}
	if c.Member == nil || c.Member.ID != marie.ID {
		t.Errorf("after the cache started afresh: %+v, want member %d", c, marie.ID)
	}
}

// BenchmarkCallerFirstSight looks up members not seen before, as a storm
// of first votes does (issue 20: 12.5% of the vote profile): every lookup
// misses the caller cache.
//
//	go test ./storage -run '^$' -bench CallerFirstSight -benchmem
func BenchmarkCallerFirstSight(b *testing.B) {
	ctx := context.Background()
	d, _ := openMemberDB(b)
	if _, err := d.ImportMembers(ctx, benchRoster(10_000)); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := range b.N {
		if i%5000 == 0 { // every even member of benchRoster has a Slack id
			d.callers.mu.Lock()
			d.callers.m = nil
			d.callers.mu.Unlock()
		}
		c, err := d.CallerByIdentity(ctx, Identity{Platform: PlatformSlack, ID: fmt.Sprintf("U%08d", i%5000*2)})
		if err != nil || c.Member == nil {
			b.Fatalf("lookup %d: %+v, %v", i, c, err)
		}
	}
}

// TestCallerLookupIsOneStatement (issue 20): a caller not seen before (a
// storm of first questions or votes) is one statement, which reads the
// directory version with the member; a cached one is one statement, the
// version; only an answer cached at an older version costs both. The
// lookup used to read the version first whatever the cache held: two
// statements for every first sight.
func TestCallerLookupIsOneStatement(t *testing.T) {
	ctx := context.Background()
	d, _ := openMemberDB(t)
	in := marieInput()
	in.Workspace = "THOME"
	mustJoin(t, d, in) // Slack U1, stamped
	var ran []string
	d.lookupRan = func(q string) { ran = append(ran, q) }
	for _, step := range []struct {
		name  string
		id    Identity
		write func()
		want  []string
	}{
		{"first sight of a member", slackID("THOME", "U1"), nil, []string{callerSQL}},
		{"the same member again", slackID("THOME", "U1"), nil, []string{directoryVersionSQL}},
		{"first sight of a stranger", slackID("THOME", "U9"), nil, []string{callerSQL, strangerSQL}},
		{"the same stranger again", slackID("THOME", "U9"), nil, []string{directoryVersionSQL}},
		{"the member after a change", slackID("THOME", "U1"), func() {
			if err := d.AddCoordinator(ctx, slackID("", "U1"), slackID("", "U1")); err != nil {
				t.Fatal(err)
			}
		}, []string{directoryVersionSQL, callerSQL}},
		{"and again", slackID("THOME", "U1"), nil, []string{directoryVersionSQL}},
	} {
		if step.write != nil {
			step.write()
		}
		ran = nil
		c, err := d.CallerByIdentity(ctx, step.id)
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if (c.Member != nil) != (step.id.ID == "U1") {
			t.Errorf("%s: member %+v", step.name, c.Member)
		}
		if len(ran) != len(step.want) {
			t.Errorf("%s: %d statements, want %d", step.name, len(ran), len(step.want))
			continue
		}
		for i := range ran {
			if ran[i] != step.want[i] {
				t.Errorf("%s: statement %d is %.60q, want %.60q", step.name, i, ran[i], step.want[i])
			}
		}
	}
}
