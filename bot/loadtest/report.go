package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"
)

// report is what the run prints.
type report struct {
	cfg          config
	machine      string
	importDur    time.Duration
	ready        time.Duration
	startupReady time.Duration
	steadyKB     int64
	steadyParts  *memParts // nil where /proc/PID/smaps cannot be read
	gcLive       int64     // MB live after the last collection before the steady RSS
	gcGoal       int64     // MB, that collection's heap goal
	gcCount      int       // collections seen by then
	steadyConns  int       // file descriptors on the database then (see countOpen)
	idleKB       int64     // RSS after cfg.idle without requests (0: not read)
	idleParts    *memParts
	rows, base   []result // copbot's phases, the baseline's (who, votes)
	storm        storm
	killed       storm
	dropped      int             // vote confirmations never posted (outbox full)
	confirmed    []time.Duration // sorted: click to its confirmation's arrival, vote storm
	stormConns   int64           // connections to Slack the binary opened during the vote storm
	bolt         boltReport      // Bolt for JavaScript's rows, or why it was skipped (bolt.go)
	fifths       fifths          // confirmed, by fifth of the vote storm
}

func (r *report) ok() bool {
	return r.storm.ok() && (r.cfg.kill == 0 || r.killed.ok()) && r.bolt.ok()
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond)) }

func (r *report) print(w io.Writer) {
	fmt.Fprintf(w, "\ncopbot load test — %s\n", r.machine)
	fmt.Fprintf(w, "members %d, concurrency %d, who %d, votes %d, kill-9 storm %d\n\n",
		r.cfg.members, r.cfg.c, r.cfg.who, r.cfg.votes, r.cfg.kill)
	fmt.Fprintln(w, "| run | requests | errors | req/s | p50 ms | p90 ms | p99 ms | max ms | CPU ms/req | peak RSS MB | × minimal |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for i, row := range r.rows {
		ratio := ""
		if i < len(r.base) && i < 2 {
			ratio = fmt.Sprintf("%.2f", row.rate()/r.base[i].rate())
		}
		printRow(w, row, ratio)
	}
	for _, row := range r.base {
		printRow(w, row, "1.00")
	}
	r.bolt.printRows(w, r.base)
	r.bolt.printSummary(w, r.rows)
	fmt.Fprintf(w, "\nstart-up to ready: %s ms with %d members (import took %s ms)\n", ms(r.ready), r.cfg.members, ms(r.importDur))
	if r.startupReady > 0 {
		fmt.Fprintf(w, "start-up to ready: %s ms with %d members\n", ms(r.startupReady), r.cfg.startup)
	}
	fmt.Fprintf(w, "steady RSS after the who run: %.1f MB\n", float64(r.steadyKB)/1024)
	if p := r.steadyParts; p != nil {
		mb := func(kb int64) float64 { return float64(kb) / 1024 }
		fmt.Fprintf(w, "  of which mapped files (the binary) %.1f MB, anonymous %.1f MB, stack %.1f MB; "+
			"Go heap at the last collection: %d MB live, %d MB goal (the rest of the anonymous memory is modernc's C heap and the Go runtime's own)\n",
			mb(p.file), mb(p.anon), mb(p.stack), r.gcLive, r.gcGoal)
		fmt.Fprintf(w, "  file descriptors on the database then: %d (one per SQLite connection open, and those SQLite keeps from closed ones)\n", r.steadyConns)
	}
	if r.idleKB > 0 {
		fmt.Fprintf(w, "RSS after %v without requests: %.1f MB", r.cfg.idle, float64(r.idleKB)/1024)
		if p := r.idleParts; p != nil {
			fmt.Fprintf(w, " (mapped files %.1f MB, anonymous %.1f MB)", float64(p.file)/1024, float64(p.anon)/1024)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "vote storm: %s; confirmations not posted (outbox full): %d; connections to Slack opened: %d\n",
		r.storm, r.dropped, r.stormConns)
	if n := len(r.confirmed); n > 0 {
		fmt.Fprintf(w, "vote confirmations, click to response_url post: p50 %s ms, p99 %s ms, max %s ms\n",
			ms(r.confirmed[n/2]), ms(r.confirmed[n*99/100]), ms(r.confirmed[n-1]))
		r.fifths.print(w, "  ")
	}
	if r.cfg.kill > 0 {
		fmt.Fprintf(w, "kill -9 storm: %s\n", r.killed)
	}
}

func (s storm) String() string {
	verdict := "OK"
	if !s.ok() {
		verdict = fmt.Sprintf("MISMATCH: %d acknowledged votes missing", s.acked-s.busy-s.stored)
	}
	return fmt.Sprintf("%d clicks, %d acknowledged, %d told \"too busy, not saved\", %d stored — %s",
		s.clicks, s.acked, s.busy, s.stored, verdict)
}

func printRow(w io.Writer, r result, ratio string) {
	fmt.Fprintf(w, "| %s | %d | %d | %.0f | %s | %s | %s | %s | %.2f | %.1f | %s |\n", r.name, r.n, r.errors, r.rate(),
		ms(r.pct(0.50)), ms(r.pct(0.90)), ms(r.pct(0.99)), ms(r.pct(1)), float64(r.cpuPerReq())/float64(time.Millisecond),
		float64(r.peakKB)/1024, ratio)
}

// machine describes where the run happened.
func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	load := ""
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		load = ", load " + strings.Join(strings.Fields(string(b))[:3], " ")
	}
	return fmt.Sprintf("%s, %d CPUs, %s %s/%s%s", model, runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH, load)
}

// copyDB copies a SQLite database consistently (VACUUM INTO).
func copyDB(ctx context.Context, from, to string) error {
	db, err := sql.Open("sqlite", "file:"+from+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, "VACUUM INTO ?", to)
	return err
}
