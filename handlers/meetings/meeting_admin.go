package meetings

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"copbot/handlers"
	"copbot/storage"
)

// Coordinators' meeting commands: add, edit, move, cancel, plan. Each
// validates everything before writing, writes in one storage call, then
// tells the scheduler (s.replan) that reminders changed.

// meetingFlags are the editable fields as options; the names fold,
// French included.
var meetingFlags = handlers.FlagSpec{
	Names: map[string]string{"title": "title", "titre": "title", "duration": "duration", "duree": "duration",
		"agenda": "agenda", "ordre-du-jour": "agenda", "ordre": "agenda", "link": "link", "lien": "link", "url": "link",
		"theme": "theme"},
	UnknownKey: "meeting_error_flag", ValueKey: "meeting_error_flag_value",
}

// meetingField names an editable field written as a word ("titre") or a
// flag ("--titre").
func meetingField(name string) (string, bool) {
	f, ok := meetingFlags.Names[handlers.Fold(strings.TrimLeft(name, "-—–"))]
	return f, ok
}

// parseMeetingFlags splits words into positional ones and the fields
// given as options, the last value of a field winning.
func parseMeetingFlags(words []string) (pos []string, flags map[string]string, err error) {
	pos, opts, err := meetingFlags.Parse(words)
	if err != nil {
		return nil, nil, err
	}
	flags = map[string]string{}
	for _, o := range opts {
		flags[o.Field] = o.Value
	}
	return pos, flags, nil
}

// meetingUpdateFrom turns field values into an update. "-" clears a text
// field.
func meetingUpdateFrom(flags map[string]string) (storage.MeetingUpdate, error) {
	var u storage.MeetingUpdate
	for field, v := range flags {
		if v == "-" {
			v = ""
		}
		switch field {
		case "title":
			u.Title = &v
		case "agenda":
			u.Agenda = &v
		case "link":
			u.Link = &v
		case "theme":
			u.Theme = &v
		case "duration":
			d, err := time.ParseDuration(strings.ReplaceAll(v, " ", ""))
			if err != nil {
				return u, storage.Errorf(storage.EINVALID, "meeting_error_duration", map[string]any{"Duration": v}, "bad duration")
			}
			u.Duration = &d
		}
	}
	return u, nil
}

// cmdMeetingAdd: meeting add YYYY-MM-DD HH:MM [Zone/Name] [title…] [--flags]
// [--force]. A copy of a scheduled meeting needs --force (meeting_dup.go).
//
// With --held (--tenue) it records a meeting that already took place: no
// notice to the channel, no reminders, and its notes can be taken at once.
func (s *Feature) cmdMeetingAdd(ctx context.Context, c *call) handlers.Reply {
	args, force := takeForce(c.Args)
	args, held := takeBare(args, "held", "tenue", "tenu", "took-place", "a-eu-lieu")
	pos, flags, err := parseMeetingFlags(args)
	if err != nil {
		return c.FailUsage(err, "meeting_add_usage")
	}
	start, zone, used, err := meetingStart(pos, s.opts.Location)
	if err != nil {
		return c.FailUsage(err, "meeting_add_usage")
	}
	if t := strings.Join(pos[used:], " "); t != "" {
		if _, set := flags["title"]; !set {
			flags["title"] = t
		}
	}
	u, err := meetingUpdateFrom(flags)
	if err != nil {
		return c.FailUsage(err, "meeting_add_usage")
	}
	in := storage.MeetingInput{StartsAt: start, Zone: zone, Duration: s.meetingLength(),
		CreatedBy: c.Req.Identity.String(), Reminders: s.meetingOffsets(), Force: force, Held: held}
	if held {
		in.Reminders = nil
	}
	meetingApplyInput(&in, u)
	m, err := s.store.CreateMeeting(ctx, in)
	if err != nil {
		return c.fail(err)
	}
	s.log.Info("meeting added", "meeting", m.ID, "by", c.Req.Identity.String(), "starts", m.StartsAt, "held", held)
	if held {
		blocks := append([]handlers.Block{handlers.Section{Text: c.T("meeting_added_held", map[string]any{"ID": m.ID})}},
			s.meetingCard(ctx, c, m, true)...)
		blocks = append(blocks, handlers.Context{Text: c.T("meeting_added_held_hint", c.With(map[string]any{"ID": m.ID}))})
		return c.Reply("meeting", handlers.Ephemeral, blocks...)
	}
	s.svc.Replan()
	note := s.announce(ctx, c, m, "meeting_added_announce", m.StartsAt)
	return s.meetingChanged(ctx, c, m, handlers.Section{Text: c.T("meeting_added", map[string]any{"ID": m.ID})}, note)
}

