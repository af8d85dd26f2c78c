package meetings

import (
	"errors"
	"slices"
	"time"

	"copbot/handlers"
	"copbot/storage"
)

// A second meeting with the title and start time of a scheduled one is
// almost always a command typed twice, or two coordinators doing the same
// thing at once. Storage refuses it inside the write transaction that
// would add it (ECONFLICT meeting_error_duplicate), so of two identical
// commands sent at the same instant exactly one adds the meeting; the
// other is told who added it and when, and how to add it anyway: --force
// (or --forcer), on meeting add, edit and move.

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

// fail is c.Fail, except for storage's refusal of a copy of a meeting,
// which names the meeting already there, who added it and when, in the
// community's time zone.
func (c *call) fail(err error) handlers.Reply {
	var e *storage.Error
	if !errors.As(err, &e) || e.Key != "meeting_error_duplicate" {
		return c.Fail(err)
	}
	loc := c.s.opts.Location
	data := map[string]any{"ID": e.Args["ID"], "ByName": e.Args["ByName"]}
	if at, ok := e.Args["StartsAt"].(time.Time); ok {
		data["When"] = c.When(at, loc)
	}
	if at, ok := e.Args["AddedAt"].(time.Time); ok {
		data["AddedAt"] = c.When(at, loc)
	}
	key := "meeting_error_duplicate"
	if name, _ := e.Args["ByName"].(string); name == "" {
		if by, _ := e.Args["By"].(string); by != "" {
			data["ByName"] = by
		} else {
			key = "meeting_error_duplicate_anon"
		}
	}
	return c.ErrorReply(key, c.With(data))
}
