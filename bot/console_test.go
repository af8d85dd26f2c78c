package bot

import (
	"bufio"
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

// TestReadLine checks line splitting at the edges of maxLine.
func TestReadLine(t *testing.T) {
	fits := strings.Repeat("a", maxLine)
	tests := []struct {
		name  string
		input string
		want  []inputLine
	}{
		{"plain and CRLF", "a\r\nb\n", []inputLine{{text: "a"}, {text: "b"}}},
		{"last line without newline", "a\nb", []inputLine{{text: "a"}, {text: "b"}}},
		{"empty lines kept", "\n\n", []inputLine{{}, {}}},
		{"exactly maxLine", fits + "\r\nz\n", []inputLine{{text: fits}, {text: "z"}}},
		{"one byte over", fits + "b\nz\n", []inputLine{{tooLong: true}, {text: "z"}}},
		{"far over, at EOF", fits + fits, []inputLine{{tooLong: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			br := bufio.NewReader(strings.NewReader(tt.input))
			var got []inputLine
			for {
				in, err := readLine(br)
				if err != nil {
					break
				}
				got = append(got, in)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d lines, want %d", len(got), len(tt.want))
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("line %d: tooLong %v len %d, want tooLong %v len %d",
						i, got[i].tooLong, len(got[i].text), tt.want[i].tooLong, len(tt.want[i].text))
				}
			}
		})
	}
}
