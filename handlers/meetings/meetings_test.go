package meetings

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"copbot/handlers"
	"copbot/storage"
)

func TestMeetingAdd(t *testing.T) {
	tor := mtgToronto(t)
	halifax, _ := time.LoadLocation("America/Halifax")
	tests := []struct {
		name      string
		lang      string
		text      string
		wantStart time.Time
		wantZone  string
		check     func(t *testing.T, m *storage.Meeting)
		replyHas  []string
	}{
		{"plain, community zone", "en", "meeting add 2027-03-17 13:00 Quarterly meeting",
			time.Date(2027, 3, 17, 13, 0, 0, 0, tor), "America/Toronto",
			func(t *testing.T, m *storage.Meeting) {
				if m.Title != "Quarterly meeting" || m.Duration != 90*time.Minute {
					t.Errorf("title %q duration %s", m.Title, m.Duration)
				}
			},
			[]string{"Meeting #1 is scheduled.", "Wednesday, March 17, 2027 at 1:00 p.m. EDT", "14 days, 1 day and 1 hour before"}},
		{"flags and explicit zone", "en",
			`meeting add 2027-03-17 14:00 America/Halifax Atlantic session --duration 2h --theme "Serving vulnerable communities" --agenda "1. Welcome; 2. Panel" --link=https://meet.example.ca/x`,
			time.Date(2027, 3, 17, 14, 0, 0, 0, halifax), "America/Halifax",
			func(t *testing.T, m *storage.Meeting) {
				if m.Title != "Atlantic session" || m.Duration != 2*time.Hour || m.Theme != "Serving vulnerable communities" ||
					m.Agenda != "1. Welcome; 2. Panel" || m.Link != "https://meet.example.ca/x" {
					t.Errorf("stored %+v", m)
				}
			},
			[]string{"2:00 p.m. ADT", "1:00 p.m. EDT in the community’s time zone"}},
		{"French, French flags, no title", "fr", `réunion ajouter 2027-06-16 13h00 --thème « Accessibilité » --durée 45m`,
			time.Date(2027, 6, 16, 13, 0, 0, 0, tor), "America/Toronto",
			func(t *testing.T, m *storage.Meeting) {
				if m.Title != "" || m.Theme != "Accessibilité" || m.Duration != 45*time.Minute {
					t.Errorf("stored %+v", m)
				}
			},
			[]string{"La réunion nº 1 est prévue.", "Réunion de la communauté de pratique", "mercredi 16 juin 2027 à 13\u00a0h HAE", "45 minutes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newMtgEnv(t, nil)
			r := e.ask("coord", tt.lang, tt.text)
			if r.Kind != "meeting" {
				t.Fatalf("reply %s", mtgKey(r))
			}
			mtgHas(t, r, tt.replyHas...)
			ms := e.meetings()
			if len(ms) != 1 {
				t.Fatalf("%d meetings stored, want 1", len(ms))
			}
			if !ms[0].StartsAt.Equal(tt.wantStart) || ms[0].Zone != tt.wantZone {
				t.Errorf("start %s %s, want %s %s", ms[0].StartsAt, ms[0].Zone, tt.wantStart.UTC(), tt.wantZone)
			}
			tt.check(t, ms[0])
		})
	}
}

