package storage

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
)

// holdWriteGate starts a write transaction that holds the write gate until
// the returned release is called (also at the test's end).
func holdWriteGate(t *testing.T, d *DB) (release func()) {
	t.Helper()
	held, free, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- d.write(context.Background(), func(*tx) error { close(held); <-free; return nil })
	}()
	<-held
	var once sync.Once
	release = func() {
		once.Do(func() {
			close(free)
			if err := <-done; err != nil {
				t.Errorf("the write holding the gate: %v", err)
			}
		})
	}
	t.Cleanup(release)
	return release
}

// rosterID is the Slack id benchRoster gives its member i (even i only).
func rosterID(i int) string { return fmt.Sprintf("U%08d", i) }

// TestFirstRequestsStampOffTheReadPath (issue 20): the first request of a
// member imported without a workspace answers at once, even while another
// write holds the write gate: it claims the stamp, and the stamper writes
// the claims in a few batched transactions, the last at Close. Claimed,
// the user id is the first workspace's at once: from another workspace it
// is a stranger's, as it will be on disk. The old code wrote each stamp in
// a transaction of its own on the request's path: this request waited for
// the gate (then gave up, unstamped), and the other workspace got the
// member.
func TestFirstRequestsStampOffTheReadPath(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "copbot.db")
	d, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	const n = 300 // members with a Slack id: more than one batch
	if _, err := d.ImportMembers(ctx, benchRoster(2*n)); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var batches []int
	d.stamps.wrote = func(n int) { mu.Lock(); batches = append(batches, n); mu.Unlock() }

	release := holdWriteGate(t, d)
	first := slackID("TA", rosterID(0))
	if got := callerID(t, d, first); got == 0 {
		t.Fatalf("first request of %s: a stranger, want the member", first.ID)
	}
	if got := callerID(t, d, slackID("TB", first.ID)); got != 0 {
		t.Fatalf("%s from TB after its first request from TA: member %d, want a stranger", first.ID, got)
	}
	if got := callerID(t, d, first); got == 0 {
		t.Errorf("second request of %s from TA: a stranger, want the member", first.ID)
	}
	if ws, ok, err := d.IdentityWorkspace(ctx, slackID("", first.ID)); ws != "TA" || !ok || err != nil {
		t.Errorf("IdentityWorkspace(%s) with its stamp claimed: %q %v %v, want TA", first.ID, ws, ok, err)
	}
	if m, err := d.MemberByIdentity(ctx, slackID("TB", first.ID)); err == nil {
		t.Errorf("MemberByIdentity from TB: %+v, want not found", m)
	}
	for i := 1; i < n; i++ {
		if got := callerID(t, d, slackID("TA", rosterID(2*i))); got == 0 {
			t.Fatalf("first request of %s: a stranger", rosterID(2*i))
		}
	}
	if got := countRows(t, d, "SELECT count(*) FROM identities WHERE workspace <> ''"); got != 0 {
		t.Fatalf("%d stamps on disk while the gate was held", got)
	}
	release()
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}

	d, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if got := countRows(t, d, "SELECT count(*) FROM identities WHERE platform = 'slack' AND workspace = 'TA'"); got != n {
		t.Errorf("%d identities stamped TA after Close, want %d", got, n)
	}
	if got := countRows(t, d, "SELECT count(*) FROM identities WHERE workspace NOT IN ('', 'TA')"); got != 0 {
		t.Errorf("%d identities stamped with another workspace", got)
	}
	mu.Lock()
	defer mu.Unlock()
	sum := 0
	for _, b := range batches {
		sum += b
	}
	// The stamper may take the first claims before the others come; the
	// rest wait for the gate together: stampBatchMax at most per batch.
	if sum != n || len(batches) > 1+(n+stampBatchMax-1)/stampBatchMax {
		t.Errorf("batches %v: %d stamps, want %d in at most %d transactions", batches, sum, n, 1+(n+stampBatchMax-1)/stampBatchMax)
	}
}

