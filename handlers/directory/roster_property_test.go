package directory

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"copbot/handlers"
	"copbot/storage"
)

// Random rosters for the import property tests: namesakes (spelt
// differently, in the same and in other organizations), empty emails,
// accents, Arabic and Hebrew, emoji, formula look-alikes, both languages,
// federal members with an empty jurisdiction, shared and missing ids.
var (
	propNames = []string{"Ann Lee", "ANN LEE", "Éloïse Bédard", "Eloise Bedard", "محمد علي", "דוד כהן",
		"Zoë 🎉 O’Brien", "=Sam Roy", "'=Tricky", "Jean-François Côté"}
	propOrgs = []string{"Org B", "org  b", "Ville de Québec", "Ville de Quebec", "Passport Office, Ottawa",
		"@Home", "وزارة الصحة", "''-Minus"}
	propPlaces = [][2]string{{"provincial", "ON"}, {"municipal", "QC"}, {"federal", ""}, {"federal", "CA"},
		{"territorial", "NU"}}
	propTitles = []string{"", "Director", "Analyste principale", "-2+3", "''@x", "مدير", "Zoë 🎉"}
	propLangs  = []string{"", "en", "fr"}
)

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// propRow is one random roster row.
func propRow(r *rand.Rand) storage.MemberInput {
	place := pick(r, propPlaces)
	in := storage.MemberInput{Name: pick(r, propNames), Organization: pick(r, propOrgs),
		Order: storage.Order(place[0]), Jurisdiction: place[1], Title: pick(r, propTitles), Language: pick(r, propLangs)}
	if in.Order == "territorial" {
		in.Order = storage.OrderProvincial
	}
	if r.IntN(2) == 0 {
		in.Email = fmt.Sprintf("p%d@gov.ca", r.IntN(25))
	}
	if r.IntN(5) == 0 {
		in.SlackID = fmt.Sprintf("U%d", r.IntN(10))
	}
	if r.IntN(8) == 0 {
		in.TeamsID = fmt.Sprintf("29:t%d", r.IntN(6))
	}
	return in
}

// propRoster fills db from seed: rows imported one by one (a row refused
// as ambiguous or conflicting is left out), some emails cleared by a
// coordinator's edit, some members gone.
func propRoster(t *testing.T, db *storage.DB, seed uint64) {
	t.Helper()
	ctx := context.Background()
	r := rand.New(rand.NewPCG(seed, 9))
	for range 40 + r.IntN(40) {
		db.ImportMembers(ctx, []storage.MemberInput{propRow(r)}) // refusals are part of the game
	}
	ms, _, err := db.FindMembers(ctx, storage.MemberFilter{})
	if err != nil {
		t.Fatal(err)
	}
	empty := ""
	for _, m := range ms {
		switch r.IntN(6) {
		case 0:
			db.UpdateMember(ctx, m.ID, storage.MemberUpdate{Email: &empty})
		case 1:
			if err := db.LeaveMember(ctx, m.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// indistinct reports whether two active members share everything an
// export row can tell people apart by: then no file can name them apart.
func indistinct(t *testing.T, db *storage.DB) bool {
	seen := map[string]bool{}
	for _, m := range rosterSnapshot(t, db) {
		if !m.LeftAt.IsZero() || m.Email != "" || m.SlackID != "" || m.TeamsID != "" {
			continue
		}
		k := personKeys(storage.MemberInput{Name: m.Name, Organization: m.Organization, Order: m.Order,
			Jurisdiction: m.Jurisdiction})[0].value
		if seen[k] {
			return true
		}
		seen[k] = true
	}
	return false
}

// TestPropertyExportImportChangesNothing: for random rosters, importing
// the export changes no field of any member (left ones included), twice.
func TestPropertyExportImportChangesNothing(t *testing.T) {
	for seed := range uint64(propertySeeds) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			s, db := mtService(t, nil)
			propRoster(t, db, seed)
			if indistinct(t, db) {
				t.Skip("two members no roster file can tell apart (only console ids differ)")
			}
			before := rosterSnapshot(t, db)
			for round := range 2 {
				rep, err := mtImport(t, s, exportRoster(t, s), "en")
				if err != nil || rep.Created+rep.Updated != 0 {
					t.Fatalf("round %d: %+v %v\n%s", round, rep, err, mtLines(rep.Errors))
				}
			}
			if d := diffSnapshots(before, rosterSnapshot(t, db)); len(d) > 0 {
				t.Errorf("export → import changed members:\n%s", strings.Join(d, "\n"))
			}
		})
	}
}

// TestPropertyImportIdempotent: a random roster file imported into a
// random database either is refused and changes nothing, or is accepted,
// and importing it again changes nothing.
func TestPropertyImportIdempotent(t *testing.T) {
	accepted := 0
	for seed := range uint64(propertySeeds) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			s, db := mtService(t, nil)
			propRoster(t, db, seed)
			csv := propCSV(rand.New(rand.NewPCG(seed, 17)))
			before := rosterSnapshot(t, db)
			rep, err := mtImport(t, s, csv, "fr")
			if err != nil {
				if d := diffSnapshots(before, rosterSnapshot(t, db)); len(d) > 0 {
					t.Fatalf("refused import changed members:\n%s", strings.Join(d, "\n"))
				}
				return
			}
			accepted++
			once := rosterSnapshot(t, db)
			rep, err = mtImport(t, s, csv, "fr")
			if err != nil || rep.Created+rep.Updated != 0 {
				t.Errorf("second import: %+v %v\n%s\n%s", rep, err, mtLines(rep.Errors), csv)
			}
			if d := diffSnapshots(once, rosterSnapshot(t, db)); len(d) > 0 {
				t.Errorf("second import changed members:\n%s\n%s", strings.Join(d, "\n"), csv)
			}
		})
	}
	if accepted < propertySeeds/4 {
		t.Errorf("only %d of %d random files were accepted: the generator tests too little", accepted, propertySeeds)
	}
}

// propCSV is a random roster file, semicolon separated, French headers.
func propCSV(r *rand.Rand) string {
	var b strings.Builder
	b.WriteString("Nom;Courriel;Organisation;Ordre;Province;Titre;Langue;Slack;Teams\n")
	for range 3 + r.IntN(10) {
		in := propRow(r)
		cells := []string{in.Name, in.Email, in.Organization, string(in.Order), in.Jurisdiction, in.Title,
			in.Language, in.SlackID, in.TeamsID}
		for i, c := range cells {
			cells[i] = `"` + strings.ReplaceAll(handlers.GuardCell(c), `"`, `""`) + `"`
		}
		b.WriteString(strings.Join(cells, ";") + "\n")
	}
	return b.String()
}
