package meetings

import (
	"context"
	"fmt"
	"strings"

	"copbot/handlers"
	"copbot/storage"
)

// The meeting record: "meeting notes ID …" writes what happened at a
// meeting (held or not, format, panelists' organizations, key points,
// actual attendance) for the report to the Council.

var recordFlags = handlers.FlagSpec{
	Names: map[string]string{
		"held": "held", "tenue": "held",
		"format":    "format",
		"panelists": "panelists", "panelistes": "panelists", "panel": "panelists",
		"point": "point", "key-point": "point", "point-cle": "point",
		"remove-point": "remove", "retirer-point": "remove",
		"clear-points": "clear", "effacer-points": "clear",
		"attendance": "attendance", "presence": "attendance", "presences": "attendance", "participants": "attendance",
	},
	Bare: map[string]bool{"clear": true},
	Help: "--held, --format, --panelists, --point, --remove-point, --clear-points, --attendance",
}

// formatWords maps the names of formats, both languages, as formatKey
// writes them: "table ronde", "Table-ronde" and "TABLE_RONDE" are one.
var formatWords = map[string]storage.MeetingFormat{
	"panel": storage.FormatPanel, "panel-discussion": storage.FormatPanel, "table-ronde": storage.FormatPanel,
	"discussion-en-groupe": storage.FormatPanel, "roundtable": storage.FormatPanel, "round-table": storage.FormatPanel,
	"panel-de-discussion": storage.FormatPanel,
	"presentation":        storage.FormatPresentation, "expose": storage.FormatPresentation,
	"workshop": storage.FormatWorkshop, "atelier": storage.FormatWorkshop,
	"discussion": storage.FormatDiscussion, "echange": storage.FormatDiscussion,
	"open-discussion": storage.FormatDiscussion, "discussion-ouverte": storage.FormatDiscussion,
	"other": storage.FormatOther, "autre": storage.FormatOther,
}

// formatKey folds a format name and joins its words with hyphens.
func formatKey(s string) string {
	return strings.Join(strings.FieldsFunc(handlers.Fold(s), func(r rune) bool {
		return r == ' ' || r == '-' || r == '_' || r == '\u00a0'
	}), "-")
}

// cmdMeetingNotes: meeting notes ID shows the record; with options it
// changes it.
func (s *Feature) cmdMeetingNotes(ctx context.Context, c *call) handlers.Reply {
	id, ok := c.meetingID(0)
	if !ok {
		return c.ErrorReply("record_usage", c.SlashData())
	}
	if len(c.Args) == 1 {
		r, err := s.store.MeetingRecordOf(ctx, id)
		if err != nil {
			return c.Fail(err)
		}
		return s.recordReply(ctx, c, r, "")
	}
	pos, opts, err := recordFlags.Parse(c.Args[1:])
	if err == nil && len(pos) > 0 {
		err = handlers.ErrExtra(pos)
	}
	var u storage.RecordUpdate
	if err == nil {
		u, err = recordUpdateFrom(opts)
	}
	if err != nil {
		return c.FailUsage(err, "record_usage")
	}
	u.By = c.Req.Identity.String()
	r, err := s.store.RecordMeeting(ctx, id, u)
	if err != nil {
		return c.FailUsage(err, "record_usage")
	}
	s.log.Info("meeting recorded", "meeting", id, "by", u.By)
	return s.recordReply(ctx, c, r, c.T("record_saved", map[string]any{"ID": id}))
}

// recordUpdateFrom turns options into an update, refusing bad values.
func recordUpdateFrom(opts []handlers.Opt) (storage.RecordUpdate, error) {
	var u storage.RecordUpdate
	for _, o := range opts {
		if err := applyRecordOpt(&u, o); err != nil {
			return u, err
		}
	}
	return u, nil
}