func TestMeetingAddRefusals(t *testing.T) {
	tests := []struct {
		name, user, lang, text, want string
	}{
		{"not a coordinator", "ana", "en", "meeting add 2027-03-17 13:00 x", "Only coordinators"},
		{"not a coordinator, French", "zoe", "fr", "réunion ajouter 2027-03-17 13:00 x", "Seule l’équipe de coordination peut faire cela"},
		{"bad date", "coord", "en", "meeting add 2027-02-30 13:00", "“2027-02-30” is not a date"},
		{"bad time", "coord", "en", "meeting add 2027-03-17 25:00", "“25:00” is not a time"},
		{"missing time", "coord", "fr", "réunion ajouter 2027-03-17", "Indiquez la date et l’heure"},
		{"unknown zone", "coord", "en", "meeting add 2027-03-17 13:00 America/Atlantis", "“America/Atlantis” is not a time zone"},
		{"time skipped by DST", "coord", "en", "meeting add 2027-03-14 02:30", "the clocks jump forward"},
		{"past", "coord", "en", "meeting add 2027-01-20 13:00", "already passed"},
		{"bad duration", "coord", "fr", "réunion ajouter 2027-03-17 13:00 --durée 3jours", "«\u00a03jours\u00a0» n’est pas une durée"},
		{"bad link", "coord", "en", "meeting add 2027-03-17 13:00 --link javascript:alert(1)", "is not a web link"},
		{"unknown flag", "coord", "en", "meeting add 2027-03-17 13:00 --room B", "I don’t know the option --room"},
		{"flag without value", "coord", "en", "meeting add 2027-03-17 13:00 --theme", "needs a value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newMtgEnv(t, nil)
			e.join("ana", "Ana", "en")
			r := e.ask(tt.user, tt.lang, tt.text)
			if r.Kind != "error" || !strings.Contains(r.Text, tt.want) {
				t.Errorf("reply %s, want an error containing %q", mtgKey(r), tt.want)
			}
			if n := len(e.meetings()); n != 0 {
				t.Errorf("%d meetings stored after a refusal", n)
			}
		})
	}
}

func TestMeetingPlan2027(t *testing.T) {
	e := newMtgEnv(t, nil)
	r := e.ask("coord", "en", "meeting plan 2027")
	if r.Kind != "meeting_plan" {
		t.Fatalf("reply %s", mtgKey(r))
	}
	tor := mtgToronto(t)
	want := []time.Time{ // third Wednesdays
		time.Date(2027, 3, 17, 13, 0, 0, 0, tor), time.Date(2027, 6, 16, 13, 0, 0, 0, tor),
		time.Date(2027, 9, 15, 13, 0, 0, 0, tor), time.Date(2027, 12, 15, 13, 0, 0, 0, tor),
	}
	ms := e.meetings()
	if len(ms) != len(want) {
		t.Fatalf("%d meetings, want 4", len(ms))
	}
	for i, m := range ms {
		if !m.StartsAt.Equal(want[i]) || m.Zone != "America/Toronto" || m.StartsAt.In(tor).Weekday() != time.Wednesday {
			t.Errorf("meeting %d at %s, want %s", i, m.StartsAt.In(tor), want[i])
		}
	}
	mtgHas(t, r, "Wednesday, December 15, 2027 at 1:00 p.m. EST: created")
	// Planning again creates nothing; each month says why.
	again := e.ask("coord", "fr", "réunion planifier 2027")
	mtgHas(t, again, "ignorée, la réunion nº 1 est déjà prévue ce mois-là", "mercredi 15 décembre 2027 à 13\u00a0h HNE")
	if n := len(e.meetings()); n != 4 {
		t.Errorf("after planning twice: %d meetings, want 4", n)
	}
}

func TestMeetingPlanSkipsPastMonthsAndUsesRule(t *testing.T) {
	e := newMtgEnv(t, func(o *envOptions) {
		o.Meetings.Rule = "last friday 09:30"
		o.Meetings.Months = []time.Month{time.January, time.April}
	})
	r := e.ask("coord", "en", "meeting plan 2027")
	mtgHas(t, r, "Friday, January 29, 2027 at 9:30 a.m. EST: skipped, that date has passed",
		"Friday, April 30, 2027 at 9:30 a.m. EDT: created")
	if n := len(e.meetings()); n != 1 {
		t.Errorf("%d meetings, want 1", n)
	}
	for _, tt := range []struct{ lang, text, want string }{
		{"en", "meeting plan", "meeting plan YEAR"},
		{"en", "meeting plan 27", "meeting plan YEAR"},
		{"en", "meeting plan 2027 2028", "meeting plan YEAR"},
		{"en", "meeting plan 1999", "1999 is past. Give the current year or a later one."},
		{"fr", "réunion planifier 2026", "L’année 2026 est passée."},
		{"en", "meeting plan 2033", "2033 is too far ahead: meetings can be planned at most 5 years ahead."},
	} {
		if r := e.ask("coord", tt.lang, tt.text); r.Kind != "error" || !strings.Contains(r.Text, tt.want) {
			t.Errorf("%q: %s, want an error with %q", tt.text, mtgKey(r), tt.want)
		}
	}
}

