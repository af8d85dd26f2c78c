package features

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"copbot/handlers"
	"copbot/storage"
)

func TestIsMember(t *testing.T) {
	ctx := context.Background()
	db, err := storage.Open(ctx, filepath.Join(t.TempDir(), "copbot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := newWithFeatures(db, handlers.Options{DefaultLanguage: "en"}, time.Now, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	join := func(name, slackID string) *storage.Member {
		m, _, err := db.JoinMember(ctx, storage.MemberInput{Name: name, Organization: "ServiceOntario",
			Order: storage.OrderProvincial, Jurisdiction: "ON", Language: "fr", SlackID: slackID})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	join("Marie Tremblay", "U0MEMBER")
	left := join("Sam Lee", "U0LEFT")
	if err := db.LeaveMember(ctx, left.ID); err != nil {
		t.Fatal(err)
	}
	slack := func(id string) storage.Identity { return storage.Identity{Platform: storage.PlatformSlack, ID: id} }
	tests := []struct {
		name string
		id   storage.Identity
		want bool
	}{
		{"active member", slack("U0MEMBER"), true},
		{"never joined", slack("U0STRANGER"), false},
		{"left the community", slack("U0LEFT"), false},
		{"same id on another platform", storage.Identity{Platform: storage.PlatformTeams, ID: "U0MEMBER"}, false},
		{"no identity", storage.Identity{}, false},
	}
	for _, tt := range tests {
		if got := s.IsMember(ctx, tt.id); got != tt.want {
			t.Errorf("%s: IsMember(%v) = %v, want %v", tt.name, tt.id, got, tt.want)
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if s.IsMember(cancelled, slack("U0MEMBER")) {
		t.Error("IsMember with a failing store reported a member")
	}
}
