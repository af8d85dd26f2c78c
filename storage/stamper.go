package storage

import (
	"context"
	"slices"
	"sync"
)

// The stamp of an identity's workspace (identities.go) is a write, and it
// happens on a read: the first request of a member imported or linked
// without a workspace. Written there, in a transaction of its own, a storm
// of first requests (an upgrade, a roster just imported, the load tool's
// 10,000 members asking who) is that many write transactions queued one by
// one at the write gate, inside commands that only read.
//
// So a request only claims the stamp, and the stamper writes the claims:
// one goroutine, running while there are claims, that takes every claim
// made while its last transaction ran and writes them in one transaction
// (up to stampBatchMax), each with stampSQL, whose "workspace
// = ''" makes the first workspace written win even against another
// process. Any other write transaction of this process (a join, a link, a
// forget…) writes every claim pending at its start inside itself first
// (DB.write), so that the checks it makes see them; reads of an identity's
// holder (queryHolder) treat a claim as written. Close writes what is
// left.
//
// Until its claim is written, the process answers as if it were: the
// first claim for a user id wins, and a request for that user id from
// another workspace is a stranger's (claimed), as it would be once the
// stamp is on disk. When the claims are many (stampQueueMax) a new one is
// dropped, and the request answers as before any stamp: its member's next
// request claims it again.

// stampQueueMax bounds the claims waiting for the stamper.
const stampQueueMax = 4096

// stampBatchMax bounds the stamps of one transaction, so that it holds the
// write gate for a few milliseconds at most.
const stampBatchMax = 256

// stampKey is an identity without its workspace: what a stamp is for.
type stampKey struct {
	platform Platform
	id       string
}

// stampClaim is a workspace waiting to be stamped; taken means a
// transaction is writing it. answer is the caller read for the request
// that claimed it, cached once the stamp is on disk (settle).
type stampClaim struct {
	workspace string
	taken     bool
	answer    *Caller
}

// stamper holds the claims and runs the goroutine that writes them, from
// the first claim until none is left.
type stamper struct {
	d       *DB
	mu      sync.Mutex
	m       map[stampKey]*stampClaim
	running bool           // the goroutine runs; under mu
	closed  bool           // Close was called: claims are dropped; under mu
	wg      sync.WaitGroup // the goroutine, for Close
	max     int            // claims kept at most: stampQueueMax, less in tests
	// writing, when set (tests), runs before each batch's transaction;
	// wrote sees the size of every batch committed.
	writing func()
	wrote   func(n int)
}

func newStamper(d *DB) *stamper {
	return &stamper{d: d, m: map[stampKey]*stampClaim{}, max: stampQueueMax}
}

// claim records that id's workspace is to be stamped on its identity,
// known to have none, unless a claim for its user id is pending already.
// It returns the workspace that wins: id's, or the pending claim's. answer
// is the caller read for id: read before the stamp, it is what a request
// from there reads after, so settle caches it once the stamp is written.
func (s *stamper) claim(id Identity, answer Caller) string {
	k := stampKey{id.Platform, id.ID}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.m[k]; ok {
		return c.workspace
	}
	if len(s.m) >= s.max || s.closed {
		return id.Workspace // dropped: the next request claims again
	}
	// Its own copy of the members (which hold only values): the
	// request's may change after.
	for _, m := range []**Member{&answer.Member, &answer.Former} {
		if *m != nil {
			cp := **m
			*m = &cp
		}
	}
	s.m[k] = &stampClaim{workspace: id.Workspace, answer: &answer}
	if !s.running {
		s.running = true
		s.wg.Add(1)
		go s.run()
	}
	return id.Workspace
}

// pending returns the workspace claimed for id's user id and not written
// yet, if any.
func (s *stamper) pending(id Identity) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.m[stampKey{id.Platform, id.ID}]
	if !ok {
		return "", false
	}
	return c.workspace, true
}

// conflicts reports whether a pending claim gives id's user id to another
// workspace than id's: a request from id is then a stranger's.
func (s *stamper) conflicts(id Identity) bool {
	ws, ok := s.pending(id)
	return ok && !workspaceMatches(ws, id.Workspace)
}

// take marks up to max claims taken and returns them.
func (s *stamper) take(max int) []Identity {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Identity
	for k, c := range s.m {
		if len(out) == max {
			break
		}
		if !c.taken {
			c.taken = true
			out = append(out, Identity{Platform: k.platform, ID: k.id, Workspace: c.workspace})
		}
	}
	return out
}

// all returns every claim, taken or not, without taking them.
func (s *stamper) all() []Identity {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Identity, 0, len(s.m))
	for k, c := range s.m {
		out = append(out, Identity{Platform: k.platform, ID: k.id, Workspace: c.workspace})
	}
	return out
}

// settle ends the claims of ids, written or dropped. Those in written are
// on disk: their answers (claim) are cached now, as a request from there
// would read them. A stamp that wrote nothing (the identity had a
// workspace by then, or is gone) caches nothing.
func (s *stamper) settle(ids, written []Identity) {
	type answered struct {
		id Identity
		c  Caller
	}
	var cache []answered
	s.mu.Lock()
	for _, id := range ids {
		k := stampKey{id.Platform, id.ID}
		if c, ok := s.m[k]; ok && c.workspace == id.Workspace {
			if c.answer != nil && slices.Contains(written, id) {
				cache = append(cache, answered{id, *c.answer})
			}
			delete(s.m, k)
		}
	}
	s.mu.Unlock()
	for _, a := range cache {
		s.d.callers.put(a.c.Version, a.id, a.c, s.d.Now())
	}
}

// writeStamps stamps ids in t and returns those it wrote.
func writeStamps(t *tx, ids []Identity) ([]Identity, error) {
	var written []Identity
	for _, id := range ids {
		n, err := t.stampCount(id)
		if err != nil {
			return nil, err
		}
		if n == 1 {
			written = append(written, id)
		}
	}
	return written, nil
}

// run writes claims until none is left to take, then ends; the next claim
// starts it again.
func (s *stamper) run() {
	defer s.wg.Done()
	for {
		s.flush(context.Background())
		s.mu.Lock()
		if s.untaken() == 0 {
			s.running = false
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
	}
}

// untaken counts the claims no transaction is writing; under mu.
func (s *stamper) untaken() int {
	n := 0
	for _, c := range s.m {
		if !c.taken {
			n++
		}
	}
	return n
}

// flush writes every claim not taken, in transactions of up to
// stampBatchMax stamps. A batch that fails is dropped: its members' next
// requests claim again.
func (s *stamper) flush(ctx context.Context) {
	for {
		ids := s.take(stampBatchMax)
		if len(ids) == 0 {
			return
		}
		if s.writing != nil {
			s.writing()
		}
		var written []Identity
		err := s.d.writeOnly(ctx, func(t *tx) (err error) {
			written, err = writeStamps(t, ids)
			return err
		})
		if err != nil {
			written = nil
		}
		s.settle(ids, written)
		if err == nil && s.wrote != nil {
			s.wrote(len(ids))
		}
	}
}

// close waits for the claims made so far to be written; claims made after
// are dropped.
func (s *stamper) close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.wg.Wait()
}