func TestMeetingPlanBadRule(t *testing.T) {
	e := newMtgEnv(t, func(o *envOptions) { o.Meetings.Rule = "every other tuesday" })
	r := e.ask("coord", "fr", "réunion planifier 2027")
	if r.Kind != "error" || !strings.Contains(r.Text, "«\u00a0every other tuesday\u00a0» n’est pas comprise") {
		t.Errorf("reply %s", mtgKey(r))
	}
	if n := len(e.meetings()); n != 0 {
		t.Errorf("%d meetings created with a bad rule", n)
	}
}

func TestMeetingShowAndList(t *testing.T) {
	e := newMtgEnv(t, nil)
	m := e.addMeeting(mtgT0.Add(30*24*time.Hour), time.Hour)
	later := e.addMeeting(mtgT0.Add(60*24*time.Hour), time.Hour)
	if _, err := e.db.CancelMeeting(context.Background(), later.ID); err != nil {
		t.Fatal(err)
	}
	e.join("mia", "Mia Roy", "en")
	show := e.ask("mia", "en", "meeting 1")
	mtgHas(t, show, "#1 “Quarterly meeting”", "Wednesday, March 3, 2027 at 10:00 a.m. EST", "Theme: Accessibility",
		"0 people attending · 0 people can’t attend", "attend 1")
	buttons := func(r handlers.Reply) string {
		var out []string
		for _, b := range r.Blocks {
			if a, ok := b.(handlers.Actions); ok {
				for _, btn := range a.Buttons {
					out = append(out, btn.ActionID+"="+btn.Value+btn.URL)
				}
			}
		}
		return strings.Join(out, " ")
	}
	if got := buttons(show); got != "rsvp_yes=1 rsvp_no=1 meeting_link=https://meet.example.ca/cop" {
		t.Errorf("buttons %q", got)
	}
	// A visitor (ana has not joined) is not offered RSVP buttons that
	// would refuse them, nor the hint to type them.
	visitor := e.ask("ana", "en", "meeting 1")
	mtgHas(t, visitor, "#1 “Quarterly meeting”", "0 people attending · 0 people can’t attend")
	if got := buttons(visitor); got != "meeting_link=https://meet.example.ca/cop" || strings.Contains(visitor.Text, "attend 1") {
		t.Errorf("a visitor is offered to answer: buttons %q\n%s", got, visitor.Text)
	}
	cancelled := e.ask("ana", "fr", "réunion 2")
	mtgHas(t, cancelled, "Cette réunion est annulée.")
	list := e.ask("ana", "fr", "réunions")
	mtgHas(t, list, "Prochaines réunions", "nº 1 « Quarterly meeting »", "mercredi 3 mars 2027 à 10\u00a0h HNE")
	if strings.Contains(list.Text, "nº 2") {
		t.Errorf("the list shows a cancelled meeting:\n%s", list.Text)
	}
	if r := e.ask("ana", "en", "meeting 99"); r.Kind != "error" || !strings.Contains(r.Text, "There is no meeting #99") {
		t.Errorf("unknown meeting: %s", mtgKey(r))
	}
	if r := e.ask("ana", "en", "meeting frobnicate"); r.Kind != "error" || !strings.Contains(r.Text, "/cop meetings") {
		t.Errorf("unknown subcommand: %s", mtgKey(r))
	}
	e.clock.Set(m.EndsAt().Add(time.Minute))
	if r := e.ask("ana", "en", "meetings"); !strings.Contains(r.Text, "No meeting is scheduled yet.") {
		t.Errorf("after the only meeting ended:\n%s", r.Text)
	}
}

