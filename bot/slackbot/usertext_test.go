package slackbot

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"copbot/handlers"
	"copbot/storage"
)

// What people type (names, titles, organizations, meeting titles, key
// points, poll questions and options) is full of what mrkdwn reads as
// formatting here.
const (
	fmtName     = "```Zoë *Bold* _It_ ~Gone~"
	fmtTitle    = "*Lead* _analyst_ ~x~ `code`"
	fmtOrg      = "~Org~ ```"
	fmtMeeting  = "```Quarterly *meeting* _on_ ~x~"
	fmtPoint    = "*decided* _later_ ```"
	fmtQuestion = "Which `theme` *first*? ```"
)

// formattingEnv has a member, a meeting held two days ago and a poll
// whose texts are all formatting characters, an English and a French
// asker, and a coordinator.
func formattingEnv(t *testing.T) *env {
	var mu sync.Mutex
	now := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	e := newEnv(t, withClock(clock), func(c *envConfig) {
		c.opts.Coordinators = []storage.Identity{{Platform: storage.PlatformSlack, ID: "U0COORD"}}
	})
	e.svc.SetPoster(e.a)
	ctx := context.Background()
	e.join(storage.MemberInput{Name: fmtName, Organization: fmtOrg, Order: storage.OrderProvincial,
		Jurisdiction: "ON", Title: fmtTitle, Language: "en", SlackID: "U0FMT"})
	e.join(storage.MemberInput{Name: "Ann Lee", Organization: "Service Canada", Order: storage.OrderFederal,
		Jurisdiction: "CA", Language: "en", SlackID: "U0EN"})
	e.join(storage.MemberInput{Name: "Élise Gagnon", Organization: "Services Québec", Order: storage.OrderProvincial,
		Jurisdiction: "QC", Language: "fr", SlackID: "U0FR"})
	if _, err := e.db.CreateMeeting(ctx, storage.MeetingInput{Title: fmtMeeting, StartsAt: now.Add(time.Hour),
		Zone: "America/Toronto", Duration: time.Hour, CreatedBy: "slack:U0COORD"}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	now = now.Add(48 * time.Hour)
	mu.Unlock()
	for _, cmd := range []string{`meeting notes 1 --point "` + fmtPoint + `"`,
		`poll "` + fmtQuestion + `" "*one*" "_two_ ` + "```" + `"`} {
		if r := e.svc.Handle(ctx, slackReq("U0COORD", cmd)); r.Kind == "error" {
			t.Fatalf("%s: %s", cmd, r.Text)
		}
	}
	return e
}

// TestUserTextShownAsTyped renders, through the real service, each reply
// that shows what people typed, in both languages: no user text turns into
// formatting in any mrkdwn text (the fallback text included), plain_text
// shows it exactly as typed, and the catalogs' own `code` spans still
// render. Golden files keep the whole messages.
func TestUserTextShownAsTyped(t *testing.T) {
	t.Parallel()
	e := formattingEnv(t)
	ctx := context.Background()
	cases := []struct {
		name, user, text string
		typed            []string // user texts the reply shows
		code             bool     // the reply has a catalog `code` span
	}{
		{"directory.en", "U0EN", "who Ontario", []string{fmtName, fmtTitle, fmtOrg}, false},
		{"directory.fr", "U0FR", "qui Ontario", []string{fmtName, fmtTitle, fmtOrg}, false},
		{"profile.en", "U0FMT", "profile", []string{fmtName, fmtTitle, fmtOrg}, true},
		{"record.en", "U0COORD", "meeting notes 1", []string{fmtMeeting, fmtPoint}, true},
		{"poll.en", "U0EN", "poll 1", []string{fmtQuestion}, false},
		{"poll.fr", "U0FR", "sondage 1", []string{fmtQuestion}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.svc.Handle(ctx, slackReq(c.user, c.text))
			if r.Kind == "error" {
				t.Fatalf("%s: %s", c.text, r.Text)
			}
			m := renderMessage(r)
			golden(t, "formatting_"+c.name, m)
			checkShownAsTyped(t, m.Text, []byte(mustJSON(t, m.Blocks)), c.typed, c.code)
		})
	}
	t.Run("poll card", func(t *testing.T) {
		e.svc.Flush()
		posts := e.fake.Calls("chat.postMessage")
		if len(posts) == 0 {
			t.Fatal("no poll card posted")
		}
		p := posts[0].Form
		checkShownAsTyped(t, p.Get("text"), []byte(p.Get("blocks")), []string{fmtQuestion, "*one*", "_two_ ```"}, false)
	})
}

// checkShownAsTyped checks a message's fallback text and blocks: no text
// a person typed is formatting in any mrkdwn object, each of typed is
// shown, neutralized in mrkdwn or as typed in plain_text, and, with code,
// the catalog's `code` spans are left to render.
func checkShownAsTyped(t *testing.T, text string, blocks []byte, typed []string, code bool) {
	t.Helper()
	mrkdwn, plain := textObjects(t, text, blocks)
	all := strings.Join(mrkdwn, "\n")
	for _, s := range mrkdwn {
		for _, bad := range []string{"```", "*Bold*", "_It_", "~Gone~", "*decided*", "_later_", "*first*", "`theme`", "*one*", "_two_"} {
			if strings.Contains(s, bad) {
				t.Errorf("mrkdwn %q holds %q typed by a person: Slack shows it as formatting", s, bad)
			}
		}
	}
	for _, s := range typed {
		if !strings.Contains(all, userEscaper.Replace(s)) && !containsAny(plain, s) {
			t.Errorf("%q is shown neither as typed (plain_text) nor neutralized (mrkdwn)", s)
		}
	}
	if code && !strings.Contains(all, "`/cop ") {
		t.Errorf("the catalog's `code` spans were neutralized too: %q", all)
	}
}

func TestEscapeUserText(t *testing.T) {
	got := escape("Run `/cop who` for " + handlers.User("```Zoë *Z* _i_ ~s~ <@U1> & co"))
	want := "Run `/cop who` for \u02cb\u02cb\u02cbZoë \u2217Z\u2217 \u02cdi\u02cd \u223cs\u223c &lt;@U1&gt; &amp; co"
	if got != want {
		t.Errorf("escape = %q, want %q", got, want)
	}
}

// textObjects returns the texts of a message's mrkdwn objects, its
// fallback text (which Slack also reads as mrkdwn) first, and of its
// plain_text objects.
func textObjects(t *testing.T, text string, blocks []byte) (mrkdwn, plain []string) {
	t.Helper()
	var v any
	if err := json.Unmarshal(blocks, &v); err != nil {
		t.Fatal(err)
	}
	mrkdwn = append(mrkdwn, text)
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if s, ok := v["text"].(string); ok {
				switch v["type"] {
				case "mrkdwn":
					mrkdwn = append(mrkdwn, s)
				case "plain_text":
					plain = append(plain, s)
				}
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
	return mrkdwn, plain
}

func containsAny(texts []string, s string) bool {
	for _, t := range texts {
		if strings.Contains(t, s) {
			return true
		}
	}
	return false
}
