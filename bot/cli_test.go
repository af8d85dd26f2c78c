package bot

import (
	"bytes"
	"context"
	"copbot/storage"
	"copbot/storage/storagetest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cli runs the command line against a database in dir and returns its exit
// code, standard output and standard error.
func cli(t *testing.T, dir, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string {
			if k == "COPBOT_DB" {
				return filepath.Join(dir, "copbot.db")
			}
			return ""
		}}
	code := Main(context.Background(), args, env)
	return code, out.String(), errb.String()
}

const reportStatsEN = "81 people representing 6 federal departments, 21 provincial and territorial ministries and 22 municipalities"
const reportStatsFR = "81 personnes représentant 6 ministères fédéraux, 21 ministères provinciaux et territoriaux et 22 municipalités"

// The "done when": importing the report's roster through the
// command line makes the console's stats and gaps say the report's numbers,
// in English and in French.
func TestCLIImportThenConsoleReport(t *testing.T) {
	roster := filepath.Join(testRoot(t), "handlers/directory/testdata/report_roster_semicolon.csv")
	dir := t.TempDir()
	t.Chdir(dir) // no ./copbot.toml here: built-in defaults
	code, out, errOut := cli(t, dir, "", "import", "members", roster)
	if code != 0 {
		t.Fatalf("import exit %d: %s%s", code, out, errOut)
	}
	code, out, errOut = cli(t, dir, "stats\ngaps\n:lang fr\nstatistiques\nlacunes\n", "console", "-as", "visitor")
	if code != 0 {
		t.Fatalf("console exit %d: %s", code, errOut)
	}
	for _, want := range []string{reportStatsEN, reportStatsFR,
		"Newfoundland and Labrador", "Prince Edward Island", "Yukon", "Nunavut",
		"Terre-Neuve-et-Labrador", "Île-du-Prince-Édouard"} {
		if !strings.Contains(out, want) {
			t.Errorf("console output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "visitor>") {
		t.Error("piped console printed a prompt")
	}
}

func TestCLIImportBrokenRosterChangesNothing(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	good := "name,email,organization,order,jurisdiction,title,language\nAda,ada@x.ca,ServiceOntario,provincial,ON,,en\n"
	bad := "name,email,organization,order,jurisdiction,title,language\n" +
		"Bob,bob@x.ca,Service Canada,federal,,,en\n" +
		"Cy,cy@x.ca,Ville de Laval,sideways,QC,,fr\n" +
		"Di,di@x.ca,City of Oz,municipal,Narnia,,en\n" +
		",ed@x.ca,City of Regina,municipal,SK,,en\n"
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if code, out, e := cli(t, dir, "", "import", "members", write("good.csv", good)); code != 0 {
		t.Fatalf("good import: %d %s %s", code, out, e)
	}
	code, out, _ := cli(t, dir, "", "import", "members", write("bad.csv", bad))
	if code == 0 {
		t.Fatalf("broken roster accepted:\n%s", out)
	}
	for _, want := range []string{"Line 3", "Line 4", "Line 5", "sideways", "Narnia"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	_, exported, _ := cli(t, dir, "", "export", "members")
	if got := strings.Count(exported, "\n"); got != 2 {
		t.Errorf("after a refused import the roster has %d lines, want header + 1:\n%s", got, exported)
	}
}

func TestCLIBackupAndExportToFile(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if code, _, e := cli(t, dir, "join Ada Lovelace | ServiceOntario | provincial | ON\n", "console", "-as", "ada"); code != 0 {
		t.Fatal(e)
	}
	backup := filepath.Join(dir, "backup.db")
	if code, _, e := cli(t, dir, "", "backup", backup); code != 0 {
		t.Fatalf("backup: %s", e)
	}
	if code, _, _ := cli(t, dir, "", "backup", backup); code == 0 {
		t.Error("backup over an existing file succeeded")
	}
	out := filepath.Join(dir, "members.csv")
	var o, e bytes.Buffer
	env := Env{Stdin: strings.NewReader(""), Stdout: &o, Stderr: &e,
		Getenv: func(k string) string {
			if k == "COPBOT_DB" {
				return backup
			}
			return ""
		}}
	if code := Main(context.Background(), []string{"export", "members", "-o", out}, env); code != 0 {
		t.Fatalf("export from backup: %s", e.String())
	}
	body, err := os.ReadFile(out)
	if err != nil || !strings.Contains(string(body), "Ada Lovelace") {
		t.Errorf("exported backup = %q, %v", body, err)
	}
}

// `go run .` with no arguments and no configuration: the console on
// ./copbot.db, where a newcomer can try the whole bot.
func TestCLIDefaultIsConsoleOnLocalDatabase(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	var out, errb bytes.Buffer
	env := Env{Stdin: strings.NewReader("help\njoin Ada Lovelace | ServiceOntario | provincial | ON\nwho Ontario\ngaps\nstats\n"),
		Stdout: &out, Stderr: &errb, Getenv: func(k string) string {
			if k == "USER" {
				return "ada"
			}
			return ""
		}}
	if code := Main(context.Background(), nil, env); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"What I can do", "Welcome to the Community of Practice, Ada Lovelace",
		"• Ada Lovelace", "Newfoundland and Labrador", "1 person representing 1 provincial or territorial ministry"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "copbot.db")); err != nil {
		t.Errorf("no ./copbot.db: %v", err)
	}
	if errb.Len() > 0 {
		t.Errorf("stderr not empty: %s", errb.String())
	}
}

func TestCLIExportPollNotFoundIsBilingual(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	code, _, errOut := cli(t, dir, "", "export", "poll", "99")
	if code == 0 || !strings.Contains(errOut, "There is no poll 99") || !strings.Contains(errOut, "Il n’y a pas de sondage 99") {
		t.Errorf("export poll 99: exit %d, stderr %q", code, errOut)
	}
}

func TestCLIUsageErrors(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	tests := [][]string{{"frobnicate"}, {"import"}, {"export"}, {"export", "poll", "x"}, {"console", "-lang", "de"}}
	for _, args := range tests {
		if code, _, _ := cli(t, dir, "", args...); code == 0 {
			t.Errorf("%v: exit 0, want an error", args)
		}
	}
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte("[storage]\npaht = \"x\"\n"), 0o600)
	code, _, errOut := cli(t, dir, "", "-config", bad, "console")
	if code == 0 || !strings.Contains(errOut, "storage.paht") {
		t.Errorf("bad config: exit %d, stderr %q", code, errOut)
	}
}