func TestMeetingEdit(t *testing.T) {
	e := newMtgEnv(t, nil)
	e.addMeeting(mtgT0.Add(30*24*time.Hour), time.Hour)
	tests := []struct {
		lang, text string
		check      func(m *storage.Meeting) bool
	}{
		{"en", "meeting edit 1 theme Serving vulnerable communities", func(m *storage.Meeting) bool { return m.Theme == "Serving vulnerable communities" }},
		{"fr", "réunion modifier 1 durée 2h", func(m *storage.Meeting) bool { return m.Duration == 2*time.Hour }},
		{"en", `meeting edit 1 --agenda "Panel, then Q&A" --title Spring`, func(m *storage.Meeting) bool {
			return m.Agenda == "Panel, then Q&A" && m.Title == "Spring"
		}},
		{"en", "meeting edit 1 link -", func(m *storage.Meeting) bool { return m.Link == "" }},
	}
	for i, tt := range tests {
		r := e.ask("coord", tt.lang, tt.text)
		if r.Kind != "meeting" {
			t.Fatalf("%q: %s", tt.text, mtgKey(r))
		}
		m, _ := e.db.MeetingByID(context.Background(), 1)
		if !tt.check(m) || m.Sequence != i+1 {
			t.Errorf("%q: stored %+v", tt.text, m)
		}
	}
	for _, text := range []string{"meeting edit 1 colour blue", "meeting edit 1 duration forever", "meeting edit 1", "meeting edit 7 theme x"} {
		if r := e.ask("coord", "en", text); r.Kind != "error" {
			t.Errorf("%q: %s, want an error", text, mtgKey(r))
		}
	}
	if m, _ := e.db.MeetingByID(context.Background(), 1); m.Sequence != len(tests) {
		t.Errorf("a refused edit changed the meeting: sequence %d", m.Sequence)
	}
}

func TestMeetingMoveAndCancelAreAnnounced(t *testing.T) {
	e := newMtgEnv(t, nil)
	start := mtgT0.Add(30 * 24 * time.Hour)
	e.addMeeting(start, 336*time.Hour, 24*time.Hour, time.Hour)
	r := e.ask("coord", "en", "meeting move 1 2027-03-10 14:00")
	if r.Kind != "meeting" {
		t.Fatalf("move: %s", mtgKey(r))
	}
	mtgHas(t, r, "Meeting #1 is moved", "The community channel was told.")
	posts := e.poster.Posts("meeting_notice")
	if len(posts) != 1 {
		t.Fatalf("%d notices posted, want 1", len(posts))
	}
	mtgHas(t, posts[0], "New date and time: “Quarterly meeting”, planned for Wednesday, March 3, 2027 at 10:00 a.m. EST, is moved to Wednesday, March 10, 2027 at 2:00 p.m. EST.",
		"«\u00a0Quarterly meeting\u00a0», prévue le mercredi 3 mars 2027 à 10\u00a0h HNE, est déplacée au mercredi 10 mars 2027 à 14\u00a0h HNE.")
	rs, _ := e.db.PendingReminders(context.Background())
	newStart := time.Date(2027, 3, 10, 19, 0, 0, 0, time.UTC)
	for _, rem := range rs {
		if !rem.StartsAt.Equal(newStart) || !rem.DueAt.Equal(newStart.Add(-rem.Offset)) {
			t.Errorf("pending reminder after move: %+v", rem)
		}
	}
	if len(rs) != 3 {
		t.Errorf("%d pending reminders after the move, want 3", len(rs))
	}

	r = e.ask("coord", "fr", "réunion annuler 1")
	mtgHas(t, r, "La réunion nº 1 est annulée", "Le canal de la communauté a été prévenu.")
	posts = e.poster.Posts("meeting_notice")
	if len(posts) != 2 {
		t.Fatalf("%d notices, want 2", len(posts))
	}
	mtgHas(t, posts[1], "Cancelled: “Quarterly meeting” on Wednesday, March 10, 2027 at 2:00 p.m. EST will not take place.",
		"Annulation\u00a0: «\u00a0Quarterly meeting\u00a0» du mercredi 10 mars 2027 à 14\u00a0h HNE n’aura pas lieu.")
	if r := e.ask("coord", "en", "meeting cancel 1"); r.Kind != "error" || !strings.Contains(r.Text, "is cancelled") {
		t.Errorf("second cancel: %s", mtgKey(r))
	}
	if n := len(e.poster.Posts("meeting_notice")); n != 2 {
		t.Errorf("the second cancel announced again (%d notices)", n)
	}
	if rs, _ := e.db.PendingReminders(context.Background()); len(rs) != 0 {
		t.Errorf("cancelled meeting still has %d pending reminders", len(rs))
	}
	if r := e.ask("coord", "en", "meeting move 1 2027-03-11 13:00"); r.Kind != "error" {
		t.Errorf("moving a cancelled meeting: %s", mtgKey(r))
	}
}

