package handlers

// This file is the platform-neutral message model. Handlers build Replies;
// each adapter in bot/ has one renderer (Block Kit, Adaptive Card, text) that
// turns a Reply into its platform's format. All text here is already
// translated and is plain text: renderers escape it for their platform.
// Catalog text may hold `code` spans, which renderers show as code where
// they can; what people typed is marked with User, and shown as typed
// (see usertext.go).

import "time"

// Visibility says who sees a reply.
type Visibility int

const (
	// Ephemeral replies are seen only by the person who asked: personal
	// answers, profiles and errors.
	Ephemeral Visibility = iota
	// InChannel replies are posted for everyone in the channel.
	InChannel
)

// Reply is one message from the bot.
type Reply struct {
	// Kind names the reply for renderers' golden tests and logs:
	// "help", "directory", "gaps", "stats", "profile", "error", "meeting",
	// "poll", "reminder", …
	Kind       string
	Visibility Visibility
	Lang       string // "en" or "fr": the language the text is in
	// Text is the plain-text version of the whole reply: the notification
	// and screen-reader fallback, and what the console prints.
	Text   string
	Blocks []Block
	// Form, when set, asks the adapter to open a form (a Slack modal, an
	// Adaptive Card with inputs). Adapters that cannot show forms print Text,
	// which then explains the one-line command instead.
	Form *Form
	// Plain asks the adapter for its plainest rendering (the reader uses a
	// screen reader or text-to-speech): no decorative symbols or rules;
	// the text itself is already written out in words.
	Plain bool
	// Replace asks the adapter to replace the message the user clicked in
	// (a poll after a vote) rather than post a new one.
	Replace bool
	// File, when set, is a document to hand over with the reply (the
	// report to the Council): a Slack file upload in the channel, a Teams
	// attachment, a file the console writes and names.
	File *File
	// Key, when set, names the reply's whole content: replies with the same
	// Key are equal, so an adapter may keep its rendering under it. The
	// core sets it on the replies it caches (see Command.Cached); their
	// Blocks are shared and must not be modified.
	Key string
	// Until, set by a Cached command whose reply depends on the time (a
	// meeting under way leaves the list when it ends), is when the reply
	// stops being true although nothing was written: it is not reused from
	// then on.
	Until time.Time
}

// File is a document attached to a reply.
type File struct {
	Name string // file name, e.g. "copbot-report-2026-09-01-2027-01-31.en.html"
	MIME string // e.g. "text/html; charset=utf-8"
	Data []byte
}

// Block is one part of a reply. The concrete types are below.
type Block interface{ isBlock() }

// Header is a title line.
type Header struct{ Text string }

// MaxTitle is the longest text every platform shows whole as a title
// (a Slack header takes 150 characters).
const MaxTitle = 150

// Title shows a title whole on every platform: full as the header when it
// fits one, else short as the header and full in a section under it.
func Title(full, short string) []Block {
	if TextLen(full) <= MaxTitle {
		return []Block{Header{Text: full}}
	}
	return []Block{Header{Text: short}, Section{Text: full}}
}

// Section is a paragraph with optional label/value fields. Text may hold
// line breaks.
type Section struct {
	Text   string
	Fields []Field
}

// Field is a label and its value, shown side by side where possible.
type Field struct {
	Label string
	Value string
}

// Actions is a row of buttons.
type Actions struct {
	Buttons []Button
}

// Button is a clickable action. ActionID routes the click back to
// Service.Act; Value carries its argument (a poll option, a meeting id).
type Button struct {
	ActionID string
	Label    string
	Value    string
	Style    ButtonStyle
	// URL makes a link button: clicking opens it and nothing is routed back.
	URL string
}

// ButtonStyle hints at a button's role.
type ButtonStyle int

// Button styles.
const (
	StyleDefault ButtonStyle = iota
	StylePrimary
	StyleDanger
)

// Context is small print under a message: counts, hints, timestamps.
type Context struct{ Text string }

// Divider separates parts of a message.
type Divider struct{}

// Time is a line showing an instant, which a platform may render in each
// reader's own time zone (Slack's <!date^…> token). The line reads
// Prefix + the time; Fallback is the time written in the community zone.
type Time struct {
	Prefix   string
	Unix     int64
	Fallback string
}

func (Header) isBlock()  {}
func (Section) isBlock() {}
func (Actions) isBlock() {}
func (Context) isBlock() {}
func (Divider) isBlock() {}
func (Time) isBlock()    {}

// Form is a neutral input form: a Slack modal, a Teams card with inputs.
type Form struct {
	ID     string // routes the submission to Service.Submit: "signup", "poll_create", …
	Title  string
	Submit string // submit button label
	Fields []FormField
	// State is opaque data echoed back on submission (e.g. a poll id).
	State string
}

// FormField is one input of a Form.
type FormField struct {
	ID       string
	Label    string
	Hint     string
	Kind     FieldKind
	Options  []Option // for selects
	Initial  string   // initial value (option value for selects)
	Optional bool
}

// FieldKind is the kind of input a FormField is.
type FieldKind int

// Field kinds.
const (
	FieldText FieldKind = iota
	FieldSelect
	FieldMultiline
)

// Option is one choice of a select.
type Option struct {
	Value string
	Label string
}
