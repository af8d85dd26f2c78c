package teamsbot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"copbot/handlers"
)

// fakeGraph is Microsoft Graph's list of a channel's messages, on
// loopback: GET /v1.0/teams/{team}/channels/{channel}/messages, newest
// first, paged by $top with an @odata.nextLink, each message with its
// attachments as Graph shows them (a card's JSON as a string).
type fakeGraph struct {
	srv           *httptest.Server
	team, channel string

	mu    sync.Mutex
	msgs  []graphMessage // oldest first
	fails []int          // statuses answered first, in order
	pages int            // pages served
	auths []string
	next  string // when set, the base of every nextLink (another host)
}

func newFakeGraph(t *testing.T, team, channel string) *fakeGraph {
	g := &fakeGraph{team: team, channel: channel}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1.0/teams/{team}/channels/{channel}/messages", g.serve)
	g.srv = httptest.NewServer(mux)
	t.Cleanup(g.srv.Close)
	return g
}

// add puts a message in the channel with one card attachment.
func (g *fakeGraph) add(created time.Time, cardJSON string) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	m := graphMessage{ID: strconv.FormatInt(1700000000000+int64(len(g.msgs)), 10), Created: created}
	m.Attachments = append(m.Attachments, struct {
		ContentType string `json:"contentType"`
		Content     string `json:"content"`
	}{cardContentType, cardJSON})
	g.msgs = append(g.msgs, m)
	return m.ID
}

func (g *fakeGraph) serve(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.auths = append(g.auths, r.Header.Get("Authorization"))
	if len(g.fails) > 0 {
		st := g.fails[0]
		g.fails = g.fails[1:]
		http.Error(w, `{"error":{"code":"Forbidden"}}`, st)
		return
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer graph-token-") {
		http.Error(w, `{"error":{"code":"InvalidAuthenticationToken"}}`, http.StatusUnauthorized)
		return
	}
	if r.PathValue("team") != g.team || r.PathValue("channel") != g.channel {
		http.Error(w, `{"error":{"code":"NotFound"}}`, http.StatusNotFound)
		return
	}
	top, _ := strconv.Atoi(r.URL.Query().Get("$top"))
	skip, _ := strconv.Atoi(r.URL.Query().Get("$skiptoken"))
	g.pages++
	var page []graphMessage
	for i := len(g.msgs) - 1 - skip; i >= 0 && len(page) < top; i-- {
		page = append(page, g.msgs[i])
	}
	out := map[string]any{"value": page}
	if skip+len(page) < len(g.msgs) {
		base := g.srv.URL
		if g.next != "" {
			base = g.next
		}
		out["@odata.nextLink"] = fmt.Sprintf("%s%s?$top=%d&$skiptoken=%d", base, r.URL.Path, top, skip+len(page))
	}
	json.NewEncoder(w).Encode(out)
}

