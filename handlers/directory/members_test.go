package directory

import (
	"testing"
)

func TestAndList(t *testing.T) {
	s, _ := mtService(t, nil)
	tests := []struct {
		lang  string
		items []string
		want  string
	}{
		{"en", nil, ""},
		{"en", []string{"A"}, "A"},
		{"en", []string{"A", "B"}, "A and B"},
		{"en", []string{"A", "B", "C"}, "A, B and C"},
		{"fr", []string{"A", "B", "C"}, "A, B et C"},
	}
	for _, tt := range tests {
		c := s.langCall(tt.lang)
		if got := c.AndList(tt.items); got != tt.want {
			t.Errorf("andList(%s, %q) = %q, want %q", tt.lang, tt.items, got, tt.want)
		}
	}
}
