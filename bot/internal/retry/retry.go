// Package retry holds what both chat adapters' outbound clients need to
// retry a call safely: a wait that a context cuts short, and the test of
// whether a failed request certainly never reached the server (the only
// failure after which a call that creates something may be sent again).
package retry

import (
	"context"
	"errors"
	"net"
	"time"
)

// Sleep waits for d, or until ctx ends, whichever comes first; it returns
// ctx's error in the second case.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// NotSent reports whether err certainly came before any byte of the
// request left: the connection could not be opened (refused, no route, no
// such host). After a reset or a timeout the server may have received and
// acted on the request. (http.Transport already retries, by itself, a
// request it knows it did not write on a reused connection.)
func NotSent(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}
