package bot

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"copbot/bot/emailbot/smtptest"
)

// `copbot email test ADDRESS` sends one bilingual message through
// [email] (here a relay on loopback) and says so; without [email] smtp it
// says what to set, in both languages.
func TestCLIEmailTest(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	dir := t.TempDir()
	conf := filepath.Join(dir, "copbot.toml")
	if err := os.WriteFile(conf, []byte("[storage]\npath = \""+filepath.Join(dir, "c.db")+"\"\n[email]\nsmtp = \""+srv.Addr+
		"\"\ntls = \"none\"\nfrom = \"CoP <cop@example.gc.ca>\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		env := Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
		return Main(context.Background(), args, env), out.String(), errb.String()
	}
	code, out, errOut := run("-config", conf, "email", "test", "marie@example.qc.ca")
	if code != 0 || !strings.Contains(out, "sent to marie@example.qc.ca") {
		t.Fatalf("email test: %d %q %q", code, out, errOut)
	}
	got := srv.Received()
	if len(got) != 1 || got[0].To[0] != "marie@example.qc.ca" {
		t.Fatalf("%d messages received", len(got))
	}
	m, err := got[0].Parse()
	if err != nil || m.Subject != "copbot: test message / copbot\u00a0: message d’essai" || !strings.Contains(m.Parts["text/plain"], "les réglages [email] fonctionnent") {
		t.Errorf("message %v: %q\n%s", err, m.Subject, m.Parts["text/plain"])
	}
	if code, _, errOut := run("-config", conf, "email", "test", "not an address"); code != 1 || !strings.Contains(errOut, "n’est pas une adresse") {
		t.Errorf("a bad address: %d %q", code, errOut)
	}
	bare := filepath.Join(dir, "bare.toml")
	os.WriteFile(bare, []byte("[storage]\npath = \""+filepath.Join(dir, "c.db")+"\"\n"), 0o600)
	if code, _, errOut := run("-config", bare, "email", "test", "a@b.ca"); code != 1 || !strings.Contains(errOut, "[email] smtp") ||
		!strings.Contains(errOut, "n’est pas défini") {
		t.Errorf("without smtp: %d %q", code, errOut)
	}
}
