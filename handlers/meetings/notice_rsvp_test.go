package meetings

import (
	"context"
	"strconv"
	"testing"

	"copbot/handlers"
	"copbot/handlers/handlerstest"
)

// noticeButtons is the action ids, values and labels of a post's buttons.
func noticeButtons(r handlers.Reply) []handlers.Button {
	var out []handlers.Button
	for _, b := range r.Blocks {
		if a, ok := b.(handlers.Actions); ok {
			out = append(out, a.Buttons...)
		}
	}
	return out
}

// TestMeetingNoticeOffersRSVP: the notice of a new or moved meeting
// carries the attend/decline buttons, labelled in both languages, so that
// people who cannot type the slash command (a partner organization's, in
// a shared Slack channel) answer from it; a cancellation notice has none,
// and neither has the meeting's link before it opens.
func TestMeetingNoticeOffersRSVP(t *testing.T) {
	e := newMtgEnv(t, nil)
	e.Join("ann", "Ann Lee", "en")
	if r := e.ask("coord", "en", "meeting add 2027-03-10 13:00 Quarterly --link https://meet.example.ca/cop"); r.Kind != "meeting" {
		t.Fatalf("meeting add: %s", mtgKey(r))
	}
	if r := e.ask("coord", "en", "meeting move 1 2027-03-17 13:00"); r.Kind != "meeting" {
		t.Fatalf("meeting move: %s", mtgKey(r))
	}
	if r := e.ask("coord", "en", "meeting cancel 1"); r.Kind != "meeting" {
		t.Fatalf("meeting cancel: %s", mtgKey(r))
	}
	posts := e.poster.Posts("meeting_notice")
	if len(posts) != 3 {
		t.Fatalf("%d notices, want added, moved, cancelled", len(posts))
	}
	want := []handlers.Button{
		{ActionID: "rsvp_yes", Label: "I’ll attend / J’y serai", Value: "1", Style: handlers.StylePrimary},
		{ActionID: "rsvp_no", Label: "Can’t attend / Je ne pourrai pas", Value: "1"},
	}
	for i, p := range posts[:2] {
		got := noticeButtons(p)
		if len(got) != len(want) {
			t.Fatalf("notice %d: buttons %+v, want the two RSVP buttons", i, got)
		}
		for j := range want {
			if got[j] != want[j] {
				t.Errorf("notice %d button %d: %+v, want %+v", i, j, got[j], want[j])
			}
		}
	}
	if got := noticeButtons(posts[2]); len(got) != 0 {
		t.Errorf("the cancellation notice offers %+v", got)
	}
}

// TestRSVPFromTheNotice: a click on the notice's button records the answer.
func TestRSVPFromTheNotice(t *testing.T) {
	e := newMtgEnv(t, nil)
	e.Join("ann", "Ann Lee", "en")
	if r := e.ask("coord", "en", "meeting add 2027-03-10 13:00 Quarterly"); r.Kind != "meeting" {
		t.Fatalf("meeting add: %s", mtgKey(r))
	}
	b := noticeButtons(e.poster.Posts("meeting_notice")[0])
	if len(b) == 0 {
		t.Fatal("the notice has no buttons")
	}
	r := e.Click(handlerstest.User("ann"), b[0].ActionID, b[0].Value)
	id, _ := strconv.ParseInt(b[0].Value, 10, 64)
	rs, err := e.db.RSVPs(context.Background(), id)
	if err != nil || len(rs) != 1 {
		t.Fatalf("after the click (%s): RSVPs %+v, %v", mtgKey(r), rs, err)
	}
}
