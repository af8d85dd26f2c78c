package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"copbot/bot/slackbot/slacktest"
)

// lab is the run's fixed parts: a temporary directory, the binary, the
// fake Slack reached through a loopback proxy, and the seeded database.
type lab struct {
	cfg       config
	log       io.Writer
	dir, bin  string
	fake      *slacktest.Server
	stopProxy func()
	tunnels   atomic.Int64 // CONNECT tunnels opened (see startProxy)
	env       []string     // the binary's environment
	importDur time.Duration
	poll      poll // the first storm's poll, clicked again on the baseline

	bolt     *boltApp // nil when Bolt-JS is not run; boltSkip says why
	boltSkip string
}

func newLab(ctx context.Context, cfg config, log io.Writer) (*lab, error) {
	dir, err := os.MkdirTemp("", "copbot-loadtest-")
	if err != nil {
		return nil, err
	}
	l := &lab{cfg: cfg, log: log, dir: dir, bin: cfg.bin}
	if err := l.setup(ctx); err != nil {
		l.close()
		return nil, err
	}
	return l, nil
}

func (l *lab) setup(ctx context.Context) error {
	if l.bin == "" {
		fmt.Fprintln(l.log, "building copbot…")
		bin, err := buildCopbot(ctx, l.dir)
		if err != nil {
			return err
		}
		l.bin = bin
	}
	caFile := filepath.Join(l.dir, "ca.pem")
	tlsCfg, err := fakeTLS(caFile)
	if err != nil {
		return err
	}
	l.fake = slacktest.Start(tlsCfg)
	proxy, stop, err := startProxy(strings.TrimPrefix(l.fake.URL(), "https://"), &l.tunnels)
	if err != nil {
		return err
	}
	l.stopProxy = stop
	l.env = append(cleanEnv(), "HTTPS_PROXY="+proxy, "SSL_CERT_FILE="+caFile)
	if l.bolt, l.boltSkip, err = prepareBolt(ctx, l.cfg.bolt, l.log); err != nil {
		return err
	}
	fmt.Fprintf(l.log, "seeding %d members through copbot import…\n", l.cfg.members)
	d, err := l.seed(ctx, "copbot", l.cfg.members)
	l.importDur = d
	return err
}

// cleanEnv is the environment without proxy settings of the machine's own.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch strings.ToUpper(k) {
		case "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "ALL_PROXY", "SSL_CERT_FILE", "SSL_CERT_DIR", "COPBOT_CONFIG":
			continue
		}
		out = append(out, kv)
	}
	return out
}

func (l *lab) close() {
	if l.fake != nil {
		l.fake.Close()
	}
	if l.stopProxy != nil {
		l.stopProxy()
	}
	os.RemoveAll(l.dir)
}

// seed writes a config for database name and imports n members into it.
func (l *lab) seed(ctx context.Context, name string, n int) (time.Duration, error) {
	csv := filepath.Join(l.dir, name+".csv")
	if err := os.WriteFile(csv, []byte(membersCSV(n)), 0o600); err != nil {
		return 0, err
	}
	cfg := fmt.Sprintf(`[storage]
path = %q
[community]
coordinators = ["slack:%s"]
default_language = "en"
[http]
calendar_token = "loadtest"
[slack]
bot_token = "xoxb-loadtest"
signing_secret = %q
api_url = %q
channel = %q
command = "/cop"
[log]
level = "error"
`, l.dbPath(name), coordinator, secret, l.fake.APIURL(), channel)
	if err := os.WriteFile(l.configPath(name), []byte(cfg), 0o600); err != nil {
		return 0, err
	}
	cmd := exec.CommandContext(ctx, l.bin, "import", "members", csv, "-config", l.configPath(name), "-lang", "en")
	cmd.Env = l.env
	t0 := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("copbot import: %v\n%s", err, out)
	}
	return time.Since(t0), nil
}

func (l *lab) dbPath(name string) string     { return filepath.Join(l.dir, name+".db") }
func (l *lab) configPath(name string) string { return filepath.Join(l.dir, name+".toml") }

// serve starts `copbot serve` on database name, with GODEBUG=gctrace=1 for
// the Go heap's figures (see gcWatcher).
func (l *lab) serve(ctx context.Context, name string) (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(l.bin, "serve", "-config", l.configPath(name), "-listen", addr)
	cmd.Env = withGCTrace(l.env)
	gc := &gcWatcher{w: os.Stderr}
	cmd.Stderr = gc
	s, err := startServer(ctx, cmd, addr)
	if err == nil {
		s.gc = gc
	}
	return s, err
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// countVotes counts the votes stored for poll id, reading the database
// file as it is on disk (with its WAL).
func (l *lab) countVotes(ctx context.Context, name string, pollID int64) (int, error) {
	db, err := sql.Open("sqlite", "file:"+l.dbPath(name)+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var n int
	err = db.QueryRowContext(ctx, "SELECT count(DISTINCT member_id) FROM votes WHERE poll_id = ?", pollID).Scan(&n)
	return n, err
}

// postPoll has the coordinator create a poll and returns it as posted.
func (l *lab) postPoll(ctx context.Context, s *server, n int) (poll, error) {
	before := len(l.fake.Calls("chat.postMessage"))
	form := commandForm(coordinator, `poll "Theme for the March meeting?" "Accessibility" "Vulnerable communities" "Chatbots and AI"`, n)
	if _, ok := send(ctx, httpClient(), s.url+"/slack/commands", form, isPosted); !ok {
		return poll{}, fmt.Errorf("the coordinator's poll was not posted")
	}
	if len(l.fake.Calls("chat.postMessage")) == before {
		return poll{}, fmt.Errorf("no chat.postMessage for the poll")
	}
	return postedPoll(l.fake)
}

func isPosted(body []byte) bool { return bytes.Contains(body, []byte("is posted")) }

func hasMembers(body []byte) bool { return bytes.Contains(body, []byte("Member ")) }

// settle waits until the fake Slack has had no call for a quarter of a
// second (the outbox delivers the response_url posts after the acks), at
// most 10 seconds.
func (l *lab) settle() { l.fake.WaitQuiet(250*time.Millisecond, 10*time.Second) }
