package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Bolt for JavaScript (bolt/app.js, on better-sqlite3) is the third
// server of the run: the "at least 1.5× Bolt-JS" is a ratio to it.
// The tool installs its locked packages with `npm ci` once per lock file
// and Node version into the user's cache, and runs `node app.js` as a
// process of its own, measured like the others. Without node or npm on
// PATH it says why and goes on without it.

//go:embed bolt/app.js bolt/package.json bolt/package-lock.json
var boltFiles embed.FS

// boltApp is an installed Bolt-JS app, ready to start.
type boltApp struct {
	node     string // node's path
	modules  string // the directory holding node_modules
	versions string // what runs, for the report
}

// boltReport is Bolt-JS's part of the run.
type boltReport struct {
	skipped   string   // why Bolt-JS was not run; "" when it was
	versions  string   // e.g. "@slack/bolt 4.7.3, better-sqlite3 12.11.1, Node v20.20.2"
	rows      []result // who, votes
	storm     storm
	confirmed []time.Duration // sorted: click to its confirmation's arrival
	fifths    fifths          // confirmed, by fifth of the storm
	hooks     int             // confirmations that reached the fake Slack
}

func (b *boltReport) ok() bool { return b.skipped != "" || len(b.rows) < 2 || b.storm.ok() }

// boltSkipReason says why Bolt-JS cannot run ("" when it can), with
// lookPath standing in for exec.LookPath.
func boltSkipReason(enabled bool, lookPath func(string) (string, error)) string {
	if !enabled {
		return "skipped (-bolt=false)"
	}
	for _, tool := range []string{"node", "npm"} {
		if _, err := lookPath(tool); err != nil {
			return fmt.Sprintf("skipped: %s is not on PATH (install Node.js 20 and npm to measure it)", tool)
		}
	}
	return ""
}

