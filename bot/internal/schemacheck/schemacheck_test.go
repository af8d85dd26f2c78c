package schemacheck

import "testing"

// TestECMAEquivalents checks each hand-translated pattern against strings
// the original accepts and refuses.
func TestECMAEquivalents(t *testing.T) {
	cases := []struct {
		s    string
		want bool
	}{
		{"example.com", true}, {"a-b.c9", true}, {"ab", true}, {"a", false}, {".example.com", false},
		{"-example.com", false}, {"example.com.", false}, {"example-", false}, {"Example.com", false}, {"9a", true},
	}
	for pattern := range ecmaOnly {
		re, err := compileRegexp(pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			if got := re.MatchString(c.s); got != c.want {
				t.Errorf("%s on %q = %v, want %v", pattern, c.s, got, c.want)
			}
		}
	}
	if _, err := compileRegexp(`^(?!x)y$`); err == nil {
		t.Error("an unknown lookahead pattern compiled: it must fail, not be skipped")
	}
}
