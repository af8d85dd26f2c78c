package storage

import (
	"context"
	"testing"
)

// TestSlackPosts checks each workspace's copy of a keyed post, the home
// workspace ("") included: an attempt is counted before the post, a sent
// copy cannot be attempted again, and the copies of a post are found from
// any one of them, never another post's.
func TestSlackPosts(t *testing.T) {
	ctx := context.Background()
	d, _ := openInstallDB(t)
	for _, team := range []string{"", "T0B", "T0B"} {
		if err := d.BeginSlackPost(ctx, "poll:1", team); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.RecordSlackPost(ctx, "poll:1", "", "C0HOME", "1.000001"); err != nil {
		t.Fatal(err)
	}
	if err := d.BeginSlackPost(ctx, "poll:1", ""); err == nil {
		t.Error("a sent copy was attempted again")
	}
	got, err := d.SlackPosts(ctx, "poll:1")
	if err != nil {
		t.Fatal(err)
	}
	home, b := got[""], got["T0B"]
	if len(got) != 2 || !home.Sent || home.Conversation != "C0HOME" || b.Sent || b.Attempts != 2 || b.UpdatedAt.IsZero() {
		t.Errorf("copies %+v", got)
	}
	if err := d.RecordSlackPost(ctx, "poll:1", "T0B", "C0B", "1.000001"); err != nil {
		t.Fatal(err)
	}
	if err := d.RecordSlackPost(ctx, "poll:2", "T0B", "C0B", "2.000001"); err != nil {
		t.Fatal(err)
	}
	copies, err := d.SlackPostCopies(ctx, "C0B", "1.000001")
	if err != nil || len(copies) != 2 || copies[""].MessageID != "1.000001" || copies["T0B"].Conversation != "C0B" {
		t.Errorf("copies of C0B/1.000001: %+v %v", copies, err)
	}
	if none, _ := d.SlackPostCopies(ctx, "C0HOME", "2.000001"); len(none) != 0 {
		t.Errorf("copies of an unknown message: %+v", none)
	}
}
