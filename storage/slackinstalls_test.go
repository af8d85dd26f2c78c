package storage

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const (
	testTokenKey  = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" // 32 bytes
	otherTokenKey = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA="
)

func tokenKey(t *testing.T, b64 string) *TokenKey {
	t.Helper()
	k, err := ParseTokenKey(b64)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func openInstallDB(t *testing.T) (*DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "copbot.db")
	d, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d, path
}

// TestSlackTokensSealedAtRest: the bot tokens are in none of the database's
// files (the main file and its WAL), they open again with the key, a
// wrong key fails clearly, and a sealed token moved to another workspace's
// row does not open (the team id is the additional data).
func TestSlackTokensSealedAtRest(t *testing.T) {
	ctx := context.Background()
	d, path := openInstallDB(t)
	k := tokenKey(t, testTokenKey)
	a := SlackInstallation{TeamID: "T0AAAAAAA", BotUserID: "U0BOTA", Scopes: []string{"chat:write", "commands"},
		Installer: "U0ALICE", ChannelID: "C0COMA", Token: "xoxb-1111-secret-token-of-workspace-a"}
	b := SlackInstallation{TeamID: "T0BBBBBBB", EnterpriseID: "E0ORG", BotUserID: "U0BOTB",
		Installer: "U0BOB", Token: "xoxb-2222-secret-token-of-workspace-b"}
	for _, in := range []SlackInstallation{a, b} {
		if _, err := d.SaveSlackInstallation(ctx, k, in); err != nil {
			t.Fatal(err)
		}
	}
	var files []byte
	for _, f := range []string{path, path + "-wal"} {
		raw, err := os.ReadFile(f)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		files = append(files, raw...)
	}
	if !bytes.Contains(files, []byte("T0BBBBBBB")) {
		t.Fatal("the team id is in no file: the test reads the wrong files")
	}
	for _, tok := range []string{a.Token, b.Token, "secret-token"} {
		if bytes.Contains(files, []byte(tok)) {
			t.Errorf("token %q is in the database's bytes", tok)
		}
	}
	got, err := d.SlackInstallations(ctx, k)
	if err != nil || len(got) != 2 {
		t.Fatalf("installations %+v, %v", got, err)
	}
	if got[0].Token != a.Token || got[1].Token != b.Token || got[1].EnterpriseID != "E0ORG" ||
		!slices.Equal(got[0].Scopes, a.Scopes) || got[0].ChannelID != "C0COMA" || got[0].InstalledAt.IsZero() {
		t.Errorf("installations read back %+v", got)
	}

	_, err = d.SlackInstallations(ctx, tokenKey(t, otherTokenKey))
	if !errors.Is(err, ErrTokenKey) || !strings.Contains(err.Error(), "COPBOT_SLACK_TOKEN_KEY") {
		t.Errorf("wrong key: %v, want ErrTokenKey naming COPBOT_SLACK_TOKEN_KEY", err)
	}

	if _, err := d.db.Exec(`UPDATE slack_installations SET token = (SELECT token FROM slack_installations
		WHERE team_id = 'T0BBBBBBB') WHERE team_id = 'T0AAAAAAA'`); err != nil {
		t.Fatal(err)
	}
	if _, _, err := d.SlackInstallation(ctx, k, "T0AAAAAAA"); !errors.Is(err, ErrTokenKey) {
		t.Errorf("B's sealed token in A's row: %v, want ErrTokenKey", err)
	}
}

