package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// smapsSample is /proc/PID/smaps cut down to one mapping of each kind
// (and the fields between headers that must not be read as Rss).
const smapsSample = `00400000-01a00000 r-xp 00000000 08:01 1234                               /tmp/copbot
Size:              22528 kB
Rss:               11000 kB
Pss:               11000 kB
Shared_Clean:          0 kB
3651c0000000-3651c4000000 rw-p 00000000 00:00 0 
Size:              65536 kB
Rss:               24000 kB
Anonymous:         24000 kB
7f0002000000-7f0002001000 r--p 00000000 08:01 99                         /usr/lib/locale/C.utf8/LC_CTYPE
Rss:                   4 kB
7ffc00000000-7ffc00021000 rw-p 00000000 00:00 0                          [stack]
Size:                132 kB
Rss:                  40 kB
7ffc10000000-7ffc10002000 r-xp 00000000 00:00 0                          [vdso]
Rss:                   8 kB
VmFlags: rd ex mr mw me de sd
`

func TestParseSmapsSplitsResidentMemory(t *testing.T) {
	got, err := parseSmaps(strings.NewReader(smapsSample))
	if err != nil {
		t.Fatal(err)
	}
	want := memParts{file: 11004, anon: 24008, stack: 40}
	if got != want {
		t.Errorf("parseSmaps = %+v, want %+v", got, want)
	}
}

// TestReadSmapsOfThisProcess: the parts of a live process add up to its
// VmRSS (within what moves between the two reads).
func TestReadSmapsOfThisProcess(t *testing.T) {
	pid := os.Getpid()
	parts, err := readSmaps(pid)
	if err != nil {
		t.Skipf("no /proc/PID/smaps here: %v", err)
	}
	st, err := readProc(pid)
	if err != nil {
		t.Fatal(err)
	}
	if parts.anon == 0 || parts.file == 0 {
		t.Errorf("parts %+v: want anonymous memory and a mapped binary", parts)
	}
	if d := parts.file + parts.anon + parts.stack - st.rssKB; d > 2048 || d < -2048 {
		t.Errorf("parts %+v add up to %d kB more than VmRSS %d kB", parts, d, st.rssKB)
	}
}

// TestGCWatcherKeepsTheLastCollection: gctrace lines are read, not
// printed; every other line reaches the real stderr, even split across
// writes.
func TestGCWatcherKeepsTheLastCollection(t *testing.T) {
	var out strings.Builder
	g := &gcWatcher{w: &out}
	for _, chunk := range []string{
		"gc 1 @0.010s 2%: 0.018+1.2+0.003 ms clock, 0.037+0.5/1.1/0+0.007 ms cpu, 4->4->2 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P\n",
		"time=… level=ERROR msg=\"hook",
		" failed\"\ngc 2 @0.020s 3%: 0.01+2+0.01 ms clock, 0.02+0.4/1/0+0.02 ms cpu, 21->23->11 MB, 22 MB goal, 0 MB stacks, 1 MB globals, 2 P\n",
	} {
		if _, err := g.Write([]byte(chunk)); err != nil {
			t.Fatal(err)
		}
	}
	if live, goal, n := g.last(); live != 11 || goal != 22 || n != 2 {
		t.Errorf("last = %d MB live, %d MB goal, %d collections; want 11, 22, 2", live, goal, n)
	}
	if got, want := out.String(), "time=… level=ERROR msg=\"hook failed\"\n"; got != want {
		t.Errorf("passed on %q, want %q", got, want)
	}
}

func TestWithGCTraceKeepsGODEBUG(t *testing.T) {
	for _, c := range []struct{ in, want []string }{
		{[]string{"PATH=/bin"}, []string{"PATH=/bin", "GODEBUG=gctrace=1"}},
		{[]string{"GODEBUG=madvdontneed=1", "HOME=/root"}, []string{"HOME=/root", "GODEBUG=madvdontneed=1,gctrace=1"}},
	} {
		if got := withGCTrace(c.in); !slices.Equal(got, c.want) {
			t.Errorf("withGCTrace(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestCountOpenCountsThisProcessFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "copbot.db")
	for i := range 3 {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if got := countOpen(os.Getpid(), path); got != i+1 {
			t.Fatalf("countOpen with %d files open = %d", i+1, got)
		}
	}
}
