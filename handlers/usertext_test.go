package handlers

import (
	"reflect"
	"testing"
)

func TestSpans(t *testing.T) {
	name := "Bob *bold* _it_ ~x~ ```code"
	tests := []struct {
		in   string
		want []Span
	}{
		{"", nil},
		{"Run `/cop join`", []Span{{Text: "Run `/cop join`"}}},
		{"Hello " + User(name) + ", run `who`", []Span{{Text: "Hello "}, {Text: name, User: true}, {Text: ", run `who`"}}},
		{User("a") + User("b"), []Span{{Text: "ab", User: true}}},
		// A text split inside a run: each half keeps its kind.
		{"x" + string(userOpen) + "*y", []Span{{Text: "x"}, {Text: "*y", User: true}}},
		{"*y" + string(userClose) + " z", []Span{{Text: "*y", User: true}, {Text: " z"}}},
		// Marks typed into a name cannot close its run early.
		{User("a" + string(userClose) + "*b*"), []Span{{Text: "a*b*", User: true}}},
		// Broken UTF-8 reads as U+FFFD, one per byte, as when ranging over it.
		{"a\xff\xfe" + User("b\xff"), []Span{{Text: "a\ufffd\ufffd"}, {Text: "b\ufffd", User: true}}},
		{string(userOpen) + string(userClose), nil},
	}
	for _, tt := range tests {
		if got := Spans(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Spans(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestUnmark(t *testing.T) {
	s := "Hello " + User("Zoë *Z*") + "!"
	if got, want := Unmark(s), "Hello Zoë *Z*!"; got != want {
		t.Errorf("Unmark = %q, want %q", got, want)
	}
	if got := TextLen(s); got != 14 {
		t.Errorf("TextLen = %d, want 14", got)
	}
	if User("") != "" {
		t.Error("User(\"\") is not empty")
	}
}

// User text keeps its marks through both catalogs, French typography
// included, and comes out whole.
func TestUserTextThroughCatalogs(t *testing.T) {
	tr, err := NewTranslator()
	if err != nil {
		t.Fatal(err)
	}
	name := "Zoë ```*_~ : ?"
	for _, lang := range []string{"en", "fr"} {
		got := tr.T(lang, "poll_quote", map[string]any{"Text": User(name)})
		var user []string
		for _, sp := range Spans(got) {
			if sp.User {
				user = append(user, sp.Text)
			}
		}
		if len(user) != 1 || user[0] != name {
			t.Errorf("%s: user runs of %q = %q, want [%q]", lang, got, user, name)
		}
	}
}
