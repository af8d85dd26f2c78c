package consolebot

import (
	"bufio"
	"strings"
	"testing"
)

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
