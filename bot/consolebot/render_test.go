package consolebot

import (
	"testing"

	"copbot/handlers"
)

// TestRenderTextTerminalSafe is part of finding 5 of issue 9: text a reply
// echoes (a place, a name someone typed) used to reach the console raw,
// escape sequences included.
func TestRenderTextTerminalSafe(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"ESC sequence", "I don’t know “\x1b[2J\x1b[31mRed”.", "I don’t know “\uFFFD[2J\uFFFD[31mRed”.\n"},
		{"bidi override", "Lee\u202Egpj.exe", "Lee\uFFFDgpj.exe\n"},
		{"C1 and DEL", "a\u009bb\x7fc", "a\uFFFDb\uFFFDc\n"},
		{"broken UTF-8", "Caf\xe9", "Caf\uFFFD\n"},
		{"kept", "Éloïse 🎉 محمد דוד\tline\nnext \u200F", "Éloïse 🎉 محمد דוד\tline\nnext \u200F\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RenderText(handlers.Reply{Text: tt.text}); got != tt.want {
				t.Errorf("RenderText = %q, want %q", got, tt.want)
			}
			got := RenderText(handlers.Reply{Blocks: []handlers.Block{handlers.Section{Text: tt.text}}})
			if got != tt.want {
				t.Errorf("RenderText(blocks) = %q, want %q", got, tt.want)
			}
		})
	}
}
