package storage_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"copbot/storage"
)

// TestActivitiesRegister: add, edit, done, the order of the list, and
// refusals that change nothing.
func TestActivitiesRegister(t *testing.T) {
	d, clock := openMeetingsDB(t)
	ctx := context.Background()
	str := func(s string) *string { return &s }
	a, err := d.AddActivity(ctx, "  Explore a collaborative workspace with ISAC ", "console:coord",
		storage.ActivityUpdate{Remarks: str("ISAC offered a trial"), DueOn: str("2027-06-30")})
	if err != nil || a.ID != 1 || a.Text != "Explore a collaborative workspace with ISAC" || a.DueOn != "2027-06-30" {
		t.Fatalf("add: %+v, %v", a, err)
	}
	if _, err := d.AddActivity(ctx, "Undated", "x", storage.ActivityUpdate{}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.AddActivity(ctx, "Soon", "x", storage.ActivityUpdate{DueOn: str("2027-03-01")}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		text string
		u    storage.ActivityUpdate
		key  string
	}{
		{"", storage.ActivityUpdate{}, "activity_error_text"},
		{"x", storage.ActivityUpdate{DueOn: str("June")}, "activity_error_due"},
		{"x", storage.ActivityUpdate{Remarks: str(string(make([]byte, 1001)))}, ""},
	} {
		if _, err := d.AddActivity(ctx, tt.text, "x", tt.u); err == nil || (tt.key != "" && errKey(err) != tt.key) {
			t.Errorf("add %q: %v, want %s", tt.text, err, tt.key)
		}
	}
	clock.Add(time.Hour)
	if _, err := d.UpdateActivity(ctx, 1, storage.ActivityUpdate{Remarks: str("")}); err != nil {
		t.Fatal(err)
	}
	done, err := d.FinishActivity(ctx, 2)
	if err != nil || !done.Done || !done.DoneAt.Equal(meetingsT0.Add(time.Hour)) {
		t.Fatalf("done: %+v, %v", done, err)
	}
	if _, err := d.FinishActivity(ctx, 2); errKey(err) != "activity_error_done" {
		t.Errorf("done twice: %v", err)
	}
	if _, err := d.UpdateActivity(ctx, 9, storage.ActivityUpdate{Text: str("x")}); errKey(err) != "activity_error_not_found" {
		t.Errorf("unknown: %v", err)
	}
	as, err := d.Activities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range as {
		got = append(got, a.Text+"|"+a.Remarks)
	}
	if got, want := strings.Join(got, " / "), "Soon| / Explore a collaborative workspace with ISAC| / Undated|"; got != want {
		t.Errorf("list %q, want %q", got, want)
	}
}
