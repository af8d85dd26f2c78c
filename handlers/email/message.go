// Package email is the feature that reaches members by email: meeting
// invitations a calendar adds (iCalendar METHOD:REQUEST, updates with a
// higher SEQUENCE, METHOD:CANCEL), reminders and poll invitations, each
// sent once per person and event through the delivery ledger. It builds
// neutral messages; the adapter in bot/emailbot renders and sends them.
package email

import (
	"context"
	"time"

	"copbot/handlers"
)

// Platform is the delivery ledger's platform for email: each person's copy
// of an event is one keyed delivery (see Message.Key).
const Platform = "email"

// Address is a person's mailbox and display name.
type Address struct {
	Name string
	Addr string
}

// Message is one email to one person about one event.
type Message struct {
	// Key names the person and the event for ever ("email:meeting:12:3:45"):
	// the ledger key, and the seed of the Message-ID, so that a resend
	// after a lost answer is the same message to every mail system.
	Key  string
	To   Address
	Lang string // "en", "fr", or "" for both (English first)
	// Subject is one line, already in the person's language (or both).
	Subject string
	// Body is the neutral content, rendered as text/plain and text/html.
	Body handlers.Reply
	// Invite, when set, adds a text/calendar part a calendar acts on.
	Invite *Invite
	// Unsubscribe is how the person stops email (List-Unsubscribe):
	// an https one-click URL (RFC 8058), a mailto, or both.
	Unsubscribe Unsubscribe
}

// Unsubscribe holds the List-Unsubscribe targets of a message.
type Unsubscribe struct {
	URL    string // https, takes a one-click POST; "" when copbot has no public address
	Mailto string // "mailto:…?subject=…"; "" for none
}

// Invite methods (RFC 5546).
const (
	MethodRequest = "REQUEST"
	MethodCancel  = "CANCEL"
)

// Invite is a meeting as a calendar invitation. Start and End are instants
// (written in UTC, so no VTIMEZONE is needed).
type Invite struct {
	Method   string // MethodRequest or MethodCancel
	UID      string // the meeting's, stable for ever (the calendar feed's too)
	Sequence int    // grows with every change of the meeting
	Stamp    time.Time
	Start    time.Time
	End      time.Time
	Summary  string
	// Description, Location and URL may be empty.
	Description string
	Location    string
	URL         string
	Organizer   Address
	Attendee    Address
}

// Sender sends one message. An error that is a *handlers.PostFailure
// certainly did not deliver it (refused, or never sent); any other error
// is a lost answer: the message may have been delivered, and a resend
// carries the same Message-ID.
type Sender interface {
	Send(ctx context.Context, m Message) error
}
