package storage

import (
	"context"
	"path/filepath"
	"testing"
)

// TestTeamsCommunities checks that each tenant keeps the first community
// conversation learned (a second team of the same tenant, in any case,
// does not replace it), and that they survive reopening the database.
func TestTeamsCommunities(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "copbot.db")
	d, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	a1 := TeamsCommunity{TenantID: "AAAA-1", ServiceURL: "https://smba.example/amer/", ChannelID: "19:a1@thread.tacv2"}
	a2 := TeamsCommunity{TenantID: "aaaa-1", ServiceURL: "https://smba.example/amer/", ChannelID: "19:a2@thread.tacv2"}
	b1 := TeamsCommunity{TenantID: "bbbb-2", ServiceURL: "https://smba.example/emea/", ChannelID: "19:b1@thread.tacv2"}
	for _, tc := range []struct {
		in          TeamsCommunity
		wantChannel string
		wantLearned bool
	}{
		{a1, a1.ChannelID, true},
		{a2, a1.ChannelID, false}, // same tenant, other case: the first stays
		{b1, b1.ChannelID, true},
	} {
		got, learned, err := d.LearnTeamsCommunity(ctx, tc.in)
		if err != nil || got.ChannelID != tc.wantChannel || learned != tc.wantLearned || got.LearnedAt.IsZero() {
			t.Errorf("LearnTeamsCommunity(%+v) = %+v, %v, %v; want channel %s, learned %v",
				tc.in, got, learned, err, tc.wantChannel, tc.wantLearned)
		}
	}
	if _, _, err := d.LearnTeamsCommunity(ctx, TeamsCommunity{TenantID: "c", ServiceURL: "https://x/"}); err == nil {
		t.Error("a community without a channel was accepted")
	}
	d.Close()
	d, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	all, err := d.TeamsCommunities(ctx)
	if err != nil || len(all) != 2 {
		t.Fatalf("after reopening: %+v, %v; want 2", all, err)
	}
	if all[0].TenantID != "aaaa-1" || all[0].ChannelID != a1.ChannelID || all[1].TenantID != "bbbb-2" || all[1].ServiceURL != b1.ServiceURL {
		t.Errorf("after reopening: %+v", all)
	}
}
