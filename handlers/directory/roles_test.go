package directory

import (
	"context"
	"testing"

	"copbot/storage"
)

func TestCoordinatorCommands(t *testing.T) {
	s, db := mtService(t, nil)
	ctx := context.Background()
	mtJoin(t, s, "marie", "Marie | SO | provincial | ON")
	r := mtAsk(s, "marie", "", "coordinator add console:marie")
	mtContains(t, "refused", r.Text, "Only coordinators can do that")
	if ok, _ := db.IsCoordinator(ctx, mtUser("marie")); ok {
		t.Fatal("a member made themself coordinator")
	}
	steps := []struct{ as, locale, text, want string }{
		{"coord", "", "coordinator add console:marie", "console:marie is now a coordinator."},
		{"marie", "", "coordinator add slack:U012AB3CD", "slack:U012AB3CD is now a coordinator."},
		{"marie", "", "coordinator list", "3 coordinators:\n• console:coord (configuration)\n• Marie (console:marie)\n• slack:U012AB3CD"},
		{"coord", "fr", "coordonnateur retirer slack:U012AB3CD", "slack:U012AB3CD ne fait plus partie de l’équipe de coordination."},
		{"marie", "", "coordinator remove slack:U012AB3CD", "slack:U012AB3CD is not a coordinator added with this command."},
		{"marie", "", "coordinator remove console:coord", "console:coord is a coordinator named in the configuration file"},
		{"marie", "", "coordinator add nobody", "“nobody” is not a user id."},
		{"marie", "", "coordinator add irc:joe", "“irc:joe” is not a user id."},
		{"marie", "", "coordinator frobnicate", "Usage: `/cop coordinators` lists them"},
		{"marie", "", "coordinator list", "2 coordinators:"},
	}
	for _, st := range steps {
		r := mtAsk(s, st.as, st.locale, st.text)
		mtContains(t, st.text, r.Text, st.want)
	}
	if ok, _ := db.IsCoordinator(ctx, storage.Identity{Platform: storage.PlatformSlack, ID: "U012AB3CD"}); ok {
		t.Error("removed coordinator still stored")
	}
}

func TestParseIdentity(t *testing.T) {
	tests := []struct {
		in   string
		want storage.Identity
		ok   bool
	}{
		{"slack:U1", storage.Identity{Platform: storage.PlatformSlack, ID: "U1"}, true},
		{"Teams:29:1abc", storage.Identity{Platform: storage.PlatformTeams, ID: "29:1abc"}, true},
		{"<@U2|marie>", storage.Identity{Platform: storage.PlatformSlack, ID: "U2"}, true},
		{"console:", storage.Identity{}, false},
		{"U1", storage.Identity{}, false},
		{"irc:x", storage.Identity{}, false},
	}
	for _, tt := range tests {
		got, ok := parseIdentity(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseIdentity(%q) = %v %v, want %v %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
