// Command loadtest measures copbot under load, on loopback only. It builds
// and starts the real binary (copbot serve) with a temporary database and
// a fake Slack, seeds members through `copbot import members`, then:
//
//   - sends signed `/cop who Yukon` commands from distinct members;
//   - has a coordinator post a poll and a storm of distinct members click
//     its buttons (block_actions as Slack sends them, read from the fake's
//     recorded chat.postMessage), then checks stored votes against
//     acknowledged ones;
//   - runs a second storm and kills the server with SIGKILL as soon as the
//     last click is acknowledged, then counts the votes in the database;
//   - runs the same requests against a minimal Go handler (signature check
//     and one SQLite statement) for the ratios;
//   - and against Bolt for JavaScript on better-sqlite3 (bolt/app.js), when
//     node and npm are on PATH (-bolt=false leaves it out).
//
// It prints a Markdown table: req/s, latency percentiles, errors, server
// CPU per request and peak RSS.
//
//	go run ./bot/loadtest -members 10000 -who 20000 -votes 5000 -c 32
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"
)

type config struct {
	members, who, votes, kill, c, startup int
	timeout                               time.Duration
	idle                                  time.Duration // RSS read again after this long without requests
	bin                                   string
	noBaseline                            bool // tests: the test binary cannot serve the baseline
	bolt                                  bool // also run Bolt-JS (bolt.go) when node and npm are on PATH
}

func main() {
	var cfg config
	flag.IntVar(&cfg.members, "members", 10000, "members seeded through copbot import")
	flag.IntVar(&cfg.who, "who", 20000, "signed /cop who commands")
	flag.IntVar(&cfg.votes, "votes", 5000, "clicks in the vote storm (distinct members, at most -members)")
	flag.IntVar(&cfg.kill, "kill", 2000, "clicks in the storm ended by kill -9 (0 to skip)")
	flag.IntVar(&cfg.c, "c", 32, "concurrent clients")
	flag.IntVar(&cfg.startup, "startup", 0, "also time start-up to ready with this many members (e.g. 100000)")
	flag.DurationVar(&cfg.timeout, "timeout", 10*time.Minute, "give up after this long")
	flag.DurationVar(&cfg.idle, "idle", 0, "after the who run, also read the RSS after this long without requests (e.g. 10s)")
	flag.BoolVar(&cfg.bolt, "bolt", true, "also measure Bolt for JavaScript (needs node and npm; npm ci once into the user cache)")
	flag.StringVar(&cfg.bin, "bin", "", "copbot binary to test (default: build this module's)")
	baseAddr := flag.String("baseline-serve", "", "internal: serve the baseline on this address")
	baseDB := flag.String("baseline-db", "", "internal: the baseline's database")
	flag.Parse()
	if *baseAddr != "" {
		if err := serveBaseline(*baseAddr, *baseDB); err != nil {
			fmt.Fprintln(os.Stderr, "baseline:", err)
			os.Exit(1)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	rep, err := run(ctx, cfg, os.Stderr)
	if rep != nil {
		rep.print(os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
	if !rep.ok() {
		os.Exit(2)
	}
}

// run does the whole measurement; progress goes to log.
func run(ctx context.Context, cfg config, log io.Writer) (*report, error) {
	if cfg.votes+cfg.kill > cfg.members {
		return nil, fmt.Errorf("-votes + -kill (%d) must not exceed -members (%d): each click is a distinct member", cfg.votes+cfg.kill, cfg.members)
	}
	l, err := newLab(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	defer l.close()
	rep := &report{cfg: cfg, machine: machine()}
	if err := l.measureCopbot(ctx, rep); err != nil {
		return rep, err
	}
	if !cfg.noBaseline {
		if err := l.measureBaseline(ctx, rep); err != nil {
			return rep, err
		}
	}
	if err := l.measureBolt(ctx, rep); err != nil {
		return rep, err
	}
	if cfg.startup > 0 {
		if err := l.measureStartup(ctx, rep); err != nil {
			return rep, err
		}
	}
	return rep, nil
}
