package admission

import (
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Intake is step 1 of the story: it reads request bodies before they are
// authenticated. It is safe for concurrent use.
type Intake struct {
	perPeer  int
	deadline time.Duration

	mu    sync.Mutex
	peers map[string]int // bodies being read, by peer address

	refused atomic.Int64
}

// NewIntake reads at most perPeer bodies of one peer address at once, each
// within deadline.
func NewIntake(perPeer int, deadline time.Duration) *Intake {
	return &Intake{perPeer: max(perPeer, 1), deadline: deadline, peers: map[string]int{}}
}

// Why Read refused a body.
var (
	ErrPeerBusy = errors.New("too many requests of this address being read at once")
	ErrTooLarge = errors.New("request body too large")
	ErrUnread   = errors.New("request body not received in time")
)

// Read reads r's body, at most limit bytes, within the intake deadline,
// counting it against r's peer address while it is read. Answer an error
// with Refuse.
func (in *Intake) Read(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	peer := peerOf(r)
	if !in.enter(peer) {
		in.refused.Add(1)
		return nil, ErrPeerBusy
	}
	defer in.leave(peer)
	// A ResponseWriter without deadlines (a recorder in tests) reads
	// without one; the server's own ReadTimeout still bounds a connection.
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(in.deadline))
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	switch {
	case err == nil:
		return body, nil
	case errors.As(err, &tooBig):
		return nil, ErrTooLarge
	}
	return nil, errors.Join(ErrUnread, err)
}

func (in *Intake) enter(peer string) bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.peers[peer] >= in.perPeer {
		return false
	}
	in.peers[peer]++
	return true
}

func (in *Intake) leave(peer string) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.peers[peer]--; in.peers[peer] <= 0 {
		delete(in.peers, peer)
	}
	if len(in.peers) == 0 {
		// Maps keep the buckets of their largest size: start afresh once
		// idle, so that a flood from many addresses leaves nothing behind.
		in.peers = map[string]int{}
	}
}

// Reading is the number of bodies being read.
func (in *Intake) Reading() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	n := 0
	for _, c := range in.peers {
		n += c
	}
	return n
}

// Refused is the number of bodies refused because their peer had too many
// being read.
func (in *Intake) Refused() int64 { return in.refused.Load() }

// peerOf is the address of r's peer, without its port.
func peerOf(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// Refuse answers a request whose body Read refused, and closes its
// connection: a client that sends slowly or too much is not kept.
func Refuse(w http.ResponseWriter, err error) {
	w.Header().Set("Connection", "close")
	switch {
	case errors.Is(err, ErrPeerBusy):
		w.Header().Set("Retry-After", "1")
		http.Error(w, "too many requests from this address", http.StatusTooManyRequests)
	case errors.Is(err, ErrTooLarge):
		http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
	case errors.Is(err, ErrUnread):
		http.Error(w, "request body not received in time", http.StatusRequestTimeout)
	default:
		http.Error(w, "cannot read body", http.StatusBadRequest)
	}
}
