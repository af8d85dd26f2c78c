// Package browsertest finds the headless Chromium that tests of pages
// drive (Debian's chromium; .ci/run installs it).
package browsertest

import (
	"os"
	"os/exec"
	"testing"
)

// Path is the browser to drive: $COPBOT_CHROMIUM, else chromium or
// chromium-browser on the PATH. Without one the test fails when CI is set
// and is skipped, loudly, elsewhere.
func Path(t testing.TB) string {
	t.Helper()
	for _, name := range []string{os.Getenv("COPBOT_CHROMIUM"), "chromium", "chromium-browser"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed, and CI is set: the browser test must run (apt-get install chromium)")
	}
	t.Skip("!!! SKIPPING a real-browser test: chromium is not installed (apt-get install chromium, or set COPBOT_CHROMIUM) !!!")
	return ""
}
