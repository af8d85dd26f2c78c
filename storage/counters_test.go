package storage

import (
	"context"
	"testing"
)

func TestNextCounterSurvivesReopen(t *testing.T) {
	d, _, path := pollTestDB(t)
	ctx := context.Background()
	var got []int64
	for range 2 {
		n, err := d.NextCounter(ctx, "console")
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, n)
	}
	d.Close()
	d2, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	n, _ := d2.NextCounter(ctx, "console")
	other, _ := d2.NextCounter(ctx, "other")
	got = append(got, n, other)
	want := []int64{1, 2, 3, 1}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("counters = %v, want %v", got, want)
		}
	}
}
