package storage_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"copbot/storage"
)

// Lost answers are counted, an attempt a crash left behind counts as one
// when the next takes over, a copy marked uncertain is never claimed again
// until a coordinator resolves it, and a refusal is not a lost answer.
func TestDeliveryLostAttemptsAndUncertainty(t *testing.T) {
	d, clock := openMeetingsDB(t)
	ctx := context.Background()
	const key = "reminder:7"
	get := func(p storage.Platform) *storage.Delivery {
		t.Helper()
		ds, err := d.Deliveries(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		for _, dl := range ds {
			if dl.Platform == p {
				return dl
			}
		}
		t.Fatalf("no %s delivery", p)
		return nil
	}
	teams := storage.PlatformTeams
	begin := func() error { _, err := d.BeginDelivery(ctx, key, teams); return err }
	steps := []struct {
		name        string
		do          func() error
		status      storage.DeliveryStatus
		lost, lost2 int // Lost, LostAttempts()
		code        string
	}{
		{"first attempt", begin, storage.DeliveryAttempting, 0, 1, ""},
		{"refused: not lost", func() error { return d.RecordDeliveryFailure(ctx, key, teams, storage.FailureRefused, "HTTP 502") },
			storage.DeliveryFailed, 0, 0, storage.FailureRefused},
		{"second attempt", begin, storage.DeliveryAttempting, 0, 1, storage.FailureRefused},
		{"its answer lost", func() error { return d.RecordDeliveryFailure(ctx, key, teams, storage.FailureLost, "") },
			storage.DeliveryFailed, 1, 1, storage.FailureLost},
		{"third attempt", begin, storage.DeliveryAttempting, 1, 2, storage.FailureLost},
		{"a crash: the next attempt takes over", begin, storage.DeliveryAttempting, 2, 3, storage.FailureLost},
		{"given up", func() error { return d.MarkDeliveryUncertain(ctx, key, teams) }, storage.DeliveryUncertain, 2, 2, storage.FailureLost},
	}
	for _, s := range steps {
		clock.Add(time.Second)
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		g := get(teams)
		if g.Status != s.status || g.Lost != s.lost || g.LostAttempts() != s.lost2 || g.ErrorCode != s.code {
			t.Fatalf("%s: %s lost %d (%d) code %q; want %s lost %d (%d) code %q", s.name, g.Status, g.Lost,
				g.LostAttempts(), g.ErrorCode, s.status, s.lost, s.lost2, s.code)
		}
	}
	if err := begin(); errKey(err) != "delivery_error_uncertain" {
		t.Errorf("an attempt on an uncertain copy: %v, want delivery_error_uncertain", err)
	}
	if _, err := d.ResolveDelivery(ctx, "reminder:8", teams, true, "slack:UCOORD"); errKey(err) != "delivery_error_not_found" {
		t.Errorf("resolving a copy never tried: %v, want delivery_error_not_found", err)
	}
	// The coordinator found it missing: one more attempt, lost attempts forgotten.
	dl, err := d.ResolveDelivery(ctx, key, teams, false, "slack:UCOORD")
	if err != nil || dl.Status != storage.DeliveryFailed || dl.Lost != 0 || dl.ErrorCode != storage.FailureRepost || dl.ResolvedBy != "slack:UCOORD" {
		t.Fatalf("resolved missing: %+v, %v", dl, err)
	}
	if err := begin(); err != nil {
		t.Fatalf("the attempt asked for: %v", err)
	}
	if err := d.RecordDeliveryFailure(ctx, key, teams, storage.FailureLost, ""); err != nil {
		t.Fatal(err)
	}
	if err := d.MarkDeliveryUncertain(ctx, key, teams); err != nil {
		t.Fatal(err)
	}
	if un, err := d.UncertainDeliveries(ctx); err != nil || len(un) != 1 || un[0].Key != key {
		t.Fatalf("uncertain deliveries %+v, %v", un, err)
	}
	// Then they saw it in the channel: sent, with no message id.
	dl, err = d.ResolveDelivery(ctx, key, teams, true, "teams:coord")
	if err != nil || dl.Status != storage.DeliverySent || dl.Ref.ID != "" || dl.ErrorCode != "" || dl.ResolvedBy != "teams:coord" {
		t.Fatalf("resolved posted: %+v, %v", dl, err)
	}
	if _, err := d.ResolveDelivery(ctx, key, teams, false, "teams:coord"); errKey(err) != "delivery_error_not_uncertain" {
		t.Errorf("resolving a sent copy: %v, want delivery_error_not_uncertain", err)
	}
	if err := begin(); errKey(err) != "delivery_error_sent" {
		t.Errorf("an attempt on a confirmed copy: %v, want delivery_error_sent", err)
	}
	if un, err := d.UncertainDeliveries(ctx); err != nil || len(un) != 0 {
		t.Errorf("uncertain deliveries after resolving %+v, %v", un, err)
	}
}

// A poll's card is unfinished while a copy is attempting or failed, or was
// sent without the poll recording it; an uncertain copy waits for a
// coordinator instead, and a deleted poll has no card to finish.
func TestUnfinishedPollCards(t *testing.T) {
	d, _ := openMeetingsDB(t)
	ctx := context.Background()
	newPoll := func() int64 {
		p, err := d.CreatePoll(ctx, storage.PollInput{Question: "Theme?", Options: []string{"A", "B"}, Language: "en",
			Creator: storage.Identity{Platform: storage.PlatformSlack, ID: "UCOORD"}})
		if err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	ids := make([]int64, 6)
	for i := range ids {
		ids[i] = newPoll()
	}
	slack := storage.PlatformSlack
	ref := func(id int64) storage.PostRef {
		return storage.PostRef{Platform: slack, Channel: "C1", ID: "1700000000.00000" + strconv.FormatInt(id, 10)}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	begin := func(id int64) { _, err := d.BeginDelivery(ctx, storage.PollCardKey(id), slack); must(err) }
	// 0: posted and recorded; 1: attempting (a crash); 2: failed;
	// 3: sent, not recorded; 4: uncertain; 5: deleted while attempting.
	for _, id := range ids {
		begin(id)
	}
	must(d.RecordDeliverySent(ctx, storage.PollCardKey(ids[0]), ref(ids[0])))
	must(d.AddPollMessage(ctx, ids[0], storage.PollMessage{Platform: slack, Channel: "C1", MessageID: ref(ids[0]).ID}))
	must(d.RecordDeliveryFailure(ctx, storage.PollCardKey(ids[2]), slack, storage.FailureNotSent, ""))
	must(d.RecordDeliverySent(ctx, storage.PollCardKey(ids[3]), ref(ids[3])))
	must(d.RecordDeliveryFailure(ctx, storage.PollCardKey(ids[4]), slack, storage.FailureLost, ""))
	must(d.MarkDeliveryUncertain(ctx, storage.PollCardKey(ids[4]), slack))
	must(d.DeletePoll(ctx, ids[5]))
	got, err := d.UnfinishedPollCards(ctx)
	must(err)
	var gotIDs []int64
	for _, u := range got {
		gotIDs = append(gotIDs, u.ID)
		if u.StartedAt.IsZero() {
			t.Errorf("poll %d: no start time", u.ID)
		}
	}
	if want := []int64{ids[1], ids[2], ids[3]}; len(gotIDs) != 3 || gotIDs[0] != want[0] || gotIDs[1] != want[1] || gotIDs[2] != want[2] {
		t.Errorf("unfinished cards %v, want %v", gotIDs, want)
	}
}
