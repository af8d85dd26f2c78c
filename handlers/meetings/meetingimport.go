package meetings

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"copbot/handlers"
	"copbot/storage"
)

// Past meetings from a spreadsheet: a secretariat that starts mid-period
// records the meetings already held in one go. Every row is a meeting
// that took place (as `meeting add … --held`): no notice, no reminders.

// maxPastImportBytes bounds the file read (a few thousand meetings).
const maxPastImportBytes = 1 << 20

// pastColumns maps the folded header names, English and French, to a
// column.
var pastColumns = map[string]string{
	"date": "date", "time": "time", "heure": "time", "title": "title", "titre": "title",
	"theme": "theme", "zone": "zone", "fuseau": "zone", "time-zone": "zone", "fuseau-horaire": "zone",
	"duration": "duration", "duree": "duration",
}

// PastImport is what an import did, or why it did nothing: one problem
// per wrong line of the file (Text translates them).
type PastImport struct {
	Created, Unchanged int
	Problems           []PastProblem
}

// PastProblem is a line's problem as a catalog key; line 0 is the file.
type PastProblem struct {
	Line int
	Key  string
	Args map[string]any
}

func (r *PastImport) problem(line int, key string, args map[string]any) {
	r.Problems = append(r.Problems, PastProblem{Line: line, Key: key, Args: args})
}

// problemFrom adds err, a *storage.Error, as line's problem; any other
// error is returned.
func (r *PastImport) problemFrom(line int, err error) error {
	var e *storage.Error
	if !errors.As(err, &e) || e.Code == storage.EINTERNAL {
		return err
	}
	r.problem(line, e.Key, e.Args)
	return nil
}

// ErrPastImportRejected: the file had problems and nothing was written.
var ErrPastImportRejected = errors.New("past meetings import rejected")

// ImportPastMeetings reads a CSV (header row: date, time, title, and
// optionally theme, zone, duration; English or French names; commas or
// semicolons; UTF-8 with or without BOM) of meetings that took place and
// stores them in one transaction: all or nothing. A row whose title and
// start are already a meeting is counted Unchanged, so importing the same
// file twice adds nothing.
func (s *Feature) ImportPastMeetings(ctx context.Context, r io.Reader) (PastImport, error) {
	var rep PastImport
	data, err := io.ReadAll(io.LimitReader(r, maxPastImportBytes+1))
	if err != nil {
		return rep, err
	}
	ins, lines := s.parsePast(data, &rep)
	if len(rep.Problems) > 0 {
		return rep, ErrPastImportRejected
	}
	var fresh []storage.MeetingInput
	var freshLines []int
	for i, in := range ins {
		dup, err := s.sameMeeting(ctx, in)
		if err != nil {
			return rep, err
		}
		if dup != nil {
			rep.Unchanged++
			continue
		}
		fresh, freshLines = append(fresh, in), append(freshLines, lines[i])
	}
	if len(fresh) == 0 {
		return rep, nil
	}
	if _, err := s.store.CreateMeetings(ctx, fresh); err != nil {
		line := 0
		var e *storage.Error
		if errors.As(err, &e) {
			if i, ok := e.Args["Index"].(int); ok && i >= 0 && i < len(freshLines) {
				line = freshLines[i]
			}
		}
		if err := rep.problemFrom(line, err); err != nil {
			return rep, err
		}
		return rep, ErrPastImportRejected
	}
	rep.Created = len(fresh)
	s.log.Info("past meetings imported", "created", rep.Created, "unchanged", rep.Unchanged)
	return rep, nil
}

