package meetings

import (
	"context"
	"slices"
	"strings"
	"time"

	"copbot/handlers"
	"copbot/storage"
)

// A second meeting with the title and start time of a scheduled one is
// almost always a command typed twice, so meeting add refuses it and says
// how to add it anyway: --force (or --forcer).

// takeForce removes a --force flag from words and reports whether it was
// there.
func takeForce(words []string) ([]string, bool) {
	return takeBare(words, "force", "forcer", "quand-meme")
}

// takeBare removes the bare flag named by any of names (folded) from
// words, and reports whether it was there.
func takeBare(words []string, names ...string) ([]string, bool) {
	out := make([]string, 0, len(words))
	found := false
	for _, w := range words {
		name, _, hasValue, isFlag := handlers.SplitFlag(w)
		if isFlag && !hasValue && slices.Contains(names, handlers.Fold(name)) {
			found = true
			continue
		}
		out = append(out, w)
	}
	return out, found
}

// sameMeeting returns the scheduled meeting that starts when in does and
// has its title (case and accents aside), or nil.
func (s *Feature) sameMeeting(ctx context.Context, in storage.MeetingInput) (*storage.Meeting, error) {
	ms, err := s.store.FindMeetings(ctx, storage.MeetingFilter{From: in.StartsAt, Before: in.StartsAt.Add(time.Second),
		Status: storage.MeetingScheduled})
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		if m.StartsAt.Equal(in.StartsAt) && handlers.Fold(strings.TrimSpace(m.Title)) == handlers.Fold(strings.TrimSpace(in.Title)) {
			return m, nil
		}
	}
	return nil, nil
}

// duplicateMeeting is the refusal of a meeting that already exists.
func (c *call) duplicateMeeting(m *storage.Meeting) handlers.Reply {
	return c.ErrorReply("meeting_error_duplicate", c.With(map[string]any{"ID": m.ID,
		"When": c.When(m.StartsAt, c.s.opts.Location)}))
}
