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

// Identity is a person's account on one platform: their user id there and
// the workspace it belongs to (the Slack team id of the user's own team,
// the Teams tenant id; "" for the console, and when not known, as in
// config's "slack:U012AB3CD"). E.g. {slack, T0PARTNER, U012AB3CD}.
//
// The user id is what identifies the person on the platform (see migration
// 0037): Same compares platform and user id, and a stored identity whose
// workspace is known answers only requests from that workspace.
type Identity struct {
	Platform  Platform
	ID        string
	Workspace string
}

// IsZero reports whether the identity is unset.
func (i Identity) IsZero() bool { return i.ID == "" }

// String renders the identity as "platform:id", the form used in config
// and in the records that name who did something; the workspace is left
// out.
func (i Identity) String() string { return string(i.Platform) + ":" + i.ID }

// Same reports whether i and o are the same platform user, whatever
// workspace either names.
func (i Identity) Same(o Identity) bool { return i.Platform == o.Platform && i.ID == o.ID }
