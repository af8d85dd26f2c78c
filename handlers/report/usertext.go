package report

import "copbot/handlers"

// unmarked is s without the marks that set user text apart in chat replies
// (handlers.User): the report document escapes user text its own way, in
// HTML or in Markdown.
func unmarked(s string) string { return handlers.Unmark(s) }