// blockStamper makes d's stamper wait before its next transaction until
// the returned function is called (also at the test's end).
func blockStamper(t *testing.T, d *DB) (unblock func()) {
	free := make(chan struct{})
	var once sync.Once
	d.stamps.writing = func() { <-free }
	unblock = func() { once.Do(func() { close(free) }) }
	t.Cleanup(unblock)
	return unblock
}

// TestStampClaimsGuardWrites: a write transaction writes the stamps
// claimed before it, so that a join's check sees them (a join from
// another workspace with a claimed user id is refused) and a write that
// commits leaves them on disk even while the stamper has not run.
func TestStampClaimsGuardWrites(t *testing.T) {
	ctx := context.Background()
	d, _ := openMemberDB(t)
	marie := mustJoin(t, d, marieInput()) // U1, no workspace: as a linked roster row
	unblock := blockStamper(t, d)
	if got := callerID(t, d, slackID("THOME", "U1")); got != marie.ID {
		t.Fatalf("Marie's first request from THOME: member %d, want %d", got, marie.ID)
	}
	other := MemberInput{Name: "Other", Organization: "ServiceOntario", Order: OrderProvincial, Jurisdiction: "ON",
		SlackID: "U1", Workspace: "TELSE"}
	if _, _, err := d.JoinMember(ctx, other); ErrorCode(err) != ECONFLICT {
		t.Errorf("join of U1 from TELSE with THOME claimed: %v, want ECONFLICT", err)
	}
	if got := countRows(t, d, "SELECT count(*) FROM identities WHERE workspace <> ''"); got != 0 {
		t.Errorf("a refused join left %d stamps on disk", got)
	}
	// A write that commits carries the claims with it.
	mustJoin(t, d, MemberInput{Name: "Nouvelle", Organization: "ServiceOntario", Order: OrderProvincial,
		Jurisdiction: "ON", SlackID: "U2", Workspace: "THOME"})
	if got := countRows(t, d, "SELECT count(*) FROM identities WHERE user_id = 'U1' AND workspace = 'THOME'"); got != 1 {
		t.Errorf("after a join, U1's claimed stamp on disk: %d rows, want 1", got)
	}
	if ws, ok := d.stamps.pending(slackID("", "U1")); ok {
		t.Errorf("claim still pending (%q) after a write wrote it", ws)
	}
	unblock()
}

// TestStampClaimsDroppedWhenFull: claims beyond the stamper's bound are
// dropped: the request still answers as the member, and the member's next
// request, once there is room, claims again.
func TestStampClaimsDroppedWhenFull(t *testing.T) {
	ctx := context.Background()
	d, _ := openMemberDB(t)
	if _, err := d.ImportMembers(ctx, benchRoster(4)); err != nil {
		t.Fatal(err)
	}
	a, b := slackID("TA", rosterID(0)), slackID("TA", rosterID(2))
	d.stamps.max = 1
	wrote := make(chan int, 4)
	d.stamps.wrote = func(n int) { wrote <- n }
	unblock := blockStamper(t, d)
	if callerID(t, d, a) == 0 || callerID(t, d, b) == 0 {
		t.Fatal("first requests answered as strangers")
	}
	if _, ok := d.stamps.pending(b); ok {
		t.Fatalf("%s claimed beyond the bound of 1", b.ID)
	}
	if got := callerID(t, d, slackID("TB", b.ID)); got == 0 {
		t.Errorf("%s (claim dropped, nothing on disk) from TB: a stranger, want the member as before any stamp", b.ID)
	}
	unblock()
	if n := <-wrote; n != 1 {
		t.Fatalf("first batch: %d stamps, want 1", n)
	}
	if callerID(t, d, b) == 0 {
		t.Fatalf("%s's next request: a stranger", b.ID)
	}
	if n := <-wrote; n != 1 {
		t.Fatalf("second batch: %d stamps, want 1", n)
	}
	for _, id := range []Identity{a, b} {
		if ws, _, _ := d.IdentityWorkspace(ctx, slackID("", id.ID)); ws != "TA" {
			t.Errorf("%s's workspace %q, want TA", id.ID, ws)
		}
		if got := callerID(t, d, slackID("TB", id.ID)); got != 0 {
			t.Errorf("%s from TB once stamped TA: member %d, want a stranger", id.ID, got)
		}
	}
}

