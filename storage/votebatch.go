package storage

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// This file is the group commit of votes. A vote storm is many tiny write
// transactions, each paying for BEGIN, COMMIT and the WAL append, one at a
// time behind the write gate. Instead, one writer goroutine takes every
// vote queued while the previous transaction committed and runs them in
// one transaction, each inside a SAVEPOINT of its own: a vote that fails
// (closed poll, limit reached, its request already handled, its context
// ended) rolls back to its savepoint and fails alone. Nobody hears back
// before the shared COMMIT, and if it fails every vote of the batch fails:
// a vote is acknowledged only once it is on disk, as before.
//
// The poll, its options and its turnout are read once per batch (and kept
// for the next batch while no other connection commits: keptPolls), and
// the counters (poll_options.votes, polls.voters) are kept in memory while
// the batch runs and written once at its end, so that each vote's own work is
// its request record, its poll_voters row and its votes row: three
// statements for a first vote. Each vote's result is the tally right after
// it, in batch order, with no re-read.

// voteBatchMax bounds the votes of one transaction, so that the first of
// a long queue does not wait for hundreds behind it.
const voteBatchMax = 64

// voteQueueSize bounds the votes waiting for the writer; the adapters'
// admission limits keep it far from full.
const voteQueueSize = 1024

// errVoteWriterClosed answers votes sent after Close.
var errVoteWriterClosed = errors.New("storage: database closed")

// voteJob is one vote waiting for the writer.
type voteJob struct {
	ctx    context.Context
	pollID int64
	option int64
	apply  pollVoteFunc
	done   chan voteOutcome // buffered: the writer never waits for the voter
}

type voteOutcome struct {
	res *VoteResult
	err error
}

// voteWriter is the one goroutine that writes votes.
type voteWriter struct {
	d       *DB
	queue   chan *voteJob
	stop    chan struct{}
	stopped chan struct{} // closed once the writer has exited and failed the queue
	wg      sync.WaitGroup
	closed  sync.Once
	kept    keptPolls // the writer goroutine's only
	// batched, when set (tests), sees the size of every batch committed;
	// voted sees the statements each vote ran itself (its savepoint aside);
	// polled sees each poll read from the database.
	batched func(n int)
	voted   func(statements int)
	polled  func(id int64)
	// took, when set (tests), sees the size of every batch taken, before
	// its transaction waits for the write gate.
	took func(n int)
	// commits and committed count the batches and votes committed, and
	// reads the polls read from the database, for VoteStats.
	commits, committed, reads atomic.Int64
}

// VoteStats says how well votes are grouped: the transactions committed
// by the vote writer since Open, the votes they carried, and how often a
// batch read its poll from the database rather than keeping it from the
// batch before (PollReads; see keptPolls).
type VoteStats struct {
	Commits, Votes, PollReads int64
}

// VoteStats returns the vote writer's counts since Open.
func (d *DB) VoteStats() VoteStats {
	return VoteStats{Commits: d.votes.commits.Load(), Votes: d.votes.committed.Load(), PollReads: d.votes.reads.Load()}
}

// keptPollsMax bounds the polls kept from one batch to the next.
const keptPollsMax = 16

// keptPolls carries the polls of the last committed batch into the next,
// as they are after its commit, so that a storm of small batches reads its
// poll, options and turnout once rather than once per batch. The writer
// runs its batches on a connection of its own, and they stay true while
// PRAGMA data_version on that connection is unchanged: it changes when any
// other connection, of this process or another, commits (a poll closed or
// edited, a member gone, anything). A batch that fails keeps nothing.
type keptPolls struct {
	conn    voteConn // the writer's connection (voteconn.go)
	version int64    // data_version when polls were kept
	polls   map[int64]*batchPoll
}

// begin starts a batch's transaction on the writer's connection and
// returns the polls still true in it (an empty map when none is).
func (k *keptPolls) begin(ctx context.Context, d *DB) (map[int64]*batchPoll, int64, error) {
	polls := k.polls
	k.polls = nil // until this batch commits
	if err := k.conn.begin(ctx, d); err != nil {
		return nil, 0, err
	}
	var version int64
	if err := k.conn.tx(ctx, d).queryRow("PRAGMA data_version").Scan(&version); err != nil {
		k.conn.rollback()
		return nil, 0, err
	}
	if polls == nil || version != k.version {
		polls = map[int64]*batchPoll{}
	}
	return polls, version, nil
}

// keep remembers the polls of a batch that committed at version.
func (k *keptPolls) keep(polls map[int64]*batchPoll, version int64) {
	if len(polls) <= keptPollsMax {
		k.polls, k.version = polls, version
	}
}

// release gives the writer's connection back to the pool.
func (k *keptPolls) release() {
	k.conn.release()
	k.polls = nil
}

func newVoteWriter(d *DB) *voteWriter {
	w := &voteWriter{d: d, queue: make(chan *voteJob, voteQueueSize), stop: make(chan struct{}),
		stopped: make(chan struct{})}
	w.wg.Add(1)
	go w.run()
	return w
}

