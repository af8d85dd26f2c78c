package directory

import (
	"context"
	"strings"
	"testing"
)

// TestRosterNamesakesInTwoPlacesRoundTrip was found by FuzzRosterRoundTrip:
// storage keeps two same-named organizations of two provinces apart, so two
// imports could create two "Ann Lee", and their export was then refused as
// "same person as line 2", breaking export → import.
func TestRosterNamesakesInTwoPlacesRoundTrip(t *testing.T) {
	s := fzService(t, fzEmptyDB(t))
	ctx := context.Background()
	for _, file := range []string{
		"name,organization,order,jurisdiction\nAnn Lee,Health,provincial,QC\n",
		"name,organization,order,jurisdiction\nAnn Lee,Health,provincial,BC\n",
	} {
		if rep, err := s.ImportRoster(ctx, strings.NewReader(file), "en"); err != nil || rep.Created != 1 {
			t.Fatalf("import: %+v, %v", rep, err)
		}
	}
	export := fzExport(t, s)
	rep, err := s.ImportRoster(ctx, strings.NewReader(export), "en")
	if err != nil || rep.Unchanged != 2 || rep.Created+rep.Updated != 0 {
		t.Fatalf("re-import of the export: %+v, %v\n%q", rep, err, export)
	}
	if got := fzExport(t, s); got != export {
		t.Errorf("export changed:\n%q\n%q", export, got)
	}
}
