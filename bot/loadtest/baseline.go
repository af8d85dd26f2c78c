package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite"
)

// The baseline is the least a Go Slack app must do per request: check the
// signature, parse the request, run one SQLite statement (modernc, with
// copbot's pragmas) on the same members, and answer. The tool runs it as
// a second process (itself, with -baseline-serve) so that its CPU and
// memory are measured the same way as copbot's.

// serveBaseline serves the baseline on addr over db until interrupted.
func serveBaseline(addr, db string) error {
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(10000)", "synchronous(NORMAL)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	sqldb, err := sql.Open("sqlite", "file:"+db+"?"+q.Encode())
	if err != nil {
		return err
	}
	defer sqldb.Close()
	sqldb.SetMaxIdleConns(16)
	if _, err := sqldb.Exec(`CREATE TABLE IF NOT EXISTS baseline_votes (user TEXT PRIMARY KEY, value TEXT NOT NULL)`); err != nil {
		return err
	}
	b := &baseline{db: sqldb}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	mux.HandleFunc("POST /slack/commands", b.command)
	mux.HandleFunc("POST /slack/interactions", b.interaction)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go func() { <-ctx.Done(); srv.Close() }()
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		return err
	}
	return nil
}

type baseline struct{ db *sql.DB }

// verified reads the body and checks Slack's v0 signature.
func verified(w http.ResponseWriter, r *http.Request) (url.Values, bool) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	stamp := r.Header.Get("X-Slack-Request-Timestamp")
	ts, _ := strconv.ParseInt(stamp, 10, 64)
	m := hmac.New(sha256.New, []byte(secret))
	io.WriteString(m, "v0:"+stamp+":")
	m.Write(body)
	want := "v0=" + hex.EncodeToString(m.Sum(nil))
	if err != nil || time.Since(time.Unix(ts, 0)).Abs() > 5*time.Minute ||
		!hmac.Equal([]byte(want), []byte(r.Header.Get("X-Slack-Signature"))) {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return nil, false
	}
	v, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return nil, false
	}
	return v, true
}

func (b *baseline) command(w http.ResponseWriter, r *http.Request) {
	v, ok := verified(w, r)
	if !ok {
		return
	}
	_, where, _ := strings.Cut(v.Get("text"), " ")
	code := map[string]string{"yukon": "YT", "ontario": "ON"}[strings.ToLower(where)]
	rows, err := b.db.QueryContext(r.Context(), `SELECT name FROM members
		WHERE jurisdiction = ? AND left_at IS NULL ORDER BY name_key LIMIT 20`, code)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"response_type": "ephemeral", "text": strings.Join(names, "\n")})
}

func (b *baseline) interaction(w http.ResponseWriter, r *http.Request) {
	v, ok := verified(w, r)
	if !ok {
		return
	}
	var p struct {
		User    struct{ ID string } `json:"user"`
		Actions []struct{ Value string }
	}
	if err := json.Unmarshal([]byte(v.Get("payload")), &p); err != nil || len(p.Actions) == 0 {
		http.Error(w, "bad payload", http.StatusBadRequest)
		return
	}
	if _, err := b.db.ExecContext(r.Context(), `INSERT INTO baseline_votes (user, value) VALUES (?, ?)
		ON CONFLICT (user) DO UPDATE SET value = excluded.value`, p.User.ID, p.Actions[0].Value); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
}
