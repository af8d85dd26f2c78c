package meetings

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"copbot/handlers"
	"copbot/scheduler"
	"copbot/storage"
)

// Package meetings is the Community's meetings: the quarterly plan, adding,
// moving and cancelling them (announced in both languages), RSVPs, the
// reminders posted exactly once through the delivery ledger, the meeting
// notes the report reads, and the iCalendar feed. Install adds it to a
// handlers core.

// Feature is the meetings of one Service.
type Feature struct {
	svc   *handlers.Service
	store *storage.DB
	opts  handlers.Options
	mopts Options
	tr    *handlers.Translator
	log   *slog.Logger
	now   func() time.Time
	// clock sets the timers of reminder leases' heartbeats: the service's
	// clock on the machine's timers (tests put a clock they move).
	clock scheduler.Clock
	// status are other features' lines in `meeting status` (AddStatus).
	status []StatusFunc
}

// call is a request to the meetings: the core's Call and the feature.
type call struct {
	*handlers.Call
	s *Feature
}

// Install adds the meetings to svc with the settings o (see Options): the
// meetings, meeting, attend and decline commands, the RSVP buttons, the
// next meeting on the App Home, and the job sources of the reminders and
// of the notices still to post.
func Install(svc *handlers.Service, o Options) *Feature {
	s := &Feature{svc: svc, store: svc.Store(), opts: svc.Options(), mopts: o, tr: svc.Translator(), log: svc.Log(),
		now: svc.Now, clock: scheduler.RealTime(svc.Now)}
	yes := func(ctx context.Context, c *call, v string) handlers.Reply { return s.rsvp(ctx, c, v, storage.RSVPYes) }
	no := func(ctx context.Context, c *call, v string) handlers.Reply { return s.rsvp(ctx, c, v, storage.RSVPNo) }
	svc.Install(handlers.Parts{
		Commands: []*handlers.Command{
			{Names: []string{"meetings", "reunions"}, HelpKey: "help_meetings", Run: s.run(s.cmdMeetings),
				Cached: true, Version: s.store.MeetingVersion},
			{Names: []string{"meeting", "reunion"}, HelpKey: "help_meeting", Run: s.run(s.cmdMeeting)},
			{Names: []string{"attend", "participer", "present"}, HelpKey: "help_attend",
				Run: s.run(func(ctx context.Context, c *call) handlers.Reply { return s.cmdRSVP(ctx, c, storage.RSVPYes) })},
			{Names: []string{"decline", "absent", "decliner"}, HelpKey: "help_decline",
				Run: s.run(func(ctx context.Context, c *call) handlers.Reply { return s.cmdRSVP(ctx, c, storage.RSVPNo) })},
		},
		Actions: map[string]handlers.ActionFunc{"rsvp_yes": s.act(yes), "rsvp_no": s.act(no)},
		Home: []handlers.HomeSection{{Order: 20, Blocks: func(ctx context.Context, c *handlers.Call) []handlers.Block {
			return s.nextMeetingBlocks(ctx, s.call(c))
		}}},
		Jobs:  []scheduler.Source{scheduler.SourceFunc(newReminderRunner(s).jobs), scheduler.SourceFunc(s.announcementJobs)},
		Posts: s.postKinds(),
		Words: map[string][]string{
			"en": {"meetings", "meeting", "attend", "decline"},
			"fr": {"réunions", "réunion", "participer", "présent", "décliner"},
			"":   {"absent", "present"},
		},
	})
	return s
}

func (s *Feature) call(c *handlers.Call) *call { return &call{Call: c, s: s} }

// langCall is a call with no user behind it, for community posts in lang.
func (s *Feature) langCall(lang string) *call { return s.call(s.svc.LangCall(lang)) }

func (s *Feature) run(fn func(context.Context, *call) handlers.Reply) func(context.Context, *handlers.Call) handlers.Reply {
	return func(ctx context.Context, c *handlers.Call) handlers.Reply { return fn(ctx, s.call(c)) }
}

func (s *Feature) act(fn func(context.Context, *call, string) handlers.Reply) handlers.ActionFunc {
	return func(ctx context.Context, c *handlers.Call, v string) handlers.Reply { return fn(ctx, s.call(c), v) }
}

