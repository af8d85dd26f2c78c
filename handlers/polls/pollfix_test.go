package polls

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"copbot/handlers"
	"copbot/storage"
)

// Regression tests of the review fixes to polls (H3).

// ptSetClock pins the service's and the database's clock to at.
func (e *ptEnv) ptSetClock(at time.Time) { e.Clock.Pin(at) }

// ptContexts lists the Context texts of r.
func ptContexts(r handlers.Reply) []string {
	var out []string
	for _, b := range r.Blocks {
		if c, ok := b.(handlers.Context); ok {
			out = append(out, c.Text)
		}
	}
	return out
}

// A member who voted and then left keeps their vote in the tally, but the
// turnout counts only today's members: never "3 of 2 members voted".
func TestPollTurnoutLeavesOutLeftMembers(t *testing.T) {
	e := newPtEnv(t)
	var members []*storage.Member
	for i := range 3 {
		members = append(members, e.join(fmt.Sprintf("m%d", i), fmt.Sprintf("Member %d", i), "en"))
	}
	p := e.create(`"Theme?" "A" "B"`)
	id := fmt.Sprint(p.ID)
	for i := range members {
		ptHas(t, e.ask(ptUser(fmt.Sprintf("m%d", i)), "vote "+id+" 1"), "Your vote for “A” is recorded.")
	}
	if err := e.db.LeaveMember(context.Background(), members[2].ID); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		who  storage.Identity
		line string
		want []string
	}{
		{ptUser("m0"), "poll " + id, []string{"2 of 2 members voted", "3 votes"}},
		{ptCoordinator, "polls", []string{"#" + id + " Theme? — 2 of 2 members voted"}},
		{ptUser("m1"), "vote " + id + " 2", []string{"Your vote moved to “B”.", "2 of 2 members voted"}},
	}
	for _, tt := range tests {
		r := e.ask(tt.who, tt.line)
		ptHas(t, r, tt.want...)
		if strings.Contains(r.Text, "3 of 2") {
			t.Errorf("%s: turnout counts the member who left:\n%s", tt.line, r.Text)
		}
	}
	ptHas(t, e.ask(ptCoordinator, "poll close "+id), "is closed and its result is posted")
	results := e.fake.Posts("poll_result")
	if len(results) != 1 {
		t.Fatalf("%d result posts, want 1", len(results))
	}
	ptHas(t, results[0], "wins with 2 votes (67% of voters)", "2 of 2 members voted", "2 membres sur 2 ont voté")
}

// A poll card's deadline reads as each language writes a date, with the
// zone named in that language, including the fallback of the Time block;
// a date alone closes at 23:59 on the wall clock even when the clocks
// change that day.
func TestPollCardDeadlineInBothLanguages(t *testing.T) {
	tests := []struct {
		date   string
		en, fr string
	}{
		{"2027-03-14", "Sunday, March 14, 2027 at 11:59 p.m. EDT", "dimanche 14 mars 2027 à 23\u00a0h\u00a059 HAE"},
		{"2027-11-07", "Sunday, November 7, 2027 at 11:59 p.m. EST", "dimanche 7 novembre 2027 à 23\u00a0h\u00a059 HNE"},
	}
	for _, tt := range tests {
		t.Run(tt.date, func(t *testing.T) {
			e := newPtEnv(t)
			e.ptSetClock(time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC))
			e.create(`"Theme?" "A" "B" --closes ` + tt.date)
			card := e.fake.Posts("poll")[0]
			ctx := ptContexts(card)
			if len(ctx) != 2 {
				t.Fatalf("card has %d context lines, want English and French: %q", len(ctx), ctx)
			}
			if want := "Closes " + tt.en; !strings.Contains(ctx[0], want) {
				t.Errorf("English small print lacks %q:\n%s", want, ctx[0])
			}
			if want := "Fermeture" + nbsp + ": " + tt.fr; !strings.Contains(ctx[1], want) {
				t.Errorf("French small print lacks %q:\n%s", want, ctx[1])
			}
			for _, abbr := range []string{"EDT", "EST"} {
				if strings.Contains(ctx[1], abbr) {
					t.Errorf("French small print names the zone %s:\n%s", abbr, ctx[1])
				}
			}
			// Issue 11, item 6: once per language, not three times.
			for _, b := range card.Blocks {
				if _, ok := b.(handlers.Time); ok {
					t.Errorf("card repeats the deadline in a Time block: %+v", b)
				}
			}
			for _, when := range []string{tt.en, tt.fr} {
				if n := strings.Count(card.Text, when); n != 1 {
					t.Errorf("card gives %q %d times, want once:\n%s", when, n, card.Text)
				}
			}
		})
	}
}

// If the store cannot record where the poll was posted, the poll is
// deleted (its creator is told it failed) and the message already posted
// is rewritten as withdrawn, so that no live buttons point at nothing.
func TestPollPostNotRecordedIsWithdrawn(t *testing.T) {
	e := newPtEnv(t)
	// Another connection to the same file makes every insert into
	// poll_messages fail, as a full disk or an I/O error would.
	raw, err := sql.Open("sqlite", "file:"+e.Path+"?"+url.Values{"_pragma": {"busy_timeout(10000)"}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`CREATE TRIGGER poll_messages_fail BEFORE INSERT ON poll_messages
		BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END`); err != nil {
		t.Fatal(err)
	}
	r := e.ask(ptCoordinator, `poll "Theme?" "A" "B"`)
	if r.Kind != "error" {
		t.Fatalf("reply %s %q, want an error", r.Kind, r.Text)
	}
	ptHas(t, r, "could not be posted", "nothing was saved")
	if polls, err := e.db.FindPolls(context.Background(), storage.PollFilter{}); err != nil || len(polls) != 0 {
		t.Errorf("FindPolls = %d polls, %v; want none", len(polls), err)
	}
	if n := len(e.fake.Posts("poll")); n != 1 {
		t.Fatalf("%d poll posts, want the 1 that went out", n)
	}
	ups := e.fake.Updates()
	if len(ups) != 1 {
		t.Fatalf("%d updates, want the posted card rewritten once", len(ups))
	}
	if ups[0].Ref.ID != "1700000000.000001" || len(ptButtons(ups[0].Reply)) != 0 {
		t.Errorf("update %+v, want the posted message, without buttons", ups[0])
	}
	ptHas(t, ups[0].Reply, "Poll #1 was withdrawn", "Le sondage nº"+nbsp+"1 a été retiré")
}
