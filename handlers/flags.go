package handlers

import (
	"cmp"
	"strconv"
	"strings"
	"time"

	"copbot/storage"
)

// This file is copbot's one flag parser: every command that takes
// "--name value" options (meetings, notes, polls, challenges, outreach,
// the report) reads them here, so they all take the same forms.

// SplitFlag recognizes a flag word: "--name", "--name=value", and the same
// with an em or en dash ("—name"), which phones type for "--". ok is false
// for any other word, "--" alone included.
func SplitFlag(w string) (name, value string, hasValue, ok bool) {
	switch {
	case strings.HasPrefix(w, "--"):
		w = w[2:]
	case strings.HasPrefix(w, "—"), strings.HasPrefix(w, "–"):
		w = strings.TrimLeft(w, "—–")
	default:
		return "", "", false, false
	}
	if w == "" {
		return "", "", false, false
	}
	name, value, hasValue = strings.Cut(w, "=")
	return name, value, hasValue, true
}

// Opt is one "--name value" pair of a command, with the canonical field
// its (English or French) name stands for.
type Opt struct {
	Field string
	Name  string // the flag as typed, dashes included, for messages
	Value string
	// HasValue is false for a bare flag written without "=value".
	HasValue bool
}

// FlagSpec maps folded flag names, both languages, to fields.
type FlagSpec struct {
	Names map[string]string
	// Bare fields take no value unless one is written "--name=value".
	Bare map[string]bool
	// More lets a field's value go on with the next word when the word
	// passes the test (a deadline's date, then its time of day).
	More map[string]func(word string) bool
	Help string // the flags to suggest when one is unknown, e.g. "--format, --point"
	// UnknownKey and ValueKey are the message ids of an unknown flag and of
	// a flag missing its value (data: Flag, Flags); empty means the
	// report's ("report_error_flag", "report_error_flag_value").
	UnknownKey, ValueKey string
}

// Parse splits words into positionals and options in the order given
// (repeatable options such as --point keep every value).
func (f FlagSpec) Parse(words []string) (pos []string, opts []Opt, err error) {
	at, opts, err := f.ParseAt(words)
	if err != nil {
		return nil, nil, err
	}
	for _, i := range at {
		pos = append(pos, words[i])
	}
	return pos, opts, nil
}

// ParseAt is Parse giving the index in words of each positional word.
func (f FlagSpec) ParseAt(words []string) (pos []int, opts []Opt, err error) {
	for i := 0; i < len(words); i++ {
		name, value, inline, isFlag := SplitFlag(words[i])
		if !isFlag {
			pos = append(pos, i)
			continue
		}
		typed, _, _ := strings.Cut(words[i], "=")
		field, ok := f.Names[Fold(name)]
		if !ok {
			return nil, nil, storage.Errorf(storage.EINVALID, cmp.Or(f.UnknownKey, "report_error_flag"),
				map[string]any{"Flag": typed, "Flags": f.Help}, "unknown flag %s", typed)
		}
		if !inline && !f.Bare[field] {
			if i+1 >= len(words) {
				return nil, nil, storage.Errorf(storage.EINVALID, cmp.Or(f.ValueKey, "report_error_flag_value"),
					map[string]any{"Flag": typed, "Flags": f.Help}, "no value for %s", typed)
			}
			i++
			value, inline = words[i], true
			if more := f.More[field]; more != nil && i+1 < len(words) && more(words[i+1]) {
				i++
				value += " " + words[i]
			}
		}
		opts = append(opts, Opt{Field: field, Name: typed, Value: value, HasValue: inline})
	}
	return pos, opts, nil
}

// YesNo reads yes/no in either language.
func YesNo(s string) (bool, bool) {
	switch Fold(s) {
	case "yes", "y", "oui", "o", "true", "held", "tenue":
		return true, true
	case "no", "n", "non", "false":
		return false, true
	}
	return false, false
}

// ParseDate reads a YYYY-MM-DD date.
func ParseDate(s string) (time.Time, bool) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	return t, err == nil
}

// ParseCount reads a non-negative whole number.
func ParseCount(s string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	return n, err == nil && n >= 0
}

// ErrValue is the refusal of an option value: which option, what was given.
func ErrValue(o Opt) error {
	return storage.Errorf(storage.EINVALID, "report_error_value", map[string]any{"Flag": o.Name, "Value": o.Value},
		"bad value %q for %s", o.Value, o.Name)
}

// ErrExtra refuses words a command did not expect.
func ErrExtra(words []string) error {
	return storage.Errorf(storage.EINVALID, "report_error_extra", map[string]any{"Value": strings.Join(words, " ")}, "extra words")
}
