package features

import (
	"context"
	"copbot/handlers"
	"strings"
	"testing"
)

func TestHome(t *testing.T) {
	s, _ := mtService(t, nil)
	ctx := context.Background()
	visitor := handlers.Request{Identity: mtUser("v"), Locale: "fr-CA"}
	r := handlers.UnmarkReply(s.Home(ctx, visitor))
	if got := strings.Join(mtButtons(r), ","); got != "signup_open" {
		t.Errorf("visitor buttons = %s", got)
	}
	mtContains(t, "visitor home", r.Text, "Vous n’êtes pas encore membre")
	form := s.Act(ctx, visitor, "signup_open", "")
	if form.Form == nil || form.Form.ID != "signup" || form.Form.Title != "Rejoindre la communauté" {
		t.Fatalf("signup_open: %+v", form.Form)
	}
	mtJoin(t, s, "m", "Marie | SO | provincial | ON | Agent")
	r = handlers.UnmarkReply(s.Home(ctx, handlers.Request{Identity: mtUser("m")}))
	mtContains(t, "member home", r.Text, "Name: Marie", "Title or role: Agent")
	if got := strings.Join(mtButtons(r), ","); got != "signup_open" {
		t.Errorf("member buttons = %s", got)
	}
	form = s.Act(ctx, handlers.Request{Identity: mtUser("m")}, "signup_open", "")
	if form.Form == nil || form.Form.Title != "Edit my profile" || form.Form.Fields[0].Initial != "Marie" {
		t.Errorf("edit form: %+v", form.Form)
	}
	r = handlers.UnmarkReply(s.Home(ctx, handlers.Request{Identity: mtCoordinator}))
	if got := strings.Join(mtButtons(r), ","); got != "signup_open,gaps_show,stats_show,coordinators_list" {
		t.Errorf("coordinator buttons = %s", got)
	}
	for _, id := range []string{"gaps_show", "stats_show", "coordinators_list"} {
		if r := s.Act(ctx, handlers.Request{Identity: mtCoordinator}, id, ""); r.Kind == "error" {
			t.Errorf("%s: %q", id, r.Text)
		}
	}
	if r := s.Act(ctx, handlers.Request{Identity: mtUser("m")}, "coordinators_list", ""); r.Kind != "error" {
		t.Errorf("coordinators_list for a member: %s", r.Kind)
	}
}
