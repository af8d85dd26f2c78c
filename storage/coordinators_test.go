package storage

import (
	"context"
	"errors"
	"reflect"
	"testing"
)

func TestCoordinators(t *testing.T) {
	d, _ := openMemberDB(t)
	ctx := context.Background()
	lead := Identity{Platform: PlatformConsole, ID: "lead"}
	a, b := Identity{Platform: PlatformSlack, ID: "U1"}, Identity{Platform: PlatformTeams, ID: "29:abc"}
	for _, id := range []Identity{a, b, a} { // adding twice is harmless
		if err := d.AddCoordinator(ctx, id, lead); err != nil {
			t.Fatalf("AddCoordinator(%v): %v", id, err)
		}
	}
	if got, err := d.ListCoordinators(ctx); err != nil || !reflect.DeepEqual(got, []Identity{a, b}) {
		t.Errorf("ListCoordinators = %v, %v; want %v", got, err, []Identity{a, b})
	}
	for id, want := range map[Identity]bool{a: true, b: true, lead: false, {Platform: PlatformTeams, ID: "U1"}: false} {
		if got, err := d.IsCoordinator(ctx, id); got != want || err != nil {
			t.Errorf("IsCoordinator(%v) = %v, %v; want %v", id, got, err, want)
		}
	}
	if err := d.RemoveCoordinator(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := d.RemoveCoordinator(ctx, a); !errors.Is(err, ErrNotFound) {
		t.Errorf("removing twice: %v, want ErrNotFound", err)
	}
	if ok, _ := d.IsCoordinator(ctx, a); ok {
		t.Error("removed coordinator is still one")
	}
	for _, bad := range []Identity{{Platform: "irc", ID: "x"}, {Platform: PlatformSlack, ID: ""}} {
		var e *Error
		if err := d.AddCoordinator(ctx, bad, lead); !errors.As(err, &e) || e.Key != "error_identity_invalid" {
			t.Errorf("AddCoordinator(%v) = %v, want error_identity_invalid", bad, err)
		}
	}
	if got := countRows(t, d, "SELECT count(*) FROM coordinators WHERE added_by = 'console:lead'"); got != 1 {
		t.Errorf("%d coordinators recorded as added by console:lead, want 1", got)
	}
}
