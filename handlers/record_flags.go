package handlers

import (
	"strconv"
	"strings"
	"time"

	"copbot/storage"
)

// opt is one "--name value" pair of a coordinator command, with the
// canonical field its (English or French) name stands for.
type opt struct {
	field, name, value string
}

// flagSpec maps folded flag names, both languages, to fields; bare fields
// take no value.
type flagSpec struct {
	names map[string]string
	bare  map[string]bool
	help  string // the flags to suggest when one is unknown, e.g. "--format, --point"
}

// parse splits words into positionals and options in the order given
// (repeatable options such as --point keep every value). "--name=value"
// works too.
func (f flagSpec) parse(words []string) (pos []string, opts []opt, err error) {
	for i := 0; i < len(words); i++ {
		w := words[i]
		if !strings.HasPrefix(w, "--") {
			pos = append(pos, w)
			continue
		}
		name, value, inline := strings.Cut(w, "=")
		field, ok := f.names[Fold(strings.TrimLeft(name, "-"))]
		if !ok {
			return nil, nil, storage.Errorf(storage.EINVALID, "report_error_flag",
				map[string]any{"Flag": name, "Flags": f.help}, "unknown flag %s", name)
		}
		if !inline && !f.bare[field] {
			if i+1 >= len(words) {
				return nil, nil, storage.Errorf(storage.EINVALID, "report_error_flag_value",
					map[string]any{"Flag": name}, "no value for %s", name)
			}
			i++
			value = words[i]
		}
		opts = append(opts, opt{field: field, name: name, value: value})
	}
	return pos, opts, nil
}

// yesNo reads yes/no in either language.
func yesNo(s string) (bool, bool) {
	switch Fold(s) {
	case "yes", "y", "oui", "o", "true", "held", "tenue":
		return true, true
	case "no", "n", "non", "false":
		return false, true
	}
	return false, false
}

// parseDate reads a YYYY-MM-DD date.
func parseDate(s string) (time.Time, bool) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	return t, err == nil
}

// parseCount reads a non-negative whole number.
func parseCount(s string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	return n, err == nil && n >= 0
}

// errValue is the refusal of an option value: which option, what was given.
func errValue(o opt) error {
	return storage.Errorf(storage.EINVALID, "report_error_value", map[string]any{"Flag": o.name, "Value": o.value},
		"bad value %q for %s", o.value, o.name)
}

// errExtra refuses words a command did not expect.
func errExtra(words []string) error {
	return storage.Errorf(storage.EINVALID, "report_error_extra", map[string]any{"Value": strings.Join(words, " ")}, "extra words")
}