func meetingApplyInput(in *storage.MeetingInput, u storage.MeetingUpdate) {
	for _, p := range []struct{ dst, src *string }{{&in.Title, u.Title}, {&in.Agenda, u.Agenda},
		{&in.Link, u.Link}, {&in.Theme, u.Theme}} {
		if p.src != nil {
			*p.dst = *p.src
		}
	}
	if u.Duration != nil {
		in.Duration = *u.Duration
	}
}

// cmdMeetingEdit: meeting edit ID field value… or meeting edit ID --field
// value … [--force]: a new title that makes it a copy of another meeting
// needs --force (meeting_dup.go).
func (s *Feature) cmdMeetingEdit(ctx context.Context, c *call) handlers.Reply {
	var force bool
	c.Args, force = takeForce(c.Args)
	id, ok := c.meetingID(0)
	if !ok || len(c.Args) < 3 {
		return c.ErrorReply("meeting_edit_usage", c.SlashData())
	}
	words := c.Args[1:]
	if _, _, _, isFlag := handlers.SplitFlag(words[0]); !isFlag {
		field, ok := meetingField(words[0])
		if !ok {
			return c.ErrorReply("meeting_error_field", c.With(map[string]any{"Field": words[0]}))
		}
		words = []string{"--" + field, strings.Join(words[1:], " ")}
	}
	pos, flags, err := parseMeetingFlags(words)
	if err == nil && len(pos) > 0 {
		err = storage.Errorf(storage.EINVALID, "meeting_error_extra", map[string]any{"Value": strings.Join(pos, " ")}, "extra words")
	}
	if err != nil {
		return c.FailUsage(err, "meeting_edit_usage")
	}
	u, err := meetingUpdateFrom(flags)
	if err != nil {
		return c.FailUsage(err, "meeting_edit_usage")
	}
	u.Force = force
	m, err := s.store.UpdateMeeting(ctx, id, u)
	if err != nil {
		return c.fail(err)
	}
	s.svc.Replan()
	return s.meetingChanged(ctx, c, m, handlers.Section{Text: c.T("meeting_edited", map[string]any{"ID": m.ID})})
}

// cmdMeetingMove: meeting move ID YYYY-MM-DD HH:MM [Zone/Name] [--force].
// The move is announced, since members may have planned around the old
// time. A move onto a meeting with the same title needs --force.
func (s *Feature) cmdMeetingMove(ctx context.Context, c *call) handlers.Reply {
	var force bool
	c.Args, force = takeForce(c.Args)
	old, r, ok := s.argMeeting(ctx, c, "meeting_move_usage", false)
	if !ok {
		return r
	}
	start, zone, used, err := meetingStart(c.Args[1:], old.Location())
	if err == nil && used < len(c.Args)-1 {
		err = storage.Errorf(storage.EINVALID, "meeting_error_extra", map[string]any{"Value": strings.Join(c.Args[1+used:], " ")}, "extra words")
	}
	if err != nil {
		return c.FailUsage(err, "meeting_move_usage")
	}
	if start.Equal(old.StartsAt) {
		return s.moveInPlace(ctx, c, old, zone)
	}
	m, err := s.store.UpdateMeeting(ctx, old.ID, storage.MeetingUpdate{StartsAt: &start, Zone: &zone, Reminders: s.meetingOffsets(),
		Force: force})
	if err != nil {
		return c.fail(err)
	}
	s.svc.Replan()
	note := s.announce(ctx, c, m, movedKey(old, m), old.StartsAt)
	return s.meetingChanged(ctx, c, m, handlers.Section{Text: c.T("meeting_moved", map[string]any{"ID": m.ID})}, note)
}

