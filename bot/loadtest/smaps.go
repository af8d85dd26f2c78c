package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// memParts is where a process's resident memory lives, from
// /proc/PID/smaps, in kB: mapped files (the binary's text and data, shared
// libraries), anonymous memory (the Go heap, the Go runtime's own
// structures, and modernc's C heap, where SQLite keeps its page caches and
// statements), and the main thread's stack.
type memParts struct {
	file, anon, stack int64
}

// readSmaps reads the parts of process pid.
func readSmaps(pid int) (memParts, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/smaps", pid))
	if err != nil {
		return memParts{}, err
	}
	defer f.Close()
	return parseSmaps(f)
}

// parseSmaps adds up each mapping's Rss by kind.
func parseSmaps(r io.Reader) (memParts, error) {
	var m memParts
	var bucket *int64
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		if k, ok := strings.CutSuffix(fields[0], ":"); ok {
			if k == "Rss" && bucket != nil && len(fields) >= 2 {
				n, _ := strconv.ParseInt(fields[1], 10, 64)
				*bucket += n
			}
			continue
		}
		// A mapping's header: "start-end perms offset dev inode [path]".
		bucket = m.classify(fields)
	}
	return m, sc.Err()
}

func (m *memParts) classify(header []string) *int64 {
	path := ""
	if len(header) >= 6 {
		path = header[5]
	}
	switch {
	case strings.HasPrefix(path, "[stack"):
		return &m.stack
	case strings.HasPrefix(path, "/"):
		return &m.file
	default: // no path, [heap], [anon:…], [vdso]
		return &m.anon
	}
}

// countOpen counts the file descriptors of process pid open on path: one
// per SQLite connection to a database file, and those of closed
// connections, which SQLite keeps while others of the process hold locks
// on the file (closing one would drop them all: POSIX locks are per
// process).
func countOpen(pid int, path string) int {
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	n := 0
	for _, e := range entries {
		if target, err := os.Readlink(dir + "/" + e.Name()); err == nil && target == path {
			n++
		}
	}
	return n
}
