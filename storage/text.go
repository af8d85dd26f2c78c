package storage

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Every text a user gives and the database keeps (member name,
// organization, title, email and ids; poll question and options; meeting
// title, agenda, theme and link; challenges, invitations' contacts, meeting
// records) passes checkText before anything transforms it (trimming,
// squeezing spaces, NFC), and the edge runs CheckText on raw input before
// its own parsers do, so that no invalid byte is ever turned into U+FFFD
// and stored.

// CheckText applies storage's rules for any text a user gives to the raw
// value of field, before anything parses or transforms it: valid UTF-8, no
// control character but tab, line feed and carriage return, no bidi
// embedding, override or isolate (see checkText), and, unless it is blank,
// at least one visible character. The error is an *Error (EINVALID) whose
// Args["Field"] is field, so that the message names the right field:
// error_text_utf8 {Field, Position}, error_text_control {Field, Position,
// Char} or error_text_invisible {Field}.
func CheckText(field, value string) error {
	if err := checkText(field, value, textBreaks); err != nil {
		return err
	}
	return nil
}

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
// allowed. A text that is not blank must have a visible character: one
// made only of zero-width characters (U+200B–U+200D, U+2060, U+FEFF),
// direction marks, fillers and spaces looks empty but is not, and would
// make a name or title nobody can see or type. The error is EINVALID
// error_text_utf8 {Field, Position}, error_text_control {Field, Position,
// Char} or error_text_invisible {Field}; Position counts characters from 1
// and Char is the refused character's code point, "U+202E".
func checkText(field, s string, breaks bool) *Error {
	if printableASCII(s) { // most text: nothing to decode, visible unless blank
		return nil
	}
	pos, seen := 0, false
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
		seen = seen || visible(r)
	}
	if !seen && strings.TrimSpace(s) != "" {
		return invalidf("error_text_invisible", map[string]any{"Field": field},
			"%s: %d characters and none of them visible", field, pos)
	}
	return nil
}

// textField is one text checkFields checks: its field name (the Field of
// the error), its value and whether it may span lines.
type textField struct {
	name, value string
	breaks      bool
}

// checkFields runs checkText over fields, in order, and returns the first
// refusal.
func checkFields(fields ...textField) *Error {
	for _, f := range fields {
		if err := checkText(f.name, f.value, f.breaks); err != nil {
			return err
		}
	}
	return nil
}

// deref is *p, or "" for nil (a field an update leaves alone).
func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// visible reports whether r shows as something: a letter, digit, mark
// with a width, punctuation or symbol. Spaces, format characters (Cf: the
// zero-width ones, direction marks, the BOM), lone combining marks and the
// characters that render as blanks (Hangul fillers, the braille blank) do
// not.
func visible(r rune) bool {
	switch r {
	case 'ᅟ', 'ᅠ', 'ㅤ', 'ﾠ', '⠀':
		return false
	}
	return unicode.IsGraphic(r) && !unicode.IsSpace(r) && !unicode.In(r, unicode.Cf, unicode.Mn, unicode.Me)
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