// moveInPlace answers a move to the meeting's own start: nothing moves, so
// nothing is announced and no reminder is re-planned. Only a new zone (the
// same instant written in another zone's clock) is saved, as an edit.
func (s *Feature) moveInPlace(ctx context.Context, c *call, old *storage.Meeting, zone string) handlers.Reply {
	if zone == old.Zone {
		return c.Reply("meeting", handlers.Ephemeral, handlers.Section{Text: c.T("meeting_move_same",
			map[string]any{"ID": old.ID, "When": c.When(old.StartsAt, old.Location())})})
	}
	m, err := s.store.UpdateMeeting(ctx, old.ID, storage.MeetingUpdate{Zone: &zone})
	if err != nil {
		return c.Fail(err)
	}
	return s.meetingChanged(ctx, c, m, handlers.Section{Text: c.T("meeting_edited", map[string]any{"ID": m.ID})})
}

// movedKey is the announcement of a move: "change of time" when the
// meeting stays on the same day in its zone, "new date and time" otherwise.
func movedKey(old, m *storage.Meeting) string {
	loc := m.Location()
	if old.StartsAt.In(loc).Format(time.DateOnly) == m.StartsAt.In(loc).Format(time.DateOnly) {
		return "meeting_moved_announce"
	}
	return "meeting_moved_announce_date"
}

// cmdMeetingCancel: meeting cancel ID. The cancellation is announced to the
// community in both languages.
func (s *Feature) cmdMeetingCancel(ctx context.Context, c *call) handlers.Reply {
	id, ok := c.meetingID(0)
	if !ok {
		return c.ErrorReply("meeting_cancel_usage", c.SlashData())
	}
	m, err := s.store.CancelMeeting(ctx, id)
	if err != nil {
		return c.Fail(err)
	}
	s.svc.Replan()
	s.log.Info("meeting cancelled", "meeting", m.ID, "by", c.Req.Identity.String())
	note := s.announce(ctx, c, m, "meeting_cancelled_announce", m.StartsAt)
	return c.Reply("meeting", handlers.Ephemeral, handlers.Section{Text: c.T("meeting_cancelled", map[string]any{"ID": m.ID})}, note)
}

// meetingChanged answers a coordinator: what happened (lead), the card and
// the reminders now planned.
func (s *Feature) meetingChanged(ctx context.Context, c *call, m *storage.Meeting, lead ...handlers.Block) handlers.Reply {
	blocks := append(lead, s.meetingCard(ctx, c, m, true)...)
	rs, err := s.store.RemindersOf(ctx, m.ID)
	if err != nil {
		s.log.Warn("meeting reminders", "meeting", m.ID, "err", err)
		return c.Reply("meeting", handlers.Ephemeral, blocks...)
	}
	var spans []string
	for _, r := range rs {
		if r.Status == storage.ReminderPending {
			spans = append(spans, c.meetingSpan(r.Offset))
		}
	}
	if len(spans) == 0 {
		blocks = append(blocks, handlers.Context{Text: c.T(s.noRemindersKey(), nil)})
	} else {
		blocks = append(blocks, handlers.Context{Text: c.T("meeting_reminders_planned", map[string]any{"List": c.AndList(spans)})})
	}
	return c.Reply("meeting", handlers.Ephemeral, blocks...)
}

// noRemindersKey explains why a meeting has no reminder: none are
// configured, or their times have passed.
func (s *Feature) noRemindersKey() string {
	if len(s.meetingOffsets()) == 0 {
		return "meeting_reminders_off"
	}
	return "meeting_reminders_none"
}