// close stops the writer once the batch in progress is done; votes still
// queued fail, and none is taken after.
func (w *voteWriter) close() {
	w.closed.Do(func() {
		close(w.stop)
		w.wg.Wait()
		for {
			select {
			case j := <-w.queue:
				j.done <- voteOutcome{err: errVoteWriterClosed}
			default:
				close(w.stopped)
				return
			}
		}
	})
}

// submit queues a vote and waits for its outcome. A vote that cannot be
// queued before ctx ends was not written; once queued, its outcome is
// waited for whatever ctx does, so that a voter is never told "not saved"
// about a vote the batch then commits.
func (w *voteWriter) submit(j *voteJob) (*VoteResult, error) {
	select {
	case w.queue <- j:
	case <-j.ctx.Done():
		return nil, j.ctx.Err()
	case <-w.stop:
		return nil, errVoteWriterClosed
	}
	var out voteOutcome
	select {
	case out = <-j.done:
	case <-w.stopped:
		// Queued after the writer stopped, unless its outcome came first.
		select {
		case out = <-j.done:
		default:
			out.err = errVoteWriterClosed
		}
	}
	return out.res, out.err
}

func (w *voteWriter) run() {
	defer w.wg.Done()
	defer w.kept.release()
	batch := make([]*voteJob, 0, voteBatchMax)
	for {
		select {
		case <-w.stop:
			return
		case j := <-w.queue:
			batch = append(batch[:0], j)
		}
	drain:
		for len(batch) < voteBatchMax {
			select {
			case j := <-w.queue:
				batch = append(batch, j)
			default:
				break drain
			}
		}
		if w.took != nil {
			w.took(len(batch))
		}
		w.commit(batch)
		clear(batch)
	}
}

// commit writes batch in one transaction and answers every vote in it.
func (w *voteWriter) commit(batch []*voteJob) {
	out := make([]voteOutcome, len(batch))
	ctx, cancel := batchContext(batch)
	defer cancel()
	if err := w.d.writeBatch(ctx, batch, out); err != nil {
		for i := range out {
			if out[i].err == nil {
				out[i] = voteOutcome{err: err}
			}
		}
	} else if n := countOK(out); n > 0 {
		w.commits.Add(1)
		w.committed.Add(n)
	}
	if w.batched != nil {
		w.batched(len(batch))
	}
	for i, j := range batch {
		j.done <- out[i]
	}
}

// countOK is the number of votes in out that succeeded.
func countOK(out []voteOutcome) int64 {
	var n int64
	for _, o := range out {
		if o.err == nil {
			n++
		}
	}
	return n
}

// batchContext bounds the batch's wait for the write gate and its shared
// statements by the latest deadline among its votes (each vote's own
// statements run under its own context), or gateWait.
func batchContext(batch []*voteJob) (context.Context, context.CancelFunc) {
	var latest time.Time
	for _, j := range batch {
		d, ok := j.ctx.Deadline()
		if !ok {
			return context.WithTimeout(context.Background(), gateWait)
		}
		if d.After(latest) {
			latest = d
		}
	}
	return context.WithDeadline(context.Background(), latest)
}

// writeBatch runs the batch's votes in one write transaction, filling out
// with each vote's outcome, and commits. An error it returns (the
// transaction could not begin, the counters or the commit failed) is
// every vote's: nothing of the batch was written.
func (d *DB) writeBatch(ctx context.Context, batch []*voteJob, out []voteOutcome) error {
	live := false
	for i, j := range batch {
		if err := j.ctx.Err(); err != nil {
			out[i].err = err // ended while queued: never written
			continue
		}
		live = true
	}
	if !live {
		return nil
	}
	kept := &d.votes.kept
	polls, version, err := kept.begin(ctx, d)
	if err != nil {
		return err
	}
	b := &voteBatch{d: d, ctx: ctx, conn: &kept.conn, polls: polls}
	for i, j := range batch {
		if out[i].err != nil {
			continue
		}
		res, err := b.vote(j)
		if errors.Is(err, errBatchBroken) {
			kept.conn.rollback()
			return err
		}
		out[i] = voteOutcome{res: res, err: err}
	}
	if err := b.counts.flush(kept.conn.tx(ctx, d)); err != nil {
		kept.conn.rollback()
		return err
	}
	if err := kept.conn.commit(ctx, d); err != nil {
		return err
	}
	kept.keep(b.polls, version)
	for i, j := range batch {
		if c := claimFrom(j.ctx); c != nil && out[i].err == nil {
			c.recorded.Store(true)
		}
	}
	return nil
}

// errBatchBroken is a savepoint that could not be released or rolled back:
// the transaction's state is unknown, so the whole batch is abandoned.
var errBatchBroken = errors.New("storage: vote batch savepoint failed")

// voteBatch is the state of one batch's transaction.
type voteBatch struct {
	d      *DB
	ctx    context.Context // the batch's, for the statements it shares
	conn   *voteConn       // the writer's, in its transaction
	polls  map[int64]*batchPoll
	counts voteCounts // the committed votes' counter changes, written at the end
	mine   voteCounts // the changes of the vote in progress
}

