package storage_test

import (
	"context"
	"testing"
	"time"

	"copbot/storage"
)

// The delivery ledger: an intent is recorded before each attempt, stays
// uncertain until a sent record, is kept per platform, and a sent copy is
// never attempted again.
func TestDeliveryLedger(t *testing.T) {
	d, clock := openMeetingsDB(t)
	ctx := context.Background()
	const key = "reminder:1"
	t0 := clock.Now().UTC().Truncate(time.Second)
	state := func() map[storage.Platform]storage.Delivery {
		t.Helper()
		ds, err := d.Deliveries(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		out := map[storage.Platform]storage.Delivery{}
		for _, dl := range ds {
			out[dl.Platform] = *dl
		}
		return out
	}
	if _, err := d.BeginDelivery(ctx, key, storage.PlatformSlack); err != nil {
		t.Fatal(err)
	}
	if _, err := d.BeginDelivery(ctx, key, storage.PlatformTeams); err != nil {
		t.Fatal(err)
	}
	clock.Add(5 * time.Second)
	slackRef := storage.PostRef{Platform: storage.PlatformSlack, Channel: "C1", ID: "1700000000.000001"}
	if err := d.RecordDeliverySent(ctx, key, slackRef); err != nil {
		t.Fatal(err)
	}
	if err := d.RecordDeliveryFailed(ctx, key, storage.PlatformTeams, "teams post: 502"); err != nil {
		t.Fatal(err)
	}
	clock.Add(5 * time.Second)
	if _, err := d.BeginDelivery(ctx, key, storage.PlatformSlack); storage.ErrorCode(err) != storage.ECONFLICT {
		t.Errorf("a second attempt on a sent copy: err %v, want a conflict", err)
	}
	again, err := d.BeginDelivery(ctx, key, storage.PlatformTeams)
	if err != nil {
		t.Fatal(err)
	}
	got := state()
	tests := []struct {
		p                   storage.Platform
		status              storage.DeliveryStatus
		attempts            int
		first, started      time.Time
		ref                 storage.PostRef
		uncertain, hasError bool
	}{
		{storage.PlatformSlack, storage.DeliverySent, 1, t0, t0, slackRef, false, false},
		{storage.PlatformTeams, storage.DeliveryAttempting, 2, t0, t0.Add(10 * time.Second),
			storage.PostRef{Platform: storage.PlatformTeams}, true, true},
	}
	for _, tt := range tests {
		g := got[tt.p]
		if g.Status != tt.status || g.Attempts != tt.attempts || !g.FirstAt.Equal(tt.first) ||
			!g.StartedAt.Equal(tt.started) || g.Ref != tt.ref || g.Uncertain() != tt.uncertain || (g.LastError != "") != tt.hasError {
			t.Errorf("%s: got %+v (uncertain %v), want %+v", tt.p, g, g.Uncertain(), tt)
		}
	}
	if again.Attempts != 2 || again.Status != storage.DeliveryAttempting {
		t.Errorf("BeginDelivery returned %+v, want the second attempting row", again)
	}
	// A sent record is final: a later look-up result does not move the ref.
	if err := d.RecordDeliverySent(ctx, key, storage.PostRef{Platform: storage.PlatformSlack, Channel: "C1", ID: "other"}); err != nil {
		t.Fatal(err)
	}
	if g := state()[storage.PlatformSlack]; g.Ref != slackRef {
		t.Errorf("slack ref after a second sent record = %+v, want %+v", g.Ref, slackRef)
	}
}

// A dead process's claim is recovered within seconds: the lease is short
// and lives on only while its owner renews it (its heartbeat). Before
// issue 9 a dead claimer held a reminder for two minutes.
func TestDeadClaimRecoveredWithinSeconds(t *testing.T) {
	d, clock := openMeetingsDB(t)
	ctx := context.Background()
	if _, err := d.CreateMeeting(ctx, meetingIn(meetingsT0.Add(48*time.Hour), 24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	r := pendingWith(t, d, 24*time.Hour)
	claim := func(owner string) string {
		_, _, _, err := d.ClaimReminder(ctx, r.ID, owner)
		return errKey(err)
	}
	renew := func(owner string) string { return errKey(d.RenewReminderClaim(ctx, r.ID, owner)) }
	steps := []struct {
		name string
		at   time.Duration // after the due time, on the injected clock
		do   func() string
		want string
	}{
		{"A claims", 0, func() string { return claim("A") }, ""},
		{"A's heartbeat", 10 * time.Second, func() string { return renew("A") }, ""},
		{"B refused while A beats", 20 * time.Second, func() string { return claim("B") }, "reminder_error_claimed"},
		// A dies here: no heartbeat after 10 s.
		{"B takes over 16 s after A's last beat", 26 * time.Second, func() string { return claim("B") }, ""},
		{"A's late heartbeat learns it lost the lease", 27 * time.Second, func() string { return renew("A") }, "reminder_error_claimed"},
		{"B's heartbeat holds", 30 * time.Second, func() string { return renew("B") }, ""},
	}
	for _, s := range steps {
		clock.Set(r.DueAt.Add(s.at))
		if got := s.do(); got != s.want {
			t.Fatalf("%s: error %q, want %q", s.name, got, s.want)
		}
	}
	if storage.ReminderLease > 20*time.Second {
		t.Errorf("ReminderLease = %v: a dead claim holds its reminder that long", storage.ReminderLease)
	}
}

// TestPruneDeliveries is a leftover of issue 16: the ledger was never
// pruned. Rows untouched since the cut-off go, except those still
// attempting, whose outcome start-up reconciliation must learn first.
func TestPruneDeliveries(t *testing.T) {
	d, clock := openMeetingsDB(t)
	ctx := context.Background()
	ref := func(key string) storage.PostRef {
		return storage.PostRef{Platform: storage.PlatformSlack, Channel: "C1", ID: key}
	}
	begin := func(key string) {
		t.Helper()
		if _, err := d.BeginDelivery(ctx, key, storage.PlatformSlack); err != nil {
			t.Fatal(err)
		}
	}
	begin("old-sent")
	if err := d.RecordDeliverySent(ctx, "old-sent", ref("old-sent")); err != nil {
		t.Fatal(err)
	}
	begin("old-failed")
	if err := d.RecordDeliveryFailed(ctx, "old-failed", storage.PlatformSlack, "timeout"); err != nil {
		t.Fatal(err)
	}
	begin("old-attempting")
	begin("retried") // failed long ago, attempted again since: touched
	if err := d.RecordDeliveryFailed(ctx, "retried", storage.PlatformSlack, "timeout"); err != nil {
		t.Fatal(err)
	}
	clock.Add(40 * 24 * time.Hour)
	cut := clock.Now().Add(-30 * 24 * time.Hour)
	begin("retried")
	begin("new-sent")
	if err := d.RecordDeliverySent(ctx, "new-sent", ref("new-sent")); err != nil {
		t.Fatal(err)
	}
	n, err := d.PruneDeliveries(ctx, cut)
	if err != nil || n != 2 {
		t.Fatalf("PruneDeliveries = %d, %v; want the old sent and old failed rows (2)", n, err)
	}
	for key, want := range map[string]int{"old-sent": 0, "old-failed": 0, "old-attempting": 1, "retried": 1, "new-sent": 1} {
		if ds, err := d.Deliveries(ctx, key); err != nil || len(ds) != want {
			t.Errorf("%s: %d rows (%v), want %d", key, len(ds), err, want)
		}
	}
	if n, err := d.PruneDeliveries(ctx, cut); err != nil || n != 0 {
		t.Errorf("pruning again = %d, %v; want nothing", n, err)
	}
}
