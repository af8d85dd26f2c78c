package bot

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"copbot/storage"
)

// TestCLISlackWorkspaces: `copbot slack workspaces` lists each installed
// workspace with its channel and installer, a removed one with why, and
// never a token; it needs no token key.
func TestCLISlackWorkspaces(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	ctx := context.Background()
	db, err := storage.Open(ctx, filepath.Join(dir, "copbot.db"))
	if err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := cli(t, dir, "", "slack", "workspaces"); code != 0 || !strings.Contains(out, "no workspace installed") {
		t.Fatalf("empty: exit %d: %s%s", code, out, errOut)
	}
	k, _ := storage.ParseTokenKey("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
	for _, in := range []storage.SlackInstallation{
		{TeamID: "T0PARTNER", TeamName: "Ville de Québec", BotUserID: "U0B1", Installer: "U0INST", ChannelID: "C0PCOM", Token: "xoxb-secret-1"},
		{TeamID: "T0GONE", TeamName: "Gone", BotUserID: "U0B2", Installer: "U0INST2", Token: "xoxb-secret-2"},
	} {
		if _, err := db.SaveSlackInstallation(ctx, k, in); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.RemoveSlackInstallation(ctx, "T0GONE", "app_uninstalled"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	code, out, errOut := cli(t, dir, "", "slack", "workspaces")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "TEAM") || strings.Contains(out, "xoxb") {
		t.Fatalf("output:\n%s", out)
	}
	for _, want := range []string{"T0PARTNER", "Ville de Québec", "C0PCOM", "U0INST"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(out, "(app_uninstalled)") {
		t.Errorf("the removed workspace does not say so:\n%s", out)
	}
	if code, _, _ := cli(t, dir, "", "slack"); code != 2 {
		t.Errorf("`copbot slack` alone: exit %d, want the usage (2)", code)
	}
}

// TestCLISlackChannel: `copbot slack channel TEAM CHANNEL` sets an
// installed workspace's community channel, audited as the command line;
// an unknown workspace or a malformed id changes nothing.
func TestCLISlackChannel(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	ctx := context.Background()
	db, err := storage.Open(ctx, filepath.Join(dir, "copbot.db"))
	if err != nil {
		t.Fatal(err)
	}
	k, _ := storage.ParseTokenKey("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
	if _, err := db.SaveSlackInstallation(ctx, k, storage.SlackInstallation{TeamID: "T0PARTNER", BotUserID: "U0B1",
		Installer: "U0INST", Token: "xoxb-secret-1"}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if code, out, errOut := cli(t, dir, "", "slack", "channel", "T0PARTNER", "C0COMM"); code != 0 || !strings.Contains(out, "C0COMM") {
		t.Fatalf("exit %d: %s%s", code, out, errOut)
	}
	for _, args := range [][]string{{"slack", "channel", "T0NOBODY", "C0X"}, {"slack", "channel", "T0PARTNER", "#general"},
		{"slack", "channel", "T0PARTNER"}} {
		if code, _, _ := cli(t, dir, "", args...); code == 0 {
			t.Errorf("%v: exit 0", args)
		}
	}
	db, err = storage.OpenReadOnly(ctx, filepath.Join(dir, "copbot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ws, err := db.SlackWorkspaces(ctx)
	if err != nil || len(ws) != 1 || ws[0].ChannelID != "C0COMM" {
		t.Errorf("workspaces %+v %v", ws, err)
	}
	log, err := db.FindAudit(ctx, storage.AuditFilter{Action: storage.AuditSlackChannel})
	if err != nil || len(log) != 1 || !strings.HasPrefix(log[0].ActorName, "command line") || log[0].Detail["channel"] != "C0COMM" {
		t.Errorf("audit %+v %v", log, err)
	}
}
