package bot

import (
	"strings"
	"testing"
)

// TestConsoleLongLine is issue 9, finding 7: a line over 1 MiB ended the
// console session. It is now refused in both languages and the session
// goes on to the next line.
func TestConsoleLongLine(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	long := "join " + strings.Repeat("x", 2<<20)
	code, out, errOut := cli(t, dir, "stats\n"+long+"\r\nstatistiques\n", "console", "-as", "visitor")
	if code != 0 {
		t.Fatalf("console exit %d: %s", code, errOut)
	}
	// In order: the first reply, the refusal, the reply after it.
	rest := out
	for _, want := range []string{"Nobody has joined yet", "longer than 1048576 bytes", "dépasse 1048576 octets",
		"Aucune inscription pour l’instant"} {
		i := strings.Index(rest, want)
		if i < 0 {
			t.Fatalf("output lacks %q (in this order):\n%.3000s", want, out)
		}
		rest = rest[i:]
	}
}