// BenchmarkCallerFirstRequest is the load tool's who storm in storage:
// each member imported without a workspace sends its first request from
// one, which stamps it.
//
//	go test ./storage -run '^$' -bench CallerFirstRequest -benchmem
func BenchmarkCallerFirstRequest(b *testing.B) {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "copbot.db")
	d, err := Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	const members = 10_000 // every even one has a Slack id
	if _, err := d.ImportMembers(ctx, benchRoster(members)); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := range b.N {
		if i%(members/2) == 0 && i > 0 { // every stamp written: start again
			b.StopTimer()
			d.Close()
			if d, err = Open(ctx, path); err != nil {
				b.Fatal(err)
			}
			if _, err := d.db.ExecContext(ctx, "UPDATE identities SET workspace = ''"); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		id := slackID("TA", rosterID(i%(members/2)*2))
		if c, err := d.CallerByIdentity(ctx, id); err != nil || c.Member == nil {
			b.Fatalf("lookup %d: %+v, %v", i, c, err)
		}
	}
	b.StopTimer()
	d.Close() // writes the stamps left: part of the cost
}

// TestStampedAnswerCachedOnceWritten: the answer to a member's first
// request, read before its stamp, is cached once the stamper has written
// the stamp, so that the next request from there is one small statement
// (in the load tool's who run each member asks twice: both read the
// member); an answer whose stamp wrote nothing, because another process
// stamped the identity first, is not cached.
func TestStampedAnswerCachedOnceWritten(t *testing.T) {
	ctx := context.Background()
	d, _ := openMemberDB(t)
	if _, err := d.ImportMembers(ctx, benchRoster(4)); err != nil {
		t.Fatal(err)
	}
	other, err := Open(ctx, d.path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	var ran []string
	d.lookupRan = func(q string) { ran = append(ran, q) }
	wrote := make(chan int, 4)
	d.stamps.wrote = func(n int) { wrote <- n }

	a := slackID("TA", rosterID(0))
	if callerID(t, d, a) == 0 {
		t.Fatalf("first request of %s: a stranger", a.ID)
	}
	<-wrote
	ran = nil
	if callerID(t, d, a) == 0 {
		t.Fatalf("second request of %s: a stranger", a.ID)
	}
	if len(ran) != 1 || ran[0] != directoryVersionSQL {
		t.Errorf("second request once stamped ran %d statements (%.40q…), want the version alone", len(ran), ran)
	}
	if got := callerID(t, d, slackID("TB", a.ID)); got != 0 {
		t.Errorf("%s from TB: member %d, want a stranger", a.ID, got)
	}

	b := slackID("TA", rosterID(2))
	unblock := blockStamper(t, d)
	if callerID(t, d, b) == 0 {
		t.Fatalf("first request of %s: a stranger", b.ID)
	}
	// Another process stamps b's identity with TB before the claim is
	// written: the claim's UPDATE changes nothing.
	if _, err := other.db.ExecContext(ctx, "UPDATE identities SET workspace = 'TB' WHERE user_id = ?", b.ID); err != nil {
		t.Fatal(err)
	}
	unblock()
	<-wrote
	if got := callerID(t, d, b); got != 0 {
		t.Errorf("%s from TA once TB won on disk: member %d, want a stranger", b.ID, got)
	}
	if got := callerID(t, d, slackID("TB", b.ID)); got == 0 {
		t.Errorf("%s from TB, its workspace on disk: a stranger, want the member", b.ID)
	}
}
