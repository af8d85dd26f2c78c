package bot

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"copbot/bot/emailbot/smtptest"
	"copbot/bot/internal/crashtest"
	"copbot/storage"
)

// voteLinkRE finds the vote links in a received mail's text.
var voteLinkRE = regexp.MustCompile(`https://copbot\.example\.gc\.ca(/email/vote/[A-Z2-7]+\?option=[0-9]+)`)

// voteLinks are the paths of the vote links in m's text and HTML parts,
// which must agree.
func voteLinks(t *testing.T, m *smtptest.Message) []string {
	t.Helper()
	var text []string
	for _, l := range voteLinkRE.FindAllStringSubmatch(m.Parts["text/plain"], -1) {
		text = append(text, l[1])
	}
	var html []string
	for _, l := range voteLinkRE.FindAllStringSubmatch(strings.ReplaceAll(m.Parts["text/html"], "&amp;", "&"), -1) {
		html = append(html, l[1])
	}
	if !slices.Equal(text, html) {
		t.Fatalf("vote links differ between text %v and HTML %v", text, html)
	}
	return text
}

// postForm posts the vote form of path with the given option ids.
func (e *e2eBot) postForm(path string, form url.Values) (int, string) {
	e.t.Helper()
	u, err := url.Parse(path)
	if err != nil {
		e.t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, "http://"+e.app.Addr()+u.Path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return e.do(req)
}

// formOption is the value of the page's first option field.
var formOption = regexp.MustCompile(`name="option" value="([0-9]+)"`)

// Votes by email through the App: the link is read out of the mail the
// SMTP server received; a GET (a scanner) writes nothing; the page's
// button votes, the Slack card shows it, a restart keeps it, and an
// unknown link is a 404 in both languages.
func TestEmailVoteLinkEndToEnd(t *testing.T) {
	e, srv := newEmailE2E(t)
	if code, body := e.slash("UCOORD", `poll "Theme for June? / Thème de juin ?" "Accessibility" "Vulnerable communities"`, e2eSecret); code != 200 {
		t.Fatalf("poll = %d %s", code, body)
	}
	e.settle()
	marie := mailTo(t, srv, "marie@example.qc.ca")
	if len(marie) != 1 {
		t.Fatalf("Marie got %d messages, want the poll", len(marie))
	}
	links := voteLinks(t, marie[0])
	if len(links) != 2 || !strings.Contains(marie[0].Parts["text/plain"], "Voter pour 2. Vulnerable communities") {
		t.Fatalf("links %v in:\n%s", links, marie[0].Parts["text/plain"])
	}
	jean := voteLinks(t, mailTo(t, srv, "jean@example.on.ca")[0])
	if path := strings.Split(links[0], "?")[0]; path == strings.Split(jean[0], "?")[0] {
		t.Fatal("Marie and Jean have the same link")
	}
	ctx := context.Background()
	p, err := e.app.Store.PollByID(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}

	// A mail scanner follows every link: nothing is written.
	for _, l := range links {
		code, body := e.get(l)
		if code != 200 || !strings.Contains(body, `<form method="post"><fieldset><legend>Poll #1: Theme for June? / Sondage nº`) ||
			!strings.Contains(body, "Vote / Voter") ||
			!strings.Contains(body, `<section lang="fr"><h1>Sondage nº`) {
			t.Fatalf("GET %s = %d\n%s", l, code, body)
		}
	}
	// No other site can frame the page's button, and nothing keeps the
	// address with its secret.
	req, _ := http.NewRequest(http.MethodGet, "http://"+e.app.Addr()+links[0], nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for k, want := range map[string]string{"X-Frame-Options": "DENY", "Cache-Control": "no-store", "Referrer-Policy": "no-referrer"} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "form-action 'self'") {
		t.Errorf("Content-Security-Policy %q", csp)
	}
	if p, _ := e.app.Store.PollByID(ctx, 1); p.Voters != 0 {
		t.Fatalf("following the links cast %d votes", p.Voters)
	}
	cardTS := e.keyedTS("poll:1")
	updates := func() int {
		n := 0
		for _, c := range e.slack.Calls("chat.update") {
			if c.Form.Get("ts") == cardTS {
				n++
			}
		}
		return n
	}
	before := updates()

	// Marie presses the button of option 2's page.
	_, page := e.get(links[1])
	m := formOption.FindStringSubmatch(page)
	if m == nil || m[1] != strings.Split(links[1], "option=")[1] {
		t.Fatalf("the page's form %q", page)
	}
	code, body := e.postForm(links[1], url.Values{"option": {m[1]}})
	if code != 200 || !strings.Contains(body, "Your vote for “Vulnerable communities” (option 2) is recorded.") ||
		!strings.Contains(body, "Votre vote pour «\u00a0Vulnerable communities\u00a0» (choix 2) est enregistré.") {
		t.Fatalf("POST = %d\n%s", code, body)
	}
	e.app.Service.Flush()
	if !e.slack.Wait(10*raceSlowdown*time.Second, func() bool { return updates() > before }) {
		t.Error("the email vote did not update the Slack card")
	}

	// Recorded before the page said so: a restart finds it.
	e.shutdown()
	e.start()
	marieM, _, _ := e.app.Store.FindMembers(ctx, storage.MemberFilter{Email: new("marie@example.qc.ca")})
	if c, _, err := e.app.Store.MemberChoices(ctx, p.ID, marieM[0].ID); err != nil || !slices.Equal(c, []int64{p.Options[1].ID}) {
		t.Errorf("Marie's choices after a restart: %v %v", c, err)
	}
	// A forged or mangled link.
	forged := strings.Replace(links[0], "/vote/", "/vote/A", 1)
	if code, body := e.postForm(forged, url.Values{"option": {"1"}}); code != http.StatusNotFound ||
		!strings.Contains(body, "This voting link is not valid") || !strings.Contains(body, "Ce lien de vote n’est pas valide") {
		t.Errorf("forged link = %d\n%s", code, body)
	}
	if code, _ := e.postForm(links[0], url.Values{"option": {"x"}}); code != http.StatusBadRequest {
		t.Errorf("a form that is not option ids = %d, want 400", code)
	}
	if p, _ := e.app.Store.PollByID(ctx, 1); p.Voters != 1 {
		t.Errorf("%d voters, want Marie alone", p.Voters)
	}
}

// TestKill9ChildEmailVotes is the child of TestKill9AfterEmailVoteAcks: a
// copbot serving the vote links on the parent's database until killed. It
// skips unless run by that test.
func TestKill9ChildEmailVotes(t *testing.T) {
	t.Parallel()
	if !crashtest.IsChild("emailvote") {
		t.Skip("the child process of the kill -9 test of email votes")
	}
	cfg := DefaultConfig()
	cfg.Storage.Path = os.Getenv(crashtest.EnvDB)
	app, err := NewApp(context.Background(), cfg, AppOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	fmt.Println("listening " + app.Addr())
	t.Fatalf("Serve returned before the kill: %v", app.Serve(context.Background()))
}

// Nothing an email voter was told is recorded is lost: 40 members vote at
// once through their links in a child copbot, which is killed (SIGKILL)
// the moment the last answer arrives; every vote whose page said
// "recorded" is in the database, and no other.
func TestKill9AfterEmailVoteAcks(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs and kills a child process")
	}
	const voters = 40
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "copbot.db")
	db, err := storage.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	rows := make([]storage.MemberInput, voters)
	for i := range rows {
		rows[i] = storage.MemberInput{Name: fmt.Sprintf("Voter %02d", i), Email: fmt.Sprintf("voter%02d@example.gc.ca", i),
			Organization: "Ville de Québec", Order: storage.OrderMunicipal, Jurisdiction: "QC"}
	}
	if _, err := db.ImportMembers(ctx, rows); err != nil {
		t.Fatal(err)
	}
	p, err := db.CreatePoll(ctx, storage.PollInput{Question: "Theme?", Options: []string{"A", "B"},
		Creator: storage.Identity{Platform: storage.PlatformSlack, ID: "UCOORD"}})
	if err != nil {
		t.Fatal(err)
	}
	ms, _, err := db.FindMembers(ctx, storage.MemberFilter{})
	if err != nil || len(ms) != voters {
		t.Fatalf("%d members, %v", len(ms), err)
	}
	tokens := make([]string, voters)
	for i, m := range ms {
		if tokens[i], err = db.NewEmailVoteToken(ctx, p.ID, m.ID); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	child := crashtest.Start(t, "TestKill9ChildEmailVotes", "emailvote", path)
	addr := strings.TrimPrefix(child.WaitFor(t, "listening ", time.Minute), "listening ")
	acked := make([]bool, voters)
	var wg sync.WaitGroup
	for i := range voters {
		wg.Go(func() {
			option := p.Options[i%2].ID
			form := url.Values{"option": {strconv.FormatInt(option, 10)}}.Encode()
			resp, err := http.Post("http://"+addr+"/email/vote/"+tokens[i], "application/x-www-form-urlencoded", strings.NewReader(form))
			if err != nil {
				t.Errorf("voter %d: %v", i, err)
				return
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			acked[i] = resp.StatusCode == 200 && strings.Contains(string(body), "is recorded")
		})
	}
	wg.Wait()
	child.Kill()

	db, err = storage.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	n := 0
	for i, m := range ms {
		c, _, err := db.MemberChoices(ctx, p.ID, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		stored := len(c) == 1 && c[0] == p.Options[i%2].ID
		if stored != acked[i] {
			t.Errorf("voter %d: told recorded %v, stored %v (%v)", i, acked[i], stored, c)
		}
		if acked[i] {
			n++
		}
	}
	if n == 0 {
		t.Fatal("no vote was acknowledged: the test proves nothing")
	}
	t.Logf("%d of %d votes acknowledged, all stored", n, voters)
}

// A multiple-choice poll's page in a real browser: the member opens
// option 1's link from the mail, ticks option 3 as well and presses the
// button; the browser's own form post records both.
func TestEmailVotePageInChromium(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts a browser")
	}
	browser := chromiumPath(t)
	e, srv := newEmailE2E(t)
	if code, body := e.slash("UCOORD", `poll "Themes?" "Accessibility" "Chatbots" "Wellness" --votes 2`, e2eSecret); code != 200 {
		t.Fatalf("poll = %d %s", code, body)
	}
	e.settle()
	links := voteLinks(t, mailTo(t, srv, "jean@example.on.ca")[0])
	p, err := e.app.Store.PollByID(context.Background(), 1)
	if err != nil || len(links) != 3 {
		t.Fatalf("links %v, %v", links, err)
	}
	ctx, cancel := newChromium(t, browser)
	defer cancel()
	tctx, cancelTime := context.WithTimeout(ctx, 60*time.Second)
	defer cancelTime()
	third := fmt.Sprintf(`input[name="option"][value="%d"]`, p.Options[2].ID)
	if err := chromedp.Do(tctx, chromedp.Navigate("http://"+e.app.Addr()+links[0]), chromedp.Click(chromedp.CSS(third)),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)), chromedp.WaitNotPresent(chromedp.CSS("form"))); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	text, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS("body")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "Your choices are recorded: “Accessibility” (option 1) and “Wellness” (option 3).") ||
		!strings.Contains(text, "Vos choix sont enregistrés") {
		t.Errorf("the page after the button:\n%s", text)
	}
	jean, _, _ := e.app.Store.FindMembers(context.Background(), storage.MemberFilter{Email: new("jean@example.on.ca")})
	if c, _, err := e.app.Store.MemberChoices(context.Background(), 1, jean[0].ID); err != nil ||
		!slices.Equal(c, []int64{p.Options[0].ID, p.Options[2].ID}) {
		t.Errorf("Jean's choices %v, %v; want options 1 and 3", c, err)
	}
}
