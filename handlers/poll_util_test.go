package handlers

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"copbot/storage"
)

// Helpers of the poll tests. Names start with "pt" so they cannot clash
// with other features' test helpers in this package.

var ptCoordinator = storage.Identity{Platform: storage.PlatformConsole, ID: "coord"}

// ptPoster is a fake community channel: it records posts and updates, and
// can be told to fail posting.
type ptPoster struct {
	mu      sync.Mutex
	posts   []Reply
	updates []ptUpdate
	fail    error // returned by Post while set
	next    int
}

type ptUpdate struct {
	Ref   MessageRef
	Reply Reply
	At    time.Time
}

func (p *ptPoster) Post(ctx context.Context, r Reply) ([]MessageRef, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fail != nil {
		return nil, p.fail
	}
	p.posts = append(p.posts, r)
	p.next++
	return []MessageRef{{Platform: storage.PlatformSlack, Channel: "CCOMMUNITY", ID: fmt.Sprintf("1700000000.%06d", p.next)}}, nil
}

func (p *ptPoster) Update(ctx context.Context, ref MessageRef, r Reply) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.updates = append(p.updates, ptUpdate{Ref: ref, Reply: r, At: time.Now()})
	return nil
}

// Posts returns the posts of that kind.
func (p *ptPoster) Posts(kind string) []Reply {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []Reply
	for _, r := range p.posts {
		if r.Kind == kind {
			out = append(out, r)
		}
	}
	return out
}

func (p *ptPoster) Updates() []ptUpdate {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]ptUpdate(nil), p.updates...)
}

// ptDMPoster can also write to one person.
type ptDMPoster struct {
	ptPoster
	dms []ptDM
}

type ptDM struct {
	To    storage.Identity
	Reply Reply
}

func (p *ptDMPoster) Direct(ctx context.Context, to storage.Identity, r Reply) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.dms = append(p.dms, ptDM{To: to, Reply: r})
	return nil
}

// ptEnv is a Service on a real database in a temporary directory.
type ptEnv struct {
	t      testing.TB
	path   string
	db     *storage.DB
	s      *Service
	poster Poster
	fake   *ptPoster
	replan int
}

func ptOptions(t testing.TB) Options {
	loc, err := time.LoadLocation("America/Toronto")
	if err != nil {
		t.Fatal(err)
	}
	return Options{Coordinators: []storage.Identity{ptCoordinator}, DefaultLanguage: "en", Location: loc, Command: "/cop"}
}

func newPtEnv(t testing.TB) *ptEnv {
	t.Helper()
	return newPtEnvAt(t, filepath.Join(t.TempDir(), "copbot.db"), &ptPoster{})
}

// newPtEnvAt opens a Service on the database at path; several envs on one
// path are several processes sharing the file.
func newPtEnvAt(t testing.TB, path string, poster Poster) *ptEnv {
	t.Helper()
	return newPtEnvClock(t, path, poster, time.Now)
}

// newPtEnvClock is newPtEnvAt with now as the clock of the Service and of
// the database.
func newPtEnvClock(t testing.TB, path string, poster Poster, now func() time.Time) *ptEnv {
	t.Helper()
	db, err := storage.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	db.Now = now
	s, err := newWithFeatures(db, ptOptions(t), now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	e := &ptEnv{t: t, path: path, db: db, s: s, poster: poster}
	switch p := poster.(type) {
	case *ptPoster:
		e.fake = p
	case *ptDMPoster:
		e.fake = &p.ptPoster
	}
	s.SetPoster(poster)
	s.SetReplan(func() { e.replan++ })
	t.Cleanup(func() {
		s.Close()
		db.Close()
	})
	return e
}

func ptUser(id string) storage.Identity {
	return storage.Identity{Platform: storage.PlatformConsole, ID: id}
}

func (e *ptEnv) ask(who storage.Identity, text string) Reply {
	return e.s.Handle(context.Background(), Request{Identity: who, Text: text, ChannelID: "CCOMMUNITY"})
}

// join makes a member with a console identity id.
func (e *ptEnv) join(id, name, lang string) *storage.Member {
	e.t.Helper()
	m, _, err := e.db.JoinMember(context.Background(), storage.MemberInput{Name: name, Organization: "Service Canada",
		Order: storage.OrderFederal, Jurisdiction: "CA", Language: lang, ConsoleID: id})
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

// ptHas fails unless r's text contains every want.
func ptHas(t testing.TB, r Reply, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(r.Text, w) {
			t.Errorf("%s reply lacks %q:\n%s", r.Kind, w, r.Text)
		}
	}
}
