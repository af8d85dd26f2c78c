// Package storage owns copbot's domain types and their SQLite persistence.
//
// It imports nothing else of copbot's. Every exported method takes a context
// first, runs in one transaction and returns either a result or an *Error whose
// Code and Key let the edge (handlers) tell the user what went wrong in their
// own language.
package storage

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
