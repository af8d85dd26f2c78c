package storage_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"copbot/storage"
)

func join(t *testing.T, d *storage.DB, name, org string, o storage.Order, j, console string) *storage.Member {
	t.Helper()
	m, _, err := d.JoinMember(context.Background(), storage.MemberInput{Name: name, Organization: org, Order: o,
		Jurisdiction: j, ConsoleID: console})
	if err != nil {
		t.Fatalf("join %s: %v", name, err)
	}
	return m
}

func TestMeetingRecordEditAndAttendance(t *testing.T) {
	ctx := context.Background()
	d, clock := openMeetingsDB(t)
	m, err := d.CreateMeeting(ctx, meetingIn(meetingsT0.Add(time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	a := join(t, d, "Ann", "ESDC", storage.OrderFederal, "CA", "ann")
	b := join(t, d, "Bob", "ServiceOntario", storage.OrderProvincial, "ON", "bob")
	for _, id := range []int64{a.ID, b.ID} {
		if err := d.SetRSVP(ctx, m.ID, id, storage.RSVPYes); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d.RecordMeeting(ctx, m.ID, storage.RecordUpdate{}); errKey(err) != "record_error_future" {
		t.Fatalf("record before start: got %v, want record_error_future", err)
	}
	clock.Add(2 * time.Hour)
	panel := storage.FormatPanel
	r, err := d.RecordMeeting(ctx, m.ID, storage.RecordUpdate{Format: &panel, Panelists: []string{"ESDC", " Service Ontario "},
		AddPoints: []string{"one", "two", "three"}, By: "console:alice"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r.Attendees(), 2; got != want {
		t.Errorf("attendees pre-filled from RSVPs: got %d, want %d", got, want)
	}
	n := 17
	if _, err := d.RecordMeeting(ctx, m.ID, storage.RecordUpdate{RemovePoint: 2, Attendance: &n}); err != nil {
		t.Fatal(err)
	}
	bad := storage.MeetingFormat("party")
	if _, err := d.RecordMeeting(ctx, m.ID, storage.RecordUpdate{Format: &bad, AddPoints: []string{"x"}}); errKey(err) != "record_error_format" {
		t.Fatalf("bad format: got %v", err)
	}
	if _, err := d.RecordMeeting(ctx, m.ID, storage.RecordUpdate{RemovePoint: 9}); errKey(err) != "record_error_point" {
		t.Fatalf("bad point: got %v", err)
	}
	got, err := d.MeetingRecordOf(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"one", "three"}; !slices.Equal(got.KeyPoints, want) {
		t.Errorf("key points: got %q, want %q (bad updates must change nothing)", got.KeyPoints, want)
	}
	if want := []string{"ESDC", "Service Ontario"}; !slices.Equal(got.Panelists, want) {
		t.Errorf("panelists: got %q, want %q", got.Panelists, want)
	}
	if got.Attendees() != 17 || got.Format != storage.FormatPanel || !got.Held {
		t.Errorf("record: got %+v", got)
	}
}

func TestCoverageChallengeFollowsMembers(t *testing.T) {
	ctx := context.Background()
	d, _ := openMeetingsDB(t)
	codes := func() string {
		c, err := d.SyncCoverageChallenge(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if c == nil {
			return "closed"
		}
		return strings.Join(c.Jurisdictions, ",")
	}
	if got, want := codes(), "NL,PE,NS,NB,QC,ON,MB,SK,AB,BC,YT,NT,NU"; got != want {
		t.Fatalf("empty community: got %s, want %s", got, want)
	}
	var last *storage.Member
	for i, j := range []string{"NL", "PE", "NS", "NB", "QC", "ON", "MB", "SK", "AB", "BC", "YT", "NT"} {
		last = join(t, d, "P"+j, "Ministry "+j, storage.OrderProvincial, j, "c"+string(rune('a'+i)))
	}
	if got, want := codes(), "NU"; got != want {
		t.Fatalf("after joins: got %s, want %s", got, want)
	}
	join(t, d, "Nu", "City of Iqaluit", storage.OrderMunicipal, "NU", "nu")
	if got := codes(); got != "closed" {
		t.Fatalf("all covered: got %s, want closed", got)
	}
	if err := d.LeaveMember(ctx, last.ID); err != nil {
		t.Fatal(err)
	}
	if got, want := codes(), "NT"; got != want {
		t.Fatalf("after a departure: got %s, want %s", got, want)
	}
	all, err := d.Challenges(ctx, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || !all[0].Open || all[1].Open {
		t.Errorf("challenges: want a new open one and the closed one, got %+v %+v", all[0], all[1])
	}
}

func TestManualChallenges(t *testing.T) {
	ctx := context.Background()
	d, clock := openMeetingsDB(t)
	if _, err := d.AddChallenge(ctx, storage.ChallengeInput{Problem: "x", Criticality: "urgent"}); errKey(err) != "challenge_error_criticality" {
		t.Fatalf("bad criticality: got %v", err)
	}
	c, err := d.AddChallenge(ctx, storage.ChallengeInput{Problem: "Low turnout", Criticality: storage.CriticalityMedium,
		Incidence: "Fewer voices", ActionPlan: "Survey members"})
	if err != nil {
		t.Fatal(err)
	}
	high := storage.CriticalityHigh
	if _, err := d.UpdateChallenge(ctx, c.ID, storage.ChallengeUpdate{Criticality: &high}); err != nil {
		t.Fatal(err)
	}
	clock.Add(48 * time.Hour)
	if _, err := d.CloseChallenge(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := d.CloseChallenge(ctx, c.ID); errKey(err) != "challenge_error_closed" {
		t.Fatalf("close twice: got %v", err)
	}
	tests := []struct {
		name     string
		from, to time.Time
		want     int
	}{
		{"period covering it", meetingsT0, meetingsT0.Add(time.Hour), 1},
		{"period after it closed", meetingsT0.Add(72 * time.Hour), meetingsT0.Add(96 * time.Hour), 0},
		{"period before it opened", meetingsT0.Add(-96 * time.Hour), meetingsT0.Add(-time.Hour), 0},
	}
	for _, tt := range tests {
		got, err := d.Challenges(ctx, tt.from, tt.to)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != tt.want {
			t.Errorf("%s: got %d challenges, want %d", tt.name, len(got), tt.want)
		}
	}
}

func TestInvitationAcceptedByJoin(t *testing.T) {
	ctx := context.Background()
	d, clock := openMeetingsDB(t)
	due := meetingsT0.Add(24 * time.Hour)
	yt, err := d.AddInvitation(ctx, storage.InvitationInput{Target: "YT", Contact: "Deputy minister's office",
		SentOn: "2027-02-01", FollowUpAt: due, CreatedBy: "console:alice"})
	if err != nil {
		t.Fatal(err)
	}
	nu, err := d.AddInvitation(ctx, storage.InvitationInput{Target: "NU", Contact: "Council member", SentOn: "2027-02-01"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.AddInvitation(ctx, storage.InvitationInput{Target: "XX", Contact: "x", SentOn: "2027-02-01"}); errKey(err) != "outreach_error_target" {
		t.Fatalf("bad target: got %v", err)
	}
	due1, _ := d.Invitations(ctx, storage.InvitationFilter{DueReminder: true})
	if len(due1) != 1 || due1[0].ID != yt.ID {
		t.Fatalf("due reminders: got %+v", due1)
	}
	ok, err := d.MarkInvitationReminded(ctx, yt.ID, due)
	if err != nil || !ok {
		t.Fatalf("mark reminded: %v %v", ok, err)
	}
	if ok, _ := d.MarkInvitationReminded(ctx, yt.ID, due); ok {
		t.Error("reminded twice")
	}
	clock.Add(time.Hour)
	m := join(t, d, "Yuki", "Government of Yukon", storage.OrderProvincial, "YT", "yuki")
	got, err := d.Invitations(ctx, storage.InvitationFilter{MemberID: m.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != yt.ID || got[0].Status != storage.InvitationAccepted {
		t.Fatalf("joining from YT: got %+v, want invitation %d accepted", got, yt.ID)
	}
	pending, _ := d.Invitations(ctx, storage.InvitationFilter{Status: storage.InvitationPending})
	if len(pending) != 1 || pending[0].ID != nu.ID {
		t.Errorf("pending: got %+v, want only %d", pending, nu.ID)
	}
}

func TestMembershipHistoryAsOf(t *testing.T) {
	ctx := context.Background()
	d, clock := openMeetingsDB(t)
	a := join(t, d, "Ann", "ESDC", storage.OrderFederal, "CA", "ann")
	join(t, d, "Al", "ESDC", storage.OrderFederal, "CA", "al")
	clock.Add(24 * time.Hour)
	b := join(t, d, "Bob", "Toronto", storage.OrderMunicipal, "ON", "bob")
	mid := clock.Now().Add(time.Second)
	clock.Add(24 * time.Hour)
	if err := d.LeaveMember(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	ord, place := storage.OrderProvincial, "QC"
	org := "Services Québec"
	clock.Add(time.Hour)
	if _, err := d.UpdateMember(ctx, b.ID, storage.MemberUpdate{Order: &ord, Jurisdiction: &place, Organization: &org}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name                   string
		before                 time.Time
		people, fed, prov, mun int
		fedOrgs                int
	}{
		{"mid-way", mid, 3, 2, 0, 1, 1},
		{"now", time.Time{}, 2, 1, 1, 0, 1},
	}
	for _, tt := range tests {
		ev, err := d.MembershipHistory(ctx, tt.before)
		if err != nil {
			t.Fatal(err)
		}
		s := storage.StatsFromHistory(ev)
		got := []int{s.People, s.PeopleByOrder[storage.OrderFederal], s.PeopleByOrder[storage.OrderProvincial],
			s.PeopleByOrder[storage.OrderMunicipal], s.Organizations[storage.OrderFederal]}
		want := []int{tt.people, tt.fed, tt.prov, tt.mun, tt.fedOrgs}
		if !slices.Equal(got, want) {
			t.Errorf("%s: got %v, want %v", tt.name, got, want)
		}
	}
	live, _ := d.Stats(ctx)
	ev, _ := d.MembershipHistory(ctx, time.Time{})
	if h := storage.StatsFromHistory(ev); h.People != live.People || h.Jurisdictions != live.Jurisdictions {
		t.Errorf("history %+v disagrees with live stats %+v", h, live)
	}
}
