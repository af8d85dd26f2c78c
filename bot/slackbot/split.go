package slackbot

import (
	"strings"
	"unicode/utf8"
)

// Cutting and splitting escaped mrkdwn without breaking an entity.

// truncate cuts s to at most n characters, ending with "…" when cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// truncEscaped truncates escaped mrkdwn without cutting an &entity; in half.
func truncEscaped(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	cut := entitySafe(r, n-1)
	return string(r[:cut]) + "…"
}

// splitEscaped splits escaped mrkdwn into chunks of at most n characters,
// preferring line breaks, then spaces, and never splitting an entity.
// Empty or blank text yields no chunk.
func splitEscaped(s string, n int) []string {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	if utf8.RuneCountInString(s) <= n {
		return []string{s}
	}
	var out []string
	r := []rune(s)
	for len(r) > n {
		cut := breakPoint(r[:n])
		out = append(out, strings.TrimRight(string(r[:cut]), " \n"))
		r = trimBreaks(r[cut:])
	}
	if len(r) > 0 {
		out = append(out, string(r))
	}
	return out
}

// trimBreaks drops the spaces and newlines a chunk starts with.
func trimBreaks(r []rune) []rune {
	for len(r) > 0 && (r[0] == ' ' || r[0] == '\n') {
		r = r[1:]
	}
	return r
}

// breakPoint picks where to cut r (already at most the limit long): the last
// newline or space in its second half, else the end, moved off any entity.
func breakPoint(r []rune) int {
	for _, sep := range []rune{'\n', ' '} {
		for i := len(r) - 1; i > len(r)/2; i-- {
			if r[i] == sep {
				return i + 1
			}
		}
	}
	return entitySafe(r, len(r))
}

// entitySafe moves cut back before an "&…;" entity it would split. The
// escaped text holds '&' only as an entity start, and entities are at most
// five characters long ("&amp;").
func entitySafe(r []rune, cut int) int {
	for i := cut - 1; i >= 0 && i > cut-5; i-- {
		if r[i] == ';' {
			return cut
		}
		if r[i] == '&' {
			return i
		}
	}
	return cut
}
