package storage

import (
	"context"
	"path/filepath"
	"testing"
)

// TestTeamsPosts checks each tenant's copy of a keyed post: an attempt is
// recorded before the post and counted again while unanswered, a sent copy
// cannot be attempted again, and tenants compare case-insensitively.
func TestTeamsPosts(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, filepath.Join(t.TempDir(), "copbot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, tenant := range []string{"AAAA-1", "aaaa-1", "bbbb-2"} {
		if err := d.BeginTeamsPost(ctx, "poll:1", tenant); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.RecordTeamsPost(ctx, "poll:1", "Bbbb-2", "19:b;messageid=7", "7"); err != nil {
		t.Fatal(err)
	}
	if err := d.BeginTeamsPost(ctx, "poll:1", "bbbb-2"); err == nil {
		t.Error("a sent copy was attempted again")
	}
	got, err := d.TeamsPosts(ctx, "poll:1")
	if err != nil {
		t.Fatal(err)
	}
	a, b := got["aaaa-1"], got["bbbb-2"]
	if len(got) != 2 || a.Sent || a.Attempts != 2 || !b.Sent || b.MessageID != "7" || b.Conversation != "19:b;messageid=7" {
		t.Errorf("copies %+v", got)
	}
	if err := d.RecordTeamsPost(ctx, "poll:1", "aaaa-1", "19:a;messageid=3", "3"); err != nil {
		t.Fatal(err)
	}
	copies, err := d.TeamsPostCopies(ctx, "19:b;messageid=7", "7")
	if err != nil || len(copies) != 2 || copies["aaaa-1"].MessageID != "3" || copies["bbbb-2"].Conversation != "19:b;messageid=7" {
		t.Errorf("copies of 19:b/7: %+v %v", copies, err)
	}
	if none, _ := d.TeamsPostCopies(ctx, "19:b;messageid=7", "8"); len(none) != 0 {
		t.Errorf("copies of an unknown message: %+v", none)
	}
	if other, _ := d.TeamsPosts(ctx, "poll:2"); len(other) != 0 {
		t.Errorf("another key's copies: %+v", other)
	}
}
