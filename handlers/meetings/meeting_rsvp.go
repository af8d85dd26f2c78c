package meetings

import (
	"context"
	"slices"
	"strings"

	"copbot/handlers"
	"copbot/storage"
)

// RSVPs ("I'll attend" / "Can't attend") and the coordinators' delivery
// status of reminders.

// cmdRSVP: attend ID / decline ID (participer, absent …).
func (s *Feature) cmdRSVP(ctx context.Context, c *call, answer storage.RSVPAnswer) handlers.Reply {
	if len(c.Args) != 1 {
		return c.ErrorReply("meeting_rsvp_usage", c.SlashData())
	}
	return s.rsvp(ctx, c, c.Args[0], answer)
}

// rsvp records a member's answer; value is the meeting id (a button's
// Value or the typed argument).
func (s *Feature) rsvp(ctx context.Context, c *call, value string, answer storage.RSVPAnswer) handlers.Reply {
	id, ok := parseMeetingID(value)
	if !ok {
		return c.ErrorReply("meeting_rsvp_usage", c.SlashData())
	}
	if c.Member == nil {
		return c.NotMember()
	}
	if err := s.store.SetRSVP(ctx, id, c.Member.ID, answer); err != nil {
		return c.Fail(err)
	}
	m, err := s.store.MeetingByID(ctx, id)
	if err != nil {
		return c.Fail(err)
	}
	key := "meeting_rsvp_yes_done"
	if answer == storage.RSVPNo {
		key = "meeting_rsvp_no_done"
	}
	blocks := []handlers.Block{handlers.Section{Text: c.T(key, map[string]any{"ID": m.ID, "Title": c.meetingTitle(m)})}, c.meetingTime(m)}
	if yes, no, err := s.rsvpCounts(ctx, id); err == nil {
		blocks = append(blocks, handlers.Context{Text: c.rsvpCountText(yes, no)})
	}
	return c.Reply("rsvp", handlers.Ephemeral, blocks...)
}

func (s *Feature) rsvpCounts(ctx context.Context, meetingID int64) (yes, no int, err error) {
	rs, err := s.store.RSVPs(ctx, meetingID)
	if err != nil {
		return 0, 0, err
	}
	for _, r := range rs {
		if r.Answer == storage.RSVPYes {
			yes++
		} else {
			no++
		}
	}
	return yes, no, nil
}

// rsvpCountText is "3 people attending · 1 person can't attend", each part
// its own plural message.
func (c *call) rsvpCountText(yes, no int) string {
	return c.T("meeting_rsvp_counts", map[string]any{
		"Yes": c.N("meeting_rsvp_yes_count", yes, nil),
		"No":  c.N("meeting_rsvp_no_count", no, nil),
	})
}

// cmdMeetingRSVPs: meeting rsvps ID. Everyone sees the counts; members and
// coordinators also see who answered what (members meet each other at the
// meeting anyway), visitors and former members only the counts: the names
// are the roster's personal data.
func (s *Feature) cmdMeetingRSVPs(ctx context.Context, c *call) handlers.Reply {
	m, r, ok := s.argMeeting(ctx, c, "meeting_rsvps_usage", true)
	if !ok {
		return r
	}
	rs, err := s.store.RSVPs(ctx, m.ID)
	if err != nil {
		return c.Fail(err)
	}
	var yes, no []string
	for _, r := range rs {
		if r.Answer == storage.RSVPYes {
			yes = append(yes, r.MemberName)
		} else {
			no = append(no, r.MemberName)
		}
	}
	blocks := append(c.meetingHeader("meeting_rsvps_title", m),
		handlers.Section{Text: c.rsvpCountText(len(yes), len(no))})
	if c.Coordinator || c.Member != nil {
		blocks = append(blocks, handlers.Section{Fields: []handlers.Field{
			{Label: c.T("meeting_rsvps_yes", nil), Value: meetingNames(c, yes)},
			{Label: c.T("meeting_rsvps_no", nil), Value: meetingNames(c, no)},
		}})
	}
	return c.Reply("meeting_rsvps", handlers.Ephemeral, blocks...)
}

