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
// coordinator's edit, some members gone, some with a second Slack or
// Teams account linked (a link refused as taken is left out).
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
		for range r.IntN(3) {
			id := storage.Identity{Platform: storage.PlatformSlack, ID: fmt.Sprintf("U%d", r.IntN(14))}
			if r.IntN(2) == 0 {
				id = storage.Identity{Platform: storage.PlatformTeams, ID: fmt.Sprintf("29:t%d", r.IntN(9))}
			}
			db.LinkMember(ctx, m.ID, id)
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
			before, beforeIDs := rosterSnapshot(t, db), identitySnapshot(t, db)
			for round := range 2 {
				rep, err := mtImport(t, s, exportRoster(t, s), "en")
				if err != nil || rep.Created+rep.Updated+rep.Identities != 0 {
					t.Fatalf("round %d: %+v %v\n%s", round, rep, err, mtLines(rep.Errors))
				}
			}
			if d := diffSnapshots(before, rosterSnapshot(t, db)); len(d) > 0 {
				t.Errorf("export → import changed members:\n%s", strings.Join(d, "\n"))
			}
			if d := diffIdentities(beforeIDs, identitySnapshot(t, db)); len(d) > 0 {
				t.Errorf("export → import changed identities:\n%s", strings.Join(d, "\n"))
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
			before, beforeIDs := rosterSnapshot(t, db), identitySnapshot(t, db)
			rep, err := mtImport(t, s, csv, "fr")
			if err != nil {
				if d := diffSnapshots(before, rosterSnapshot(t, db)); len(d) > 0 {
					t.Fatalf("refused import changed members:\n%s", strings.Join(d, "\n"))
				}
				if d := diffIdentities(beforeIDs, identitySnapshot(t, db)); len(d) > 0 {
					t.Fatalf("refused import changed identities:\n%s", strings.Join(d, "\n"))
				}
				return
			}
			accepted++
			once, onceIDs := rosterSnapshot(t, db), identitySnapshot(t, db)
			rep, err = mtImport(t, s, csv, "fr")
			if err != nil || rep.Created+rep.Updated != 0 {
				t.Errorf("second import: %+v %v\n%s\n%s", rep, err, mtLines(rep.Errors), csv)
			}
			if d := diffSnapshots(once, rosterSnapshot(t, db)); len(d) > 0 {
				t.Errorf("second import changed members:\n%s\n%s", strings.Join(d, "\n"), csv)
			}
			if d := diffIdentities(onceIDs, identitySnapshot(t, db)); len(d) > 0 {
				t.Errorf("second import changed identities:\n%s\n%s", strings.Join(d, "\n"), csv)
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
			in.Language, propMore(r, in.SlackID, "U%d", 14), propMore(r, in.TeamsID, "29:t%d", 9)}
		for i, c := range cells {
			cells[i] = `"` + strings.ReplaceAll(handlers.GuardCell(c), `"`, `""`) + `"`
		}
		b.WriteString(strings.Join(cells, ";") + "\n")
	}
	return b.String()
}

// propMore is an account cell: first, sometimes followed by further ids
// (format with a number below n), separated as people type them.
func propMore(r *rand.Rand, first, format string, n int) string {
	if first == "" {
		return ""
	}
	cell := first
	for range r.IntN(3) / 2 * (1 + r.IntN(2)) {
		cell += pick(r, []string{" ", ";", ", "}) + fmt.Sprintf(format, r.IntN(n))
	}
	return cell
}

// TestPropertyRoundTripFreshDatabase: for random rosters, the export
// imported into an empty database (a move, a restore from the file)
// exports the same file, and every account of every member is a caller of
// that member there. The generator names organizations in several places,
// federal and others: the export lists federal members first, which must
// not make the others federal in the empty database.
func TestPropertyRoundTripFreshDatabase(t *testing.T) {
	ctx := context.Background()
	for seed := range uint64(propertySeeds) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			s, db := mtService(t, nil)
			propRoster(t, db, seed)
			if indistinct(t, db) {
				t.Skip("two members no roster file can tell apart (only console ids differ)")
			}
			csv := exportRoster(t, s)
			s2, db2 := mtService(t, nil)
			if rep, err := mtImport(t, s2, csv, "en"); err != nil {
				t.Fatalf("import: %+v %v\n%s\n%s", rep, err, mtLines(rep.Errors), csv)
			}
			if again := exportRoster(t, s2); again != csv {
				t.Errorf("export after the move:\n%s\nwant\n%s", again, csv)
			}
			for id, m := range rosterSnapshot(t, db) {
				ids, err := db.MemberIdentities(ctx, id)
				if err != nil || !m.LeftAt.IsZero() {
					continue
				}
				for _, i := range ids {
					if i.Platform == storage.PlatformConsole {
						continue // no roster column: console ids stay on their server
					}
					i.Workspace = "T-moved"
					if c, err := db2.CallerByIdentity(ctx, i); err != nil || c.Member == nil || c.Member.Name != m.Name {
						t.Errorf("after the move, %v is %+v %v, want %s", i, c.Member, err, m.Name)
					}
				}
			}
		})
	}
}
