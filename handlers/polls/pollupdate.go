package polls

import (
	"context"
	"errors"
	"sync"
	"time"

	"copbot/handlers"
	"copbot/storage"
)

// pollUpdater coalesces the updates of posted poll messages. A vote only
// marks its poll dirty; the message is then rewritten at most once per
// interval per poll, from the database as it is when the update is sent, so
// a burst of a thousand votes costs about one Update per second and the
// last update always shows the final tally.
//
// Invariant: every mark is followed by a send that reads the database
// after the mark (a mark during a send sets again, which schedules one
// more send).
type pollUpdater struct {
	s     *Feature
	every time.Duration

	mu     sync.Mutex
	idle   *sync.Cond // on mu: broadcast when a send ends (flush waits on it)
	polls  map[int64]*pollDirty
	closed bool
	wg     sync.WaitGroup // scheduled and running sends
}

// pollDirty is one poll's update state.
type pollDirty struct {
	timer     *time.Timer
	scheduled bool      // a send is planned and has not started
	running   bool      // a send is in progress
	again     bool      // marked while running: send once more after it
	last      time.Time // start of the last send (monotonic clock)
	failures  int       // consecutive failed sends
	// sending is held for the whole of a send, so that a writer of a final
	// message (the deletion notice) can wait for a send that read the poll
	// before it was deleted and would otherwise overwrite the notice.
	sending sync.Mutex
}

// pollMaxRetries bounds re-sends after failed updates (say the message was
// deleted): the next vote marks the poll again anyway.
const pollMaxRetries = 3

func newPollUpdater(s *Feature, every time.Duration) *pollUpdater {
	u := &pollUpdater{s: s, every: every, polls: map[int64]*pollDirty{}}
	u.idle = sync.NewCond(&u.mu)
	return u
}

// VotesChanged rewrites poll id's posted cards, as a click would: a vote
// recorded outside the chats (a vote link in an email) shows on every
// card. It never blocks on I/O.
func (f *Feature) VotesChanged(id int64) { f.upd.mark(id) }

// mark notes that poll id changed. It never blocks on I/O. Marks after
// Close are ignored (Handle must not be called after Close).
func (u *pollUpdater) mark(id int64) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.closed {
		return
	}
	st := u.polls[id]
	if st == nil {
		st = &pollDirty{}
		u.polls[id] = st
	}
	switch {
	case st.running:
		st.again = true
	case !st.scheduled:
		u.schedule(id, st)
	}
}

// schedule plans a send one interval after the last one began. u.mu held.
func (u *pollUpdater) schedule(id int64, st *pollDirty) {
	st.scheduled = true
	delay := time.Until(st.last.Add(u.every))
	if st.last.IsZero() || delay < 0 {
		delay = 0
	}
	u.wg.Add(1)
	st.timer = time.AfterFunc(delay, func() {
		defer u.wg.Done()
		u.run(id)
	})
}

// run sends poll id's message, then sends again at once while marks arrive
// after Close, so the final message matches the database.
func (u *pollUpdater) run(id int64) {
	for {
		u.mu.Lock()
		st := u.polls[id]
		st.scheduled, st.running, st.last = false, true, time.Now()
		u.mu.Unlock()

		st.sending.Lock()
		err := u.send(id)
		st.sending.Unlock()

		u.mu.Lock()
		st.running = false
		u.idle.Broadcast()
		if err != nil && st.failures < pollMaxRetries {
			st.failures++
			st.again = true
		} else if err == nil {
			st.failures = 0
		}
		if !st.again {
			u.mu.Unlock()
			return
		}
		st.again = false
		if !u.closed {
			u.schedule(id, st)
			u.mu.Unlock()
			return
		}
		u.mu.Unlock()
	}
}

// send rewrites every posted copy of the poll from the database.
func (u *pollUpdater) send(id int64) error {
	s := u.s
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p, view, err := s.pollSnapshot(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return nil // deleted meanwhile; the delete command rewrote the messages
	}
	if err != nil {
		s.log.Error("poll update: read", "poll", id, "err", err)
		return err
	}
	refs, err := s.store.PollMessages(ctx, id)
	if err != nil || len(refs) == 0 {
		return err
	}
	poster := s.svc.Poster()
	if poster == nil {
		return errors.New("no poster")
	}
	card := s.pollCard(p, view)
	var failed error
	for _, r := range refs {
		ref := handlers.MessageRef{Platform: r.Platform, Channel: r.Channel, ID: r.MessageID}
		if err := poster.Update(ctx, ref, card); err != nil {
			s.log.Warn("poll update", "poll", id, "platform", r.Platform, "err", err)
			failed = err
		}
	}
	return failed
}

// quiesce waits for a send of poll id in progress. Sends that start later
// read the database afresh, so after a deletion they send nothing.
func (u *pollUpdater) quiesce(id int64) {
	u.mu.Lock()
	st := u.polls[id]
	u.mu.Unlock()
	if st != nil {
		st.sending.Lock()
		st.sending.Unlock() //lint:ignore SA2001 taken only to wait for the send holding it
	}
}

// flush sends every pending update now and waits until no send is
// scheduled or running, without closing: the console calls it
// (Service.Flush) so that a command's channel updates print before its
// next prompt.
func (u *pollUpdater) flush() {
	u.mu.Lock()
	defer u.mu.Unlock()
	for {
		var stopped []int64
		busy := false
		for id, st := range u.polls {
			switch {
			case st.scheduled && st.timer.Stop():
				stopped = append(stopped, id)
			case st.scheduled || st.running:
				busy = true // a timer fired and its send is starting, or a send runs
			}
		}
		if len(stopped) > 0 {
			u.mu.Unlock()
			for _, id := range stopped {
				u.wg.Done() // the stopped timer's func will not run
				u.run(id)
			}
			u.mu.Lock()
			continue
		}
		if !busy {
			return
		}
		u.idle.Wait()
	}
}

// Close sends every pending update now and waits for sends in progress.
func (u *pollUpdater) Close() {
	u.mu.Lock()
	u.closed = true
	var now []int64
	for id, st := range u.polls {
		if st.scheduled && st.timer.Stop() {
			u.wg.Done() // the stopped timer's func will not run
			now = append(now, id)
		}
	}
	u.mu.Unlock()
	for _, id := range now {
		u.run(id)
	}
	u.wg.Wait()
}
