package directory

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"copbot/handlers"
	"copbot/storage"
)

// mtBigRosterSize is the roster size of the speed targets.
const mtBigRosterSize = 100_000

// mtBigRoster is a deterministic roster of n members spread over every
// jurisdiction but Yukon and Nunavut, 25 people per organization.
func mtBigRoster(n int) []storage.MemberInput {
	var places []storage.Jurisdiction
	for _, j := range storage.Jurisdictions() {
		if j.Code != "YT" && j.Code != "NU" {
			places = append(places, j)
		}
	}
	rows := make([]storage.MemberInput, n)
	for i := range rows {
		org := i / 25
		j := places[org%len(places)]
		order := []storage.Order{storage.OrderProvincial, storage.OrderMunicipal}[org/len(places)%2]
		if j.Federal() {
			order = storage.OrderFederal
		}
		rows[i] = storage.MemberInput{Name: fmt.Sprintf("Person %06d", i), Email: fmt.Sprintf("p%06d@example.ca", i),
			Organization: fmt.Sprintf("Organization %05d", org), Order: order, Jurisdiction: j.Code,
			Title: "Agent", Language: []string{"en", "fr"}[i%2]}
	}
	return rows
}

// mtBenchService is a Service over a fresh database holding the big roster.
func mtBenchService(b *testing.B) *dirService {
	b.Helper()
	s, db := mtService(b, nil)
	if _, err := db.ImportMembers(context.Background(), mtBigRoster(mtBigRosterSize)); err != nil {
		b.Fatal(err)
	}
	return s
}

// benchHandle times Handle(text) on the big roster and reports the median
// latency next to the mean (ns/op).
func benchHandle(b *testing.B, text, kind string) {
	s := mtBenchService(b)
	ctx := context.Background()
	req := handlers.Request{Identity: mtUser("bench"), Text: text}
	var lat []time.Duration
	for b.Loop() {
		t0 := time.Now()
		r := s.Handle(ctx, req)
		lat = append(lat, time.Since(t0))
		if r.Kind != kind {
			b.Fatalf("%s: %s %q", text, r.Kind, r.Text)
		}
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
}

func BenchmarkHandleWhoOntario(b *testing.B) { benchHandle(b, "who Ontario", "directory") }
func BenchmarkHandleGaps(b *testing.B)       { benchHandle(b, "gaps", "gaps") }

// Ontario holds about 8,300 of the big roster: page 160 is near its end,
// the worst case for OFFSET paging.
func BenchmarkHandleWhoOntarioPage160(b *testing.B) {
	benchHandle(b, "who Ontario page 160", "directory")
}
func BenchmarkHandleWhoOntarioMunicipal(b *testing.B) {
	benchHandle(b, "who Ontario municipal page 2", "directory")
}
func BenchmarkHandleStats(b *testing.B) { benchHandle(b, "stats", "stats") }

// BenchmarkImportRoster100k imports the big roster as a CSV file into an
// empty database, parsing and validation included.
func BenchmarkImportRoster100k(b *testing.B) {
	var csv bytes.Buffer
	csv.WriteString("name,email,organization,order,jurisdiction,title,language\n")
	for _, r := range mtBigRoster(mtBigRosterSize) {
		fmt.Fprintf(&csv, "%s,%s,%s,%s,%s,%s,%s\n", r.Name, r.Email, r.Organization, r.Order, r.Jurisdiction, r.Title, r.Language)
	}
	for b.Loop() {
		b.StopTimer()
		s, _ := mtService(b, nil)
		b.StartTimer()
		rep, err := s.ImportRoster(context.Background(), bytes.NewReader(csv.Bytes()), "en")
		if err != nil || rep.Created != mtBigRosterSize {
			b.Fatalf("import: %v %+v", err, rep.Errors)
		}
	}
}