// cmdMeetingPlan: meeting plan YEAR creates the quarterly meetings from the
// configured rule, skipping months that have a meeting or are past. Which
// months have one is read in the transaction that adds the others
// (storage.PlanMeetings), so the same plan sent twice at once adds each
// meeting once.
func (s *Feature) cmdMeetingPlan(ctx context.Context, c *call) handlers.Reply {
	var year int
	if len(c.Args) != 1 || !meetingYear(c.Args[0], &year) {
		return c.ErrorReply("meeting_plan_usage", c.SlashData())
	}
	if now := s.now().In(s.opts.Location).Year(); year < now || year > now+storage.MaxMeetingYears {
		key := "meeting_plan_year_past"
		if year > now {
			key = "meeting_plan_year_far"
		}
		return c.ErrorReply(key, c.With(map[string]any{"Year": year, "Years": storage.MaxMeetingYears}))
	}
	rule, err := parseMeetingRule(s.meetingRuleText())
	if err != nil {
		return c.Fail(err)
	}
	plan := s.planYear(c, rule, year)
	if err := s.createPlanned(ctx, plan); err != nil {
		return s.planRefused(c, plan, year, err)
	}
	s.svc.Replan()
	lines := make([]string, len(plan))
	for i, p := range plan {
		lines[i] = c.T(p.key, p.data)
	}
	return c.Reply("meeting_plan", handlers.Ephemeral,
		handlers.Header{Text: c.T("meeting_plan_title", map[string]any{"Year": year})},
		handlers.Section{Text: strings.Join(lines, "\n")},
		handlers.Context{Text: c.T("meeting_plan_hint", c.With(map[string]any{"Rule": c.meetingRuleWords(rule)}))})
}

// plannedMonth is one month of meeting plan: the line to show (key, data)
// and, unless its date has passed, the meeting to add if the month has
// none.
type plannedMonth struct {
	key  string
	data map[string]any
	plan *storage.MeetingPlan
}

// planYear lays out each configured month of year: skipped when its date
// has passed, else to be added unless the month has a meeting (which
// createPlanned finds out).
func (s *Feature) planYear(c *call, rule meetingRule, year int) []plannedMonth {
	var plan []plannedMonth
	loc := s.opts.Location
	for _, month := range s.meetingMonths() {
		start := rule.in(year, month, loc)
		p := plannedMonth{key: "meeting_plan_past", data: map[string]any{"When": c.When(start, loc)}}
		if start.After(s.now()) {
			from := time.Date(year, month, 1, 0, 0, 0, 0, loc)
			p.plan = &storage.MeetingPlan{From: from, Before: from.AddDate(0, 1, 0),
				Meeting: storage.MeetingInput{StartsAt: start, Zone: loc.String(), Duration: s.meetingLength(),
					CreatedBy: c.Req.Identity.String(), Reminders: s.meetingOffsets()}}
		}
		plan = append(plan, p)
	}
	return plan
}

// createPlanned adds the plan's meetings in one transaction (all or
// nothing), each unless its month has one, and fills in each line: the
// meeting created, or the one already there.
func (s *Feature) createPlanned(ctx context.Context, plan []plannedMonth) error {
	var plans []storage.MeetingPlan
	var at []int
	for i, p := range plan {
		if p.plan != nil {
			plans, at = append(plans, *p.plan), append(at, i)
		}
	}
	if len(plans) == 0 {
		return nil
	}
	done, err := s.store.PlanMeetings(ctx, plans)
	var e *storage.Error
	if errors.As(err, &e) {
		if i, ok := e.Args["Index"].(int); ok && i >= 0 && i < len(at) {
			e.Args["Month"] = at[i]
		}
	}
	if err != nil {
		return err
	}
	for j, d := range done {
		p := &plan[at[j]]
		p.key, p.data["ID"] = "meeting_plan_created", d.Meeting.ID
		if d.Existing {
			p.key = "meeting_plan_exists"
		}
	}
	return nil
}

// planRefused says which month's meeting could not be created and why;
// nothing was written.
func (s *Feature) planRefused(c *call, plan []plannedMonth, year int, err error) handlers.Reply {
	var e *storage.Error
	i, ok := 0, false
	if errors.As(err, &e) && e.Code != storage.EINTERNAL {
		i, ok = e.Args["Month"].(int)
	}
	if !ok {
		return c.Fail(err)
	}
	return c.ErrorReply("meeting_plan_refused", c.With(map[string]any{"Year": year,
		"When": plan[i].data["When"], "Reason": c.fail(err).Text}))
}

// meetingYear reads a four-digit year; whether it is too early or late is
// the caller's to say.
func meetingYear(s string, year *int) bool {
	_, err := fmt.Sscanf(s, "%d", year)
	return err == nil && fmt.Sprint(*year) == s && *year >= 1000 && *year <= 9999
}
