package handlers

import (
	"strconv"
	"strings"
	"time"

	"copbot/storage"
)

// Opt is one "--name value" pair of a coordinator command, with the
// canonical field its (English or French) name stands for.
type Opt struct {
	Field, Name, Value string
}

// FlagSpec maps folded flag names, both languages, to fields; bare fields
// take no value.
type FlagSpec struct {
	Names map[string]string
	Bare  map[string]bool
	Help  string // the flags to suggest when one is unknown, e.g. "--format, --point"
}

// Parse splits words into positionals and options in the order given
// (repeatable options such as --point keep every value). "--name=value"
// works too.
func (f FlagSpec) Parse(words []string) (pos []string, opts []Opt, err error) {
	for i := 0; i < len(words); i++ {
		w := words[i]
		if !strings.HasPrefix(w, "--") {
			pos = append(pos, w)
			continue
		}
		name, value, inline := strings.Cut(w, "=")
		field, ok := f.Names[Fold(strings.TrimLeft(name, "-"))]
		if !ok {
			return nil, nil, storage.Errorf(storage.EINVALID, "report_error_flag",
				map[string]any{"Flag": name, "Flags": f.Help}, "unknown flag %s", name)
		}
		if !inline && !f.Bare[field] {
			if i+1 >= len(words) {
				return nil, nil, storage.Errorf(storage.EINVALID, "report_error_flag_value",
					map[string]any{"Flag": name}, "no value for %s", name)
			}
			i++
			value = words[i]
		}
		opts = append(opts, Opt{Field: field, Name: name, Value: value})
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
