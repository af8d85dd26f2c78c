package meetings

import (
	"context"

	"copbot/handlers"
	"copbot/storage"
)

// What other features (email) show of a meeting, written the meetings'
// way, and what they add to `meeting status`.

// Details are m's time and fields (duration, theme, agenda, link) as c's
// reader sees them.
func (s *Feature) Details(c *handlers.Call, m *storage.Meeting) []handlers.Block {
	mc := s.call(c)
	return []handlers.Block{mc.meetingTime(m), handlers.Section{Fields: mc.meetingFields(m, true)}}
}

// Reminder is the reminder of m in c's language alone (the channel's
// carries both): what, when, how long until it starts, how to answer.
func (s *Feature) Reminder(c *handlers.Call, m *storage.Meeting) handlers.Reply {
	return s.reminderPart(s.call(c), m, false)
}

// StatusFunc gives lines of its own to `meeting status` for m, in c's
// language; an error is shown as a failure of the whole status.
type StatusFunc func(ctx context.Context, c *handlers.Call, m *storage.Meeting) ([]string, error)

// AddStatus adds fn's lines to `meeting status`. Call it at install time,
// before the service handles requests.
func (s *Feature) AddStatus(fn StatusFunc) { s.status = append(s.status, fn) }
