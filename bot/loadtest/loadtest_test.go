package main

import (
	"context"
	"io"
	"testing"
	"time"
)

// TestStormAgainstTheBinary runs a small load test against the real
// binary: every acknowledged click is in the database, both while the
// server runs and after it is killed with SIGKILL right after the last
// acknowledgement. It checks correctness only; the figures are the load
// tool's business.
func TestStormAgainstTheBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the copbot binary")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cfg := config{members: 600, who: 40, votes: 300, kill: 300, c: 16, noBaseline: true, idle: time.Millisecond}
	rep, err := run(ctx, cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rep.rows {
		if row.errors != 0 {
			t.Errorf("%s: %d errors of %d requests", row.name, row.errors, row.n)
		}
	}
	if rep.steadyParts == nil || rep.steadyParts.anon == 0 || rep.idleKB == 0 || rep.idleParts == nil {
		t.Errorf("memory not read: steady parts %v, idle RSS %d kB, idle parts %v", rep.steadyParts, rep.idleKB, rep.idleParts)
	}
	if rep.gcCount == 0 {
		t.Error("no gctrace line read off the server's stderr")
	}
	for _, s := range []storm{rep.storm, rep.killed} {
		if !s.ok() || s.acked != s.clicks {
			t.Errorf("storm: %v; want every click acknowledged and stored", s)
		}
	}
}
