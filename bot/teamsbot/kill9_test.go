package teamsbot

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"copbot/bot/internal/crashtest"
	"copbot/handlers"
	"copbot/handlers/features"
	"copbot/storage"
)

// The kill -9 harness of the Teams endpoint. The test binary runs itself
// as a child process serving POST /teams/messages on the parent's database,
// with the parent's fake Bot Framework as token issuer; the child's service
// stops dead right after a card action commits, before the invoke is
// answered, and the parent kills it with SIGKILL. The Bot Framework then
// redelivers the activity: a new adapter on the same database must answer
// it without acting again.

// The child's environment: the fake Bot Framework's OpenID metadata, and
// the parent's test clock (RFC 3339), by which tokens are checked.
const (
	crashOpenID = "COPBOT_CRASH_OPENID"
	crashNow    = "COPBOT_CRASH_NOW"
)

// hangAfterCommit is the child's service: a card action runs to its
// commit, then the process waits for its SIGKILL, so no answer goes out.
type hangAfterCommit struct{ service }

func (s hangAfterCommit) Act(ctx context.Context, req handlers.Request, id, value string) handlers.Reply {
	s.service.Act(ctx, req, id, value)
	crashtest.Hang()
	panic("unreachable")
}

// TestKill9ChildTeams is the child; it skips unless run by
// TestTeamsRedeliveryAfterKill9.
func TestKill9ChildTeams(t *testing.T) {
	if !crashtest.IsChild("teams") {
		t.Skip("the child process of TestTeamsRedeliveryAfterKill9")
	}
	now, err := time.Parse(time.RFC3339, os.Getenv(crashNow))
	if err != nil {
		t.Fatal(err)
	}
	db, err := storage.Open(context.Background(), os.Getenv(crashtest.EnvDB))
	if err != nil {
		t.Fatal(err)
	}
	svc, _, err := features.New(db, handlers.Options{DefaultLanguage: "en"}, time.Now, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{AppID: testAppID, AppPassword: testPassword, OpenIDURL: os.Getenv(crashOpenID),
		TokenURL: strings.TrimSuffix(os.Getenv(crashOpenID), "/openid") + "/token", Requests: db}
	a, err := newAdapter(cfg, hangAfterCommit{svc}, svc.Translator(), nil, func() time.Time { return now }, nil)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	a.Register(mux)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("listening http://" + ln.Addr().String())
	t.Fatal(http.Serve(ln, mux)) // serves until killed
}

// TestTeamsRedeliveryAfterKill9 is issue 15's finding 11 on Teams under a
// crash: a vote committed by a process killed before its answer is
// redelivered to the next process, which answers that it was handled and
// does not take the vote back.
func TestTeamsRedeliveryAfterKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("runs and kills a child process")
	}
	ctx := context.Background()
	clk := newClock()
	f := newFakeBF(t, clk)
	path := filepath.Join(t.TempDir(), "copbot.db")
	db, err := storage.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	const voter = "c5e99701-2a32-49c1-a660-4629ceeb8c61" // the invoke fixture's aadObjectId
	if _, _, err := db.JoinMember(ctx, storage.MemberInput{Name: "Rido Test", Organization: "City of Whitehorse",
		Order: storage.OrderMunicipal, Jurisdiction: "YT", TeamsID: voter}); err != nil {
		t.Fatal(err)
	}
	poll, err := db.CreatePoll(ctx, storage.PollInput{Question: "Theme?", Options: []string{"Yes", "No"},
		Language: "en", Channel: "19:community", Creator: storage.Identity{Platform: storage.PlatformTeams, ID: voter}})
	if err != nil {
		t.Fatal(err)
	}
	vote, su := invokeWith(t, f, fmt.Sprintf(`{"type":"Action.Execute","verb":"poll_vote","data":{"action":"poll_vote","value":"%d:%d"}}`,
		poll.ID, poll.Options[0].ID))
	voters := func() int {
		t.Helper()
		p, err := db.PollByID(ctx, poll.ID)
		if err != nil {
			t.Fatal(err)
		}
		return p.Voters
	}

	child := crashtest.Start(t, "TestKill9ChildTeams", "teams", path,
		crashOpenID+"="+f.srv.URL+"/openid", crashNow+"="+clk.Now().Format(time.RFC3339))
	addr := strings.TrimPrefix(child.WaitFor(t, "listening ", time.Minute), "listening ")
	answered := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, addr+"/teams/messages", bytes.NewReader(vote))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+f.sign(f.claims(su), testKid))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			answered <- 0
			return
		}
		resp.Body.Close()
		answered <- resp.StatusCode
	}()
	child.WaitFor(t, crashtest.Committed, time.Minute)
	child.Kill()
	if code := <-answered; code != 0 {
		t.Fatalf("the killed child answered %d", code)
	}
	if got := voters(); got != 1 {
		t.Fatalf("%d voters after the kill, want 1: the vote committed", got)
	}

	// The next process, on the same file.
	db2, err := storage.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db2.Close() })
	svc, _, err := features.New(db2, handlers.Options{DefaultLanguage: "en"}, time.Now, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Close)
	cfg := f.config()
	cfg.Requests = db2
	b := startBot(t, f, cfg, svc, svc.Translator())
	status, out := signedPost(t, f, b, vote, su)
	if r := decode(t, out); status != 200 || r["value"] != svc.Translator().T("en", "teams_reply_failed", nil) {
		t.Errorf("redelivery: %d %v, want 200 saying it was handled", status, r)
	}
	if got := voters(); got != 1 {
		t.Errorf("%d voters after the redelivery, want 1: the vote was taken back", got)
	}
}
