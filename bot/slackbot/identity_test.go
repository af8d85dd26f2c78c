package slackbot

import (
	"context"
	"strings"
	"testing"

	"copbot/storage"
)

// TestIdentityWorkspaceFromRequests: the workspace of a Slack identity is
// the user's own team: a slash command's team_id when they join, and for a
// member whose workspace is not known yet (linked by a coordinator, or
// from before identities had one), the user_team of their first message in
// a shared channel, after which the same user id from another team is a
// stranger, not the member.
func TestIdentityWorkspaceFromRequests(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	if r := e.command("join Élise Gagnon | Services Québec | provincial | QC", "U0NEW"); r.StatusCode != 200 {
		t.Fatalf("join: status %d", r.StatusCode)
	}
	if ws, ok, err := e.db.IdentityWorkspace(ctx, storage.Identity{Platform: storage.PlatformSlack, ID: "U0NEW"}); !ok || err != nil || ws != "T0TEAM" {
		t.Errorf("joined from T0TEAM: identity workspace %q (%v, %v), want T0TEAM", ws, ok, err)
	}

	in := marie()
	in.SlackID = "U0GUEST"
	e.join(in) // no workspace: as a roster row linked by a coordinator
	e.event(eventPayload(t, "EvW1", map[string]any{"type": "app_mention", "channel": "C0SHARED",
		"user": "U0GUEST", "user_team": "T0PARTNER", "source_team": "T0PARTNER", "team": "T0PARTNER",
		"text": "<@U0BOT> profile", "ts": "5.000001"}))
	if ws, _, _ := e.db.IdentityWorkspace(ctx, storage.Identity{Platform: storage.PlatformSlack, ID: "U0GUEST"}); ws != "T0PARTNER" {
		t.Errorf("after a mention from the partner's team: workspace %q, want T0PARTNER (user_team)", ws)
	}
	e.event(eventPayload(t, "EvW2", map[string]any{"type": "app_mention", "channel": "C0SHARED",
		"user": "U0GUEST", "user_team": "T0ELSE", "text": "<@U0BOT> profile", "ts": "6.000001"}))
	e.a.Close()
	eph := e.fake.Calls("chat.postEphemeral")
	if len(eph) != 2 {
		t.Fatalf("%d ephemeral answers, want 2", len(eph))
	}
	if txt := eph[0].Form.Get("text"); !strings.Contains(txt, "Marie Tremblay") {
		t.Errorf("profile from the partner's team: %q, want Marie's profile", txt)
	}
	if txt := eph[1].Form.Get("text"); strings.Contains(txt, "Marie Tremblay") {
		t.Errorf("profile of U0GUEST from another team: %q, want a stranger's answer, not Marie's profile", txt)
	}
}
