package bot

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// consoleSession runs the console on the database in dir with stdin as the
// user's typing; interactive as if stdin were a terminal.
func consoleSession(t *testing.T, dir string, interactive bool, stdin string, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	env := Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Interactive: interactive,
		Getenv: func(k string) string {
			if k == "COPBOT_DB" {
				return filepath.Join(dir, "copbot.db")
			}
			return ""
		}}
	if code := Main(context.Background(), append([]string{"console"}, args...), env); code != 0 {
		t.Fatalf("console exit %d: %s", code, errb.String())
	}
	return out.String()
}

func wantAll(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

// TestConsoleStepByStepForms (issue 11, item 7): join and poll with no
// arguments ask one field at a time, show the allowed values, keep
// defaults on Enter and stop on :cancel; piped, they explain the one-line
// command without speaking of a form.
func TestConsoleStepByStepForms(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	out := consoleSession(t, dir, true, "join\nSam Roy\n:cancel\nprofile\n", "-as", "sam")
	wantAll(t, out, "one field at a time", "Cancelled: nothing was saved.", "not a member")

	out = consoleSession(t, dir, true,
		"join\nMarie Tremblay\nServiceOntario\nprovincial\nON\nDirector\n\nen\nprofile\n", "-as", "marie")
	wantAll(t, out, "Choices: 1 Federal, 2 provincial (", "3 Municipal", "Ontario", "Welcome to the Community of Practice, Marie Tremblay",
		"Order of government: Provincial", "Title or role: Director")

	out = consoleSession(t, dir, true, "poll\nTheme for March?\nAccessibility\nWellness\n\n\nmaybe\nno\n\n\n\n\n", "-as", "coordinator")
	wantAll(t, out, "Theme for March?", "“maybe” is not one of the choices.", "[#community · message 1]",
		"Poll #1 is posted in the community channel")

	out = consoleSession(t, dir, false, "join\n", "-as", "piped") + consoleSession(t, dir, false, "poll\n", "-as", "coordinator")
	wantAll(t, out, "To join, type it all on one line", "Create a poll in one line")
	if strings.Contains(out, "form") {
		t.Errorf("piped console speaks of a form:\n%s", out)
	}
}

// TestConsoleUpdatesBeforePromptAndStableNumbers (issue 11, item 7): a
// vote's channel update prints before the next prompt; typed votes are
// not told to "click"; message numbers go on across runs, so deleting the
// first poll updates its own message.
func TestConsoleUpdatesBeforePromptAndStableNumbers(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	consoleSession(t, dir, false, "join Ada Roy | Service Canada | federal\n", "-as", "ada")
	out := consoleSession(t, dir, false, `poll "First?" "A" "B"`+"\n", "-as", "coordinator")
	wantAll(t, out, "[#community · message 1]")

	out = consoleSession(t, dir, true, "vote 1 2\nstats\n", "-as", "ada")
	vote := strings.Index(out, "Your vote for")
	update := strings.Index(out, "[#community · message 1 updated")
	prompt := strings.Index(out[vote:], "ada> ") + vote
	if vote < 0 || update < vote || update > prompt {
		t.Fatalf("update at %d, vote reply at %d, next prompt at %d:\n%s", update, vote, prompt, out)
	}
	if strings.Contains(strings.ToLower(out), "click") {
		t.Errorf("console tells a typed vote to click:\n%s", out)
	}
	wantAll(t, out, "To take it back: `/cop unvote 1 2`")

	out = consoleSession(t, dir, false, `poll "Second?" "C" "D"`+"\npoll delete 1\n", "-as", "coordinator")
	wantAll(t, out, "[#community · message 2]", "[#community · message 1 updated")
	if strings.Contains(out, "message 2 updated") {
		t.Errorf("deleting poll 1 rewrote poll 2's message:\n%s", out)
	}
}

// TestConsolePlainReplies (issue 11, item 6): with plain replies on, the
// console draws no "=====" rules under titles and no bars.
func TestConsolePlainReplies(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	consoleSession(t, dir, false, "join Ada Roy | Service Canada | federal\n", "-as", "ada")
	consoleSession(t, dir, false, `poll "Theme?" "A" "B"`+"\n", "-as", "coordinator")
	before := consoleSession(t, dir, false, "vote 1 1\npoll 1\n", "-as", "ada")
	wantAll(t, before, "You chose “A”", "=====", "█")
	out := consoleSession(t, dir, false, "preferences plain on\nprofile\npoll 1\n", "-as", "ada")
	wantAll(t, out, "Plain replies: on", "Option 1, A: 1 vote, 100 percent")
	if strings.Contains(out, "==") || strings.ContainsAny(out, "░█") {
		t.Errorf("plain console output has rules or bars:\n%s", out)
	}
}