// Title is how m's title reads to c's reader: their language's part of a
// bilingual title, or the default title. Other features name meetings
// with it (a poll deciding a theme, the report).
func (s *Feature) Title(c *handlers.Call, m *storage.Meeting) string {
	return s.call(c).meetingTitle(m)
}

// meetingSub is a subcommand of "meeting": its folded names in both
// languages and whether only coordinators may run it.
type meetingSub struct {
	names       []string
	coordinator bool
	run         func(ctx context.Context, c *call) handlers.Reply
}

func (s *Feature) meetingSubs() []meetingSub {
	return []meetingSub{
		{[]string{"add", "new", "ajouter", "nouvelle", "creer"}, true, s.cmdMeetingAdd},
		{[]string{"edit", "modifier", "changer"}, true, s.cmdMeetingEdit},
		{[]string{"move", "deplacer", "reporter"}, true, s.cmdMeetingMove},
		{[]string{"cancel", "annuler"}, true, s.cmdMeetingCancel},
		{[]string{"plan", "planifier"}, true, s.cmdMeetingPlan},
		{[]string{"status", "statut", "etat"}, true, s.cmdMeetingStatus},
		{[]string{"notes", "record", "compte-rendu", "bilan"}, true, s.cmdMeetingNotes},
		{[]string{"rsvps", "rsvp", "reponses", "presences"}, false, s.cmdMeetingRSVPs},
	}
}

// cmdMeeting routes "meeting <sub> …" and shows "meeting ID".
func (s *Feature) cmdMeeting(ctx context.Context, c *call) handlers.Reply {
	if len(c.Args) == 0 {
		return c.ErrorReply("meeting_usage", c.SlashData())
	}
	if _, ok := parseMeetingID(c.Args[0]); ok {
		return s.cmdMeetingShow(ctx, c)
	}
	name := handlers.Fold(c.Args[0])
	for _, sub := range s.meetingSubs() {
		for _, n := range sub.names {
			if n != name {
				continue
			}
			if sub.coordinator && !c.Coordinator {
				return c.CoordinatorOnly()
			}
			c.Args = c.Args[1:]
			return sub.run(ctx, c)
		}
	}
	return c.ErrorReply("meeting_usage", c.SlashData())
}

// parseMeetingID reads a meeting number: "3" or "#3".
func parseMeetingID(word string) (int64, bool) {
	id, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(word), "#"), 10, 64)
	return id, err == nil && id > 0
}

// meetingID reads the meeting number at c.args[i].
func (c *call) meetingID(i int) (int64, bool) {
	if len(c.Args) <= i {
		return 0, false
	}
	return parseMeetingID(c.Args[i])
}

// argMeeting loads the meeting numbered by the first argument. When ok is
// false, r is the reply to give instead: the usage line if the number is
// missing or malformed, else why the meeting could not be loaded. A
// missing meeting is told without "nothing was changed" when view is set
// (the command only reads).
func (s *Feature) argMeeting(ctx context.Context, c *call, usage string, view bool) (m *storage.Meeting, r handlers.Reply, ok bool) {
	id, ok := c.meetingID(0)
	if !ok {
		return nil, c.ErrorReply(usage, c.SlashData()), false
	}
	m, err := s.store.MeetingByID(ctx, id)
	if view && storage.ErrorCode(err) == storage.ENOTFOUND {
		return nil, c.ErrorReply("meeting_error_not_found_view", c.With(map[string]any{"ID": id})), false
	}
	if err != nil {
		return nil, c.Fail(err), false
	}
	return m, handlers.Reply{}, true
}

func (s *Feature) cmdMeetingShow(ctx context.Context, c *call) handlers.Reply {
	m, r, ok := s.argMeeting(ctx, c, "meeting_usage", true)
	if !ok {
		return r
	}
	return c.Reply("meeting", handlers.Ephemeral, s.meetingCard(ctx, c, m, true)...)
}