// testRoot is the module root, for testdata of other packages.
func testRoot(t testing.TB) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := wd; d != "/"; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
	}
	t.Fatal("no go.mod above " + wd)
	return ""
}

// TestCLIBackupReadOnly is a leftover of issue 16: `copbot backup` could
// not read a database on a read-only mount (it opened the bot, which
// migrates and writes).
func TestCLIBackupReadOnly(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if code, _, e := cli(t, dir, "join Ada Lovelace | ServiceOntario | provincial | ON\n", "console", "-as", "ada"); code != 0 {
		t.Fatal(e)
	}
	if !storagetest.MakeReadOnly(t, filepath.Join(dir, "copbot.db")) || !storagetest.MakeReadOnly(t, dir) {
		t.Skip("running as root without chattr: storage's TestBackupReadOnlyURIs covers the read")
	}
	backup := filepath.Join(t.TempDir(), "backup.db")
	if code, _, e := cli(t, dir, "", "backup", backup); code != 0 {
		t.Fatalf("backup of a read-only database: %s", e)
	}
	d, err := storage.Open(context.Background(), backup)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if ms, _, err := d.FindMembers(context.Background(), storage.MemberFilter{}); err != nil || len(ms) != 1 {
		t.Errorf("backup holds %v, %v; want Ada", ms, err)
	}
}

// TestStartUpOnUnusableDatabase (issue 16): a read-only database stopped
// start-up with "unable to open database file (14)". The console and
// serve now say, in both languages, what is wrong and what to do, and
// exit 1.
func TestStartUpOnUnusableDatabase(t *testing.T) {
	t.Run("missing folder", func(t *testing.T) {
		dir := t.TempDir()
		t.Chdir(dir)
		var out, errb bytes.Buffer
		env := Env{Stdin: strings.NewReader("stats\n"), Stdout: &out, Stderr: &errb, Getenv: func(k string) string {
			if k == "COPBOT_DB" {
				return filepath.Join(dir, "no-such-folder", "copbot.db")
			}
			return ""
		}}
		code := Main(context.Background(), []string{"console"}, env)
		checkUnusable(t, code, errb.String(), "its folder", "son dossier")
	})
	t.Run("read-only", func(t *testing.T) {
		dir := t.TempDir()
		t.Chdir(dir)
		if code, _, e := cli(t, dir, "stats\n", "console"); code != 0 {
			t.Fatal(e)
		}
		if !storagetest.MakeReadOnly(t, filepath.Join(dir, "copbot.db")) || !storagetest.MakeReadOnly(t, dir) {
			t.Skip("running as root without chattr: storage's opening tests cover the message")
		}
		for _, args := range [][]string{{"console"}, {"serve", "-listen", "127.0.0.1:0"}} {
			code, _, errOut := cli(t, dir, "stats\n", args...)
			checkUnusable(t, code, errOut, "read-only", "lecture seule")
		}
	})
}

func checkUnusable(t *testing.T, code int, errOut string, en, fr string) {
	t.Helper()
	if code != 1 || !strings.Contains(errOut, en) || !strings.Contains(errOut, fr) ||
		!strings.Contains(errOut, "copbot did not start") || !strings.Contains(errOut, "copbot n’a pas démarré") ||
		strings.Contains(errOut, "(14)") || strings.Contains(errOut, "unable to open") {
		t.Errorf("exit %d:\n%s", code, errOut)
	}
}
