package handlers

import (
	"context"
	"testing"

	"copbot/storage"
)

// TestConfigCoordinatorInAnyWorkspace: a coordinator named in the config
// ("slack:U0BOSS", no workspace) is one whichever workspace their requests
// come from, as before requests carried one; another user id is not.
func TestConfigCoordinatorInAnyWorkspace(t *testing.T) {
	boss := storage.Identity{Platform: storage.PlatformSlack, ID: "U0BOSS"}
	s, _ := mtService(t, func(o *Options) { o.Coordinators = []storage.Identity{boss} })
	ctx := context.Background()
	for _, tt := range []struct {
		id   storage.Identity
		want bool
	}{
		{storage.Identity{Platform: storage.PlatformSlack, ID: "U0BOSS", Workspace: "T0HOME"}, true},
		{storage.Identity{Platform: storage.PlatformSlack, ID: "U0BOSS", Workspace: "T0PARTNER"}, true},
		{storage.Identity{Platform: storage.PlatformSlack, ID: "U0OTHER", Workspace: "T0HOME"}, false},
		{storage.Identity{Platform: storage.PlatformTeams, ID: "U0BOSS", Workspace: "tenant"}, false},
	} {
		if got := s.CoordinatorInConfig(tt.id); got != tt.want {
			t.Errorf("CoordinatorInConfig(%+v) = %v, want %v", tt.id, got, tt.want)
		}
		if got := s.NewCall(ctx, Request{Identity: tt.id}).Coordinator; got != tt.want {
			t.Errorf("a request from %+v: coordinator %v, want %v", tt.id, got, tt.want)
		}
	}
}
