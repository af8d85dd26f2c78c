package storage

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

// snapshot is every member row as stored, for before/after comparisons.
func snapshot(t *testing.T, d *DB) map[int64]Member {
	t.Helper()
	ms, _, err := d.FindMembers(context.Background(), MemberFilter{IncludeLeft: true})
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]Member{}
	for _, m := range ms {
		out[m.ID] = *m
	}
	return out
}

func sameSnapshot(a, b map[int64]Member) bool {
	if len(a) != len(b) {
		return false
	}
	for id, m := range a {
		if b[id] != m {
			return false
		}
	}
	return true
}

func importRows(n int) []MemberInput {
	rows := make([]MemberInput, n)
	for i := range rows {
		rows[i] = MemberInput{Name: fmt.Sprintf("Person %d", i), Email: fmt.Sprintf("p%d@gov.ca", i),
			Organization: fmt.Sprintf("Ministry %d", i%7), Order: OrderProvincial, Jurisdiction: "NS"}
	}
	return rows
}

func TestImportAllOrNothing(t *testing.T) {
	tests := []struct {
		name     string
		edit     func(rows []MemberInput)
		wantCode string
		wantKey  string
		wantRow  int
	}{
		{"bad order in the middle", func(rows []MemberInput) { rows[5].Order = "regional" },
			EINVALID, "error_order_invalid", 5},
		{"missing name", func(rows []MemberInput) { rows[299].Name = "" }, EINVALID, "error_name_required", 299},
		// Row 7 first updates an existing member (through its email), then a
		// later row conflicts: the update must be undone too.
		{"identity conflict after writes", func(rows []MemberInput) {
			rows[7].Title = "Changed"
			rows[280].Email, rows[280].SlackID = "p1@gov.ca", "U-other"
		}, ECONFLICT, "error_identity_taken", 280},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, _ := openMemberDB(t)
			ctx := context.Background()
			base := importRows(10)
			base[1].SlackID = "U-1"
			if _, err := d.ImportMembers(ctx, base); err != nil {
				t.Fatal(err)
			}
			before := snapshot(t, d)
			orgs := countRows(t, d, "SELECT count(*) FROM organizations")
			rows := importRows(300)
			rows[1].SlackID = "U-1"
			tt.edit(rows)
			res, err := d.ImportMembers(ctx, rows)
			var e *Error
			if !errors.As(err, &e) || e.Code != tt.wantCode || e.Key != tt.wantKey || e.Args["Row"] != tt.wantRow {
				t.Fatalf("ImportMembers = %+v, %v; want %s %s at row %d", res, err, tt.wantCode, tt.wantKey, tt.wantRow)
			}
			if res != (ImportResult{}) {
				t.Errorf("failed import reported %+v", res)
			}
			if after := snapshot(t, d); !sameSnapshot(before, after) {
				t.Errorf("failed import changed members: %d rows before, %d after", len(before), len(after))
			}
			if got := countRows(t, d, "SELECT count(*) FROM organizations"); got != orgs {
				t.Errorf("failed import left %d organizations, want %d", got, orgs)
			}
		})
	}
}

func TestReimportUnchanged(t *testing.T) {
	d, clock := openMemberDB(t)
	ctx := context.Background()
	rows := importRows(700) // several insert batches and a partial one
	rows[3].SlackID, rows[4].TeamsID, rows[5].Email = "U3", "T4", ""
	res, err := d.ImportMembers(ctx, rows)
	if err != nil || res != (ImportResult{Created: 700}) {
		t.Fatalf("first import: %+v, %v", res, err)
	}
	before := snapshot(t, d)
	clock.t = clock.t.Add(time.Hour)
	res, err = d.ImportMembers(ctx, rows)
	if err != nil || res != (ImportResult{Unchanged: 700}) {
		t.Fatalf("re-import: %+v, %v", res, err)
	}
	if after := snapshot(t, d); !sameSnapshot(before, after) {
		t.Errorf("re-import changed stored rows")
	}
	// Changing one row updates exactly that member.
	rows[42].Title = "Team lead"
	res, err = d.ImportMembers(ctx, rows)
	if err != nil || res != (ImportResult{Updated: 1, Unchanged: 699}) {
		t.Fatalf("import with one change: %+v, %v", res, err)
	}
	ms, _, _ := d.FindMembers(ctx, MemberFilter{Email: strp("p42@gov.ca")})
	if len(ms) != 1 || ms[0].Title != "Team lead" || !ms[0].UpdatedAt.After(before[ms[0].ID].UpdatedAt) {
		t.Errorf("updated member: %+v", ms)
	}
}

// TestImportDuplicatesInOneFile covers rows that designate a member created
// earlier in the same import, including one still waiting in the insert
// batch and one already flushed.
func TestImportDuplicatesInOneFile(t *testing.T) {
	d, _ := openMemberDB(t)
	ctx := context.Background()
	rows := importRows(insertBatchSize + 10)
	flushed, pending := rows[0], rows[insertBatchSize+2]
	flushed.Title, pending.Title = "Flushed", "Pending"
	rows = append(rows, rows[1], flushed, pending)
	res, err := d.ImportMembers(ctx, rows)
	want := ImportResult{Created: insertBatchSize + 10, Unchanged: 1, Updated: 2}
	if err != nil || res != want {
		t.Fatalf("ImportMembers = %+v, %v; want %+v", res, err, want)
	}
	for _, in := range []MemberInput{flushed, pending} {
		ms, total, err := d.FindMembers(ctx, MemberFilter{Email: &in.Email})
		if err != nil || total != 1 || ms[0].Title != in.Title {
			t.Errorf("%s: %+v (%d), %v; want title %q", in.Email, ms, total, err, in.Title)
		}
	}
	if got := countRows(t, d, "SELECT count(*) FROM members"); got != insertBatchSize+10 {
		t.Errorf("%d members, want %d", got, insertBatchSize+10)
	}
}

func TestImportReactivatesAndUpdates(t *testing.T) {
	d, _ := openMemberDB(t)
	ctx := context.Background()
	m := mustJoin(t, d, marieInput())
	if err := d.LeaveMember(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	in := marieInput()
	in.SlackID, in.Language = "", "" // the roster does not know them
	res, err := d.ImportMembers(ctx, []MemberInput{in})
	if err != nil || res != (ImportResult{Updated: 1}) {
		t.Fatalf("ImportMembers = %+v, %v", res, err)
	}
	got, _ := d.MemberByID(ctx, m.ID)
	if !got.Active() || got.SlackID != "U1" || got.Language != "fr" || !got.JoinedAt.Equal(m.JoinedAt) {
		t.Errorf("imported former member: %+v", got)
	}
}