// TestSlackUninstallAndReinstall: an uninstall drops the token (the row
// and its channel stay) and is audited once; a reinstall brings the
// workspace back with its new token and keeps the channel.
func TestSlackUninstallAndReinstall(t *testing.T) {
	ctx := context.Background()
	d, _ := openInstallDB(t)
	k := tokenKey(t, testTokenKey)
	in := SlackInstallation{TeamID: "T0AAAAAAA", BotUserID: "U0BOTA", Installer: "U0ALICE", ChannelID: "C0COMA",
		Token: "xoxb-first"}
	if _, err := d.SaveSlackInstallation(ctx, k, in); err != nil {
		t.Fatal(err)
	}
	for i, want := range []bool{true, false} {
		removed, err := d.RemoveSlackInstallation(ctx, "T0AAAAAAA", "app_uninstalled")
		if err != nil || removed != want {
			t.Errorf("removal %d: %v %v, want %v", i+1, removed, err, want)
		}
	}
	if _, ok, err := d.SlackInstallation(ctx, k, "T0AAAAAAA"); ok || err != nil {
		t.Errorf("an uninstalled workspace is still installed (%v)", err)
	}
	var sealed []byte
	if err := d.db.QueryRow(`SELECT token FROM slack_installations WHERE team_id = 'T0AAAAAAA'`).Scan(&sealed); err != nil || sealed != nil {
		t.Errorf("token after uninstall: %x %v", sealed, err)
	}
	if ws, err := d.SlackWorkspaces(ctx); err != nil || len(ws) != 1 || ws[0].RemovedAt.IsZero() ||
		ws[0].RemovedWhy != "app_uninstalled" || ws[0].ChannelID != "C0COMA" || ws[0].Installer != "U0ALICE" {
		t.Errorf("workspaces after uninstall: %+v %v", ws, err)
	}
	if err := d.SetSlackChannel(ctx, "T0AAAAAAA", "C0OTHER"); !errors.Is(err, ErrNotFound) {
		t.Errorf("channel of an uninstalled workspace: %v", err)
	}

	in.Token, in.ChannelID, in.BotUserID = "xoxb-second", "", "U0BOTA2"
	got, err := d.SaveSlackInstallation(ctx, k, in)
	if err != nil || got.Token != "xoxb-second" || got.ChannelID != "C0COMA" || got.BotUserID != "U0BOTA2" {
		t.Fatalf("reinstall: %+v %v", got, err)
	}
	if err := d.SetSlackChannel(ctx, "T0AAAAAAA", "C0NEW"); err != nil {
		t.Fatal(err)
	}
	all, err := d.SlackInstallations(ctx, k)
	if err != nil || len(all) != 1 || all[0].ChannelID != "C0NEW" {
		t.Errorf("after reinstall: %+v %v", all, err)
	}
	if ws, err := d.SlackWorkspaces(ctx); err != nil || len(ws) != 1 || !ws[0].RemovedAt.IsZero() || ws[0].RemovedWhy != "" {
		t.Errorf("workspaces after reinstall: %+v %v", ws, err)
	}

	log, err := d.FindAudit(ctx, AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for i := len(log) - 1; i >= 0; i-- {
		actions = append(actions, string(log[i].Action)+" "+log[i].Detail["reinstall"]+log[i].Detail["why"])
	}
	want := []string{"slack.install no", "slack.uninstall app_uninstalled", "slack.install yes", "slack.channel "}
	if !slices.Equal(actions, want) {
		t.Errorf("audit %q, want %q", actions, want)
	}
	if log[len(log)-1].Actor.ID != "U0ALICE" {
		t.Errorf("install audited as %+v, want the installer", log[len(log)-1].Actor)
	}
}

// TestSlackInstallationRefusesBadInput: a key that is not 32 bytes of
// base64 and an install without a team or a bot token are refused, and
// nothing is stored.
func TestSlackInstallationRefusesBadInput(t *testing.T) {
	for _, s := range []string{"", "not base64!", "c2hvcnQ=", testTokenKey + testTokenKey} {
		if _, err := ParseTokenKey(s); err == nil || !strings.Contains(err.Error(), "openssl rand -base64 32") {
			t.Errorf("key %q: %v", s, err)
		}
	}
	ctx := context.Background()
	d, _ := openInstallDB(t)
	k := tokenKey(t, testTokenKey)
	for _, in := range []SlackInstallation{
		{BotUserID: "U0BOT", Token: "xoxb-1"},
		{TeamID: "T1", BotUserID: "U0BOT", Token: "xoxp-user-token"},
		{TeamID: "T1", Token: "xoxb-1"},
	} {
		if _, err := d.SaveSlackInstallation(ctx, k, in); err == nil {
			t.Errorf("saved %+v", in)
		}
	}
	if _, err := d.SaveSlackInstallation(ctx, nil, SlackInstallation{TeamID: "T1", BotUserID: "U", Token: "xoxb-1"}); err == nil {
		t.Error("saved without a key")
	}
	if all, err := d.SlackInstallations(ctx, k); len(all) != 0 || err != nil {
		t.Errorf("stored %+v %v", all, err)
	}
}

// TestForgetTheInstaller: forgetting the person who installed copbot in a
// workspace erases them from the installation too (and from its audit
// entry, as every actor), and the workspace stays installed.
func TestForgetTheInstaller(t *testing.T) {
	ctx := context.Background()
	d, _ := openInstallDB(t)
	k := tokenKey(t, testTokenKey)
	if _, err := d.SaveSlackInstallation(ctx, k, SlackInstallation{TeamID: "T0AAAAAAA", BotUserID: "U0BOTA",
		Installer: "U0INSTALLERX", Token: "xoxb-1"}); err != nil {
		t.Fatal(err)
	}
	if err := d.ForgetIdentity(ctx, Identity{Platform: PlatformSlack, ID: "U0INSTALLERX"}); err != nil {
		t.Fatal(err)
	}
	if found := scanFor(t, d.db, 0, []string{"U0INSTALLERX"}); len(found) > 0 {
		t.Errorf("the installer is still in the database:\n%s", strings.Join(found, "\n"))
	}
	if all, err := d.SlackInstallations(ctx, k); err != nil || len(all) != 1 || all[0].Token != "xoxb-1" {
		t.Errorf("installations after forgetting the installer: %+v %v", all, err)
	}
}