// cmdMeetings lists the meetings that have not ended yet. The core caches
// the list by meeting_version (Command.Version) until the first of them
// ends and leaves it (Reply.Until).
func (s *Feature) cmdMeetings(ctx context.Context, c *call) handlers.Reply {
	ms, err := s.upcomingMeetings(ctx, 10)
	if err != nil {
		return c.Fail(err)
	}
	r := s.meetingList(c, ms)
	for _, m := range ms {
		if end := m.EndsAt(); r.Until.IsZero() || end.Before(r.Until) {
			r.Until = end
		}
	}
	return r
}

// meetingList shows ms, the meetings that have not ended.
func (s *Feature) meetingList(c *call, ms []*storage.Meeting) handlers.Reply {
	blocks := []handlers.Block{handlers.Header{Text: c.T("meeting_list_title", nil)}}
	if len(ms) == 0 {
		blocks = append(blocks, handlers.Section{Text: c.T("meeting_list_empty", nil)})
		if c.Coordinator {
			blocks = append(blocks, handlers.Context{Text: c.T("meeting_list_hint_coordinator", c.SlashData())})
		}
		return c.Reply("meetings", handlers.Ephemeral, blocks...)
	}
	for _, m := range ms {
		blocks = append(blocks,
			handlers.Section{Text: c.T("meeting_list_item", map[string]any{"ID": m.ID, "Title": c.meetingTitle(m)})},
			c.meetingTime(m))
	}
	blocks = append(blocks, handlers.Context{Text: c.T("meeting_list_hint", c.SlashData())})
	return c.Reply("meetings", handlers.Ephemeral, blocks...)
}

// upcomingMeetings returns up to limit scheduled meetings that have not
// ended, soonest first: those under way, then those to come.
func (s *Feature) upcomingMeetings(ctx context.Context, limit int) ([]*storage.Meeting, error) {
	now := s.now()
	started, err := s.store.FindMeetings(ctx, storage.MeetingFilter{From: now.Add(-storage.MaxMeetingLength),
		Before: now, Status: storage.MeetingScheduled})
	if err != nil {
		return nil, err
	}
	var out []*storage.Meeting
	for _, m := range started {
		if m.EndsAt().After(now) {
			out = append(out, m)
		}
	}
	next, err := s.store.FindMeetings(ctx, storage.MeetingFilter{From: now, Status: storage.MeetingScheduled, Limit: limit})
	if err != nil {
		return nil, err
	}
	out = append(out, next...)
	return out[:min(len(out), limit)], nil
}

// nextMeetingBlocks shows the next meeting on the App Home.
func (s *Feature) nextMeetingBlocks(ctx context.Context, c *call) []handlers.Block {
	ms, err := s.upcomingMeetings(ctx, 1)
	if err != nil {
		s.log.Warn("home: next meeting", "err", err)
		return nil
	}
	blocks := []handlers.Block{handlers.Divider{}, handlers.Header{Text: c.T("meeting_next_title", nil)}}
	if len(ms) == 0 {
		return append(blocks, handlers.Section{Text: c.T("meeting_list_empty", nil)})
	}
	card := s.meetingCard(ctx, c, ms[0], false)
	// The card's own header becomes a line under the Home's header.
	card[0] = handlers.Section{Text: card[0].(handlers.Header).Text}
	return append(blocks, card...)
}

// meetingCard is a meeting with its time, details, RSVP counts and
// buttons. full adds the agenda and the console hints.
func (s *Feature) meetingCard(ctx context.Context, c *call, m *storage.Meeting, full bool) []handlers.Block {
	blocks := c.meetingHeader("meeting_card_title", m)
	if m.Status == storage.MeetingCancelled {
		blocks = append(blocks, handlers.Section{Text: c.T("meeting_card_cancelled", nil)})
	}
	blocks = append(blocks, c.meetingTime(m), handlers.Section{Fields: c.meetingFields(m, full)})
	if yes, no, err := s.rsvpCounts(ctx, m.ID); err == nil {
		blocks = append(blocks, handlers.Context{Text: c.rsvpCountText(yes, no)})
	} else {
		s.log.Warn("meeting card: rsvps", "meeting", m.ID, "err", err)
	}
	open := m.Status == storage.MeetingScheduled && m.EndsAt().After(s.now())
	// Only members answer: a visitor is not offered buttons that would
	// refuse them.
	rsvp := open && c.Member != nil
	if bs := c.meetingButtons(m, open, rsvp); len(bs) > 0 {
		blocks = append(blocks, handlers.Actions{Buttons: bs})
	}
	if full && rsvp {
		blocks = append(blocks, handlers.Context{Text: c.T("meeting_rsvp_hint", c.With(map[string]any{"ID": m.ID}))})
	}
	return blocks
}

