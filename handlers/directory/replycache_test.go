package directory

import (
	"context"
	"strings"
	"testing"
	"time"

	"copbot/handlers"
	"copbot/handlers/handlerstest"
	"copbot/storage"
)

// The core caches who, gaps, stats and help per directory_version
// (handlers/replycache.go). These tests check that a cached reply is
// reused, that every write to the directory (from this process or another
// on the same file) ends it, that it is kept apart by language, role and
// platform, and that the rate limit still runs in front of it.

func rcEnv(t *testing.T, mod func(*handlers.Options)) *handlerstest.Env {
	t.Helper()
	opts := handlerstest.Options(t)
	if mod != nil {
		mod(&opts)
	}
	return handlerstest.New(t, handlerstest.Setup{Opts: &opts, Clock: handlerstest.NewClock(mtNow),
		Install: func(s *handlers.Service) { Install(s) }})
}

func rcJoin(t *testing.T, db *storage.DB, name, place string, order storage.Order, id string) {
	t.Helper()
	if _, _, err := db.JoinMember(context.Background(), storage.MemberInput{Name: name, Organization: "Org " + name,
		Order: order, Jurisdiction: place, Language: "en", ConsoleID: id, Email: strings.ToLower(name[:3]) + "@example.ca"}); err != nil {
		t.Fatal(err)
	}
}

// rcAsk is Env.Ask without taking the user-text marks out (which copies
// the blocks), so that sameBlocks sees the cached reply's own blocks.
func rcAsk(e *handlerstest.Env, who storage.Identity, text string) handlers.Reply {
	return e.S.Handle(context.Background(), handlers.Request{Identity: who, Text: text, ChannelID: "C0COP"})
}

// sameBlocks reports whether two replies share their blocks: the second
// came from the cache, not from running the command again.
func sameBlocks(a, b handlers.Reply) bool {
	return len(a.Blocks) > 0 && len(b.Blocks) > 0 && &a.Blocks[0] == &b.Blocks[0]
}

func TestReplyCacheReusedUntilTheDirectoryChanges(t *testing.T) {
	e := rcEnv(t, nil)
	rcJoin(t, e.DB, "Ada Yukon", "YT", storage.OrderProvincial, "ada")
	visitor := handlerstest.User("visitor")
	for _, cmd := range []string{"who Yukon", "gaps", "stats", "help"} {
		first, again := rcAsk(e, visitor, cmd), rcAsk(e, visitor, cmd)
		if first.Key == "" || again.Key != first.Key || !sameBlocks(first, again) {
			t.Errorf("%s: not reused (keys %q, %q)", cmd, first.Key, again.Key)
		}
	}
	before := rcAsk(e, visitor, "who Yukon")

	// A write by this process: a second Yukon member joins.
	if r := e.AskIn("bo", "", "join Bo Yukon | Ville de Whitehorse | municipal | YT"); r.Kind != "joined" {
		t.Fatalf("join: %s %s", r.Kind, r.Text)
	}
	after := rcAsk(e, visitor, "who Yukon")
	if after.Key == before.Key || sameBlocks(before, after) || !strings.Contains(after.Text, "Bo Yukon") {
		t.Errorf("after a join, who Yukon is the cached reply:\n%s", after.Text)
	}

	// A write by another process on the same file (an import from the
	// command line): this process learns it from directory_version.
	other := e.Second()
	if r := other.Handle(context.Background(), handlers.Request{Identity: handlerstest.User("cy"),
		Text: "join Cy Yukon | Yukon Government | provincial | YT"}); r.Kind != "joined" {
		t.Fatalf("join in the second process: %s %s", r.Kind, r.Text)
	}
	if r := rcAsk(e, visitor, "who Yukon"); r.Key == after.Key || !strings.Contains(r.Text, "Cy Yukon") {
		t.Errorf("after another process's join, who Yukon is the cached reply:\n%s", r.Text)
	}
	if r := rcAsk(e, visitor, "stats"); !strings.Contains(r.Text, "3 people") {
		t.Errorf("stats after the joins: %s", r.Text)
	}
}

func TestReplyCacheKeptApartByLanguageRoleAndPlatform(t *testing.T) {
	e := rcEnv(t, func(o *handlers.Options) { o.ShowEmails = false })
	rcJoin(t, e.DB, "Ada Yukon", "YT", storage.OrderProvincial, "ada")
	en := e.AskIn("v1", "en-CA", "who Yukon")
	fr := e.AskIn("v2", "fr-CA", "who Yukon")
	if en.Key == fr.Key || !strings.Contains(fr.Text, "Yukon") || fr.Lang != "fr" || en.Lang != "en" {
		t.Errorf("languages share a reply: %q / %q", en.Lang, fr.Lang)
	}
	// Coordinators see emails, visitors do not: the same words, two replies.
	coord := e.Ask(handlerstest.Coordinator, "who Yukon")
	if !strings.Contains(coord.Text, "ada@example.ca") || strings.Contains(en.Text, "ada@example.ca") {
		t.Errorf("emails: coordinator %q, visitor %q", coord.Text, en.Text)
	}
	// The console's help talks of no buttons; Slack's of forms.
	console := e.Ask(handlerstest.User("v1"), "help")
	slack := e.Ask(storage.Identity{Platform: storage.PlatformSlack, ID: "U0V1"}, "help")
	if console.Key == slack.Key {
		t.Errorf("console and Slack share the help reply %q", console.Key)
	}
}

func TestReplyCacheBehindTheRateLimit(t *testing.T) {
	e := rcEnv(t, func(o *handlers.Options) { o.RateLimit = handlers.RateLimit{Burst: 3, Every: time.Hour} })
	who := storage.Identity{Platform: storage.PlatformSlack, ID: "U0FAST"}
	for i := range 3 {
		if r := e.Ask(who, "gaps"); r.Kind != "gaps" {
			t.Fatalf("request %d: %s %s", i, r.Kind, r.Text)
		}
	}
	if r := e.Ask(who, "gaps"); r.Kind != "error" || !strings.Contains(r.Text, "too fast") {
		t.Errorf("4th cached request within the burst: %s %q", r.Kind, r.Text)
	}
}

// TestReplyCacheStartsAfresh: cached replies do not outlive ten minutes,
// even while the directory stays the same (issue 16: time-pruned caches).
func TestReplyCacheStartsAfresh(t *testing.T) {
	e := rcEnv(t, nil)
	visitor := handlerstest.User("visitor")
	first := rcAsk(e, visitor, "gaps")
	e.Clock.Add(9 * time.Minute)
	if again := rcAsk(e, visitor, "gaps"); !sameBlocks(first, again) {
		t.Error("not reused within ten minutes")
	}
	e.Clock.Add(2 * time.Minute)
	if later := rcAsk(e, visitor, "gaps"); sameBlocks(first, later) || later.Key != first.Key {
		t.Errorf("after eleven minutes: reused %v, keys %q %q", sameBlocks(first, later), first.Key, later.Key)
	}
}
