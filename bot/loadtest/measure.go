package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"time"
)

func httpClient() *http.Client { return &http.Client{Timeout: 10 * time.Second} }

// storm is a vote storm's outcome as checked against the database.
type storm struct {
	clicks, acked, busy, stored int
}

// ok: every acknowledged click not answered "too busy, nothing saved" is
// stored, and nothing else is.
func (s storm) ok() bool { return s.stored == s.acked-s.busy }

func accepted(r result) int {
	n := 0
	for _, ok := range r.accepted {
		if ok {
			n++
		}
	}
	return n
}

func (l *lab) measureCopbot(ctx context.Context, rep *report) error {
	s, err := l.serve(ctx, "copbot")
	if err != nil {
		return err
	}
	defer s.stop()
	rep.ready, rep.importDur = s.ready, l.importDur
	fmt.Fprintf(l.log, "copbot ready in %v; %d who commands…\n", s.ready, l.cfg.who)
	who, err := drive(ctx, s, phase{name: "copbot who", path: "/slack/commands", n: l.cfg.who, c: l.cfg.c,
		form: func(i int) string { return whoForm(i%l.cfg.members, i) }, check: hasMembers})
	rep.rows = append(rep.rows, who)
	if err != nil {
		return err
	}
	if st, err := readProc(s.cmd.Process.Pid); err == nil {
		rep.steadyKB = st.rssKB
	}
	if m, err := readSmaps(s.cmd.Process.Pid); err == nil {
		rep.steadyParts = &m
	}
	rep.gcLive, rep.gcGoal, rep.gcCount = s.gc.last()
	rep.steadyConns = countOpen(s.cmd.Process.Pid, l.dbPath("copbot"))
	if err := l.idleRSS(ctx, s, rep); err != nil {
		return err
	}
	if l.poll, err = l.postPoll(ctx, s, l.cfg.who+1); err != nil {
		return err
	}
	fmt.Fprintf(l.log, "poll %d posted; storm of %d clicks…\n", l.poll.ID, l.cfg.votes)
	tunnels := l.tunnels.Load()
	votes, err := drive(ctx, s, phase{name: "copbot votes", path: "/slack/interactions", n: l.cfg.votes, c: l.cfg.c,
		form: func(i int) string { return clickForm(l.poll, i, l.poll.Buttons[i%len(l.poll.Buttons)], "vote") }})
	rep.rows = append(rep.rows, votes)
	if err != nil {
		return err
	}
	stored, err := l.countVotes(ctx, "copbot", l.poll.ID)
	if err != nil {
		return err
	}
	l.settle()
	rep.storm = storm{clicks: l.cfg.votes, acked: accepted(votes), busy: busyReplies(l.fake, "vote"), stored: stored}
	rep.dropped = l.cfg.votes - countHooks(l, "vote")
	rep.confirmed = confirmLatencies(l, "vote", votes.sent)
	rep.fifths = confirmFifths(l.fake.Calls("hook"), "vote", votes.sent)
	rep.stormConns = l.tunnels.Load() - tunnels
	return l.killStorm(ctx, s, rep)
}

// idleRSS reads the server's RSS again after cfg.idle without requests:
// what the process settles at once Go's scavenger has returned freed heap
// pages (the steady RSS is read right after the last answer).
func (l *lab) idleRSS(ctx context.Context, s *server, rep *report) error {
	if l.cfg.idle <= 0 {
		return nil
	}
	fmt.Fprintf(l.log, "idle for %v…\n", l.cfg.idle)
	t := time.NewTimer(l.cfg.idle)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		return ctx.Err()
	}
	st, err := readProc(s.cmd.Process.Pid)
	if err != nil {
		return err
	}
	rep.idleKB = st.rssKB
	if m, err := readSmaps(s.cmd.Process.Pid); err == nil {
		rep.idleParts = &m
	}
	return nil
}

// killStorm posts a second poll, storms it with other members and kills
// the server with SIGKILL as soon as the last click is acknowledged.
func (l *lab) killStorm(ctx context.Context, s *server, rep *report) error {
	if l.cfg.kill == 0 {
		return nil
	}
	p, err := l.postPoll(ctx, s, l.cfg.who+2)
	if err != nil {
		return err
	}
	fmt.Fprintf(l.log, "poll %d posted; storm of %d clicks, then kill -9…\n", p.ID, l.cfg.kill)
	first := l.cfg.votes
	r, err := drive(ctx, s, phase{name: "copbot votes, kill -9", path: "/slack/interactions", n: l.cfg.kill, c: l.cfg.c,
		form: func(i int) string { return clickForm(p, first+i, p.Buttons[i%len(p.Buttons)], "kill") }})
	s.kill()
	if err != nil {
		return err
	}
	stored, err := l.countVotes(ctx, "copbot", p.ID)
	if err != nil {
		return err
	}
	rep.killed = storm{clicks: l.cfg.kill, acked: accepted(r), busy: busyReplies(l.fake, "kill"), stored: stored}
	return nil
}

// confirmLatencies are, sorted, the times from each click of phase to its
// confirmation's arrival at the fake Slack (response_url names the click).
func confirmLatencies(l *lab, phase string, sent []time.Time) []time.Duration {
	var out []time.Duration
	for _, h := range l.fake.Calls("hook") {
		var i int
		if _, err := fmt.Sscanf(h.Path, "/actions/"+team+"/%d/"+phase, &i); err == nil && i >= 0 && i < len(sent) {
			out = append(out, h.At.Sub(sent[i]))
		}
	}
	slices.Sort(out)
	return out
}

func countHooks(l *lab, phase string) int {
	n := 0
	for _, h := range l.fake.Calls("hook") {
		if len(h.Path) > len(phase) && h.Path[len(h.Path)-len(phase)-1:] == "/"+phase {
			n++
		}
	}
	return n
}

// measureBaseline sends the same requests to the minimal handler, over a
// copy of the same seeded database.
func (l *lab) measureBaseline(ctx context.Context, rep *report) error {
	db := l.dbPath("baseline")
	if err := copyDB(ctx, l.dbPath("copbot"), db); err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	s, err := startServer(ctx, exec.Command(self, "-baseline-serve", addr, "-baseline-db", db), addr)
	if err != nil {
		return err
	}
	defer s.stop()
	fmt.Fprintln(l.log, "baseline: the same who commands and clicks…")
	who, err := drive(ctx, s, phase{name: "minimal Go handler who", path: "/slack/commands", n: l.cfg.who, c: l.cfg.c,
		form: func(i int) string { return whoForm(i%l.cfg.members, i) }, check: hasMembers})
	rep.base = append(rep.base, who)
	if err != nil {
		return err
	}
	votes, err := drive(ctx, s, phase{name: "minimal Go handler votes", path: "/slack/interactions", n: l.cfg.votes, c: l.cfg.c,
		form: func(i int) string { return clickForm(l.poll, i, l.poll.Buttons[i%len(l.poll.Buttons)], "base") }})
	rep.base = append(rep.base, votes)
	return err
}

// measureStartup times `copbot serve` to ready on a database of
// cfg.startup members.
func (l *lab) measureStartup(ctx context.Context, rep *report) error {
	fmt.Fprintf(l.log, "seeding %d members for the start-up time…\n", l.cfg.startup)
	if _, err := l.seed(ctx, "startup", l.cfg.startup); err != nil {
		return err
	}
	s, err := l.serve(ctx, "startup")
	if err != nil {
		return err
	}
	rep.startupReady = s.ready
	s.stop()
	return nil
}