// batchPoll is a poll as the batch has changed it so far.
type batchPoll struct {
	poll    *Poll
	members int // active members, read once per batch
	gone    int // voters who have since left, read once per batch
}

// vote runs one vote in its savepoint and returns its result.
func (b *voteBatch) vote(j *voteJob) (*VoteResult, error) {
	shared := b.conn.tx(b.ctx, b.d)
	if _, err := shared.exec("SAVEPOINT vote"); err != nil {
		return nil, errBatchBroken
	}
	mine := &b.mine
	mine.reset()
	t := b.conn.tx(j.ctx, b.d)
	t.counts = mine
	res, err := b.apply(t, j)
	if w := b.d.votes; w.voted != nil && err == nil {
		w.voted(t.n)
	}
	if err != nil {
		if _, rerr := shared.exec("ROLLBACK TO vote"); rerr != nil {
			return nil, errBatchBroken
		}
	}
	if _, rerr := shared.exec("RELEASE vote"); rerr != nil {
		return nil, errBatchBroken
	}
	if err != nil {
		return nil, err
	}
	p := b.polls[j.pollID]
	mine.applyTo(p.poll)
	b.counts.add(mine)
	res.Poll = p.poll.clone()
	res.Turnout = Turnout{Voters: p.poll.Voters - p.gone, Members: p.members}
	return res, nil
}

func (b *voteBatch) apply(t *tx, j *voteJob) (*VoteResult, error) {
	if c := claimFrom(j.ctx); c != nil {
		if err := t.recordClaim(c); err != nil {
			return nil, err
		}
	}
	// The poll is the batch's overhead, read once (not counted in t).
	p, err := b.poll(b.conn.tx(t.ctx, t.d), j.pollID)
	if err != nil {
		return nil, err
	}
	if !p.poll.Open() || p.poll.pastDeadline(b.d.Now()) {
		return nil, pollErrClosed(j.pollID)
	}
	res := &VoteResult{Option: j.option}
	res.Action, res.Choices, err = j.apply(t, p.poll)
	return res, err
}

// poll returns the batch's copy of a poll, read (with its turnout's
// counts) the first time a vote of the batch names it.
func (b *voteBatch) poll(t *tx, id int64) (*batchPoll, error) {
	if p, ok := b.polls[id]; ok {
		return p, nil
	}
	b.d.votes.reads.Add(1)
	if f := b.d.votes.polled; f != nil {
		f(id)
	}
	p, err := pollGet(t, id)
	if err != nil {
		return nil, err
	}
	bp := &batchPoll{poll: p}
	if bp.members, bp.gone, err = pollTurnoutCounts(t, id); err != nil {
		return nil, err
	}
	b.polls[id] = bp
	return bp, nil
}

// clone copies p and its options, so that a vote's result keeps the tally
// right after it while the batch goes on.
func (p *Poll) clone() *Poll {
	c := *p
	c.Options = append([]PollOption(nil), p.Options...)
	return &c
}

// voteCounts are changes to the poll counters not yet written: a few
// (id, change) pairs, in slices that a batch reuses from vote to vote
// rather than two maps per vote (a vote changes one or two counters).
type voteCounts struct {
	options []idCount // poll_options.votes by option id
	voters  []idCount // polls.voters by poll id
}

type idCount struct {
	id int64
	n  int
}

// bump adds n to id's change in s.
func bump(s []idCount, id int64, n int) []idCount {
	for i := range s {
		if s[i].id == id {
			s[i].n += n
			return s
		}
	}
	return append(s, idCount{id, n})
}

// countOf is id's change in s.
func countOf(s []idCount, id int64) int {
	for _, c := range s {
		if c.id == id {
			return c.n
		}
	}
	return 0
}

func (c *voteCounts) option(id int64, n int) { c.options = bump(c.options, id, n) }
func (c *voteCounts) voter(id int64, n int)  { c.voters = bump(c.voters, id, n) }

// reset empties c, keeping its room.
func (c *voteCounts) reset() { c.options, c.voters = c.options[:0], c.voters[:0] }

func (c *voteCounts) add(o *voteCounts) {
	for _, x := range o.options {
		c.option(x.id, x.n)
	}
	for _, x := range o.voters {
		c.voter(x.id, x.n)
	}
}

// applyTo adds the changes that concern p to its in-memory tally.
func (c *voteCounts) applyTo(p *Poll) {
	p.Voters += countOf(c.voters, p.ID)
	for i := range p.Options {
		p.Options[i].Votes += countOf(c.options, p.Options[i].ID)
	}
}

// flush writes the counters once: one statement per changed option and poll.
func (c *voteCounts) flush(t *tx) error {
	for _, x := range c.options {
		if x.n == 0 {
			continue
		}
		if _, err := t.exec("UPDATE poll_options SET votes = votes + ? WHERE id = ?", x.n, x.id); err != nil {
			return err
		}
	}
	for _, x := range c.voters {
		if x.n == 0 {
			continue
		}
		if _, err := t.exec("UPDATE polls SET voters = voters + ? WHERE id = ?", x.n, x.id); err != nil {
			return err
		}
	}
	return nil
}