// parsePast reads the rows into meeting inputs, with their line numbers,
// or adds problems to rep.
func (s *Feature) parsePast(data []byte, rep *PastImport) ([]storage.MeetingInput, []int) {
	if len(data) > maxPastImportBytes {
		rep.problem(0, "meeting_import_too_big", map[string]any{"Max": maxPastImportBytes >> 20})
		return nil, nil
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	if !utf8.Valid(data) {
		rep.problem(0, "meeting_import_not_utf8", nil)
		return nil, nil
	}
	rd := csv.NewReader(bytes.NewReader(data))
	first, _, _ := bytes.Cut(data, []byte("\n"))
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		rd.Comma = ';'
	}
	rd.FieldsPerRecord = -1
	header, err := rd.Read()
	cols := map[string]int{}
	for i, h := range header {
		if col, ok := pastColumns[strings.ReplaceAll(handlers.Fold(strings.TrimSpace(h)), " ", "-")]; ok {
			cols[col] = i
		}
	}
	if err != nil || !hasAll(cols, "date", "time", "title") {
		rep.problem(0, "meeting_import_header", nil)
		return nil, nil
	}
	var ins []storage.MeetingInput
	var lines []int
	for {
		rec, err := rd.Read()
		if err == io.EOF {
			break
		}
		line, _ := rd.FieldPos(0)
		if err != nil {
			rep.problem(line, "meeting_import_csv", nil)
			break
		}
		in, err := s.pastRow(rec, cols)
		if err != nil {
			if err := rep.problemFrom(line, err); err != nil {
				rep.problem(line, "error_internal", nil)
			}
			continue
		}
		ins, lines = append(ins, in), append(lines, line)
	}
	if len(ins) == 0 && len(rep.Problems) == 0 {
		rep.problem(0, "meeting_import_empty", nil)
	}
	return ins, lines
}

func hasAll(cols map[string]int, names ...string) bool {
	for _, n := range names {
		if _, ok := cols[n]; !ok {
			return false
		}
	}
	return true
}

// pastRow is one row as a held meeting.
func (s *Feature) pastRow(rec []string, cols map[string]int) (storage.MeetingInput, error) {
	cell := func(col string) string {
		if i, ok := cols[col]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	when := []string{cell("date"), cell("time")}
	if z := cell("zone"); z != "" {
		when = append(when, z)
	}
	start, zone, used, err := meetingStart(when, s.opts.Location)
	if err != nil {
		return storage.MeetingInput{}, err
	}
	if used < len(when) {
		return storage.MeetingInput{}, storage.Errorf(storage.EINVALID, "meeting_import_zone", map[string]any{"Value": cell("zone")}, "bad zone")
	}
	in := storage.MeetingInput{Title: cell("title"), Theme: cell("theme"), StartsAt: start, Zone: zone,
		Duration: s.meetingLength(), CreatedBy: "import", Held: true}
	if d := cell("duration"); d != "" {
		if in.Duration, err = time.ParseDuration(strings.ReplaceAll(d, " ", "")); err != nil {
			return in, storage.Errorf(storage.EINVALID, "meeting_error_duration", map[string]any{"Duration": d}, "bad duration")
		}
	}
	if in.Title == "" {
		return in, storage.Errorf(storage.EINVALID, "meeting_import_title", nil, "no title")
	}
	return in, nil
}

// Text is the import's report in lang.
func (r PastImport) Text(s *Feature, lang string) string {
	c := s.langCall(lang)
	if len(r.Problems) == 0 {
		return c.Count("meeting_import_done", r.Created, map[string]any{"Unchanged": c.Count("meeting_import_unchanged", r.Unchanged, nil)})
	}
	lines := []string{c.T("meeting_import_refused", nil)}
	for _, p := range r.Problems {
		msg := c.T(p.Key, c.With(p.Args))
		if p.Line > 0 {
			msg = c.T("meeting_import_line", map[string]any{"Line": p.Line, "Message": handlers.AfterColon(c.Lang, msg)})
		}
		lines = append(lines, "• "+msg)
	}
	return strings.Join(lines, "\n")
}

// sameMeeting returns the scheduled meeting that starts when in does and
// has its title (case and accents aside), or nil. The import uses it only
// to count a row already there as Unchanged; the write itself is guarded
// inside its transaction (storage refuses a copy).
func (s *Feature) sameMeeting(ctx context.Context, in storage.MeetingInput) (*storage.Meeting, error) {
	ms, err := s.store.FindMeetings(ctx, storage.MeetingFilter{From: in.StartsAt, Before: in.StartsAt.Add(time.Second),
		Status: storage.MeetingScheduled})
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		if m.StartsAt.Equal(in.StartsAt) &&
			handlers.Fold(strings.TrimSpace(m.Title)) == handlers.Fold(strings.TrimSpace(in.Title)) {
			return m, nil
		}
	}
	return nil, nil
}