func meetingNames(c *call, names []string) string {
	if len(names) == 0 {
		return c.T("meeting_rsvps_nobody", nil)
	}
	return strings.Join(users(names), "\n")
}

// cmdMeetingStatus: meeting status ID, the delivery of every reminder of
// the meeting, for coordinators.
func (s *Feature) cmdMeetingStatus(ctx context.Context, c *call) handlers.Reply {
	m, r, ok := s.argMeeting(ctx, c, "meeting_status_usage", true)
	if !ok {
		return r
	}
	rs, err := s.store.RemindersOf(ctx, m.ID)
	if err != nil {
		return c.Fail(err)
	}
	blocks := c.meetingHeader("meeting_status_title", m)
	if len(rs) == 0 {
		blocks = append(blocks, handlers.Section{Text: c.T(s.noRemindersKey(), nil)})
	}
	for _, r := range rs {
		ds, err := s.store.Deliveries(ctx, reminderKey(r.ID))
		if err != nil {
			return c.Fail(err)
		}
		blocks = append(blocks, handlers.Section{Text: c.reminderLine(m, r, ds)})
	}
	notices, err := s.noticeLines(ctx, c, m)
	if err != nil {
		return c.Fail(err)
	}
	if len(notices) > 0 {
		blocks = append(blocks, handlers.Section{Text: c.T("meeting_status_notices", nil) + "\n" + strings.Join(notices, "\n")})
	}
	for _, fn := range s.status {
		lines, err := fn(ctx, c.Call, m)
		if err != nil {
			return c.Fail(err)
		}
		if len(lines) > 0 {
			blocks = append(blocks, handlers.Section{Text: strings.Join(lines, "\n")})
		}
	}
	return c.Reply("meeting_status", handlers.Ephemeral, blocks...)
}

// noticeLines are m's notices to the community and their delivery on
// each platform.
func (s *Feature) noticeLines(ctx context.Context, c *call, m *storage.Meeting) ([]string, error) {
	as, err := s.store.AnnouncementsOf(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, a := range as {
		ds, err := s.store.Deliveries(ctx, storage.AnnouncementKey(a.ID))
		if err != nil {
			return nil, err
		}
		lines := []string{c.T("meeting_notice_line", map[string]any{"Notice": c.T(a.Notice+"_name", nil),
			"At": c.When(a.CreatedAt, m.Location()), "State": c.T("meeting_notice_"+string(a.Status), nil)})}
		for _, d := range ds {
			lines = append(lines, c.DeliveryLine(m.Location(), d))
		}
		out = append(out, strings.Join(lines, "\n    "))
	}
	return out, nil
}

// reminderLine is one reminder's delivery state, overall and on each
// platform tried (ds).
func (c *call) reminderLine(m *storage.Meeting, r *storage.Reminder, ds []*storage.Delivery) string {
	loc := m.Location()
	state := c.T("meeting_reminder_"+string(r.Status), map[string]any{"At": c.When(r.SentAt, loc)})
	if r.Status == storage.ReminderSent && r.Late {
		state = c.T("meeting_reminder_sent_late", map[string]any{"At": c.When(r.SentAt, loc)})
	}
	if slices.ContainsFunc(ds, func(d *storage.Delivery) bool { return d.Status == storage.DeliveryUncertain }) {
		state = c.T("meeting_reminder_uncertain", nil)
	}
	lines := []string{c.T("meeting_reminder_line", map[string]any{"Offset": c.meetingSpan(r.Offset),
		"Due": c.When(r.DueAt, loc), "State": state})}
	if r.Reason != storage.ReasonNone {
		lines = append(lines, c.T("meeting_reminder_reason_"+string(r.Reason), nil))
	}
	if r.Attempts > 0 {
		lines = append(lines, c.N("meeting_reminder_attempts", r.Attempts, nil))
	}
	switch r.LastError {
	case "":
	case reminderNotEverywhere:
		lines = append(lines, c.T("meeting_reminder_error_not_everywhere", nil))
	default: // an error's text, recorded before the codes: not shown
		lines = append(lines, c.T("meeting_reminder_error_unknown", nil))
	}
	for _, d := range ds {
		lines = append(lines, c.DeliveryLine(m.Location(), d))
	}
	return strings.Join(lines, "\n    ")
}