func applyRecordOpt(u *storage.RecordUpdate, o handlers.Opt) error {
	switch o.Field {
	case "held":
		held, ok := handlers.YesNo(o.Value)
		if !ok {
			return handlers.ErrValue(o)
		}
		u.Held = &held
	case "format":
		f, ok := formatWords[formatKey(o.Value)]
		if !ok {
			return storage.Errorf(storage.EINVALID, "record_error_format", map[string]any{"Format": o.Value}, "bad format")
		}
		u.Format = &f
	case "panelists":
		u.Panelists = strings.Split(o.Value, ";")
	case "point":
		u.AddPoints = append(u.AddPoints, o.Value)
	case "remove":
		n, ok := handlers.ParseCount(o.Value)
		if !ok || n == 0 {
			return handlers.ErrValue(o)
		}
		u.RemovePoint = n
	case "clear":
		u.ClearPoints = true
	case "attendance":
		return applyAttendance(u, o)
	}
	return nil
}

// applyAttendance reads a head count, or "rsvp" to go back to counting
// the yes answers.
func applyAttendance(u *storage.RecordUpdate, o handlers.Opt) error {
	n := -1
	if f := handlers.Fold(o.Value); f != "rsvp" && f != "rsvps" && f != "reponses" {
		var ok bool
		if n, ok = handlers.ParseCount(o.Value); !ok {
			return handlers.ErrValue(o)
		}
	}
	u.Attendance = &n
	return nil
}

// recordReply shows a meeting's record to the coordinator.
func (s *Feature) recordReply(ctx context.Context, c *call, r *storage.MeetingRecord, lead string) handlers.Reply {
	m, err := s.store.MeetingByID(ctx, r.MeetingID)
	if err != nil {
		return c.Fail(err)
	}
	var blocks []handlers.Block
	if lead != "" {
		blocks = append(blocks, handlers.Section{Text: lead})
	}
	blocks = append(blocks, c.meetingHeader("record_title", m)...)
	blocks = append(blocks, handlers.Section{Text: c.When(m.StartsAt, m.Location()), Fields: c.recordFields(r)})
	if len(r.KeyPoints) > 0 {
		var lines []string
		for i, p := range r.KeyPoints {
			lines = append(lines, fmt.Sprintf("%d. %s", i+1, c.Own(p)))
		}
		blocks = append(blocks, handlers.Section{Text: c.T("record_points", nil) + "\n" + strings.Join(lines, "\n")})
	}
	blocks = append(blocks, handlers.Context{Text: c.T("record_hint", c.With(map[string]any{"ID": m.ID}))})
	return c.Reply("meeting_record", handlers.Ephemeral, blocks...)
}

func (c *call) recordFields(r *storage.MeetingRecord) []handlers.Field {
	held := c.T("record_held_yes", nil)
	if !r.Held {
		held = c.T("record_held_no", nil)
	}
	format, panelists := c.T("record_none", nil), c.T("record_none", nil)
	if r.Format != "" {
		format = c.T("format_"+string(r.Format), nil)
	}
	if len(r.Panelists) > 0 {
		panelists = c.AndList(c.own(r.Panelists))
	}
	attendance := c.Count("record_attendance_rsvp", r.RSVPYes, nil)
	if r.Attendance >= 0 {
		attendance = c.Count("record_attendance_counted", r.Attendance, map[string]any{"RSVP": c.Count("record_rsvp_yes", r.RSVPYes, nil)})
	}
	return []handlers.Field{{Label: c.T("record_held", nil), Value: held}, {Label: c.T("record_format", nil), Value: format},
		{Label: c.T("record_panelists", nil), Value: panelists}, {Label: c.T("record_attendance", nil), Value: attendance}}
}

// own is each of texts as the reader should see it: their language's half
// of text written "English / français" (handlers.Call.Own).
func (c *call) own(texts []string) []string {
	out := make([]string, len(texts))
	for i, s := range texts {
		out[i] = c.Own(s)
	}
	return out
}

// users marks each of names as typed by a person (handlers.User).
func users(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = handlers.User(n)
	}
	return out
}
