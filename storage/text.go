package storage

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Every text a user gives and the database keeps (member name,
// organization, title, email and ids; poll question and options; meeting
// title, agenda, theme and link) passes checkText before it is stored.

// Kinds of text for checkText.
const (
	// textLine may hold no control character at all.
	textLine = false
	// textBreaks may also hold tab, line feed and carriage return: a
	// multi-line field, or one whose white space is squeezed to single
	// spaces before it is stored.
	textBreaks = true
)

// checkText refuses invalid UTF-8, NUL and the other C0 and C1 control
// characters and DEL (tab, line feed and carriage return are allowed when
// breaks is textBreaks), and the bidi embeddings, overrides and isolates
// U+202A–U+202E and U+2066–U+2069, which make a text display in another
// order than it reads (a name that spoofs what follows it). Letters of every
// script, accents, emoji and the plain direction marks U+200E and U+200F stay
// allowed. The error is EINVALID error_text_utf8 {Field, Position} or
// error_text_control {Field, Position, Char}; Position counts characters
// from 1 and Char is the refused character's code point, "U+202E".
func checkText(field, s string, breaks bool) *Error {
	if printableASCII(s) { // most text: nothing to decode
		return nil
	}
	pos := 0
	for i, r := range s {
		pos++
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size <= 1 {
				return invalidf("error_text_utf8", map[string]any{"Field": field, "Position": pos},
					"%s: invalid UTF-8 at character %d", field, pos)
			}
		}
		if refusedRune(r, breaks) {
			char := fmt.Sprintf("U+%04X", r)
			return invalidf("error_text_control", map[string]any{"Field": field, "Position": pos, "Char": char},
				"%s: %s at character %d", field, char, pos)
		}
	}
	return nil
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7E {
			return false
		}
	}
	return true
}

func refusedRune(r rune, breaks bool) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return !breaks
	case r < 0x20 || (r >= 0x7F && r <= 0x9F):
		return true
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// cleanBlock is a multi-line text as stored: NFC, CRLF and lone CR as LF,
// trimmed.
func cleanBlock(s string) string {
	if strings.ContainsRune(s, '\r') {
		s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	}
	return norm.NFC.String(strings.TrimSpace(s))
}

// cleanLine is a one-line text as stored: NFC, trimmed.
func cleanLine(s string) string { return norm.NFC.String(strings.TrimSpace(s)) }