// meetingTime is the "When" line: each reader's own zone where the platform
// can, else the meeting's zone (and the community's if it differs).
func (c *call) meetingTime(m *storage.Meeting) handlers.Time {
	fallback := c.When(m.StartsAt, m.Location())
	if community := c.s.opts.Location; community.String() != m.Zone {
		fallback = c.T("meeting_when_two_zones", map[string]any{"When": fallback,
			"Community": c.meetingOtherZone(m.StartsAt, m.Location(), community)})
	}
	return handlers.Time{Prefix: c.T("meeting_when", nil), Unix: m.StartsAt.Unix(), Fallback: fallback}
}

// fieldLines writes fields as "Label: value" lines in the call's typography.
func (c *call) fieldLines(fields []handlers.Field) string {
	lines := make([]string, 0, len(fields))
	for _, f := range fields {
		lines = append(lines, handlers.FieldLine(c.Lang, f.Label, f.Value))
	}
	return strings.Join(lines, "\n")
}

// meetingOtherZone writes t in the other zone without repeating the date
// when it is the same day there: "10:00 a.m. EST".
func (c *call) meetingOtherZone(t time.Time, loc, other *time.Location) string {
	if t.In(loc).Format(time.DateOnly) != t.In(other).Format(time.DateOnly) {
		return c.When(t, other)
	}
	lt := t.In(other)
	return c.Clock(lt) + " " + c.Zone(lt)
}

func (c *call) meetingFields(m *storage.Meeting, full bool) []handlers.Field {
	fields := []handlers.Field{{Label: c.T("meeting_field_duration", nil), Value: c.meetingSpan(m.Duration)}}
	if m.Theme != "" {
		fields = append(fields, handlers.Field{Label: c.T("meeting_field_theme", nil), Value: c.Own(m.Theme)})
	}
	if m.Agenda != "" && full {
		fields = append(fields, handlers.Field{Label: c.T("meeting_field_agenda", nil), Value: c.Own(m.Agenda)})
	}
	if m.Link != "" {
		fields = append(fields, handlers.Field{Label: c.T("meeting_field_link", nil), Value: m.Link})
	}
	return fields
}

// meetingButtons are the RSVP buttons when rsvp, and the link to join the
// meeting while it is open.
func (c *call) meetingButtons(m *storage.Meeting, open, rsvp bool) []handlers.Button {
	var bs []handlers.Button
	id := strconv.FormatInt(m.ID, 10)
	if rsvp {
		bs = append(bs,
			handlers.Button{ActionID: "rsvp_yes", Label: c.T("meeting_button_yes", nil), Value: id, Style: handlers.StylePrimary},
			handlers.Button{ActionID: "rsvp_no", Label: c.T("meeting_button_no", nil), Value: id})
	}
	if m.Link != "" && open {
		bs = append(bs, handlers.Button{ActionID: "meeting_link", Label: c.T("meeting_button_link", nil), URL: m.Link})
	}
	return bs
}

// meetingTitle is the title, or the translated default when none was given.
// meetingHeader is the title key (with .ID and .Title) of m: whole as the
// header when it fits one, else "Meeting #N" as the header and the whole
// title in a section under it (a title may have 200 characters).
func (c *call) meetingHeader(key string, m *storage.Meeting) []handlers.Block {
	d := map[string]any{"ID": m.ID, "Title": c.meetingTitle(m)}
	return handlers.Title(c.T(key, d), c.T("meeting_short_title", d))
}

func (c *call) meetingTitle(m *storage.Meeting) string {
	if m.Title != "" {
		return c.Own(m.Title)
	}
	return c.T("meeting_default_title", nil)
}
