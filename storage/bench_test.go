package storage

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
)

// benchRosterSize is the roster issue 2's performance targets are stated for.
const benchRosterSize = 100_000

// benchRoster returns n deterministic members spread over every jurisdiction
// and order: about 40 federal departments, 30 ministries and 60
// municipalities per province or territory. Every member has a distinct
// email; half have a Slack id.
func benchRoster(n int) []MemberInput {
	first := []string{"Marie", "Jean", "Émilie", "Olivier", "Sarah", "Noah", "Chloé", "Liam", "Zoë", "Ananya", "Gabriel", "Léa"}
	last := []string{"Tremblay", "Smith", "Gagnon", "Roy", "Côté", "Singh", "Bouchard", "Wong", "MacDonald", "Lévesque", "Nguyen"}
	provinces := Jurisdictions()[1:]
	rows := make([]MemberInput, n)
	for i := range rows {
		in := MemberInput{
			Name:     fmt.Sprintf("%s %s %d", first[i%len(first)], last[(i/7)%len(last)], i),
			Email:    fmt.Sprintf("person%d@example.gc.ca", i),
			Title:    "Contact centre manager",
			Language: []string{"en", "fr"}[i%2],
		}
		if i%2 == 0 {
			in.SlackID = fmt.Sprintf("U%08d", i)
		}
		p := provinces[(i/3)%len(provinces)]
		switch i % 3 {
		case 0:
			in.Order, in.Jurisdiction, in.Organization = OrderFederal, FederalCode, fmt.Sprintf("Department %d", (i/3)%40)
		case 1:
			in.Order, in.Jurisdiction, in.Organization = OrderProvincial, p.Code, fmt.Sprintf("Ministry %d of %s", (i/39)%30, p.NameEN)
		default:
			in.Order, in.Jurisdiction, in.Organization = OrderMunicipal, p.Code, fmt.Sprintf("Municipality %d of %s", (i/39)%60, p.NameEN)
		}
		rows[i] = in
	}
	return rows
}

// benchRosterDB opens a fresh database in b.TempDir holding the 100k roster; the
// setup is outside the timer.
func benchRosterDB(b *testing.B) *DB {
	b.Helper()
	b.StopTimer()
	defer b.StartTimer()
	d, err := Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	if _, err := d.ImportMembers(context.Background(), benchRoster(benchRosterSize)); err != nil {
		b.Fatal(err)
	}
	return d
}

// BenchmarkFindMembersByJurisdiction is the `who Yukon` query: the first
// page of 50 active members of one jurisdiction plus the total count.
func BenchmarkFindMembersByJurisdiction(b *testing.B) {
	d := benchRosterDB(b)
	ctx := context.Background()
	yt := "YT"
	for b.Loop() {
		page, total, err := d.FindMembers(ctx, MemberFilter{Jurisdiction: &yt, Limit: 50})
		if err != nil || len(page) != 50 || total == 0 {
			b.Fatalf("FindMembers: %d of %d, %v", len(page), total, err)
		}
	}
}

func BenchmarkStats(b *testing.B) {
	d := benchRosterDB(b)
	ctx := context.Background()
	for b.Loop() {
		if s, err := d.Stats(ctx); err != nil || s.People != benchRosterSize {
			b.Fatalf("Stats: %+v, %v", s, err)
		}
	}
}

func BenchmarkCoverage(b *testing.B) {
	d := benchRosterDB(b)
	ctx := context.Background()
	for b.Loop() {
		if c, err := d.Coverage(ctx); err != nil || len(c.Uncovered) != 0 {
			b.Fatalf("Coverage: %+v, %v", c, err)
		}
	}
}

// BenchmarkImport100k imports the 100k roster into an empty database.
func BenchmarkImport100k(b *testing.B) {
	rows := benchRoster(benchRosterSize)
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		d, err := Open(ctx, filepath.Join(b.TempDir(), fmt.Sprintf("import%d.db", i)))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res, err := d.ImportMembers(ctx, rows)
		if err != nil || res.Created != benchRosterSize {
			b.Fatalf("ImportMembers: %+v, %v", res, err)
		}
		b.StopTimer()
		d.Close()
		b.StartTimer()
	}
}

// BenchmarkReimport100k imports the 100k roster again over itself: every
// row is looked up and found unchanged.
func BenchmarkReimport100k(b *testing.B) {
	d := benchRosterDB(b)
	rows := benchRoster(benchRosterSize)
	ctx := context.Background()
	for b.Loop() {
		res, err := d.ImportMembers(ctx, rows)
		if err != nil || res.Unchanged != benchRosterSize {
			b.Fatalf("ImportMembers: %+v, %v", res, err)
		}
	}
}

// BenchmarkFindAllMembers lists every active member in report order, as the
// roster export does; no index serves this order, SQLite sorts.
func BenchmarkFindAllMembers(b *testing.B) {
	d := benchRosterDB(b)
	ctx := context.Background()
	for b.Loop() {
		if ms, total, err := d.FindMembers(ctx, MemberFilter{}); err != nil || len(ms) != benchRosterSize || total != benchRosterSize {
			b.Fatalf("FindMembers: %d of %d, %v", len(ms), total, err)
		}
	}
}