func TestMeetingCancelWhenChannelDown(t *testing.T) {
	e := newMtgEnv(t, nil)
	e.addMeeting(mtgT0.Add(30*24*time.Hour), time.Hour)
	e.poster.FailNext(1, errMtgDown, false)
	r := e.ask("coord", "en", "meeting cancel 1")
	mtgHas(t, r, "Meeting #1 is cancelled", "The announcement has not reached the community channel yet",
		"copbot tries again on its own", "`/cop meeting status 1`")
	if m, _ := e.db.MeetingByID(context.Background(), 1); m.Status != storage.MeetingCancelled {
		t.Errorf("the cancellation was lost when the announcement failed: %s", m.Status)
	}
	// Issue 16: the notice is retried by the scheduler, like a reminder,
	// once the command's own attempt is well over.
	if errs := e.runPending(); len(errs) != 0 || len(e.poster.Posts("meeting_notice")) != 0 {
		t.Fatalf("retried at once: %v, %d notices", errs, len(e.poster.Posts("meeting_notice")))
	}
	e.clock.Set(e.clock.Now().Add(handlers.RetryGrace))
	if errs := e.runPending(); len(errs) != 0 {
		t.Fatal(errs)
	}
	posts := e.poster.Posts("meeting_notice")
	if len(posts) != 1 {
		t.Fatalf("%d notices after the retry, want 1", len(posts))
	}
	mtgHas(t, posts[0], "Cancelled: “Quarterly meeting”")
	if errs := e.runPending(); len(errs) != 0 || len(e.poster.Posts("meeting_notice")) != 1 {
		t.Errorf("a posted notice was retried: %v, %d notices", errs, len(e.poster.Posts("meeting_notice")))
	}
	mtgHas(t, e.ask("coord", "en", "meeting status 1"), "Notices to the community:", "• cancellation, ", ": posted")
}

// A cancellation or move whose announcement did not reach every platform
// is still saved, and the coordinator is told, in their language, where
// it went and that the rest is retried.
func TestMeetingAnnouncementFailures(t *testing.T) {
	tests := []struct {
		name, lang, cmd string
		partial         bool
		want            string
		wantNotices     int
	}{
		{"cancel, channel down", "en", "meeting cancel 1", false,
			"The announcement has not reached the community channel yet: copbot tries again on its own until it has", 0},
		{"cancel, one platform down", "en", "meeting cancel 1", true,
			"The announcement went out on Slack; copbot tries the other platforms again on its own", 1},
		{"move, channel down, French", "fr", "réunion déplacer 1 2027-03-10 14:00", false,
			"L’annonce n’a pas encore atteint le canal de la communauté\u00a0: copbot réessaie de lui-même", 0},
		{"move, one platform down, French", "fr", "réunion déplacer 1 2027-03-10 14:00", true,
			"L’annonce a été publiée sur Slack\u202f; copbot réessaie de lui-même les autres plateformes", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newMtgEnv(t, nil)
			e.addMeeting(mtgT0.Add(30*24*time.Hour), time.Hour)
			e.poster.FailNext(1, errMtgDown, tt.partial)
			r := e.ask("coord", tt.lang, tt.cmd)
			if r.Kind != "meeting" {
				t.Fatalf("%s: %s", tt.cmd, mtgKey(r))
			}
			mtgHas(t, r, tt.want)
			if n := len(e.poster.Posts("meeting_notice")); n != tt.wantNotices {
				t.Errorf("%d notices posted, want %d", n, tt.wantNotices)
			}
			m, _ := e.db.MeetingByID(context.Background(), 1)
			if m.Sequence != 1 {
				t.Errorf("the change was not saved: %+v", m)
			}
		})
	}
}

