package main

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"sync"
)

// gcWatcher is a server's stderr when it runs with GODEBUG=gctrace=1: it
// keeps the Go heap's figures from the last collection's line and passes
// every other line on to w. Go prints one line per collection:
//
//	gc 7 @0.512s 1%: 0.01+1.1+0.02 ms clock, …, 9->10->5 MB, 10 MB goal, 0 MB stacks, 0 MB globals, 2 P
//
// where 9->10->5 is the heap at the start and end of marking and the live
// heap marked, and goal is where the next collection starts.
type gcWatcher struct {
	w io.Writer

	mu         sync.Mutex
	partial    []byte
	gcs        int
	live, goal int64 // MB, from the last line
}

func (g *gcWatcher) Write(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.partial = append(g.partial, p...)
	for {
		i := bytes.IndexByte(g.partial, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := string(g.partial[:i+1])
		g.partial = g.partial[i+1:]
		if !g.parse(line) {
			if _, err := io.WriteString(g.w, line); err != nil {
				return len(p), err
			}
		}
	}
}

// parse reads a gctrace line; it reports false for any other line.
func (g *gcWatcher) parse(line string) bool {
	if !strings.HasPrefix(line, "gc ") || !strings.Contains(line, " MB goal") {
		return false
	}
	for _, part := range strings.Split(line, ", ") {
		f := strings.Fields(part)
		switch {
		case len(f) == 2 && f[1] == "MB" && strings.Count(f[0], "->") == 2:
			heaps := strings.Split(f[0], "->")
			g.live, _ = strconv.ParseInt(heaps[2], 10, 64)
		case len(f) == 3 && f[1] == "MB" && f[2] == "goal":
			g.goal, _ = strconv.ParseInt(f[0], 10, 64)
		}
	}
	g.gcs++
	return true
}

// last returns the last collection's live heap and goal in MB, and how
// many collections were seen.
func (g *gcWatcher) last() (live, goal int64, gcs int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.live, g.goal, g.gcs
}

// withGCTrace returns env with gctrace=1 added to GODEBUG (kept if set).
func withGCTrace(env []string) []string {
	out := make([]string, 0, len(env)+1)
	debug := "gctrace=1"
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "GODEBUG="); ok {
			if v != "" {
				debug = v + "," + debug
			}
			continue
		}
		out = append(out, kv)
	}
	return append(out, "GODEBUG="+debug)
}
