package handlers

import (
	"copbot/storage"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// Every command reads its options with one parser, which takes the em and
// en dashes phones type for "--" (issue 14: "—title" once failed outside
// polls).
func TestFlagSpecParse(t *testing.T) {
	spec := FlagSpec{
		Names: map[string]string{"title": "title", "titre": "title", "anonymous": "anonymous", "closes": "closes"},
		Bare:  map[string]bool{"anonymous": true},
		More:  map[string]func(string) bool{"closes": func(w string) bool { return strings.Contains(w, ":") }},
	}
	tests := []struct {
		in       string
		pos      []int
		opts     []Opt
		errorKey string
	}{
		{in: "A --title B C", pos: []int{0, 3}, opts: []Opt{{Field: "title", Name: "--title", Value: "B", HasValue: true}}},
		{in: "—titre B", opts: []Opt{{Field: "title", Name: "—titre", Value: "B", HasValue: true}}},
		{in: "–TITRE=B", opts: []Opt{{Field: "title", Name: "–TITRE", Value: "B", HasValue: true}}},
		{in: "--anonymous Q", pos: []int{1}, opts: []Opt{{Field: "anonymous", Name: "--anonymous"}}},
		{in: "--anonymous=no", opts: []Opt{{Field: "anonymous", Name: "--anonymous", Value: "no", HasValue: true}}},
		{in: "--closes 2027-02-20 17:00 X", pos: []int{3},
			opts: []Opt{{Field: "closes", Name: "--closes", Value: "2027-02-20 17:00", HasValue: true}}},
		{in: "-- —", pos: []int{0, 1}},
		{in: "--colour red", errorKey: "report_error_flag"},
		{in: "A —title", errorKey: "report_error_flag_value"},
	}
	for _, tt := range tests {
		pos, opts, err := spec.ParseAt(strings.Fields(tt.in))
		if tt.errorKey != "" {
			if key := errorKey(err); key != tt.errorKey {
				t.Errorf("%q: error %v, want %s", tt.in, err, tt.errorKey)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(pos, tt.pos) || !reflect.DeepEqual(opts, tt.opts) {
			t.Errorf("%q: %v %+v %v, want %v %+v", tt.in, pos, opts, err, tt.pos, tt.opts)
		}
	}
	keyed := FlagSpec{Names: map[string]string{}, UnknownKey: "meeting_error_flag"}
	if _, _, err := keyed.Parse([]string{"—nope"}); errorKey(err) != "meeting_error_flag" {
		t.Errorf("unknown flag with a command's own key: %v", err)
	}
}

// errorKey is the message id of a *storage.Error, else the error's text.
func errorKey(err error) string {
	var e *storage.Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Key
	}
	return err.Error()
}