func TestRSVP(t *testing.T) {
	e := newMtgEnv(t, nil)
	e.addMeeting(mtgT0.Add(30*24*time.Hour), time.Hour)
	e.join("ana", "Ana Tremblay", "fr")
	e.join("bob", "Bob Smith", "en")
	e.join("coord", "Chris Coordinator", "en")
	ctx := context.Background()
	steps := []struct {
		name  string
		reply func() handlers.Reply
		want  string
	}{
		{"command, French", func() handlers.Reply { return e.ask("ana", "", "participer 1") }, "Merci\u202f! Votre présence à la réunion nº\u00a01"},
		{"button", func() handlers.Reply {
			return handlers.UnmarkReply(e.s.Act(ctx, handlers.Request{Identity: storage.Identity{Platform: storage.PlatformConsole, ID: "bob"}}, "rsvp_yes", "1"))
		}, "2 people attending"},
		{"change of mind", func() handlers.Reply { return e.ask("bob", "", "decline 1") }, "1 person attending · 1 person can’t attend"},
		{"non-member", func() handlers.Reply { return e.ask("zoe", "en", "attend 1") }, "not a member yet"},
		{"non-member button", func() handlers.Reply {
			return handlers.UnmarkReply(e.s.Act(ctx, handlers.Request{Identity: storage.Identity{Platform: storage.PlatformConsole, ID: "zoe"}}, "rsvp_no", "1"))
		}, "not a member yet"},
		{"unknown meeting", func() handlers.Reply { return e.ask("ana", "", "participer 9") }, "Il n’y a pas de réunion nº 9"},
		{"no id", func() handlers.Reply { return e.ask("bob", "", "attend") }, "Usage: `/cop attend ID`"},
		{"bad button value", func() handlers.Reply {
			return e.s.Act(ctx, handlers.Request{Identity: storage.Identity{Platform: storage.PlatformConsole, ID: "bob"}}, "rsvp_yes", "x")
		}, "Usage"},
	}
	for _, st := range steps {
		if r := st.reply(); !strings.Contains(r.Text, st.want) {
			t.Errorf("%s: reply %s, want %q", st.name, mtgKey(r), st.want)
		}
	}
	// Who is coming: names for members and coordinators, counts only for
	// visitors (issue 16's decision).
	member := e.ask("bob", "", "meeting rsvps 1")
	mtgHas(t, member, "1 person attending · 1 person can’t attend", "Attending: Ana Tremblay", "Can’t attend: Bob Smith")
	visitor := e.ask("zoe", "en", "meeting rsvps 1")
	mtgHas(t, visitor, "1 person attending · 1 person can’t attend")
	if strings.Contains(visitor.Text, "Ana") || strings.Contains(visitor.Text, "Bob") {
		t.Errorf("a visitor sees names:\n%s", visitor.Text)
	}
	coord := e.ask("coord", "", "meeting rsvps 1")
	mtgHas(t, coord, "Attending: Ana Tremblay", "Can’t attend: Bob Smith")
	fr := e.ask("ana", "", "réunion réponses 1")
	mtgHas(t, fr, "1 personne présente · 1 personne absente")
}