// graphBot is an adapter with Graph look-ups on g, whose posts reach g's
// channel; lose makes the connector lose the answer of the next posts.
func graphBot(t *testing.T, g *fakeGraph) (*bot, *fakeBF, *lossy) {
	clk := newClock()
	f := newFakeBF(t, clk)
	cfg := f.config()
	cfg.ServiceURL, cfg.ChannelID, cfg.TenantID = f.srv.URL+"/teams/", g.channel, testTenant
	cfg.GraphTeamID, cfg.GraphURL = g.team, g.srv.URL+"/v1.0"
	l := &lossy{}
	f.answer = func(w http.ResponseWriter, r *http.Request, n int) bool {
		if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/v3/conversations") {
			return false
		}
		var p struct {
			Activity struct {
				Attachments []struct {
					Content json.RawMessage `json:"content"`
				} `json:"attachments"`
			} `json:"activity"`
		}
		f.mu.Lock()
		body := f.calls[n-1].Body
		f.mu.Unlock()
		if err := json.Unmarshal(body, &p); err != nil || len(p.Activity.Attachments) == 0 {
			t.Errorf("post without a card: %s", body)
			return false
		}
		id := g.add(clk.Now(), string(p.Activity.Attachments[0].Content)) // it reaches the channel
		if l.take() {
			closeWithoutAnswer(w)
			return true
		}
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"id":"%s;messageid=%s","activityId":"%s"}`, g.channel, id, id)
		return true
	}
	return startBot(t, f, cfg, &recorder{}, mustTranslator(t)), f, l
}

// lossy counts the answers still to lose.
type lossy struct {
	mu sync.Mutex
	n  int
}

func (l *lossy) lose(n int) { l.mu.Lock(); l.n = n; l.mu.Unlock() }

func (l *lossy) take() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n > 0 {
		l.n--
		return true
	}
	return false
}

func closeWithoutAnswer(w http.ResponseWriter) {
	if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
		conn.Close()
	}
}

// A post whose answer is lost is found in the channel by its key: the
// right key (not reminder:10 for reminder:1), and only among the threads
// since the attempt.
func TestGraphFindsAPostWhoseAnswerWasLost(t *testing.T) {
	g := newFakeGraph(t, "team-1", "19:community@thread.tacv2")
	b, f, l := graphBot(t, g)
	ctx := context.Background()
	since := f.clock.Now().Add(-time.Minute)
	g.add(since.Add(-time.Hour), `{"type":"AdaptiveCard","body":[{"type":"TextBlock","id":"copbot-key:reminder:1"}]}`)
	g.add(since.Add(time.Second), `{"type":"AdaptiveCard","body":[{"type":"TextBlock","id":"copbot-key:reminder:10"}]}`)
	l.lose(1)
	r := textReply("reminder", "en", "Meeting tomorrow", handlers.InChannel)
	if _, err := b.PostKeyed(ctx, "reminder:1", r); err == nil {
		t.Fatal("a post whose answer was lost succeeded")
	}
	ref, found, err := b.FindKeyed(ctx, "reminder:1", since)
	if err != nil || !found {
		t.Fatalf("FindKeyed = %+v, %v, %v; want the post", ref, found, err)
	}
	if want := "1700000000002"; ref.ID != want || ref.Channel != g.channel+";messageid="+want {
		t.Errorf("ref %+v, want message %s of the channel", ref, want)
	}
	if _, found, err := b.FindKeyed(ctx, "reminder:2", since); found || err != nil {
		t.Errorf("FindKeyed of a key never posted = %v, %v; want not found", found, err)
	}
	if _, found, err := b.FindKeyed(ctx, "reminder:1", f.clock.Now().Add(time.Hour)); found || err != nil {
		t.Errorf("FindKeyed from after the post = %v, %v; want not found", found, err)
	}
	for _, a := range g.auths {
		if !strings.HasPrefix(a, "Bearer graph-token-") {
			t.Errorf("Graph got %q, want a Graph token (never the Bot Connector's)", a)
		}
	}
}

// The look-up reads page after page until the key or a page older than
// the attempt, and sends its token only to Graph's own host.
func TestGraphPages(t *testing.T) {
	g := newFakeGraph(t, "team-1", "19:community@thread.tacv2")
	b, f, _ := graphBot(t, g)
	ctx := context.Background()
	t0 := f.clock.Now()
	for i := range 120 {
		key := fmt.Sprintf("poll:%d", i)
		g.add(t0.Add(time.Duration(i)*time.Second), `{"body":[{"id":"copbot-key:`+key+`"}]}`)
	}
	if _, found, err := b.FindKeyed(ctx, "poll:5", t0); !found || err != nil || g.pages != 3 {
		t.Errorf("key on the third page: found %v, %v after %d pages, want found after 3", found, err, g.pages)
	}
	g.pages = 0
	if _, found, err := b.FindKeyed(ctx, "poll:5", t0.Add(100*time.Second)); found || err != nil || g.pages != 2 {
		t.Errorf("key older than the attempt: found %v, %v after %d pages, want not found after 2", found, err, g.pages)
	}
	g.next = "http://elsewhere.example"
	if _, _, err := b.FindKeyed(ctx, "poll:5", t0); err == nil || errors.Is(err, handlers.ErrNoLookup) {
		t.Errorf("a next page on another host: %v, want a plain error", err)
	}
}

// Refusals that will not pass say the look-up is impossible
// (handlers.ErrNoLookup, so the ledger's bounded retry applies); those
// that may pass are plain errors (nothing is posted, the retry looks
// again); a refused token is renewed once.
func TestGraphRefusals(t *testing.T) {
	tests := []struct {
		name     string
		fails    []int
		team     string
		refuse   bool // the tenant refuses Graph tokens
		noLookup bool
		ok       bool
	}{
		{name: "forbidden", fails: []int{403}, noLookup: true},
		{name: "no such team", team: "other-team", noLookup: true},
		{name: "throttled", fails: []int{429}},
		{name: "outage", fails: []int{503}},
		{name: "stale token renewed", fails: []int{401}, ok: true},
		{name: "token refused twice", fails: []int{401, 401}, noLookup: true},
		{name: "no Graph consent", refuse: true, noLookup: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newFakeGraph(t, "team-1", "19:community@thread.tacv2")
			b, f, _ := graphBot(t, g)
			g.fails = tt.fails
			if tt.team != "" {
				b.graph.team = tt.team
			}
			f.graphRefused = tt.refuse
			_, found, err := b.FindKeyed(context.Background(), "reminder:1", f.clock.Now())
			switch {
			case tt.ok && (err != nil || found):
				t.Errorf("= %v, %v; want not found, no error", found, err)
			case tt.noLookup && !errors.Is(err, handlers.ErrNoLookup):
				t.Errorf("err %v, want handlers.ErrNoLookup", err)
			case !tt.ok && !tt.noLookup && (err == nil || errors.Is(err, handlers.ErrNoLookup)):
				t.Errorf("err %v, want an error that may pass", err)
			}
		})
	}
}

func TestGraphConfig(t *testing.T) {
	base := Config{AppID: "a", AppPassword: "p", GraphTeamID: "team-1"}
	for _, c := range []Config{base, {AppID: "a", AppPassword: "p", GraphTeamID: "t", TenantID: "x"},
		{AppID: "a", AppPassword: "p", GraphTeamID: "t", TenantID: "x", ChannelID: "19:c", GraphURL: "http://graph.example"}} {
		if err := c.fill(); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
	ok := Config{AppID: "a", AppPassword: "p", GraphTeamID: "t", TenantID: "x", ChannelID: "19:c"}
	if err := ok.fill(); err != nil || ok.GraphURL != DefaultGraphURL {
		t.Errorf("fill = %v, graph url %q", err, ok.GraphURL)
	}
}