// boltCacheKey names an installation: npm ci gives the same node_modules
// for the same package.json and lock, but better-sqlite3 is a native module
// built for one Node version, so that is part of the key too.
func boltCacheKey(pkg, lock []byte, nodeVersion string) string {
	h := sha256.New()
	for _, part := range [][]byte{pkg, lock, []byte(strings.TrimSpace(nodeVersion))} {
		fmt.Fprintf(h, "%d:", len(part))
		h.Write(part)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// boltCacheDir is where the installation of key lives (made by installBolt).
func boltCacheDir(key string) (string, error) {
	root, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, "copbot-loadtest", "bolt-"+key), nil
}

// boltInstalledMark is written last into an installation: a directory
// without it is not trusted.
const boltInstalledMark = ".copbot-installed"

// findBolt finds node and npm and the cache directory of the installation
// for this lock file. ready tells whether it is installed already.
func findBolt(ctx context.Context) (app boltApp, ready bool, err error) {
	if app.node, err = exec.LookPath("node"); err != nil {
		return app, false, err
	}
	out, err := exec.CommandContext(ctx, app.node, "--version").Output()
	if err != nil {
		return app, false, fmt.Errorf("node --version: %w", err)
	}
	nodeVersion := strings.TrimSpace(string(out))
	pkg, lock, err := boltPackage()
	if err != nil {
		return app, false, err
	}
	if app.modules, err = boltCacheDir(boltCacheKey(pkg, lock, nodeVersion)); err != nil {
		return app, false, err
	}
	app.versions = lockedVersions(lock) + ", Node " + nodeVersion
	_, statErr := os.Stat(filepath.Join(app.modules, boltInstalledMark))
	return app, statErr == nil, nil
}

func boltPackage() (pkg, lock []byte, err error) {
	if pkg, err = boltFiles.ReadFile("bolt/package.json"); err != nil {
		return nil, nil, err
	}
	lock, err = boltFiles.ReadFile("bolt/package-lock.json")
	return pkg, lock, err
}

// lockedVersions reads the versions the lock pins for the report.
func lockedVersions(lock []byte) string {
	var l struct {
		Packages map[string]struct{ Version string } `json:"packages"`
	}
	json.Unmarshal(lock, &l)
	var out []string
	for _, name := range []string{"@slack/bolt", "better-sqlite3"} {
		out = append(out, name+" "+l.Packages["node_modules/"+name].Version)
	}
	return strings.Join(out, ", ")
}

// installBolt runs `npm ci` for the embedded lock into a new directory
// beside app.modules, then renames it into place, so that a run stopped
// half-way never leaves an installation that looks complete. npm runs
// with the machine's environment (its registry and proxy settings).
func installBolt(ctx context.Context, app boltApp, log io.Writer) error {
	pkg, lock, err := boltPackage()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(app.modules), 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(app.modules), filepath.Base(app.modules)+".tmp-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp) // nothing left once renamed
	for name, b := range map[string][]byte{"package.json": pkg, "package-lock.json": lock} {
		if err := os.WriteFile(filepath.Join(tmp, name), b, 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(log, "installing Bolt-JS (npm ci, once per lock file) into %s…\n", app.modules)
	cmd := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
	cmd.Dir = tmp
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("npm ci for Bolt-JS (run with -bolt=false to leave it out): %v\n%s", err, out)
	}
	if err := os.WriteFile(filepath.Join(tmp, boltInstalledMark), nil, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, app.modules); err != nil {
		if _, statErr := os.Stat(filepath.Join(app.modules, boltInstalledMark)); statErr == nil {
			return nil // another run installed it meanwhile
		}
		return err
	}
	return nil
}

// prepareBolt finds or installs Bolt-JS, or says why it is skipped.
func prepareBolt(ctx context.Context, enabled bool, log io.Writer) (*boltApp, string, error) {
	if why := boltSkipReason(enabled, exec.LookPath); why != "" {
		return nil, why, nil
	}
	app, ready, err := findBolt(ctx)
	if err != nil {
		return nil, "", err
	}
	if !ready {
		if err := installBolt(ctx, app, log); err != nil {
			return nil, "", err
		}
	}
	return &app, "", nil
}

// start runs app.js (written into dir) on db, listening on a free loopback
// port. caFile is the CA Node must trust for the response_url's host.
func (a *boltApp) start(ctx context.Context, dir, db, caFile string) (*server, error) {
	src, err := boltFiles.ReadFile("bolt/app.js")
	if err != nil {
		return nil, err
	}
	script := filepath.Join(dir, "bolt-app.js")
	if err := os.WriteFile(script, src, 0o644); err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(a.node, script)
	cmd.Env = append(cleanEnv(), "BOLT_LISTEN="+addr, "BOLT_DB="+db, "SLACK_SIGNING_SECRET="+secret,
		"NODE_PATH="+filepath.Join(a.modules, "node_modules"), "NODE_EXTRA_CA_CERTS="+caFile, "NODE_ENV=production")
	return startServer(ctx, cmd, addr)
}

// measureBolt sends Bolt-JS the who commands and the vote storm that
// copbot and the minimal handler had, on the minimal handler's database.
// Its clicks carry a response_url on the fake Slack's own address
// (https://127.0.0.1:port/actions/…, its certificate trusted through
// NODE_EXTRA_CA_CERTS): Bolt's respond() goes through axios with proxies
// turned off, so it cannot use the CONNECT proxy copbot's posts take.
func (l *lab) measureBolt(ctx context.Context, rep *report) error {
	if l.bolt == nil {
		rep.bolt.skipped = l.boltSkip
		return nil
	}
	rep.bolt.versions = l.bolt.versions
	db := l.dbPath("baseline")
	if _, err := os.Stat(db); errors.Is(err, os.ErrNotExist) {
		if err := copyDB(ctx, l.dbPath("copbot"), db); err != nil {
			return err
		}
	}
	s, err := l.bolt.start(ctx, l.dir, db, filepath.Join(l.dir, "ca.pem"))
	if err != nil {
		return fmt.Errorf("Bolt-JS: %w", err)
	}
	defer s.stop()
	fmt.Fprintf(l.log, "Bolt-JS ready in %v; the same who commands and clicks…\n", s.ready)
	who, err := drive(ctx, s, phase{name: "Bolt-JS who", path: "/slack/commands", n: l.cfg.who, c: l.cfg.c,
		form: func(i int) string { return whoForm(i%l.cfg.members, i) }, check: hasMembers})
	rep.bolt.rows = append(rep.bolt.rows, who)
	if err != nil {
		return err
	}
	votes, err := drive(ctx, s, phase{name: "Bolt-JS votes", path: "/slack/interactions", n: l.cfg.votes, c: l.cfg.c,
		form: func(i int) string {
			return clickFormTo(l.fake.URL(), l.poll, i, l.poll.Buttons[i%len(l.poll.Buttons)], "bolt")
		}, check: hasBoltAck})
	rep.bolt.rows = append(rep.bolt.rows, votes)
	if err != nil {
		return err
	}
	stored, err := countBoltVotes(ctx, db)
	if err != nil {
		return err
	}
	l.settle()
	rep.bolt.storm = storm{clicks: l.cfg.votes, acked: accepted(votes), stored: stored}
	rep.bolt.hooks = countHooks(l, "bolt")
	rep.bolt.confirmed = confirmLatencies(l, "bolt", votes.sent)
	rep.bolt.fifths = confirmFifths(l.fake.Calls("hook"), "bolt", votes.sent)
	return nil
}

// countBoltVotes counts the votes app.js stored in db.
func countBoltVotes(ctx context.Context, db string) (int, error) {
	d, err := sql.Open("sqlite", "file:"+db+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return 0, err
	}
	defer d.Close()
	var n int
	err = d.QueryRowContext(ctx, "SELECT count(*) FROM bolt_votes").Scan(&n)
	return n, err
}

// printRows adds Bolt-JS's rows to the table, with their ratio to the
// minimal handler's.
func (b *boltReport) printRows(w io.Writer, base []result) {
	for i, row := range b.rows {
		ratio := ""
		if i < len(base) {
			ratio = fmt.Sprintf("%.2f", row.rate()/base[i].rate())
		}
		printRow(w, row, ratio)
	}
}

// printSummary says what ran (or why not), copbot's ratios to Bolt-JS and
// Bolt-JS's vote storm.
func (b *boltReport) printSummary(w io.Writer, copbot []result) {
	if b.skipped != "" {
		fmt.Fprintf(w, "\nBolt-JS: %s\n", b.skipped)
		return
	}
	if len(b.rows) == 0 {
		return
	}
	fmt.Fprintf(w, "\nBolt-JS: %s (bot/loadtest/bolt/app.js)\n", b.versions)
	var rates, cpus []string
	for i, what := range []string{"who", "votes"} {
		if i < len(b.rows) && i < len(copbot) {
			rates = append(rates, fmt.Sprintf("%s %.2f×", what, copbot[i].rate()/b.rows[i].rate()))
			cpus = append(cpus, fmt.Sprintf("%s %.2f×", what, float64(b.rows[i].cpuPerReq())/float64(max(copbot[i].cpuPerReq(), 1))))
		}
	}
	// On a shared machine req/s swings with what else runs during each
	// phase; CPU per request is the steadier figure.
	fmt.Fprintf(w, "copbot ÷ Bolt-JS, req/s: %s (target: at least 1.5× each)\n", strings.Join(rates, ", "))
	fmt.Fprintf(w, "Bolt-JS's CPU per request ÷ copbot's: %s\n", strings.Join(cpus, ", "))
	if len(b.rows) < 2 {
		return
	}
	fmt.Fprintf(w, "Bolt-JS vote storm: %s; confirmations posted with respond(): %d\n", b.storm, b.hooks)
	if n := len(b.confirmed); n > 0 {
		fmt.Fprintf(w, "Bolt-JS vote confirmations, click to response_url post: p50 %s ms, p99 %s ms, max %s ms\n",
			ms(b.confirmed[n/2]), ms(b.confirmed[n*99/100]), ms(b.confirmed[n-1]))
		b.fifths.print(w, "  ")
	}
}

// hasBoltAck accepts an empty acknowledgement, what Bolt's ack() answers.
func hasBoltAck(body []byte) bool { return len(bytes.TrimSpace(body)) == 0 }
