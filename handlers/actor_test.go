package handlers

import (
	"context"
	"fmt"
	"testing"

	"copbot/storage"
)

// TestEveryRequestCarriesItsActor: typed commands, clicks, form
// submissions and the App Home each reach the feature with storage's
// Actor set to the caller (identity, name, coordinator or not), so that
// storage records who did what inside the write's own transaction.
func TestEveryRequestCarriesItsActor(t *testing.T) {
	boss := mtUser("boss")
	s, db := mtService(t, func(o *Options) { o.Coordinators = []storage.Identity{boss} })
	if _, _, err := db.JoinMember(context.Background(), storage.MemberInput{Name: "Ann Lee", Organization: "ServiceOntario",
		Order: storage.OrderProvincial, Jurisdiction: "ON", ConsoleID: "ann"}); err != nil {
		t.Fatal(err)
	}
	seen := ""
	record := func(ctx context.Context) Reply {
		a, ok := storage.ActorFrom(ctx)
		seen = fmt.Sprintf("%v %s|%s|%v", ok, a.Identity, a.Name, a.Coordinator)
		return Reply{Kind: "ok", Text: "ok"}
	}
	s.Install(Parts{
		Commands: []*Command{{Names: []string{"whoami"}, Run: func(ctx context.Context, _ *Call) Reply { return record(ctx) }}},
		Actions:  map[string]ActionFunc{"whoami": func(ctx context.Context, _ *Call, _ string) Reply { return record(ctx) }},
		Forms: map[string]FormFunc{"whoami": func(ctx context.Context, _ *Call, _ string, _ map[string]string) (Reply, map[string]string) {
			return record(ctx), nil
		}},
		Home: []HomeSection{{Blocks: func(ctx context.Context, _ *Call) []Block { record(ctx); return nil }}},
	})
	ctx := context.Background()
	ann := Request{Identity: mtUser("ann"), UserName: "annie", Text: "whoami"}
	visitor := Request{Identity: mtUser("zed"), UserName: "Zed on Slack", Text: "whoami"}
	nameless := Request{Identity: mtUser("nn"), Text: "whoami"}
	bossReq := Request{Identity: boss, UserName: "The Boss", Text: "whoami"}
	tests := []struct {
		name string
		do   func()
		want string
	}{
		{"command, member: the member's name", func() { s.Handle(ctx, ann) }, "true console:ann|Ann Lee|false"},
		{"command, visitor: the platform's name", func() { s.Handle(ctx, visitor) }, "true console:zed|Zed on Slack|false"},
		{"command, no name: the identity", func() { s.Handle(ctx, nameless) }, "true console:nn|console:nn|false"},
		{"command, coordinator", func() { s.Handle(ctx, bossReq) }, "true console:boss|The Boss|true"},
		{"click", func() { s.Act(ctx, bossReq, "whoami", "") }, "true console:boss|The Boss|true"},
		{"form", func() { s.Submit(ctx, ann, "whoami", "", nil) }, "true console:ann|Ann Lee|false"},
		{"home", func() { s.Home(ctx, visitor) }, "true console:zed|Zed on Slack|false"},
	}
	for _, tt := range tests {
		seen = ""
		tt.do()
		if seen != tt.want {
			t.Errorf("%s: actor %q, want %q", tt.name, seen, tt.want)
		}
	}
}
