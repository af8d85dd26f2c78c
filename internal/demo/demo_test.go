package demo

import (
	"context"
	"path/filepath"
	"testing"

	"copbot/storage"
)

// TestSeedLeavesARegistryToShow: the organizations the demo's members
// typed are confirmed registry entries (none waits for a coordinator),
// named in French where their name is English, and the federal ones are
// the built-in entries.
func TestSeedLeavesARegistryToShow(t *testing.T) {
	ctx := context.Background()
	db, err := storage.Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := Seed(ctx, db); err != nil {
		t.Fatal(err)
	}
	orgs, err := db.Organizations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*storage.Organization{}
	for _, o := range orgs {
		if o.Status != storage.OrgConfirmed {
			t.Errorf("%s is %s", o.Name, o.Status)
		}
		byName[o.Name] = o
	}
	for en, fr := range demoOrgFR {
		if o := byName[en]; o == nil || o.NameIn("fr") != fr {
			t.Errorf("%s: entry %+v, want the French name %q", en, o, fr)
		}
	}
	for _, o := range demoOrgs {
		if e := byName[o.name]; o.order == storage.OrderFederal && (e == nil || !e.Builtin || e.NameFR == "") {
			t.Errorf("federal %s: entry %+v, want the built-in one with its French name", o.name, e)
		}
	}
}
