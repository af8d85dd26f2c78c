// Package storage owns copbot's domain types and their SQLite persistence.
//
// It imports nothing else of copbot's. Every exported method takes a context
// first, runs in one transaction and returns either a result or an *Error whose
// Code and Key let the edge (handlers) tell the user what went wrong in their
// own language.
package storage

import (
	"time"
)

// Order is an order of government.
type Order string

// The three orders of government the Community counts in its report.
// Territorial ministries are counted with provincial ones ("provincial and
// territorial ministries"), so there is one order for both.
const (
	OrderFederal    Order = "federal"
	OrderProvincial Order = "provincial"
	OrderMunicipal  Order = "municipal"
)

// Orders lists the orders in report order.
var Orders = [...]Order{OrderFederal, OrderProvincial, OrderMunicipal}

// Valid reports whether o is one of the three orders.
func (o Order) Valid() bool {
	return o == OrderFederal || o == OrderProvincial || o == OrderMunicipal
}

// Platform names a chat platform an identity belongs to.
type Platform string

// Platforms copbot talks to.
const (
	PlatformConsole Platform = "console"
	PlatformSlack   Platform = "slack"
	PlatformTeams   Platform = "teams"
)

// Identity is a user's id on one platform, e.g. {slack, U012AB3CD}.
type Identity struct {
	Platform Platform
	ID       string
}

// IsZero reports whether the identity is unset.
func (i Identity) IsZero() bool { return i.ID == "" }

// String renders the identity as "platform:id", the form used in config.
func (i Identity) String() string { return string(i.Platform) + ":" + i.ID }

// Member is a person in the Community. A member who left keeps their row
// (LeftAt set) so that reports over past periods stay true.
type Member struct {
	ID           int64
	Name         string
	Email        string // optional, stored lower-cased
	Organization string // department, ministry or municipality
	Order        Order
	Jurisdiction string // code from Jurisdictions: "CA" for federal, "ON", "YT", …
	Title        string // title or role, optional
	Language     string // "en" or "fr"
	SlackID      string
	TeamsID      string
	ConsoleID    string
	JoinedAt     time.Time
	LeftAt       time.Time // zero while active
	UpdatedAt    time.Time
	// Plain: the member asked for plain, screen-reader-friendly replies
	// (SetMemberPlain); kept across leaving and joining again.
	Plain bool
}

// Active reports whether the member has not left.
func (m *Member) Active() bool { return m.LeftAt.IsZero() }

// MemberInput is what joining or importing supplies. Identity, when set, is
// the platform identity of the person joining; rows imported from a roster
// carry their ids in SlackID/TeamsID instead.
type MemberInput struct {
	Name         string
	Email        string
	Organization string
	Order        Order
	Jurisdiction string
	Title        string
	Language     string
	SlackID      string
	TeamsID      string
	ConsoleID    string
}

// MemberUpdate changes the fields that are non-nil.
type MemberUpdate struct {
	Name         *string
	Email        *string
	Organization *string
	Order        *Order
	Jurisdiction *string
	Title        *string
	Language     *string
}

// MemberFilter selects members. Zero fields do not filter. By default only
// active members are returned; IncludeLeft returns those who left as well.
type MemberFilter struct {
	ID           *int64
	Identity     *Identity
	Email        *string
	Jurisdiction *string
	Order        *Order
	IncludeLeft  bool
	Offset       int
	Limit        int // 0 means no limit
}

// ImportResult counts what an import did.
type ImportResult struct {
	Created   int
	Updated   int
	Unchanged int
}

// Stats is the Community's composition, as the report phrases it.
type Stats struct {
	People        int           // active members
	Organizations map[Order]int // distinct organizations with an active member, per order
	PeopleByOrder map[Order]int
	// PeopleByJurisdiction counts active members per jurisdiction code;
	// every code of Jurisdictions() is present, with 0 where nobody is.
	PeopleByJurisdiction map[string]int
	Jurisdictions        int // jurisdictions (incl. federal) with at least one active member
}

// Coverage tells which jurisdictions have nobody, and which miss an order.
type Coverage struct {
	// Uncovered lists provinces and territories with no active member, in
	// Jurisdictions order.
	Uncovered []Jurisdiction
	// MissingOrders lists, for covered provinces and territories, the orders
	// (provincial, municipal) with no active member there.
	MissingOrders []JurisdictionGap
	// FederalCovered reports whether any federal member is active.
	FederalCovered bool
}

// JurisdictionGap is a covered jurisdiction that misses some orders.
type JurisdictionGap struct {
	Jurisdiction Jurisdiction
	Missing      []Order
}
