package teamsbot

import "time"

// Teams requests follow the admission story of bot/internal/admission, with
// the same limits as Slack's: bodies read per peer under a deadline before
// the token is checked, a place among the requests in progress after it,
// a turn for each service call that does database work (onMessage, route),
// and the replies posted after the answer on a bounded outbox.
const (
	// Activities arrive whole with their headers; a body still arriving
	// after bodyDeadline is cut. One address may have perPeer bodies being
	// read at once.
	bodyDeadline = 2 * time.Second
	perPeer      = 32
	inProgress   = 1024 // verified requests at once; beyond, 503 + Retry-After
	outWorkers   = 4    // replies posted at once
	outQueue     = 4096 // replies waiting; beyond, dropped and counted
)
