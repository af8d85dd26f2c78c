package polls

import (
	"copbot/handlers"
	"copbot/storage"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// pollArgs is a parsed `poll "Question?" "Option" … --flags` line. The set
// map says which flags were given, so that `poll edit` changes only those.
type pollArgs struct {
	Question    string
	Options     []string
	MaxVotes    int
	Anonymous   bool
	OpenOptions bool
	ClosesAt    time.Time // zero with set["closes"]: remove the deadline
	MeetingID   int64
	Remind      time.Duration
	set         map[string]bool
	questionAt  int // index in the arguments of the question, -1 if none
}

// pollArgError is a parse error as an i18n id and its data.
type pollArgError struct {
	Key  string
	Data map[string]any
}

// pollFlags are the poll options; their names fold, English and French.
// A deadline's date may be followed by its time of day ("--closes
// 2027-02-20 17:00").
var pollFlags = handlers.FlagSpec{
	Names: map[string]string{
		"votes": "votes", "vote": "votes", "choices": "votes", "choix": "votes",
		"anonymous": "anonymous", "anon": "anonymous", "anonyme": "anonymous",
		"closes": "closes", "close": "closes", "deadline": "closes", "ferme": "closes", "fermeture": "closes",
		"fin": "closes", "echeance": "closes",
		"open-options": "open-options", "options-ouvertes": "open-options", "ouvert": "open-options",
		"meeting": "meeting", "reunion": "meeting",
		"remind": "remind", "reminder": "remind", "rappel": "remind",
	},
	Bare:       map[string]bool{"anonymous": true, "open-options": true},
	More:       map[string]func(string) bool{"closes": pollIsClock},
	UnknownKey: "poll_error_unknown_flag", ValueKey: "poll_error_flag_value",
}

// pollMaxDeadline is how far ahead a poll may close.
const pollMaxDeadline = 366 * 24 * time.Hour

// parsePollArgs reads positional question and options and the flags.
// Dates are read in loc; relative deadlines count from now.
func parsePollArgs(args []string, now time.Time, loc *time.Location) (pollArgs, *pollArgError) {
	a := pollArgs{set: map[string]bool{}, questionAt: -1}
	at, opts, err := pollFlags.ParseAt(args)
	var e *storage.Error
	if errors.As(err, &e) {
		return a, &pollArgError{e.Key, e.Args}
	}
	for _, o := range opts {
		if err := a.setFlag(o, now, loc); err != nil {
			return a, err
		}
	}
	if len(at) > 0 {
		a.questionAt, a.Question = at[0], args[at[0]]
		for _, i := range at[1:] {
			a.Options = append(a.Options, args[i])
		}
	}
	if a.Remind > 0 && a.ClosesAt.IsZero() {
		return a, &pollArgError{"poll_error_remind_needs_close", nil}
	}
	return a, nil
}

func (a *pollArgs) setFlag(o handlers.Opt, now time.Time, loc *time.Location) *pollArgError {
	a.set[o.Field] = true
	var err *pollArgError
	switch o.Field {
	case "votes":
		a.MaxVotes, err = pollParseCount(o.Value)
	case "anonymous":
		a.Anonymous, err = pollParseBool(o)
	case "open-options":
		a.OpenOptions, err = pollParseBool(o)
	case "closes":
		a.ClosesAt, err = parsePollDeadline(o.Value, now, loc)
	case "meeting":
		a.MeetingID, err = pollParseMeeting(o.Value)
	case "remind":
		a.Remind, err = pollParseRemind(o.Value)
	}
	return err
}

func pollParseCount(v string) (int, *pollArgError) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 {
		return 0, &pollArgError{"poll_error_votes_number", map[string]any{"Value": v}}
	}
	return n, nil
}

func pollParseBool(o handlers.Opt) (bool, *pollArgError) {
	if !o.HasValue {
		return true, nil
	}
	switch handlers.Fold(strings.TrimSpace(o.Value)) {
	case "yes", "oui", "true", "on", "1":
		return true, nil
	case "no", "non", "false", "off", "0":
		return false, nil
	}
	return false, &pollArgError{"poll_error_flag_yes_no", map[string]any{"Flag": o.Name, "Value": o.Value}}
}

func pollIsNone(v string) bool {
	switch handlers.Fold(strings.TrimSpace(v)) {
	case "none", "no", "off", "0", "aucun", "aucune", "non":
		return true
	}
	return false
}

func pollParseMeeting(v string) (int64, *pollArgError) {
	if pollIsNone(v) {
		return 0, nil
	}
	id, ok := parsePollID(v)
	if !ok {
		return 0, &pollArgError{"poll_error_meeting_id", map[string]any{"Value": v}}
	}
	return id, nil
}

func pollParseRemind(v string) (time.Duration, *pollArgError) {
	if pollIsNone(v) {
		return 0, nil
	}
	d, ok := parsePollDuration(v)
	if !ok {
		return 0, &pollArgError{"poll_error_remind_format", map[string]any{"Value": v}}
	}
	return d, nil
}