func TestMeetingStatusForCoordinators(t *testing.T) {
	e := newMtgEnv(t, nil)
	start := mtgT0.Add(2 * time.Hour)
	e.addMeeting(start, 24*time.Hour, time.Hour)
	if r := e.ask("ana", "en", "meeting status 1"); r.Kind != "error" || !strings.Contains(r.Text, "Only coordinators") {
		t.Errorf("member asked status: %s", mtgKey(r))
	}
	e.clock.Set(start.Add(-time.Hour))
	e.poster.FailNext(1, errMtgDown, false)
	if errs := e.runPending(); len(errs) != 1 {
		t.Fatalf("want one failed attempt, got %v", errs)
	}
	r := e.ask("coord", "en", "meeting status 1")
	mtgHas(t, r, "1 day before, due Sunday, January 31, 2027 at 12:00 p.m. EST: skipped",
		"Its time had already passed when the meeting was planned.",
		"1 hour before, due Monday, February 1, 2027 at 11:00 a.m. EST: waiting", "1 delivery attempt",
		"Not posted on every platform yet")
	if strings.Contains(r.Text, "503") {
		t.Errorf("meeting status shows the error's text: %s", r.Text)
	}
	e.clock.Set(start.Add(-time.Hour + 2*time.Minute))
	if errs := e.runPending(); len(errs) != 0 {
		t.Fatal(errs)
	}
	fr := e.ask("coord", "fr", "réunion statut 1")
	mtgHas(t, fr, "1 heure avant, prévu le lundi 1er février 2027 à 11\u00a0h HNE\u00a0: envoyé en retard, le lundi 1er février 2027 à 11\u00a0h\u00a002 HNE",
		"2 tentatives d’envoi")
}

func TestNextMeetingBlocks(t *testing.T) {
	e := newMtgEnv(t, nil)
	c := e.f.langCall("en")
	text := handlers.BlocksText("en", e.f.nextMeetingBlocks(context.Background(), c))
	if !strings.Contains(text, "No meeting is scheduled yet.") {
		t.Errorf("no meeting:\n%s", text)
	}
	e.addMeeting(mtgT0.Add(60*24*time.Hour), time.Hour)
	e.addMeeting(mtgT0.Add(30*24*time.Hour), time.Hour)
	text = handlers.Unmark(handlers.BlocksText("en", e.f.nextMeetingBlocks(context.Background(), c)))
	if !strings.Contains(text, "Next meeting") || !strings.Contains(text, "#2 “Quarterly meeting”") ||
		!strings.Contains(text, "March 3, 2027") {
		t.Errorf("next meeting:\n%s", text)
	}
}

// TestMeetingLongTitleShownWhole: a 200-character title, too long for a
// header, goes whole in a section under "Meeting #N", on the card and in
// the reminder.
func TestMeetingLongTitleShownWhole(t *testing.T) {
	e := newMtgEnv(t, nil)
	title := strings.TrimSpace(strings.Repeat("Serving vulnerable communities through accessible contact centres ", 4)[:storage.MaxMeetingTitle])
	r := e.ask("coord", "en", "meeting add 2027-03-17 13:00 "+title)
	if r.Kind != "meeting" {
		t.Fatalf("reply %s", mtgKey(r))
	}
	m := e.meetings()[0]
	for name, reply := range map[string]handlers.Reply{"card": r, "reminder": e.f.reminderPart(e.f.langCall("en"), m, false)} {
		var header string
		found := false
		for _, b := range reply.Blocks {
			switch b := b.(type) {
			case handlers.Header:
				if header == "" {
					header = b.Text
				}
			case handlers.Section:
				found = found || strings.Contains(b.Text, strings.TrimSpace(title))
			}
		}
		if utf8.RuneCountInString(header) > handlers.MaxTitle || !strings.Contains(header, "#1") || !found {
			t.Errorf("%s: header %q, title shown whole in a section: %v", name, header, found)
		}
	}
}
