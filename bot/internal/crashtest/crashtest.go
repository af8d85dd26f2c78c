// Package crashtest runs a test of the current test binary as a child
// process and kills it with SIGKILL at a chosen moment, for tests that a
// crash loses nothing a user was told succeeded and redoes nothing.
//
// The child is an ordinary test function that skips unless its
// environment says it is the child; it prints a line at the moment the
// parent waits for (e.g. "committed"), then stops dead until killed.
package crashtest

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Environment of a child process: which child it is, and its database.
const (
	EnvChild = "COPBOT_CRASH_CHILD"
	EnvDB    = "COPBOT_CRASH_DB"
)

// Committed is the line a child prints once its work has committed.
const Committed = "committed"

// IsChild reports whether this process is the child named kind.
func IsChild(kind string) bool { return os.Getenv(EnvChild) == kind }

// Hang tells the parent that the work committed, then waits for the
// SIGKILL: whatever would follow (an acknowledgement, an answer) never
// happens.
func Hang() {
	fmt.Println(Committed)
	select {}
}

// Child is a running test binary.
type Child struct {
	cmd   *exec.Cmd
	lines chan string
}

// Start runs the test named test of this binary as the child kind on the
// database at db, with env added to this process's environment. The child
// is killed when t ends.
func Start(t testing.TB, test, kind, db string, env ...string) *Child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), append(env, EnvChild+"="+kind, EnvDB+"="+db)...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &Child{cmd: cmd, lines: make(chan string, 1024)}
	go func() {
		defer close(c.lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			select {
			case c.lines <- sc.Text():
			default: // nobody reads so much: drop it
			}
		}
	}()
	t.Cleanup(c.Kill)
	return c
}

// WaitFor reads the child's output until a line that starts with prefix,
// and returns it. It fails t if the child ends first or says nothing of
// the kind within limit; the lines read are in the message.
func (c *Child) WaitFor(t testing.TB, prefix string, limit time.Duration) string {
	t.Helper()
	deadline := time.NewTimer(limit)
	defer deadline.Stop()
	var seen []string
	for {
		select {
		case l, ok := <-c.lines:
			if !ok {
				t.Fatalf("the child ended before %q:\n%s", prefix, strings.Join(seen, "\n"))
			}
			if strings.HasPrefix(l, prefix) {
				return l
			}
			seen = append(seen, l)
		case <-deadline.C:
			t.Fatalf("no %q from the child within %v:\n%s", prefix, limit, strings.Join(seen, "\n"))
		}
	}
}

// Kill sends SIGKILL (nothing is flushed, no deferred call runs) and reaps
// the child. Later calls do nothing.
func (c *Child) Kill() {
	if c.cmd.ProcessState != nil {
		return
	}
	c.cmd.Process.Kill()
	c.cmd.Wait()
}