// parsePollDeadline reads "2027-02-20" (the end of that day), "2027-02-20
// 17:00" or "2027-02-20T17:00" in loc, or a delay from now: "7d", "48h",
// "90m", "30s", "2w" ("7j", "2sem" in French). "none" removes the deadline.
func parsePollDeadline(v string, now time.Time, loc *time.Location) (time.Time, *pollArgError) {
	v = strings.TrimSpace(v)
	if pollIsNone(v) {
		return time.Time{}, nil
	}
	bad := &pollArgError{"poll_error_closes_format", map[string]any{"Value": v}}
	var t time.Time
	if d, ok := parsePollDuration(v); ok {
		t = now.Add(d)
	} else if t = pollParseDate(v, loc); t.IsZero() {
		return t, bad
	}
	switch {
	case !t.After(now):
		return time.Time{}, &pollArgError{"poll_error_closes_past", nil}
	case t.Sub(now) > pollMaxDeadline:
		return time.Time{}, &pollArgError{"poll_error_closes_far", map[string]any{"Days": int(pollMaxDeadline.Hours() / 24)}}
	}
	// Stored times have whole seconds: round up, so "--closes 2s" never
	// means less than two seconds.
	if r := t.Truncate(time.Second); r.Before(t) {
		t = r.Add(time.Second)
	}
	return t, nil
}

func pollParseDate(v string, loc *time.Location) time.Time {
	v = strings.Replace(v, "T", " ", 1)
	if t, err := time.ParseInLocation("2006-01-02 15:04", v, loc); err == nil {
		return t
	}
	if d, err := time.Parse("2006-01-02", v); err == nil {
		// The wall clock, not midnight plus 23 h 59: on the days clocks
		// change a day is 23 or 25 hours long.
		return time.Date(d.Year(), d.Month(), d.Day(), 23, 59, 0, 0, loc)
	}
	return time.Time{}
}

func pollIsClock(w string) bool {
	_, err := time.Parse("15:04", w)
	return err == nil
}

// pollUnits are the delay units, English and French.
var pollUnits = map[string]time.Duration{
	"s": time.Second, "sec": time.Second, "m": time.Minute, "min": time.Minute,
	"h": time.Hour, "d": 24 * time.Hour, "j": 24 * time.Hour,
	"w": 7 * 24 * time.Hour, "sem": 7 * 24 * time.Hour,
}

// parsePollDuration reads a positive whole number and a unit: "7d", "48h".
func parsePollDuration(v string) (time.Duration, bool) {
	v = strings.ToLower(strings.TrimSpace(v))
	i := strings.IndexFunc(v, func(r rune) bool { return !unicode.IsDigit(r) })
	if i <= 0 {
		return 0, false
	}
	n, err := strconv.Atoi(v[:i])
	unit, ok := pollUnits[strings.TrimSpace(v[i:])]
	if err != nil || !ok || n <= 0 || time.Duration(n) > pollMaxDeadline/unit {
		return 0, false
	}
	return time.Duration(n) * unit, true
}

// parsePollID reads "7" or "#7" (also "no 7"-free forms like "n°7").
func parsePollID(s string) (int64, bool) {
	s = strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(s), "n°"), "#")
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

// pollWord is one word of a command line as Fields splits it, and whether
// it was written in quotes.
type pollWord struct {
	Text   string
	Quoted bool
}

// pollWords splits s exactly as Fields does, also telling which words
// were quoted; unclosed reports a quote left open at the end of the line.
// Fields drops that information, and without it `poll Theme for March? A
// B` would be a question "Theme" with four options.
func pollWords(s string) (words []pollWord, unclosed bool) {
	var b strings.Builder
	inQuote, has, quoted := false, false, false
	for _, r := range s {
		switch {
		case r == '"' || r == '“' || r == '”' || r == '«' || r == '»':
			inQuote = !inQuote
			has, quoted = true, true
		case unicode.IsSpace(r) && !inQuote:
			if has {
				words = append(words, pollWord{Text: b.String(), Quoted: quoted})
				b.Reset()
				has, quoted = false, false
			}
		default:
			b.WriteRune(r)
			has = true
		}
	}
	if has {
		words = append(words, pollWord{Text: strings.TrimSpace(b.String()), Quoted: quoted})
	}
	return words, inQuote
}

// pollCheckQuotes refuses a command line whose quotes are unbalanced, or
// whose question (args[a.questionAt]) was not quoted: the words would
// otherwise be split into a wrong question and options and posted to the
// whole channel. args are the last words of the line (Fields and
// pollWords agree on the words, so they are aligned from the end).
func pollCheckQuotes(line string, args []string, a pollArgs) *pollArgError {
	words, unclosed := pollWords(line)
	if unclosed {
		return &pollArgError{"poll_error_unclosed_quote", nil}
	}
	if a.questionAt < 0 || len(words) < len(args) {
		return nil
	}
	if !words[len(words)-len(args)+a.questionAt].Quoted {
		return &pollArgError{"poll_error_quote_question", map[string]any{"Question": args[a.questionAt]}}
	}
	return nil
}
